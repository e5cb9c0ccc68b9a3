package events

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMarshalProducesAWSFieldNames(t *testing.T) {
	r := Record{
		EventVersion: "1.11",
		UserIdentity: &UserIdentity{
			Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:sess", ARN: "arn:aws:sts::123456789012:assumed-role/r/sess",
			AccountID: "123456789012", AccessKeyID: "ASIAEXAMPLE",
			SessionContext: &SessionContext{
				SessionIssuer:       &SessionIssuer{Type: "Role", PrincipalID: "AROAEXAMPLE", ARN: "arn:aws:iam::123456789012:role/r", AccountID: "123456789012", UserName: "r"},
				WebIDFederationData: &WebIDFederationData{},
				Attributes:          &SessionAttributes{CreationDate: "2026-07-15T11:00:00Z", MFAAuthenticated: "false"},
			},
		},
		EventTime:          time.Date(2026, 7, 15, 12, 0, 0, 999_000_000, time.FixedZone("x", 3600)),
		EventSource:        "cloudtrail.amazonaws.com",
		EventName:          "CreateTrail",
		AWSRegion:          "us-east-1",
		SourceIPAddress:    "192.0.2.1",
		UserAgent:          "aws-cli/2",
		RequestParameters:  json.RawMessage(`{"name":"t"}`),
		ResponseElements:   Null,
		RequestID:          "req",
		EventID:            "id",
		ReadOnly:           Bool(false),
		Resources:          []Resource{{ARN: "arn:aws:cloudtrail:us-east-1:123456789012:trail/t", AccountID: "123456789012", Type: "AWS::CloudTrail::Trail"}},
		EventType:          TypeAPICall,
		ManagementEvent:    Bool(true),
		RecipientAccountID: "123456789012",
		EventCategory:      CategoryManagement,
		TLSDetails:         &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "localhost"},
	}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:sess",` +
		`"arn":"arn:aws:sts::123456789012:assumed-role/r/sess","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE",` +
		`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/r",` +
		`"accountId":"123456789012","userName":"r"},"webIdFederationData":{},"attributes":{"creationDate":"2026-07-15T11:00:00Z",` +
		`"mfaAuthenticated":"false"}}},"eventTime":"2026-07-15T11:00:00Z","eventSource":"cloudtrail.amazonaws.com",` +
		`"eventName":"CreateTrail","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","userAgent":"aws-cli/2",` +
		`"requestParameters":{"name":"t"},"responseElements":null,"requestID":"req","eventID":"id","readOnly":false,` +
		`"resources":[{"ARN":"arn:aws:cloudtrail:us-east-1:123456789012:trail/t","accountId":"123456789012","type":"AWS::CloudTrail::Trail"}],` +
		`"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management",` +
		`"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"localhost"}}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	// A minimal record omits everything absent.
	got, _ = json.Marshal(Record{EventTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventID: "x"})
	if want := `{"eventTime":"2026-01-02T03:04:05Z","eventID":"x"}`; string(got) != want {
		t.Errorf("minimal record: %s, want %s", got, want)
	}
}

func TestUnmarshalRoundTrip(t *testing.T) {
	in := `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root",` +
		`"accountId":"123456789012"},"eventTime":"2021-02-21T23:46:28Z","eventSource":"s3.amazonaws.com",` +
		`"eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","requestParameters":null,` +
		`"responseElements":null,"eventID":"e","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,` +
		`"eventCategory":"Management"}`
	var r Record
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.RequestParameters, Null) || !bytes.Equal(r.ResponseElements, Null) {
		t.Errorf("null objects decoded as %q %q", r.RequestParameters, r.ResponseElements)
	}
	if !r.EventTime.Equal(time.Date(2021, 2, 21, 23, 46, 28, 0, time.UTC)) || r.ReadOnly == nil || !*r.ReadOnly {
		t.Errorf("decoded %+v", r)
	}
	out, _ := json.Marshal(r)
	if string(out) != in {
		t.Errorf("round trip\n got %s\nwant %s", out, in)
	}
}

func TestParseKeepsOriginalJSON(t *testing.T) {
	in := "{\n  \"eventVersion\": \"1.05\",\n  \"eventTime\": \"2020-01-01T00:00:00Z\",\n  \"somethingNew\": {\"x\": [1, 2]},\n" +
		"  \"eventID\": \"a\", \"eventName\": \"X\"\n}"
	r, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"eventVersion":"1.05","eventTime":"2020-01-01T00:00:00Z","somethingNew":{"x":[1,2]},"eventID":"a","eventName":"X"}`
	got, _ := r.JSON()
	if string(got) != want {
		t.Errorf("JSON() = %s, want %s", got, want)
	}
	r.EventName = "Changed" // Raw wins: the record is what was ingested
	got, _ = json.Marshal(r)
	if string(got) != want {
		t.Errorf("Marshal after change = %s", got)
	}
}

func TestParseReportsTypeErrors(t *testing.T) {
	for in, field := range map[string]string{
		`{"readOnly":"true"}`:            "readOnly",
		`{"userIdentity":"alice"}`:       "userIdentity",
		`{"resources":{"ARN":"x"}}`:      "resources",
		`{"userIdentity":{"type":true}}`: "userIdentity.type",
	} {
		_, err := Parse([]byte(in))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Fields) != 1 || ve.Fields[0].Field != field || ve.Fields[0].Code != CodeInvalidData {
			t.Errorf("Parse(%s) = %v, want InvalidData for %s", in, err, field)
		}
	}
	for _, in := range []string{`[1]`, `not json`, `"x"`, "{\"eventName\":\"\xff\"}"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%s) succeeded", in)
		}
	}
}

// The Stratus Red Team detonation logs are real AWS records.
func TestRealRecords(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/testdata/stratus-detonation-logs/*.json")
	if len(files) == 0 {
		t.Skip("shared test data not present")
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws, err := SplitRecords(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, raw := range raws {
			r, err := Parse(raw)
			if err != nil {
				t.Fatalf("%s #%d: %v", f, i, err)
			}
			if err := Validate(&r); err != nil {
				t.Errorf("%s #%d: %v", f, i, err)
			}
			// Encoding the fields (Raw aside) gives the same JSON value.
			r2 := r
			r2.Raw = nil
			enc, err := json.Marshal(r2)
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			json.Unmarshal(raw, &a)
			json.Unmarshal(enc, &b)
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if string(ja) != string(jb) {
				t.Errorf("%s #%d: re-encoding differs\n got %s\nwant %s", f, i, jb, ja)
			}
			n++
		}
	}
	t.Logf("%d records", n)
}

func TestSplitRecords(t *testing.T) {
	for _, in := range []string{`{"Records":[{"a":1},{"b":2}]}`, ` [{"a":1},{"b":2}]`} {
		recs, err := SplitRecords([]byte(in))
		if err != nil || len(recs) != 2 {
			t.Errorf("SplitRecords(%s) = %d, %v", in, len(recs), err)
		}
	}
	for _, in := range []string{`{"records":[]}`, `{`, `7`} {
		if _, err := SplitRecords([]byte(in)); err == nil {
			t.Errorf("SplitRecords(%s) succeeded", in)
		}
	}
}

func TestLookupValues(t *testing.T) {
	cases := []struct {
		ui   *UserIdentity
		want string
	}{
		{nil, ""},
		{&UserIdentity{Type: "Root", ARN: "arn:aws:iam::1:root"}, "root"},
		{&UserIdentity{Type: "IAMUser", UserName: "alice"}, "alice"},
		{&UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::1:assumed-role/r/sess-1"}, "sess-1"},
		{&UserIdentity{Type: "FederatedUser", ARN: "arn:aws:sts::1:federated-user/bob"}, "bob"},
		{&UserIdentity{Type: "AWSService", InvokedBy: "s3.amazonaws.com"}, ""},
		{&UserIdentity{Type: "IdentityCenterUser", UserName: "carol"}, "carol"},
	}
	for _, c := range cases {
		r := Record{UserIdentity: c.ui}
		if got := r.Username(); got != c.want {
			t.Errorf("Username(%+v) = %q, want %q", c.ui, got, c.want)
		}
	}
	r := Record{Resources: []Resource{{ARN: "arn:aws:s3:::b", Type: "AWS::S3::Bucket"}, {ARNPrefix: "arn:aws:s3:::b/p", Type: "AWS::S3::Object"}}}
	got := r.LookupResourceList()
	if len(got) != 2 || got[0] != (LookupResource{"AWS::S3::Bucket", "arn:aws:s3:::b"}) || got[1].Name != "arn:aws:s3:::b/p" {
		t.Errorf("LookupResourceList = %v", got)
	}
	r.LookupResources = []LookupResource{{"AWS::CloudTrail::Trail", "t"}}
	if got := r.LookupResourceList(); len(got) != 1 || got[0].Name != "t" {
		t.Errorf("explicit LookupResources ignored: %v", got)
	}
	for _, c := range []struct {
		r    Record
		want bool
	}{
		{Record{ManagementEvent: Bool(true)}, true},
		{Record{ManagementEvent: Bool(false), EventCategory: CategoryManagement}, false},
		{Record{EventCategory: CategoryData}, false},
		{Record{EventVersion: "1.05"}, true},
		{Record{EventCategory: CategoryInsight}, false},
	} {
		if got := c.r.IsManagement(); got != c.want {
			t.Errorf("IsManagement(%+v) = %v", c.r, got)
		}
	}
	if !strings.Contains((&ValidationError{Fields: []FieldError{{Field: "x", Code: CodeInvalidData, Message: "m"}}}).Error(), "x: m") {
		t.Error("ValidationError text")
	}
}
