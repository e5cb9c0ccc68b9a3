package events

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

const validRecord = `{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAX","arn":"arn:aws:iam::123456789012:user/a",` +
	`"accountId":"123456789012","accessKeyId":"AKIAX","userName":"a"},"eventTime":"2026-07-15T12:00:00Z",` +
	`"eventSource":"cloudtrail.amazonaws.com","eventName":"CreateTrail","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1",` +
	`"requestParameters":{"name":"t"},"responseElements":null,"eventID":"e","readOnly":false,"eventType":"AwsApiCall",` +
	`"managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`

// with returns validRecord with key set to value (raw JSON), or removed
// when value is empty.
func with(t *testing.T, key, value string) Record {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(validRecord), &m); err != nil {
		t.Fatal(err)
	}
	if value == "" {
		delete(m, key)
	} else {
		m[key] = json.RawMessage(value)
	}
	raw, _ := json.Marshal(m)
	r, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return `"` + strings.Repeat("x", n) + `"` }
	obj := func(n int) string { return `{"k":` + long(n) + `}` }
	cases := []struct {
		name       string
		key, value string
		want       []string // "code field"
	}{
		{"valid", "", "", nil},
		{"no version", "eventVersion", "", []string{"FieldNotFound eventVersion"}},
		{"bad version", "eventVersion", `"1.x"`, []string{"InvalidData eventVersion"}},
		{"no time", "eventTime", "", []string{"FieldNotFound eventTime"}},
		{"bad time", "eventTime", `"15/07/2026"`, []string{"InvalidData eventTime"}},
		{"fractional time", "eventTime", `"2026-07-15T12:00:00.123Z"`, nil},
		{"no identity", "userIdentity", "", []string{"FieldNotFound userIdentity"}},
		{"identity without type", "userIdentity", `{"principalId":"x"}`, []string{"FieldNotFound userIdentity.type"}},
		{"no source", "eventSource", "", []string{"FieldNotFound eventSource"}},
		{"no name", "eventName", "", []string{"FieldNotFound eventName"}},
		{"no region", "awsRegion", "", []string{"FieldNotFound awsRegion"}},
		{"no ip", "sourceIPAddress", "", []string{"FieldNotFound sourceIPAddress"}},
		{"no id", "eventID", "", []string{"FieldNotFound eventID"}},
		{"no type", "eventType", "", []string{"FieldNotFound eventType"}},
		{"no category", "eventCategory", "", []string{"FieldNotFound eventCategory"}},
		{"bad category", "eventCategory", `"Stuff"`, []string{"InvalidData eventCategory"}},
		{"bad type", "eventType", `"AwsThing"`, []string{"InvalidData eventType"}},
		{"bad recipient", "recipientAccountId", `"12345"`, []string{"InvalidData recipientAccountId"}},
		{"long agent", "userAgent", long(1028), []string{"FieldTooLong userAgent"}},
		{"agent at limit", "userAgent", long(1027), nil},
		{"long error", "errorMessage", long(2000), []string{"FieldTooLong errorMessage"}},
		{"big parameters", "requestParameters", obj(100 << 10), []string{"FieldTooLong requestParameters"}},
		{"big additional data", "additionalEventData", obj(28 << 10), []string{"FieldTooLong additionalEventData"}},
		{"parameters not object", "requestParameters", `[1]`, []string{"InvalidData requestParameters"}},
		{"huge record", "serviceEventDetails", `{"a":` + long(99<<10) + `,"b":` + long(99<<10) + `,"c":` + long(60<<10) + `}`,
			[]string{"FieldTooLong ", "FieldTooLong serviceEventDetails"}},
	}
	for _, c := range cases {
		r := with(t, c.key, c.value)
		if c.key == "" {
			r = with(t, "eventID", `"e"`)
		}
		err := Validate(&r)
		var got []string
		if err != nil {
			for _, f := range err.(*ValidationError).Fields {
				got = append(got, f.Code+" "+f.Field)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestValidateVersionDependentFields(t *testing.T) {
	// A 1.0 record predates eventID, eventType and eventCategory.
	r := with(t, "eventVersion", `"1.0"`)
	r.EventID, r.EventType, r.EventCategory = "", "", ""
	if err := Validate(&r); err != nil {
		t.Errorf("1.0 record: %v", err)
	}
	// An Insights event has no caller, source or name of its own.
	in, err := Parse([]byte(`{"eventVersion":"1.07","eventTime":"2026-07-15T12:00:00Z","awsRegion":"us-east-1",` +
		`"eventID":"i","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","sharedEventID":"s",` +
		`"insightDetails":{"state":"Start"},"eventCategory":"Insight"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(&in); err != nil {
		t.Errorf("Insights record: %v", err)
	}
	if (&ValidationError{}).Code() != CodeInvalidData {
		t.Error("empty ValidationError code")
	}
}
