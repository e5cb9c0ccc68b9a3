package selectors

import (
	"errors"
	"strconv"
	"unicode/utf8"
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
	// UserIdentityAccountID is userIdentity.accountId, the account of
	// records without recipientAccountId.
	UserIdentityAccountID string
	// ChannelARN is metadata.channelARN, the channel an event from outside
	// AWS (eventCategory ActivityAuditLog) arrived through.
	ChannelARN string
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

var errSyntax = errors.New("selectors: malformed JSON record")

// Extract reads the selector fields of one JSON record in a single pass,
// skipping every other member without decoding it. It checks structure
// only as far as it reads; records come from the event store, which holds
// valid JSON.
func Extract(raw []byte) (Event, error) {
	var e Event
	s := scanner{b: raw}
	err := s.object(func(name []byte) error {
		var err error
		switch string(name) {
		case "eventCategory":
			e.EventCategory, err = s.scalar()
		case "eventSource":
			e.EventSource, err = s.scalar()
		case "eventName":
			e.EventName, err = s.scalar()
		case "eventType":
			e.EventType, err = s.scalar()
		case "eventTime":
			e.EventTime, err = s.scalar()
		case "awsRegion":
			e.AWSRegion, err = s.scalar()
		case "recipientAccountId":
			e.RecipientAccountID, err = s.scalar()
		case "errorCode":
			e.ErrorCode, err = s.scalar()
		case "sessionCredentialFromConsole":
			e.SessionCredentialFromConsole, err = s.scalar()
		case "vpcEndpointId":
			e.VPCEndpointID, err = s.scalar()
		case "readOnly":
			e.ReadOnly, err = s.scalar()
		case "managementEvent":
			e.ManagementEvent, err = s.scalar()
		case "userIdentity":
			if s.peek() != '{' {
				return s.skip()
			}
			err = s.object(func(name []byte) error {
				var err error
				switch string(name) {
				case "arn":
					e.UserIdentityARN, err = s.scalar()
				case "accountId":
					e.UserIdentityAccountID, err = s.scalar()
				default:
					err = s.skip()
				}
				return err
			})
		case "metadata":
			if s.peek() != '{' {
				return s.skip()
			}
			err = s.object(func(name []byte) error {
				if string(name) == "channelARN" {
					var err error
					e.ChannelARN, err = s.scalar()
					return err
				}
				return s.skip()
			})
		case "resources":
			if s.peek() != '[' {
				return s.skip()
			}
			err = s.array(func() error {
				if s.peek() != '{' {
					return s.skip()
				}
				var r Resource
				err := s.object(func(name []byte) error {
					var err error
					switch string(name) {
					case "type":
						r.Type, err = s.scalar()
					case "ARN":
						r.ARN, err = s.scalar()
					default:
						err = s.skip()
					}
					return err
				})
				e.Resources = append(e.Resources, r)
				return err
			})
		default:
			err = s.skip()
		}
		return err
	})
	return e, err
}

// scanner walks JSON bytes.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// object reads an object, calling member with each name; member must
// consume the value.
func (s *scanner) object(member func(name []byte) error) error {
	if s.peek() != '{' {
		return errSyntax
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return errSyntax
		}
		name, _, err := s.str()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return errSyntax
		}
		s.i++
		if err := member(name); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

func (s *scanner) array(elem func() error) error {
	if s.peek() != '[' {
		return errSyntax
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// str reads a string at s.i, returning its raw contents and whether they
// hold escapes.
func (s *scanner) str() ([]byte, bool, error) {
	s.i++ // opening quote
	start := s.i
	escaped := false
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], escaped, nil
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return nil, false, errSyntax
		default:
			s.i++
		}
	}
	return nil, false, errSyntax
}

// scalar reads a string, number, boolean or null as text ("" for null and
// for objects and arrays, which are skipped).
func (s *scanner) scalar() (string, error) {
	switch c := s.peek(); c {
	case '"':
		raw, escaped, err := s.str()
		if err != nil {
			return "", err
		}
		if !escaped {
			return string(raw), nil
		}
		v, err := strconv.Unquote(`"` + string(raw) + `"`)
		if err != nil || !utf8.ValidString(v) {
			return "", errSyntax
		}
		return v, nil
	case '{', '[':
		return "", s.skip()
	case 0:
		return "", errSyntax
	default:
		start := s.i
		if err := s.literal(); err != nil {
			return "", err
		}
		lit := string(s.b[start:s.i])
		if lit == "null" {
			return "", nil
		}
		return lit, nil
	}
}

// literal reads a number, true, false or null.
func (s *scanner) literal() error {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
			return errSyntax
		}
		s.i++
	}
	if s.i == start {
		return errSyntax
	}
	return nil
}

// skip passes over one value of any kind.
func (s *scanner) skip() error {
	switch s.peek() {
	case '"':
		_, _, err := s.str()
		return err
	case '{':
		return s.object(func([]byte) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	case 0:
		return errSyntax
	default:
		return s.literal()
	}
}
