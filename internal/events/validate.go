package events

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Per-field error codes, the same vocabulary PutAuditEvents reports per
// event.
const (
	CodeFieldNotFound = "FieldNotFound"
	CodeFieldTooLong  = "FieldTooLong"
	CodeInvalidData   = "InvalidData"
)

// Size limits of a record, in bytes. CloudTrail truncates or omits fields
// over these limits when it writes records; an ingested record over them is
// rejected.
const (
	MaxRecordSize = 256 << 10 // the whole record
	// MaxStringFieldSize bounds userAgent, errorCode, errorMessage and
	// requestID: CloudTrail cuts them at 1 KB and appends "...", so its own
	// records carry up to 1 KB plus three bytes.
	MaxStringFieldSize     = 1<<10 + 3
	MaxParametersSize      = 100 << 10 // requestParameters, responseElements, serviceEventDetails
	MaxAdditionalDataSize  = 28 << 10  // additionalEventData, edgeDeviceDetails
	MaxIdentifierFieldSize = 256       // eventID, sharedEventID (Cairn's own bound)
)

// Event categories a CloudTrail record can carry.
const (
	CategoryManagement      = "Management"
	CategoryData            = "Data"
	CategoryNetworkActivity = "NetworkActivity"
	CategoryInsight         = "Insight"
)

// Event types a CloudTrail record can carry.
const (
	TypeAPICall       = "AwsApiCall"
	TypeServiceEvent  = "AwsServiceEvent"
	TypeConsoleAction = "AwsConsoleAction"
	TypeConsoleSignIn = "AwsConsoleSignIn"
	TypeVPCEEvent     = "AwsVpceEvent"
	TypeInsight       = "AwsCloudTrailInsight"
)

var (
	validCategories = []string{CategoryManagement, CategoryData, CategoryNetworkActivity, CategoryInsight}
	validTypes      = []string{TypeAPICall, TypeServiceEvent, TypeConsoleAction, TypeConsoleSignIn, TypeVPCEEvent, TypeInsight}
)

// FieldError is one problem with one field of a record.
type FieldError struct {
	// Field is the field's JSON path, such as "userIdentity.type"; empty
	// for a problem with the record as a whole.
	Field string
	// Code is CodeFieldNotFound, CodeFieldTooLong or CodeInvalidData.
	Code    string
	Message string
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Code + ": " + e.Message
	}
	return e.Code + ": " + e.Field + ": " + e.Message
}

// ValidationError lists every problem found in one record.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "invalid event record: " + strings.Join(msgs, "; ")
}

// Code is the code of the first problem, for APIs that report one code per
// event.
func (e *ValidationError) Code() string {
	if len(e.Fields) == 0 {
		return CodeInvalidData
	}
	return e.Fields[0].Code
}

// IsInsight reports whether r is an Insights event, which has no caller,
// eventSource or eventName of its own.
func (r *Record) IsInsight() bool {
	return r.EventCategory == CategoryInsight || r.EventType == TypeInsight
}

// Validate checks a record that came from outside Cairn and returns a
// *ValidationError listing every problem, or nil.
//
// Required: eventVersion ("major.minor"), eventTime, awsRegion, and, except
// in Insights events, userIdentity with its type, eventSource, eventName and
// sourceIPAddress. Fields added in later record versions are required only
// from that version on: eventID (1.01), eventType (1.02), eventCategory
// (1.07). eventTime must be an RFC 3339 UTC-or-offset timestamp; CloudTrail
// writes it as TimeFormat, and fractional seconds from other producers are
// accepted. Sizes are limited as CloudTrail limits them (MaxRecordSize and
// the per-field limits); requestParameters, responseElements,
// additionalEventData, serviceEventDetails, edgeDeviceDetails, addendum and
// insightDetails must be JSON objects (or null); eventCategory and eventType
// must be known values, and recipientAccountId a 12-digit account ID.
func Validate(r *Record) error {
	var v validator
	if n := len(r.Raw); n > MaxRecordSize {
		v.add("", CodeFieldTooLong, fmt.Sprintf("the record is %d bytes; the maximum is %d", n, MaxRecordSize))
	}
	major, minor, versionOK := parseVersion(r.EventVersion)
	switch {
	case r.EventVersion == "":
		v.missing("eventVersion")
	case !versionOK:
		v.add("eventVersion", CodeInvalidData, fmt.Sprintf("%q is not a version of the form major.minor", r.EventVersion))
	}
	since := func(maj, min int) bool {
		return !versionOK || major > maj || (major == maj && minor >= min)
	}

	switch {
	case r.eventTimeErr:
		v.add("eventTime", CodeInvalidData, fmt.Sprintf("%q is not a timestamp of the form %s", r.rawEventTime, "YYYY-MM-DDTHH:MM:SSZ"))
	case r.EventTime.IsZero():
		v.missing("eventTime")
	}

	insight := r.IsInsight()
	if !insight {
		if r.UserIdentity == nil {
			v.missing("userIdentity")
		} else if r.UserIdentity.Type == "" {
			v.missing("userIdentity.type")
		}
		v.required("eventSource", r.EventSource)
		v.required("eventName", r.EventName)
		v.required("sourceIPAddress", r.SourceIPAddress)
	}
	v.required("awsRegion", r.AWSRegion)
	if since(1, 1) {
		v.required("eventID", r.EventID)
	}
	if since(1, 2) {
		v.required("eventType", r.EventType)
	}
	if since(1, 7) {
		v.required("eventCategory", r.EventCategory)
	}

	v.maxLen("userAgent", r.UserAgent, MaxStringFieldSize)
	v.maxLen("errorCode", r.ErrorCode, MaxStringFieldSize)
	v.maxLen("errorMessage", r.ErrorMessage, MaxStringFieldSize)
	v.maxLen("requestID", r.RequestID, MaxStringFieldSize)
	v.maxLen("eventID", r.EventID, MaxIdentifierFieldSize)
	v.maxLen("sharedEventID", r.SharedEventID, MaxIdentifierFieldSize)

	v.object("requestParameters", r.RequestParameters, MaxParametersSize)
	v.object("responseElements", r.ResponseElements, MaxParametersSize)
	v.object("serviceEventDetails", r.ServiceEventDetails, MaxParametersSize)
	v.object("additionalEventData", r.AdditionalEventData, MaxAdditionalDataSize)
	v.object("edgeDeviceDetails", r.EdgeDeviceDetails, MaxAdditionalDataSize)
	v.object("addendum", r.Addendum, MaxParametersSize)
	v.object("insightDetails", r.InsightDetails, MaxParametersSize)

	if r.EventCategory != "" && !contains(validCategories, r.EventCategory) {
		v.add("eventCategory", CodeInvalidData, fmt.Sprintf("%q is not one of %s", r.EventCategory, strings.Join(validCategories, ", ")))
	}
	if r.EventType != "" && !contains(validTypes, r.EventType) {
		v.add("eventType", CodeInvalidData, fmt.Sprintf("%q is not one of %s", r.EventType, strings.Join(validTypes, ", ")))
	}
	if r.RecipientAccountID != "" && !IsAccountID(r.RecipientAccountID) {
		v.add("recipientAccountId", CodeInvalidData, fmt.Sprintf("%q is not a 12-digit account ID", r.RecipientAccountID))
	}
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.errs}
}

// ParseTime parses a timestamp as CloudTrail records carry them: RFC 3339,
// normally in TimeFormat.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// IsAccountID reports whether s is a 12-digit account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseVersion(s string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(s, ".")
	if !found || a == "" || b == "" || strings.ContainsAny(a+b, "+-") {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(a)
	minor, err2 = strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}

type validator struct{ errs []FieldError }

func (v *validator) add(field, code, msg string) {
	v.errs = append(v.errs, FieldError{Field: field, Code: code, Message: msg})
}

func (v *validator) missing(field string) {
	v.add(field, CodeFieldNotFound, "the field is required")
}

func (v *validator) required(field, value string) {
	if value == "" {
		v.missing(field)
	}
}

func (v *validator) maxLen(field, value string, limit int) {
	if len(value) > limit {
		v.add(field, CodeFieldTooLong, fmt.Sprintf("the value is %d bytes; the maximum is %d", len(value), limit))
	}
}

func (v *validator) object(field string, raw []byte, limit int) {
	if len(raw) == 0 {
		return
	}
	if len(raw) > limit {
		v.add(field, CodeFieldTooLong, fmt.Sprintf("the value is %d bytes; the maximum is %d", len(raw), limit))
		return
	}
	if !bytes.Equal(raw, Null) && raw[0] != '{' {
		v.add(field, CodeInvalidData, "the value must be a JSON object or null")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
