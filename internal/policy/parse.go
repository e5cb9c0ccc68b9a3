package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// maxPolicyLength is the length limit of PutResourcePolicy's
	// ResourcePolicy parameter (API reference), counted in characters.
	maxPolicyLength = 8192
	// The channel section of the user guide sets these two limits. AWS says
	// nothing for event data stores and dashboards; Cairn applies the same
	// limits to every resource type rather than leave them unbounded.
	maxStatements             = 20
	maxPrincipalsPerStatement = 50

	cloudTrailServicePrincipal = "cloudtrail.amazonaws.com"
	externalIDKey              = "cloudtrail:ExternalId"
	sourceARNKey               = "aws:SourceArn"
	sourceAccountKey           = "aws:SourceAccount"

	currentVersion = "2012-10-17"
	legacyVersion  = "2008-10-17"
)

var (
	policyElements    = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "Action", "Resource", "Condition"}
)

// Parse validates a policy document for the resource. The error's message
// is what the API returns in ResourcePolicyNotValidException: it says which
// statement and element are wrong and how. Problems with res itself (an
// unknown type, no ARN) are programming errors and are reported as plain
// errors.
func Parse(document string, res Resource) (*Policy, error) {
	p, err := newParser(res)
	if err != nil {
		return nil, err
	}
	statements, verr := p.parseDocument(document)
	if verr != nil {
		return nil, verr
	}
	return &Policy{resource: res, statements: statements}, nil
}

type parser struct {
	res       Resource
	owner     string
	partition string
	version   string
}

func newParser(res Resource) (*parser, error) {
	if res.Type != Channel && res.Type != EventDataStore && res.Type != Dashboard {
		return nil, fmt.Errorf("policy: resource type %d does not take resource-based policies", int(res.Type))
	}
	if res.ARN == "" {
		return nil, errors.New("policy: the resource ARN is required")
	}
	p := &parser{res: res, owner: res.OwnerAccount}
	if parts := strings.SplitN(res.ARN, ":", 6); len(parts) == 6 && parts[0] == "arn" {
		p.partition = parts[1]
		if p.owner == "" {
			p.owner = parts[4]
		}
	}
	return p, nil
}

func (p *parser) parseDocument(document string) ([]statement, *ValidationError) {
	if strings.TrimSpace(document) == "" {
		return nil, policyError("The resource policy is empty. Provide a JSON policy document with a Version and at least one Statement.")
	}
	if n := utf8.RuneCountInString(document); n > maxPolicyLength {
		return nil, policyError("The resource policy is %d characters long; the maximum is %d.", n, maxPolicyLength)
	}
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(document), &raw); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return nil, policyError("The resource policy is not valid JSON: %s (at byte offset %d).", syntaxErr, syntaxErr.Offset)
		}
		return nil, policyError("The resource policy is not valid JSON: %s.", err)
	}
	members, isObject, duplicate := objectMembers(raw)
	if !isObject {
		return nil, policyError("The resource policy must be a JSON object, not %s.", describeJSON(raw))
	}
	if duplicate != "" {
		return nil, policyError("The resource policy has more than one %q element.", duplicate)
	}

	var versionRaw, statementRaw json.RawMessage
	for _, m := range members {
		switch m.name {
		case "Version":
			versionRaw = m.value
		case "Statement":
			statementRaw = m.value
		case "Id":
			if _, ok := jsonString(m.value); !ok {
				return nil, policyError("Id must be a string, not %s.", describeJSON(m.value))
			}
		default:
			return nil, policyError("The resource policy has an unknown element %q. %s", m.name, validElementsHint(m.name, policyElements))
		}
	}

	if versionRaw == nil {
		return nil, policyError("The resource policy is missing the required Version element. Add \"Version\": %q.", currentVersion)
	}
	version, ok := jsonString(versionRaw)
	if !ok {
		return nil, policyError("Version must be the string %q, not %s.", currentVersion, describeJSON(versionRaw))
	}
	if version != currentVersion && version != legacyVersion {
		return nil, policyError("Version %q is not supported. Use %q (or the older %q).", version, currentVersion, legacyVersion)
	}
	p.version = version

	if statementRaw == nil {
		return nil, policyError("The resource policy is missing the required Statement element.")
	}
	var rawStatements []json.RawMessage
	switch jsonKind(statementRaw) {
	case '{':
		rawStatements = []json.RawMessage{statementRaw}
	case '[':
		rawStatements, _ = arrayElements(statementRaw)
		if len(rawStatements) == 0 {
			return nil, policyError("Statement is an empty array. The resource policy must contain at least one statement.")
		}
	default:
		return nil, policyError("Statement must be an object or an array of objects, not %s.", describeJSON(statementRaw))
	}
	if len(rawStatements) > maxStatements {
		return nil, policyError("The resource policy has %d statements; the maximum is %d.", len(rawStatements), maxStatements)
	}

	statements := make([]statement, 0, len(rawStatements))
	sidIndex := make(map[string]int)
	for i, raw := range rawStatements {
		s, verr := p.parseStatement(i+1, raw)
		if verr != nil {
			return nil, verr
		}
		if s.sid != "" {
			if first, taken := sidIndex[s.sid]; taken {
				return nil, &ValidationError{Statement: i + 1, Sid: s.sid,
					Message: fmt.Sprintf("Sid %q is already used by statement %d. Statement IDs must be unique within a policy.", s.sid, first)}
			}
			sidIndex[s.sid] = i + 1
		}
		statements = append(statements, s)
	}
	return statements, nil
}

func (p *parser) parseStatement(index int, raw json.RawMessage) (statement, *ValidationError) {
	var s statement
	fail := func(err error) *ValidationError {
		return &ValidationError{Statement: index, Sid: s.sid, Message: err.Error()}
	}
	members, isObject, duplicate := objectMembers(raw)
	if !isObject {
		return s, fail(fmt.Errorf("Each statement must be a JSON object, not %s.", describeJSON(raw)))
	}
	if duplicate != "" {
		return s, fail(fmt.Errorf("The statement has more than one %q element.", duplicate))
	}

	elements := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		elements[m.name] = m.value
	}
	if sidRaw, ok := elements["Sid"]; ok {
		sid, isString := jsonString(sidRaw)
		if !isString {
			return s, fail(fmt.Errorf("Sid must be a string, not %s.", describeJSON(sidRaw)))
		}
		s.sid = sid
	}
	for _, m := range members {
		if err := checkStatementElementName(m.name, p.res.Type); err != nil {
			return s, fail(err)
		}
	}

	effectRaw, ok := elements["Effect"]
	if !ok {
		return s, fail(errors.New(`Effect is missing. Add "Effect": "Allow" or "Effect": "Deny".`))
	}
	switch effect, _ := jsonString(effectRaw); effect {
	case "Allow":
		s.effect = effectAllow
	case "Deny":
		s.effect = effectDeny
	default:
		if jsonKind(effectRaw) != '"' {
			return s, fail(fmt.Errorf(`Effect must be "Allow" or "Deny", not %s.`, describeJSON(effectRaw)))
		}
		return s, fail(fmt.Errorf(`Effect %q is not valid. Use "Allow" or "Deny" (values are case-sensitive).`, effect))
	}

	var err error
	principalRaw, ok := elements["Principal"]
	if !ok {
		return s, fail(fmt.Errorf("Principal is missing. Each statement must name at least one principal: %s.", p.principalHint()))
	}
	if s.principals, err = p.parsePrincipals(principalRaw); err != nil {
		return s, fail(err)
	}
	forService := s.principals[0].kind == servicePrincipal

	actionRaw, ok := elements["Action"]
	if !ok {
		return s, fail(fmt.Errorf("Action is missing. %s", p.actionsHint(forService)))
	}
	if s.actions, err = p.parseActions(actionRaw, forService); err != nil {
		return s, fail(err)
	}

	if resourceRaw, ok := elements["Resource"]; ok {
		if s.resources, err = p.parseResources(resourceRaw, forService); err != nil {
			return s, fail(err)
		}
	}

	if conditionRaw, ok := elements["Condition"]; ok {
		if s.conditions, err = p.parseConditions(conditionRaw, forService); err != nil {
			return s, fail(err)
		}
	}
	return s, nil
}

func checkStatementElementName(name string, t ResourceType) error {
	switch name {
	case "Sid", "Effect", "Principal", "Action", "Resource", "Condition":
		return nil
	// AWS documents none of the Not* elements for CloudTrail. Each of them
	// widens a statement to everything it does not name, while CloudTrail
	// requires statements to name their principals and limits the actions
	// to a short list, so Cairn refuses them instead of guessing.
	case "NotPrincipal":
		return errors.New("NotPrincipal is not supported in CloudTrail resource-based policies. Name the principals in Principal.")
	case "NotAction":
		return errors.New("NotAction is not supported in CloudTrail resource-based policies. List the actions in Action.")
	case "NotResource":
		return fmt.Errorf("NotResource is not supported in CloudTrail resource-based policies. Use Resource, or leave it out to apply the statement to this %s.", t)
	}
	return fmt.Errorf("The statement has an unknown element %q. %s", name, validElementsHint(name, statementElements))
}

// validElementsHint lists the valid element names and, when name differs
// from one of them only in case, points at it: IAM element names are
// case-sensitive.
func validElementsHint(name string, valid []string) string {
	for _, v := range valid {
		if strings.EqualFold(v, name) {
			return fmt.Sprintf("Element names are case-sensitive: use %q.", v)
		}
	}
	return "Valid elements are " + joinWords(valid, "and") + "."
}

func joinWords(words []string, conjunction string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conjunction + " " + words[len(words)-1]
}

// policyOn is how messages name the policy: "a channel policy".
func policyOn(t ResourceType) string {
	if t == EventDataStore {
		return "an event data store policy"
	}
	return "a " + t.String() + " policy"
}

// stringList reads an element that IAM lets be one string or an array of
// strings.
func stringList(raw json.RawMessage, element string) ([]string, error) {
	if s, ok := jsonString(raw); ok {
		return []string{s}, nil
	}
	elements, ok := arrayElements(raw)
	if !ok {
		return nil, fmt.Errorf("%s must be a string or an array of strings, not %s.", element, describeJSON(raw))
	}
	if len(elements) == 0 {
		return nil, fmt.Errorf("%s is an empty array. Give at least one value.", element)
	}
	values := make([]string, 0, len(elements))
	for i, e := range elements {
		s, ok := jsonString(e)
		if !ok {
			return nil, fmt.Errorf("%s must contain only strings, but entry %d is %s.", element, i+1, describeJSON(e))
		}
		values = append(values, s)
	}
	return values, nil
}

// hasPolicyVariable reports whether value uses IAM policy-variable syntax.
// Version 2012-10-17 would substitute ${...}; Cairn does not implement
// policy variables, and matching the text literally would silently differ
// from AWS, so such values are refused. Version 2008-10-17 has no
// variables, so there the text is literal.
func (p *parser) hasPolicyVariable(value string) bool {
	return p.version == currentVersion && strings.Contains(value, "${")
}
