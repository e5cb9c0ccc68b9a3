package policy

import (
	"encoding/json"
	"fmt"
	"strings"
)

type operatorFamily int

const (
	stringEquals operatorFamily = iota
	stringEqualsIgnoreCase
	stringLike
	arnLike // ArnEquals and ArnLike behave the same in IAM
	null
)

type operator struct {
	family  operatorFamily
	negated bool
}

var operators = map[string]operator{
	"StringEquals":              {stringEquals, false},
	"StringNotEquals":           {stringEquals, true},
	"StringEqualsIgnoreCase":    {stringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {stringEqualsIgnoreCase, true},
	"StringLike":                {stringLike, false},
	"StringNotLike":             {stringLike, true},
	"ArnEquals":                 {arnLike, false},
	"ArnNotEquals":              {arnLike, true},
	"ArnLike":                   {arnLike, false},
	"ArnNotLike":                {arnLike, true},
	"Null":                      {null, false},
}

var operatorNames = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Null",
}

// iamOnlyOperators are IAM operators that Cairn does not evaluate; the
// request keys they test (times, addresses, numbers, booleans) are not
// part of a CloudTrail resource policy decision here.
var iamOnlyOperators = map[string]bool{
	"NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true, "NumericLessThanEquals": true,
	"NumericGreaterThan": true, "NumericGreaterThanEquals": true,
	"DateEquals": true, "DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true,
	"DateGreaterThan": true, "DateGreaterThanEquals": true,
	"Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
}

type setQualifier int

const (
	noQualifier setQualifier = iota
	forAnyValue
	forAllValues
)

// condition is one key of one operator block: all conditions of a
// statement must hold; any of a condition's values may match.
type condition struct {
	operatorName string
	operator
	ifExists  bool
	qualifier setQualifier
	key       string
	values    []string
}

// holds evaluates the condition against one request value. Request keys
// are single-valued, so a set qualifier only changes the answer when the
// key is missing: ForAllValues holds over the empty set, ForAnyValue does
// not.
func (c *condition) holds(value string, present bool) bool {
	if c.family == null {
		for _, v := range c.values {
			wantAbsent := v == "true"
			if wantAbsent != present {
				return true
			}
		}
		return false
	}
	if !present {
		if c.ifExists {
			return true
		}
		switch c.qualifier {
		case forAllValues:
			return true
		case forAnyValue:
			return false
		}
		return c.negated
	}
	matched := false
	for _, v := range c.values {
		if c.family.matches(v, value) {
			matched = true
			break
		}
	}
	return matched != c.negated
}

func (f operatorFamily) matches(policyValue, requestValue string) bool {
	switch f {
	case stringEquals:
		return policyValue == requestValue
	case stringEqualsIgnoreCase:
		return strings.EqualFold(policyValue, requestValue)
	case stringLike:
		return wildcardMatch(policyValue, requestValue)
	case arnLike:
		return arnPatternMatches(policyValue, requestValue)
	}
	return false
}

func parseOperator(name string) (condition, error) {
	c := condition{operatorName: name}
	base := name
	if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		base, c.qualifier = rest, forAnyValue
	} else if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		base, c.qualifier = rest, forAllValues
	}
	if rest, ok := strings.CutSuffix(base, "IfExists"); ok {
		base, c.ifExists = rest, true
	}
	op, known := operators[base]
	if !known {
		supported := fmt.Sprintf("Supported operators are %s, each optionally with the IfExists suffix or a ForAnyValue: or ForAllValues: prefix (except Null).", joinWords(operatorNames, "and"))
		if iamOnlyOperators[base] {
			return c, fmt.Errorf("Condition operator %q is not supported in CloudTrail resource-based policies. %s", name, supported)
		}
		for _, n := range operatorNames {
			if strings.EqualFold(n, base) {
				return c, fmt.Errorf("Condition operator %q is not valid; operator names are case-sensitive: use %q.", name, n)
			}
		}
		return c, fmt.Errorf("Condition operator %q is not valid. %s", name, supported)
	}
	if op.family == null && (c.ifExists || c.qualifier != noQualifier) {
		return c, fmt.Errorf("Condition operator %q is not valid: Null tests whether a key exists, so it takes neither IfExists nor ForAnyValue:/ForAllValues:.", name)
	}
	c.operator = op
	return c, nil
}

func (p *parser) parseConditions(raw json.RawMessage, forService bool) ([]condition, error) {
	blocks, isObject, duplicate := objectMembers(raw)
	if !isObject {
		return nil, fmt.Errorf(`Condition must be an object such as {"StringEquals": {"aws:SourceAccount": "111122223333"}}, not %s.`, describeJSON(raw))
	}
	if duplicate != "" {
		return nil, fmt.Errorf("Condition has more than one %q operator.", duplicate)
	}
	var conditions []condition
	for _, block := range blocks {
		template, err := parseOperator(block.name)
		if err != nil {
			return nil, err
		}
		keys, isObject, duplicate := objectMembers(block.value)
		if !isObject {
			return nil, fmt.Errorf("Condition operator %q must map condition keys to values, not %s.", block.name, describeJSON(block.value))
		}
		if duplicate != "" {
			return nil, fmt.Errorf("Condition operator %q has more than one %q key.", block.name, duplicate)
		}
		if len(keys) == 0 {
			return nil, fmt.Errorf("Condition operator %q names no condition key.", block.name)
		}
		for _, k := range keys {
			if err := p.checkConditionKey(k.name, forService); err != nil {
				return nil, err
			}
			c := template
			c.key = k.name
			if c.values, err = p.conditionValues(&c, k.value); err != nil {
				return nil, err
			}
			conditions = append(conditions, c)
		}
	}
	return conditions, nil
}

func (p *parser) checkConditionKey(key string, forService bool) error {
	prefix, name, ok := strings.Cut(key, ":")
	if !ok || prefix == "" || name == "" || strings.ContainsAny(key, " \t\r\n") {
		return fmt.Errorf("Condition key %q is not valid. Condition keys look like aws:SourceAccount or %s.", key, externalIDKey)
	}
	if forService {
		if !strings.EqualFold(key, sourceARNKey) && !strings.EqualFold(key, sourceAccountKey) {
			return fmt.Errorf("Condition key %q is not allowed for the %s service principal. Its conditions may only use %s (the dashboard ARN) and %s (your account ID).", key, cloudTrailServicePrincipal, sourceARNKey, sourceAccountKey)
		}
		return nil
	}
	switch {
	case strings.EqualFold(prefix, "aws"):
		return nil
	case strings.EqualFold(prefix, "cloudtrail"):
		if !strings.EqualFold(key, externalIDKey) {
			return fmt.Errorf("Condition key %q does not exist. The only CloudTrail condition key is %s.", key, externalIDKey)
		}
		// AWS documents cloudtrail:ExternalId only for channels, where it is
		// PutAuditEvents' externalId parameter. No other request carries it,
		// so a condition on it elsewhere could never be met.
		if p.res.Type != Channel {
			return fmt.Errorf("Condition key %s is only available in channel policies (it is the externalId parameter of PutAuditEvents).", externalIDKey)
		}
		return nil
	}
	return fmt.Errorf("Condition key %q is not available in CloudTrail requests. Use a global aws: condition key or %s.", key, externalIDKey)
}

func (p *parser) conditionValues(c *condition, raw json.RawMessage) ([]string, error) {
	what := fmt.Sprintf("Condition %q value for %q", c.operatorName, c.key)
	var entries []json.RawMessage
	if elements, isArray := arrayElements(raw); isArray {
		if len(elements) == 0 {
			return nil, fmt.Errorf("%s is an empty array. Give at least one value.", what)
		}
		entries = elements
	} else {
		entries = []json.RawMessage{raw}
	}
	values := make([]string, 0, len(entries))
	for _, e := range entries {
		v, ok := jsonScalarText(e)
		if !ok {
			return nil, fmt.Errorf("%s must be a string or an array of strings, not %s.", what, describeJSON(e))
		}
		if err := p.checkConditionValue(c, v, what); err != nil {
			return nil, err
		}
		if c.family == null {
			v = strings.ToLower(v)
		}
		values = append(values, v)
	}
	return values, nil
}

func (p *parser) checkConditionValue(c *condition, v, what string) error {
	if c.family == null {
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return fmt.Errorf(`%s must be "true" (the key is absent) or "false" (the key is present), not %q.`, what, v)
		}
		return nil
	}
	if p.hasPolicyVariable(v) {
		return fmt.Errorf("%s %q uses a policy variable, which CloudTrail resource-based policies do not support.", what, v)
	}
	if c.family == arnLike && !isARNShaped(v) {
		return fmt.Errorf("%s %q is not an ARN. Arn operators compare ARNs such as arn:aws:cloudtrail:us-east-1:111122223333:dashboard/exampleDash; use a String operator for other values.", what, v)
	}
	exact := c.family == stringEquals || c.family == stringEqualsIgnoreCase
	if exact && !c.negated && strings.EqualFold(c.key, externalIDKey) && !isPossibleExternalID(v) {
		// The guide is silent here; an external ID PutAuditEvents would
		// reject can never be matched, so the policy would lock the
		// partner out without saying why.
		return fmt.Errorf("%s %q can never match: PutAuditEvents accepts external IDs of 2 to 1224 characters made of letters, digits and _+=,.@:/-.", what, v)
	}
	return nil
}

// isPossibleExternalID applies PutAuditEvents' externalId constraints:
// length 2 to 1224 and pattern ^[\w+=,.@:\/-]*$.
func isPossibleExternalID(s string) bool {
	if len(s) < 2 || len(s) > 1224 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_+=,.@:/-", c) >= 0:
		default:
			return false
		}
	}
	return true
}
