package trails

import (
	"regexp"
	"slices"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// maxAdvancedSelectorValues caps the values of all conditions of all
// advanced event selectors of a trail.
const maxAdvancedSelectorValues = 500

// Event categories a trail's advanced event selectors can select.
const (
	categoryManagement      = "Management"
	categoryData            = "Data"
	categoryNetworkActivity = "NetworkActivity"
)

// Operator names of an advanced field selector.
const (
	opEquals        = "Equals"
	opStartsWith    = "StartsWith"
	opEndsWith      = "EndsWith"
	opNotEquals     = "NotEquals"
	opNotStartsWith = "NotStartsWith"
	opNotEndsWith   = "NotEndsWith"
)

// fieldRule says how one field may be used for one event category.
type fieldRule struct {
	// operators lists the operators allowed; nil allows all.
	operators []string
	// values lists the values allowed; nil allows any.
	values []string
	// pattern, when set, must match every value.
	pattern *regexp.Regexp
	// single requires exactly one value.
	single bool
	// required fields must appear in the selector.
	required bool
}

var (
	resourceTypePattern = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)
	eventSourcePattern  = regexp.MustCompile(`^[a-z0-9-]+\.amazonaws\.com$`)
	arnValuePattern     = regexp.MustCompile(`^arn:[^:]+:[^:]+:`)
)

var (
	readOnlyRule = fieldRule{operators: []string{opEquals}, values: []string{"true", "false"}, single: true}
	anyValueRule = fieldRule{}
)

// trailFieldRules lists, per event category, the fields a trail's advanced
// event selector may filter on, as the CloudTrail API reference documents
// them for trails.
var trailFieldRules = map[string]map[string]fieldRule{
	categoryManagement: {
		"readOnly":    readOnlyRule,
		"eventSource": {operators: []string{opNotEquals}, values: excludableManagementSources},
	},
	categoryData: {
		"resources.type": {operators: []string{opEquals}, pattern: resourceTypePattern, single: true, required: true},
		"readOnly":       readOnlyRule,
		"eventName":      anyValueRule,
		"eventSource":    anyValueRule,
		"eventType":      anyValueRule,
		"resources.ARN":  anyValueRule,
		"sessionCredentialFromConsole": {
			operators: []string{opEquals, opNotEquals}, values: []string{"true"},
		},
		"userIdentity.arn": anyValueRule,
	},
	categoryNetworkActivity: {
		"eventSource": {
			operators: []string{opEquals}, pattern: eventSourcePattern, single: true, required: true,
		},
		"eventName":     anyValueRule,
		"errorCode":     {operators: []string{opEquals}, values: []string{"VpceAccessDenied"}},
		"vpcEndpointId": anyValueRule,
	},
}

// operatorValues pairs an operator name with the values given for it;
// values is nil when the operator is absent.
type operatorValues struct {
	name   string
	values []string
}

func operatorsOf(f cloudtrail.AdvancedFieldSelector) []operatorValues {
	return []operatorValues{
		{opEquals, f.Equals}, {opStartsWith, f.StartsWith}, {opEndsWith, f.EndsWith},
		{opNotEquals, f.NotEquals}, {opNotStartsWith, f.NotStartsWith}, {opNotEndsWith, f.NotEndsWith},
	}
}

func validateAdvancedSelectors(in []cloudtrail.AdvancedEventSelector) ([]advancedSelector, error) {
	if len(in) == 0 {
		return nil, invalidSelectors("AdvancedEventSelectors must contain at least one advanced event selector.")
	}
	total := 0
	out := make([]advancedSelector, 0, len(in))
	for _, sel := range in {
		stored, values, err := validateAdvancedSelector(sel)
		if err != nil {
			return nil, err
		}
		total += values
		out = append(out, stored)
	}
	if total > maxAdvancedSelectorValues {
		return nil, invalidSelectors(
			"The advanced event selectors of a trail can have at most %d values for all conditions; %d were specified.",
			maxAdvancedSelectorValues, total)
	}
	return out, nil
}

// validateAdvancedSelector checks one selector and returns it with the
// number of values its conditions hold.
func validateAdvancedSelector(sel cloudtrail.AdvancedEventSelector) (advancedSelector, int, error) {
	if len(sel.FieldSelectors) == 0 {
		return advancedSelector{}, 0, invalidSelectors("An advanced event selector must have at least one field selector.")
	}
	byField := make(map[string]cloudtrail.AdvancedFieldSelector, len(sel.FieldSelectors))
	values := 0
	for _, f := range sel.FieldSelectors {
		name := deref(f.Field)
		if _, dup := byField[name]; dup {
			return advancedSelector{}, 0, invalidSelectors(
				"Field %s appears more than once in an advanced event selector.", name)
		}
		byField[name] = f
		present := 0
		for _, op := range operatorsOf(f) {
			if op.values == nil {
				continue
			}
			if len(op.values) == 0 {
				return advancedSelector{}, 0, invalidSelectors("Operator %s of field %s must have at least one value.", op.name, name)
			}
			present++
			values += len(op.values)
		}
		if present == 0 {
			return advancedSelector{}, 0, invalidSelectors("Field %s must have at least one operator with values.", name)
		}
	}
	category, err := selectorCategory(byField)
	if err != nil {
		return advancedSelector{}, 0, err
	}
	rules := trailFieldRules[category]
	for name, rule := range rules {
		if _, ok := byField[name]; rule.required && !ok {
			return advancedSelector{}, 0, invalidSelectors(
				"Advanced event selectors for %s events must include the %s field.", category, name)
		}
	}
	stored := advancedSelector{Name: sel.Name}
	for _, f := range sel.FieldSelectors {
		name := deref(f.Field)
		if name != "eventCategory" {
			rule, ok := rules[name]
			if !ok {
				return advancedSelector{}, 0, invalidSelectors(
					"Field %s is not supported in advanced event selectors for %s events on a trail.", name, category)
			}
			if err := checkFieldRule(name, f, rule); err != nil {
				return advancedSelector{}, 0, err
			}
		}
		stored.Fields = append(stored.Fields, fieldSelector{
			Field:         name,
			Equals:        slices.Clone(f.Equals),
			StartsWith:    slices.Clone(f.StartsWith),
			EndsWith:      slices.Clone(f.EndsWith),
			NotEquals:     slices.Clone(f.NotEquals),
			NotStartsWith: slices.Clone(f.NotStartsWith),
			NotEndsWith:   slices.Clone(f.NotEndsWith),
		})
	}
	return stored, values, nil
}

// selectorCategory reads the eventCategory condition every selector needs:
// Equals with one of the categories a trail can log.
func selectorCategory(byField map[string]cloudtrail.AdvancedFieldSelector) (string, error) {
	f, ok := byField["eventCategory"]
	if !ok {
		return "", invalidSelectors("Each advanced event selector must include the eventCategory field.")
	}
	for _, op := range operatorsOf(f) {
		if op.values != nil && op.name != opEquals {
			return "", invalidSelectors("Field eventCategory only supports the Equals operator.")
		}
	}
	if len(f.Equals) != 1 {
		return "", invalidSelectors("Field eventCategory must have exactly one value.")
	}
	category := f.Equals[0]
	if _, ok := trailFieldRules[category]; !ok {
		return "", invalidValue(category, "eventCategory")
	}
	return category, nil
}

func checkFieldRule(name string, f cloudtrail.AdvancedFieldSelector, rule fieldRule) error {
	for _, op := range operatorsOf(f) {
		if op.values == nil {
			continue
		}
		if rule.operators != nil && !slices.Contains(rule.operators, op.name) {
			return invalidSelectors("Field %s does not support the %s operator.", name, op.name)
		}
		if rule.single && len(op.values) != 1 {
			return invalidSelectors("Field %s must have exactly one value.", name)
		}
		for _, v := range op.values {
			if rule.values != nil && !slices.Contains(rule.values, v) {
				return invalidValue(v, name)
			}
			if rule.pattern != nil && !rule.pattern.MatchString(v) {
				return invalidValue(v, name)
			}
			if name == "resources.ARN" && (op.name == opEquals || op.name == opNotEquals) && !arnValuePattern.MatchString(v) {
				return invalidValue(v, name)
			}
		}
	}
	return nil
}
