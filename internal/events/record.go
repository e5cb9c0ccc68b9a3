package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// TimeFormat is how CloudTrail writes eventTime: UTC, whole seconds.
const TimeFormat = "2006-01-02T15:04:05Z"

// Record is one CloudTrail event record. Field order follows the order AWS
// writes them in; every optional field is omitted from JSON when empty.
//
// requestParameters and responseElements are present in every API call
// record, as null when there is nothing to report: set them to Null for
// that, and leave them nil for records (Insights events) that lack them.
// An empty string counts as absent (AWS sometimes writes "accessKeyId": "";
// a record parsed from outside keeps that in Raw).
type Record struct {
	EventVersion                 string          `json:"eventVersion,omitempty"`
	UserIdentity                 *UserIdentity   `json:"userIdentity,omitempty"`
	EventTime                    time.Time       `json:"eventTime"`
	EventSource                  string          `json:"eventSource,omitempty"`
	EventName                    string          `json:"eventName,omitempty"`
	AWSRegion                    string          `json:"awsRegion,omitempty"`
	SourceIPAddress              string          `json:"sourceIPAddress,omitempty"`
	UserAgent                    string          `json:"userAgent,omitempty"`
	ErrorCode                    string          `json:"errorCode,omitempty"`
	ErrorMessage                 string          `json:"errorMessage,omitempty"`
	RequestParameters            json.RawMessage `json:"requestParameters,omitempty"`
	ResponseElements             json.RawMessage `json:"responseElements,omitempty"`
	AdditionalEventData          json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID                    string          `json:"requestID,omitempty"`
	EventID                      string          `json:"eventID,omitempty"`
	ReadOnly                     *bool           `json:"readOnly,omitempty"`
	Resources                    []Resource      `json:"resources,omitempty"`
	EventType                    string          `json:"eventType,omitempty"`
	APIVersion                   string          `json:"apiVersion,omitempty"`
	ManagementEvent              *bool           `json:"managementEvent,omitempty"`
	RecipientAccountID           string          `json:"recipientAccountId,omitempty"`
	ServiceEventDetails          json.RawMessage `json:"serviceEventDetails,omitempty"`
	SharedEventID                string          `json:"sharedEventID,omitempty"`
	VPCEndpointID                string          `json:"vpcEndpointId,omitempty"`
	VPCEndpointAccountID         string          `json:"vpcEndpointAccountId,omitempty"`
	Annotation                   string          `json:"annotation,omitempty"`
	EventCategory                string          `json:"eventCategory,omitempty"`
	Addendum                     json.RawMessage `json:"addendum,omitempty"`
	SessionCredentialFromConsole string          `json:"sessionCredentialFromConsole,omitempty"`
	EdgeDeviceDetails            json.RawMessage `json:"edgeDeviceDetails,omitempty"`
	TLSDetails                   *TLSDetails     `json:"tlsDetails,omitempty"`
	InsightDetails               json.RawMessage `json:"insightDetails,omitempty"`
	EventContext                 json.RawMessage `json:"eventContext,omitempty"`

	// Raw is the record's original JSON when it came from outside Cairn.
	// When set, JSON and MarshalJSON return it instead of encoding the
	// fields, so changing a field of a parsed record does not change its
	// JSON.
	Raw json.RawMessage `json:"-"`

	// LookupResources are the resources LookupEvents reports for the
	// event. When nil, LookupResourceList derives them from Resources.
	LookupResources []LookupResource `json:"-"`

	// checked is Raw as Parse found it to be valid, compact JSON in valid
	// UTF-8 (see RawChecked).
	checked []byte

	// rawEventTime is eventTime as the parsed JSON spelled it, for Validate.
	rawEventTime string
	// eventTimeErr records an eventTime that could not be parsed.
	eventTimeErr bool
}

// UserIdentity describes who made the request.
type UserIdentity struct {
	Type              string             `json:"type,omitempty"`
	PrincipalID       string             `json:"principalId,omitempty"`
	ARN               string             `json:"arn,omitempty"`
	AccountID         string             `json:"accountId,omitempty"`
	AccessKeyID       string             `json:"accessKeyId,omitempty"`
	UserName          string             `json:"userName,omitempty"`
	SessionContext    *SessionContext    `json:"sessionContext,omitempty"`
	InvokedBy         string             `json:"invokedBy,omitempty"`
	InvokedByDelegate *InvokedByDelegate `json:"invokedByDelegate,omitempty"`
	OnBehalfOf        *OnBehalfOf        `json:"onBehalfOf,omitempty"`
	InScopeOf         *InScopeOf         `json:"inScopeOf,omitempty"`
	CredentialID      string             `json:"credentialId,omitempty"`
	IdentityProvider  string             `json:"identityProvider,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer       *SessionIssuer       `json:"sessionIssuer,omitempty"`
	WebIDFederationData *WebIDFederationData `json:"webIdFederationData,omitempty"`
	Attributes          *SessionAttributes   `json:"attributes,omitempty"`
	SourceIdentity      string               `json:"sourceIdentity,omitempty"`
	EC2RoleDelivery     string               `json:"ec2RoleDelivery,omitempty"`
	EC2IssuedInVPC      string               `json:"ec2IssuedInVpc,omitempty"`
	AssumedRoot         string               `json:"assumedRoot,omitempty"`
}

// SessionIssuer is the principal that issued temporary credentials.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// WebIDFederationData describes web identity federation. AWS writes it as
// an empty object for sessions without it, which a non-nil pointer to a
// zero value reproduces.
type WebIDFederationData struct {
	FederatedProvider string            `json:"federatedProvider,omitempty"`
	Attributes        map[string]string `json:"attributes,omitempty"`
}

// SessionAttributes are the attributes of temporary credentials.
// CreationDate keeps AWS's spelling: ISO 8601, basic or extended.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated,omitempty"`
}

// InvokedByDelegate names the account of a delegated caller.
type InvokedByDelegate struct {
	AccountID string `json:"accountId,omitempty"`
}

// OnBehalfOf identifies an IAM Identity Center user a call was made for.
type OnBehalfOf struct {
	UserID           string `json:"userId,omitempty"`
	IdentityStoreARN string `json:"identityStoreArn,omitempty"`
}

// InScopeOf describes the scope credentials were issued in.
type InScopeOf struct {
	SourceARN           string `json:"sourceArn,omitempty"`
	SourceAccount       string `json:"sourceAccount,omitempty"`
	IssuerType          string `json:"issuerType,omitempty"`
	CredentialsIssuedTo string `json:"credentialsIssuedTo,omitempty"`
}

// Resource is one element of a record's resources list.
type Resource struct {
	ARN       string `json:"ARN,omitempty"`
	ARNPrefix string `json:"ARNPrefix,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
}

// TLSDetails describes the TLS connection a request arrived on.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion,omitempty"`
	CipherSuite              string `json:"cipherSuite,omitempty"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader,omitempty"`
}

// Null is the JSON null that API call records carry in requestParameters or
// responseElements when there is nothing to report.
var Null = json.RawMessage("null")

// Bool returns a pointer to b, for ReadOnly and ManagementEvent.
func Bool(b bool) *bool { return &b }

// recordFields is Record without its methods, so that encoding/json uses
// the default encoding of the fields.
type recordFields Record

// MarshalJSON returns Raw when the record came from outside, and otherwise
// the fields, with eventTime in CloudTrail's format.
func (r Record) MarshalJSON() ([]byte, error) {
	if len(r.Raw) > 0 {
		return r.Raw, nil
	}
	// time.Time encodes as RFC 3339 with trailing zero fractions removed, so
	// a whole-second UTC time encodes exactly in TimeFormat.
	r.EventTime = r.EventTime.UTC().Truncate(time.Second)
	return json.Marshal(recordFields(r))
}

// JSON returns the record as it is stored and served: Raw if set,
// otherwise the encoded fields.
func (r *Record) JSON() ([]byte, error) {
	if len(r.Raw) > 0 {
		return r.Raw, nil
	}
	return r.MarshalJSON()
}

// UnmarshalJSON decodes a record. eventTime is accepted in CloudTrail's
// format and in any other RFC 3339 form; a value that is not a timestamp
// leaves EventTime zero and is reported by Validate rather than failing the
// decode. Raw is not set: use Parse for records from outside.
func (r *Record) UnmarshalJSON(data []byte) error {
	var wire struct {
		*recordFields
		EventTime json.RawMessage `json:"eventTime"`
	}
	*r = Record{}
	wire.recordFields = (*recordFields)(r)
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	r.rawEventTime, r.eventTimeErr = "", false
	if len(wire.EventTime) == 0 || bytes.Equal(wire.EventTime, Null) {
		return nil
	}
	var s string
	if err := json.Unmarshal(wire.EventTime, &s); err != nil {
		r.eventTimeErr = true
		return nil
	}
	r.rawEventTime = s
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.eventTimeErr = true
		return nil
	}
	r.EventTime = t.UTC()
	return nil
}

// RawChecked reports whether Raw is known to be valid, compact JSON in
// valid UTF-8: Parse or ParseAt produced it (or AppendRawString extended
// it) and it has not been replaced since. Storage can skip checking such a
// record's JSON again.
func (r *Record) RawChecked() bool {
	return len(r.Raw) > 0 && len(r.checked) == len(r.Raw) && &r.checked[0] == &r.Raw[0]
}

// SetEncodedRaw sets Raw to JSON that Cairn's own encoders wrote for the
// record (encoding/json or the generated encoders: valid, compact, invalid
// UTF-8 replaced), so it counts as checked (RawChecked) and storage does
// not check it again. JSON from outside Cairn goes through Parse instead.
func (r *Record) SetEncodedRaw(raw []byte) {
	r.Raw = raw
	r.checked = raw
}

// AppendRawString adds "key":"value" as the last member of the record's
// JSON, Raw, which must be a JSON object. It does not change the fields.
func (r *Record) AppendRawString(key, value string) {
	checked := r.RawChecked()
	k, _ := json.Marshal(key)
	v, _ := json.Marshal(value)
	raw := r.Raw
	out := make([]byte, 0, len(raw)+len(k)+len(v)+2)
	out = append(out, raw[:len(raw)-1]...)
	if len(raw) > 2 {
		out = append(out, ',')
	}
	out = append(out, k...)
	out = append(out, ':')
	out = append(out, v...)
	r.Raw = append(out, '}')
	if checked {
		r.checked = r.Raw
	}
}

// Parse decodes one record that came from outside Cairn and keeps its JSON,
// compacted, in Raw (a copy: data may change afterwards). A record that is
// not a JSON object, or whose fields have the wrong JSON types, fails with
// a *ValidationError naming the field. Parse does not validate: call
// Validate for that.
//
// Records are decoded in one pass by a decoder written for Record; the
// rare record it does not handle (and every invalid one, whose error
// message encoding/json writes) goes through encoding/json, which gives the
// same result.
func Parse(data []byte) (Record, error) {
	i, j := 0, len(data)
	for i < j && jsonscan.IsSpace(data[i]) {
		i++
	}
	for j > i && jsonscan.IsSpace(data[j-1]) {
		j--
	}
	if i < j && data[i] == '{' {
		var r Record
		if parseOwned(append([]byte(nil), data[i:j]...), &r) {
			return r, nil
		}
	}
	return parseSlow(data)
}

// ParseAt parses into r the JSON value that starts at data[off] (not at
// whitespace) as one record, and returns the index just past the value.
// The record is what Parse(data[off:end]) returns, except that its Raw and
// JSON-valued fields alias data when the value is already compact: data
// must not change while the record is in use. Decoding into a *Record
// that is already where it will be kept (an element of a slice) saves
// copying it.
//
// When the value is not valid JSON, ParseAt returns ErrSyntax (and end is
// meaningless); the record's other problems are a *ValidationError as from
// Parse, with r zero.
func ParseAt(data []byte, off int, r *Record) (end int, err error) {
	if off < len(data) && data[off] == '{' {
		if end, ok := parseIn(data, off, r); ok {
			return end, nil
		}
	}
	end, _, ok := jsonscan.Skip(data, off, jsonscan.MaxDepth)
	if !ok {
		*r = Record{}
		return 0, ErrSyntax
	}
	*r, err = parseSlow(data[off:end])
	return end, err
}

// ErrSyntax is ParseAt's error for a value that is not valid JSON.
var ErrSyntax = errors.New("events: not valid JSON")

// parseSlow is Parse through encoding/json.
func parseSlow(data []byte) (Record, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return Record{}, &ValidationError{Fields: []FieldError{{
			Code: CodeInvalidData, Message: "the record is not valid JSON: " + err.Error(),
		}}}
	}
	raw := buf.Bytes()
	if !utf8.Valid(raw) {
		return Record{}, &ValidationError{Fields: []FieldError{{
			Code: CodeInvalidData, Message: "the record is not valid UTF-8",
		}}}
	}
	if len(raw) == 0 || raw[0] != '{' {
		return Record{}, &ValidationError{Fields: []FieldError{{
			Code: CodeInvalidData, Message: "the record is not a JSON object",
		}}}
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		fe := FieldError{Code: CodeInvalidData, Message: err.Error()}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			fe.Field = strings.TrimPrefix(te.Field, "recordFields.")
			fe.Message = fmt.Sprintf("expected a JSON %s, found %s", jsonKind(te.Type.Kind().String()), te.Value)
		}
		return Record{}, &ValidationError{Fields: []FieldError{fe}}
	}
	r.Raw = raw
	r.checked = raw
	return r, nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map", "ptr":
		return "object"
	case "slice":
		return "array"
	}
	return goKind
}

// SplitRecords returns the records of a CloudTrail log file body: either
// {"Records": [...]} as AWS writes it, or a bare JSON array of records.
// Each element is returned undecoded; Parse them one by one so that one bad
// record does not reject the others.
func SplitRecords(data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '[' {
		var recs []json.RawMessage
		if err := json.Unmarshal(data, &recs); err != nil {
			return nil, fmt.Errorf("reading records: %w", err)
		}
		return recs, nil
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("reading records: %w", err)
	}
	raw, ok := env["Records"]
	if !ok {
		return nil, errors.New(`reading records: no "Records" array`)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(raw, &recs); err != nil || recs == nil {
		return nil, errors.New(`reading records: "Records" is not an array`)
	}
	return recs, nil
}
