package policy

import (
	"bytes"
	"encoding/json"
)

// member is one name/value pair of a JSON object, in document order.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers splits raw, which must be syntactically valid JSON, into its
// members. ok is false when raw is not an object. duplicate is the first
// name that occurs twice: encoding/json would silently keep the last value,
// which in a policy could turn an Allow into a Deny unnoticed, so callers
// refuse it.
func objectMembers(raw json.RawMessage) (members []member, ok bool, duplicate string) {
	if jsonKind(raw) != '{' {
		return nil, false, ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, false, ""
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false, ""
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, false, ""
		}
		if seen[name] {
			return nil, true, name
		}
		seen[name] = true
		members = append(members, member{name: name, value: value})
	}
	return members, true, ""
}

// arrayElements splits raw into its elements. ok is false when raw is not
// an array.
func arrayElements(raw json.RawMessage) (elements []json.RawMessage, ok bool) {
	if jsonKind(raw) != '[' {
		return nil, false
	}
	if err := json.Unmarshal(raw, &elements); err != nil {
		return nil, false
	}
	return elements, true
}

// jsonKind is the first byte of raw's value: '{', '[', '"', 't', 'f', 'n',
// or a digit or '-' for numbers; 0 for no value.
func jsonKind(raw json.RawMessage) byte {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 {
		return 0
	}
	return trimmed[0]
}

func jsonString(raw json.RawMessage) (string, bool) {
	if jsonKind(raw) != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonScalarText is the text of a string, number or boolean. IAM accepts
// numbers and booleans as condition values and compares their text.
func jsonScalarText(raw json.RawMessage) (string, bool) {
	switch kind := jsonKind(raw); {
	case kind == '"':
		return jsonString(raw)
	case kind == 't' || kind == 'f':
		return string(bytes.TrimSpace(raw)), true
	case kind == '-' || (kind >= '0' && kind <= '9'):
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// describeJSON names raw's kind for error messages.
func describeJSON(raw json.RawMessage) string {
	switch kind := jsonKind(raw); {
	case kind == '{':
		return "an object"
	case kind == '[':
		return "an array"
	case kind == '"':
		return "a string"
	case kind == 't' || kind == 'f':
		return "a boolean"
	case kind == 'n':
		return "null"
	}
	return "a number"
}
