package selectorrules

import (
	"fmt"
	"slices"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/selectors"
)

// Target is what the selectors belong to.
type Target int

// Targets.
const (
	// Trail selectors select what a trail logs.
	Trail Target = iota + 1
	// EventDataStore selectors select what an event data store collects.
	EventDataStore
)

// String names the target as error messages do.
func (t Target) String() string {
	switch t {
	case Trail:
		return "trail"
	case EventDataStore:
		return "event data store"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// article returns the target with its indefinite article.
func (t Target) article() string {
	if t == EventDataStore {
		return "an " + t.String()
	}
	return "a " + t.String()
}

// Selector is one validated advanced event selector.
type Selector struct {
	Name *string `json:"name,omitempty"`
	// Category is the selector's eventCategory value. It is not stored
	// (the fields hold it).
	Category string `json:"-"`
	// Fields holds every field selector in the order given, eventCategory
	// included.
	Fields []Field `json:"fields"`
}

// Field is one validated field selector. Operators that were not given are
// nil.
type Field struct {
	Field         string   `json:"field"`
	Equals        []string `json:"equals,omitempty"`
	StartsWith    []string `json:"startsWith,omitempty"`
	EndsWith      []string `json:"endsWith,omitempty"`
	NotEquals     []string `json:"notEquals,omitempty"`
	NotStartsWith []string `json:"notStartsWith,omitempty"`
	NotEndsWith   []string `json:"notEndsWith,omitempty"`
}

// Clone returns a deep copy of s: nothing reachable from it is shared.
// Nil lists stay nil.
func (s Selector) Clone() Selector {
	if s.Name != nil {
		name := *s.Name
		s.Name = &name
	}
	if s.Fields != nil {
		fields := make([]Field, len(s.Fields))
		for i, f := range s.Fields {
			f.Equals = slices.Clone(f.Equals)
			f.StartsWith = slices.Clone(f.StartsWith)
			f.EndsWith = slices.Clone(f.EndsWith)
			f.NotEquals = slices.Clone(f.NotEquals)
			f.NotStartsWith = slices.Clone(f.NotStartsWith)
			f.NotEndsWith = slices.Clone(f.NotEndsWith)
			fields[i] = f
		}
		s.Fields = fields
	}
	return s
}

// Matcher is the selector as package selectors matches events with it.
func (s Selector) Matcher() selectors.Advanced {
	adv := selectors.Advanced{Fields: make([]selectors.Field, 0, len(s.Fields))}
	for _, f := range s.Fields {
		adv.Fields = append(adv.Fields, selectors.Field{
			Name: f.Field, Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
			NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith,
		})
	}
	return adv
}

// ToAPI is the selector as the API returns it.
func (s Selector) ToAPI() cloudtrail.AdvancedEventSelector {
	out := cloudtrail.AdvancedEventSelector{Name: s.Name, FieldSelectors: make([]cloudtrail.AdvancedFieldSelector, 0, len(s.Fields))}
	for _, f := range s.Fields {
		field := f.Field
		out.FieldSelectors = append(out.FieldSelectors, cloudtrail.AdvancedFieldSelector{
			Field: &field, Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
			NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith,
		})
	}
	return out
}

// Validate checks advanced event selectors for the target and returns them
// as Selectors, their values copied. Errors are
// *cloudtrail.InvalidEventSelectorsException. Validate panics if t is not
// Trail or EventDataStore.
func Validate(in []cloudtrail.AdvancedEventSelector, t Target) ([]Selector, error) {
	rules, ok := rulesFor[t]
	if !ok {
		panic("selectorrules: unknown " + t.String())
	}
	if len(in) == 0 {
		return nil, invalid("AdvancedEventSelectors must contain at least one advanced event selector.")
	}
	if t == EventDataStore && len(in) > maxStoreSelectors {
		return nil, invalid("An event data store can have at most %d advanced event selectors; %d were specified.",
			maxStoreSelectors, len(in))
	}
	total := 0
	out := make([]Selector, 0, len(in))
	for _, sel := range in {
		s, values, err := validateSelector(sel, t, rules)
		if err != nil {
			return nil, err
		}
		if t == EventDataStore {
			if err := checkCombination(out, s.Category); err != nil {
				return nil, err
			}
		}
		total += values
		out = append(out, s)
	}
	if total > maxValues {
		return nil, invalid("The advanced event selectors of %s can have at most %d values for all conditions; %d were specified.",
			t.article(), maxValues, total)
	}
	return out, nil
}

// StoreKind classifies an event data store by its validated selectors:
// KindCloudTrail when they select management, data or network activity
// events (any mix), otherwise the one category they all select (Insight,
// ConfigurationItem, ActivityAuditLog or Evidence). It returns "" for no
// selectors or for selectors of different kinds, which Validate rejects for
// an event data store.
func StoreKind(sel []Selector) string {
	kind := ""
	for _, s := range sel {
		k := kindOf(s.Category)
		if kind != "" && k != kind {
			return ""
		}
		kind = k
	}
	return kind
}

// checkCombination rejects a category whose kind of event data store
// differs from that of the selectors before it.
func checkCombination(before []Selector, category string) error {
	for _, s := range before {
		if kindOf(s.Category) != kindOf(category) {
			return invalid("Advanced event selectors for %s events cannot be combined with selectors for %s events in an event data store.",
				category, s.Category)
		}
	}
	return nil
}

// operatorValues pairs an operator name with the values given for it;
// values is nil when the operator is absent.
type operatorValues struct {
	name   string
	values []string
}

func operatorsOf(f cloudtrail.AdvancedFieldSelector) [6]operatorValues {
	return [6]operatorValues{
		{opEquals, f.Equals}, {opStartsWith, f.StartsWith}, {opEndsWith, f.EndsWith},
		{opNotEquals, f.NotEquals}, {opNotStartsWith, f.NotStartsWith}, {opNotEndsWith, f.NotEndsWith},
	}
}

// validateSelector checks one selector and returns it with the number of
// values its conditions hold.
func validateSelector(sel cloudtrail.AdvancedEventSelector, t Target, rules map[string]categoryRules) (Selector, int, error) {
	if len(sel.FieldSelectors) == 0 {
		return Selector{}, 0, invalid("An advanced event selector must have at least one field selector.")
	}
	byField := make(map[string]cloudtrail.AdvancedFieldSelector, len(sel.FieldSelectors))
	values := 0
	for _, f := range sel.FieldSelectors {
		name := deref(f.Field)
		if _, dup := byField[name]; dup {
			return Selector{}, 0, invalid("Field %s appears more than once in an advanced event selector.", name)
		}
		byField[name] = f
		present := 0
		for _, op := range operatorsOf(f) {
			if op.values == nil {
				continue
			}
			if len(op.values) == 0 {
				return Selector{}, 0, invalid("Operator %s of field %s must have at least one value.", op.name, name)
			}
			present++
			values += len(op.values)
		}
		if present == 0 {
			return Selector{}, 0, invalid("Field %s must have at least one operator with values.", name)
		}
	}
	category, err := categoryOf(byField, rules)
	if err != nil {
		return Selector{}, 0, err
	}
	fields := rules[category]
	for _, spec := range fields {
		if _, ok := byField[spec.name]; spec.rule.required && !ok {
			return Selector{}, 0, invalid("Advanced event selectors for %s events must include the %s field.", category, spec.name)
		}
	}
	out := Selector{Name: cloneString(sel.Name), Category: category, Fields: make([]Field, 0, len(sel.FieldSelectors))}
	for _, f := range sel.FieldSelectors {
		name := deref(f.Field)
		if name != "eventCategory" {
			rule, ok := fields.lookup(name)
			if !ok {
				return Selector{}, 0, invalid("Field %s is not supported in advanced event selectors for %s events on %s.",
					name, category, t.article())
			}
			if err := checkField(name, f, rule); err != nil {
				return Selector{}, 0, err
			}
		}
		out.Fields = append(out.Fields, Field{
			Field:         name,
			Equals:        slices.Clone(f.Equals),
			StartsWith:    slices.Clone(f.StartsWith),
			EndsWith:      slices.Clone(f.EndsWith),
			NotEquals:     slices.Clone(f.NotEquals),
			NotStartsWith: slices.Clone(f.NotStartsWith),
			NotEndsWith:   slices.Clone(f.NotEndsWith),
		})
	}
	return out, values, nil
}

// categoryOf reads the eventCategory condition every selector needs:
// Equals with one of the categories the target takes.
func categoryOf(byField map[string]cloudtrail.AdvancedFieldSelector, rules map[string]categoryRules) (string, error) {
	f, ok := byField["eventCategory"]
	if !ok {
		return "", invalid("Each advanced event selector must include the eventCategory field.")
	}
	for _, op := range operatorsOf(f) {
		if op.values != nil && op.name != opEquals {
			return "", invalid("Field eventCategory only supports the Equals operator.")
		}
	}
	if len(f.Equals) != 1 {
		return "", invalid("Field eventCategory must have exactly one value.")
	}
	category := f.Equals[0]
	if _, ok := rules[category]; !ok {
		return "", invalidValue(category, "eventCategory")
	}
	return category, nil
}

func checkField(name string, f cloudtrail.AdvancedFieldSelector, rule fieldRule) error {
	for _, op := range operatorsOf(f) {
		if op.values == nil {
			continue
		}
		if rule.operators != nil && !slices.Contains(rule.operators, op.name) {
			return invalid("Field %s does not support the %s operator.", name, op.name)
		}
		if rule.single && len(op.values) != 1 {
			return invalid("Field %s must have exactly one value.", name)
		}
		exact := op.name == opEquals || op.name == opNotEquals
		for _, v := range op.values {
			switch {
			case rule.values != nil && !slices.Contains(rule.values, v),
				rule.pattern != nil && !rule.pattern.MatchString(v),
				rule.exactARN && exact && !arnValuePattern.MatchString(v):
				return invalidValue(v, name)
			}
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return cloudtrail.NewInvalidEventSelectorsException(format, args...)
}

// invalidValue answers in the form AWS uses for a bad selector value.
func invalidValue(value, field string) error {
	return invalid("Value %s for %s is invalid.", value, field)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func cloneString(s *string) *string {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}
