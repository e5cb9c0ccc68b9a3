package selectors

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// Event holds the fields of a CloudTrail record that selectors and
// delivery look at.
type Event struct {
	EventCategory                string
	EventSource                  string
	EventName                    string
	EventType                    string
	EventTime                    string
	AWSRegion                    string
	RecipientAccountID           string
	ErrorCode                    string
	SessionCredentialFromConsole string
	VPCEndpointID                string
	UserIdentityARN              string
	// ReadOnly is "true", "false" or empty when the record does not say.
	ReadOnly string
	// ManagementEvent is "true", "false" or empty when the record does not say.
	ManagementEvent string
	Resources       []Resource
}

// Resource is one entry of a record's resources list.
type Resource struct {
	Type string
	ARN  string
}

// Category is the event's category: eventCategory when the record has it,
// else Management or Data from managementEvent (records written before
// eventCategory existed), else Management.
func (e *Event) Category() string {
	if e.EventCategory != "" {
		return e.EventCategory
	}
	if e.ManagementEvent == "false" {
		return "Data"
	}
	return "Management"
}

// Extract reads the selector fields of one JSON record. Unknown members
// are skipped without being decoded.
func Extract(raw []byte) (Event, error) {
	var e Event
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	if err := expectObject(dec); err != nil {
		return e, err
	}
	for dec.PeekKind() != '}' {
		name, err := readString(dec)
		if err != nil {
			return e, err
		}
		switch name {
		case "eventCategory":
			e.EventCategory, err = readScalar(dec)
		case "eventSource":
			e.EventSource, err = readScalar(dec)
		case "eventName":
			e.EventName, err = readScalar(dec)
		case "eventType":
			e.EventType, err = readScalar(dec)
		case "eventTime":
			e.EventTime, err = readScalar(dec)
		case "awsRegion":
			e.AWSRegion, err = readScalar(dec)
		case "recipientAccountId":
			e.RecipientAccountID, err = readScalar(dec)
		case "errorCode":
			e.ErrorCode, err = readScalar(dec)
		case "sessionCredentialFromConsole":
			e.SessionCredentialFromConsole, err = readScalar(dec)
		case "vpcEndpointId":
			e.VPCEndpointID, err = readScalar(dec)
		case "readOnly":
			e.ReadOnly, err = readScalar(dec)
		case "managementEvent":
			e.ManagementEvent, err = readScalar(dec)
		case "userIdentity":
			e.UserIdentityARN, err = readUserIdentityARN(dec)
		case "resources":
			e.Resources, err = readResources(dec)
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return e, fmt.Errorf("selectors: member %s: %w", name, err)
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return e, err
	}
	return e, nil
}

var errNotObject = errors.New("selectors: not a JSON object")

func expectObject(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return errNotObject
	}
	return nil
}

func readString(dec *jsontext.Decoder) (string, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return "", err
	}
	return tok.String(), nil
}

// readScalar returns a string, boolean or number as its text, and null or
// a composite value as "".
func readScalar(dec *jsontext.Decoder) (string, error) {
	switch dec.PeekKind() {
	case '{', '[':
		return "", dec.SkipValue()
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return "", err
	}
	switch tok.Kind() {
	case 'n':
		return "", nil
	case 't':
		return "true", nil
	case 'f':
		return "false", nil
	}
	return tok.String(), nil
}

func readUserIdentityARN(dec *jsontext.Decoder) (string, error) {
	if dec.PeekKind() != '{' {
		return "", dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", err
	}
	var arn string
	for dec.PeekKind() != '}' {
		name, err := readString(dec)
		if err != nil {
			return "", err
		}
		if name == "arn" {
			if arn, err = readScalar(dec); err != nil {
				return "", err
			}
			continue
		}
		if err := dec.SkipValue(); err != nil {
			return "", err
		}
	}
	_, err := dec.ReadToken()
	return arn, err
}

func readResources(dec *jsontext.Decoder) ([]Resource, error) {
	if dec.PeekKind() != '[' {
		return nil, dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	var out []Resource
	for dec.PeekKind() != ']' {
		if dec.PeekKind() != '{' {
			if err := dec.SkipValue(); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		var r Resource
		for dec.PeekKind() != '}' {
			name, err := readString(dec)
			if err != nil {
				return nil, err
			}
			switch name {
			case "type":
				r.Type, err = readScalar(dec)
			case "ARN":
				r.ARN, err = readScalar(dec)
			default:
				err = dec.SkipValue()
			}
			if err != nil {
				return nil, err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	_, err := dec.ReadToken()
	return out, err
}
