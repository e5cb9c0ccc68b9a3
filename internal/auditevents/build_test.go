package auditevents

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

const (
	owner   = "123456789012"
	eventID = "6e3f1b7a-2c4d-4e5f-8a9b-0c1d2e3f4a5b"
)

var (
	channel = Channel{
		ARN:          "arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567-89ab-cdef-0123-456789abcdef",
		OwnerAccount: owner,
		Region:       "us-east-1",
	}
	ingested = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
)

// member is one member of an eventData object, its value as JSON text.
type member struct{ key, raw string }

func validMembers() []member {
	return []member{
		{"version", `"1.0"`},
		{"userIdentity", `{"type":"CustomUserIdentity","principalId":"alice","details":{"team":"ops"}}`},
		{"userAgent", `"example-app/2.1"`},
		{"eventSource", `"example.app"`},
		{"eventName", `"DeleteWidget"`},
		{"eventTime", `"2026-03-04T05:00:00Z"`},
		{"UID", `"req-0001"`},
		{"requestParameters", `{"widgetId":"w-1"}`},
		{"responseElements", `null`},
		{"sourceIPAddress", `"192.0.2.10"`},
		{"recipientAccountId", `"123456789012"`},
		{"additionalEventData", `{"region":"eu"}`},
	}
}

// eventWith is the valid event with members changed: a member whose key
// exists replaces it (an empty raw removes it), others are appended.
func eventWith(changes ...member) string {
	ms := validMembers()
	for _, c := range changes {
		found := false
		for i := range ms {
			if ms[i].key == c.key {
				ms[i].raw = c.raw
				found = true
				break
			}
		}
		if !found {
			ms = append(ms, c)
		}
	}
	var sb strings.Builder
	sb.WriteByte('{')
	first := true
	for _, m := range ms {
		if m.raw == "" {
			continue
		}
		if !first {
			sb.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(m.key)
		sb.Write(k)
		sb.WriteByte(':')
		sb.WriteString(m.raw)
	}
	sb.WriteByte('}')
	return sb.String()
}

func checksum(s string) *string {
	sum := sha256.Sum256([]byte(s))
	c := base64.StdEncoding.EncodeToString(sum[:])
	return &c
}

func ptr(s string) *string { return &s }

func TestBuildGolden(t *testing.T) {
	data := "{\n  \"version\": \"1.0\",\n  \"userIdentity\": {\"type\": \"CustomUserIdentity\", \"principalId\": \"alice\", " +
		"\"details\": {\"z\": 1, \"a\": [1, 2.50, \"x y\"]}, \"extra\": true},\n" +
		"  \"eventSource\": \"example.app\", \"eventName\": \"DeleteWidget\",\n" +
		"  \"eventTime\": \"2026-03-04T06:30:15.999+01:30\", \"UID\": \"req-\\u00e9\",\n" +
		"  \"unknownTopLevel\": {\"kept\": \"yes\"},\n" +
		"  \"recipientAccountId\": \"123456789012\", \"sourceIPAddress\": \"2001:db8::1\"\n}\n"
	rec, f := Build(Entry{ID: "e1", EventData: data, Checksum: checksum(data)}, channel, eventID, ingested)
	if f != nil {
		t.Fatalf("Build failed: %+v", f)
	}
	want := `{"eventVersion":"1.0","eventCategory":"ActivityAuditLog","eventType":"ActivityLog",` +
		`"eventID":"6e3f1b7a-2c4d-4e5f-8a9b-0c1d2e3f4a5b","eventTime":"2026-03-04T05:00:15Z","awsRegion":"us-east-1",` +
		`"recipientAccountId":"123456789012","metadata":{"ingestionTime":"2026-03-04T05:06:07Z",` +
		`"channelARN":"arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567-89ab-cdef-0123-456789abcdef"},` +
		`"eventData":{"version":"1.0","userIdentity":{"type":"CustomUserIdentity","principalId":"alice",` +
		`"details":{"z":1,"a":[1,2.50,"x y"]},"extra":true},"eventSource":"example.app","eventName":"DeleteWidget",` +
		`"eventTime":"2026-03-04T06:30:15.999+01:30","UID":"req-\u00e9","unknownTopLevel":{"kept":"yes"},` +
		`"recipientAccountId":"123456789012","sourceIPAddress":"2001:db8::1"}}`
	got, err := rec.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("record JSON\ngot  %s\nwant %s", got, want)
	}
	if !rec.RawChecked() {
		t.Error("RawChecked is false")
	}
	wantTime := time.Date(2026, 3, 4, 5, 0, 15, 0, time.UTC)
	if !rec.EventTime.Equal(wantTime) || rec.EventTime.Location() != time.UTC {
		t.Errorf("EventTime = %v, want %v", rec.EventTime, wantTime)
	}
	if rec.EventID != eventID || rec.AWSRegion != "us-east-1" || rec.RecipientAccountID != owner ||
		rec.EventCategory != "ActivityAuditLog" || rec.EventType != "ActivityLog" || rec.EventVersion != "1.0" {
		t.Errorf("header fields = %q %q %q %q %q %q", rec.EventID, rec.AWSRegion, rec.RecipientAccountID,
			rec.EventCategory, rec.EventType, rec.EventVersion)
	}
	if rec.UserIdentity != nil || rec.EventName != "" || rec.EventSource != "" {
		t.Error("eventData's fields leaked into the record's CloudTrail fields")
	}
}

func TestBuildHeaderEscaping(t *testing.T) {
	ch := Channel{ARN: "arn:\"x\"\\\n\x01\xff", OwnerAccount: owner, Region: "é"}
	rec, f := Build(Entry{EventData: eventWith()}, ch, "id\t", time.Date(999, 1, 2, 3, 4, 5, 0, time.UTC))
	if f != nil {
		t.Fatal(f)
	}
	var got struct {
		EventID   string `json:"eventID"`
		AWSRegion string `json:"awsRegion"`
		Metadata  struct {
			IngestionTime string `json:"ingestionTime"`
			ChannelARN    string `json:"channelARN"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(rec.Raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.EventID != "id\t" || got.AWSRegion != "é" || got.Metadata.ChannelARN != "arn:\"x\"\\\n\x01\uFFFD" ||
		got.Metadata.IngestionTime != "0999-01-02T03:04:05Z" {
		t.Errorf("got %+v", got)
	}
	if !rec.RawChecked() {
		t.Error("RawChecked is false")
	}
}

func TestBuildAccepts(t *testing.T) {
	long := func(n int, s string) string { return `"` + strings.Repeat(s, n) + `"` }
	// obj is a JSON object of exactly n bytes.
	obj := func(n int) string { return `{"k":"` + strings.Repeat("a", n-8) + `"}` }
	tests := []struct {
		name     string
		data     string
		wantTime string
	}{
		{"minimal", `{"version":"1","userIdentity":{"type":"t","principalId":"p"},"eventSource":"s","eventName":"n",` +
			`"eventTime":"2026-01-01T00:00:00Z","UID":"u","recipientAccountId":"123456789012"}`, "2026-01-01T00:00:00Z"},
		{"time without Z is UTC", eventWith(member{"eventTime", `"2026-03-04T05:00:00"`}), "2026-03-04T05:00:00Z"},
		{"fraction truncated", eventWith(member{"eventTime", `"2026-03-04T05:00:00.999999999Z"`}), "2026-03-04T05:00:00Z"},
		{"fraction without Z", eventWith(member{"eventTime", `"2026-03-04T05:00:00.5"`}), "2026-03-04T05:00:00Z"},
		{"negative offset crosses a year", eventWith(member{"eventTime", `"2025-12-31T23:30:00-01:00"`}), "2026-01-01T00:30:00Z"},
		{"offset -00:00", eventWith(member{"eventTime", `"2026-03-04T05:00:00-00:00"`}), "2026-03-04T05:00:00Z"},
		{"leap day", eventWith(member{"eventTime", `"2024-02-29T00:00:00Z"`}), "2024-02-29T00:00:00Z"},
		{"the epoch", eventWith(member{"eventTime", `"1969-12-31T23:00:00-01:00"`}), "1970-01-01T00:00:00Z"},
		{"the last second", eventWith(member{"eventTime", `"9999-12-31T23:59:59.999Z"`}), "9999-12-31T23:59:59Z"},
		{"escaped time", eventWith(member{"eventTime", `"2026\u002d03-04T05:00:00Z"`}), "2026-03-04T05:00:00Z"},
		{"ipv6", eventWith(member{"sourceIPAddress", `"::ffff:192.0.2.1"`}), ""},
		{"null optionals", eventWith(member{"userAgent", `null`}, member{"requestParameters", `null`},
			member{"additionalEventData", `null`}, member{"sourceIPAddress", `null`}, member{"errorCode", `null`},
			member{"userIdentity", `{"type":"t","principalId":"p","details":null}`}), ""},
		{"empty optional strings", eventWith(member{"sourceIPAddress", `""`}, member{"errorMessage", `""`}), ""},
		{"unknown members kept", eventWith(member{"eventID", `5`}, member{"uid", `[1]`}), ""},
		{"escaped key", strings.Replace(eventWith(), `"UID"`, `"\u0055ID"`, 1), ""},
		{"whitespace everywhere", " \t\r\n" + strings.ReplaceAll(eventWith(), ",", " ,\n ") + "\n", ""},
		{"version at limit", eventWith(member{"version", long(256, "v")}), ""},
		{"type at limit in characters", eventWith(member{"userIdentity", `{"type":` + long(128, "é") + `,"principalId":"p"}`}), ""},
		{"escapes count once", eventWith(member{"errorCode", long(256, `\u00e9`)}), ""},
		{"surrogate pair is one character", eventWith(member{"errorMessage", long(256, `\ud83d\ude00`)}), ""},
		{"UID at limit", eventWith(member{"UID", long(1024, "u")}), ""},
		{"requestParameters at limit", eventWith(member{"requestParameters", obj(100 << 10)}), ""},
		{"responseElements at limit", eventWith(member{"responseElements", obj(100 << 10)}), ""},
		{"additionalEventData at limit", eventWith(member{"additionalEventData", obj(28 << 10)}), ""},
		{"whitespace not counted", eventWith(member{"additionalEventData", strings.Replace(obj(28<<10), ":", " : \n", 1)}), ""},
		{"deep nesting at the limit", eventWith(member{"x", strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1)}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, f := Build(Entry{ID: "x", EventData: tt.data, Checksum: checksum(tt.data)}, channel, eventID, ingested)
			if f != nil {
				t.Fatalf("failed: %s: %s", f.Code, f.Message)
			}
			if tt.wantTime != "" {
				if got := rec.EventTime.Format(events.TimeFormat); got != tt.wantTime {
					t.Errorf("eventTime = %s, want %s", got, tt.wantTime)
				}
			}
			checkRecord(t, rec, tt.data)
			if code, _ := reference(Entry{EventData: tt.data}, channel); code != "" {
				t.Errorf("the fuzz reference says %s", code)
			}
		})
	}
}

// checkRecord checks a record Build returned for eventData.
func checkRecord(t *testing.T, rec events.Record, eventData string) {
	t.Helper()
	if !rec.RawChecked() || !json.Valid(rec.Raw) {
		t.Fatalf("record JSON not valid or not checked: %s", rec.Raw)
	}
	again, err := events.Parse(rec.Raw)
	if err != nil {
		t.Fatalf("events.Parse of the record: %v", err)
	}
	if string(again.Raw) != string(rec.Raw) || !again.EventTime.Equal(rec.EventTime) || again.EventID != rec.EventID ||
		again.AWSRegion != rec.AWSRegion || again.RecipientAccountID != rec.RecipientAccountID {
		t.Errorf("events.Parse does not round-trip the record")
	}
	var wrapper struct {
		EventData json.RawMessage `json:"eventData"`
	}
	if err := json.Unmarshal(rec.Raw, &wrapper); err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, wrapper.EventData, []byte(eventData)) {
		t.Errorf("stored eventData differs from the input\nstored %.200s\ninput  %.200s", wrapper.EventData, eventData)
	}
}

// sameJSON reports whether a and b decode to equal values, numbers
// compared by their text.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	va, err := decodeNumbers(a)
	if err != nil {
		t.Fatalf("decoding %.100s: %v", a, err)
	}
	vb, err := decodeNumbers(b)
	if err != nil {
		t.Fatalf("decoding %.100s: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

func decodeNumbers(data []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func TestBuildFailures(t *testing.T) {
	valid := eventWith()
	sum := sha256.Sum256([]byte(valid))
	want := base64.StdEncoding.EncodeToString(sum[:])
	long := func(n int) string { return `"` + strings.Repeat("x", n) + `"` }
	obj := func(n int) string { return `{"k":"` + strings.Repeat("a", n-8) + `"}` }
	tests := []struct {
		name     string
		data     string
		checksum *string
		ch       *Channel
		code     string
		msg      string // the exact message, or a prefix when it ends in "..."
	}{
		// Step 1.
		{name: "checksum mismatch", data: valid, checksum: ptr("AAAA"), code: CodeInvalidChecksum,
			msg: `eventDataChecksum "AAAA" does not match eventData: it must be the standard, padded base64 encoding ` +
				`of the SHA-256 digest of eventData's UTF-8 bytes, which is ` + want},
		{name: "empty checksum", data: valid, checksum: ptr(""), code: CodeInvalidChecksum, msg: `eventDataChecksum "" does not match...`},
		{name: "hex checksum", data: valid, checksum: ptr(hex.EncodeToString(sum[:])), code: CodeInvalidChecksum,
			msg: "eventDataChecksum is the hex encoding of eventData's SHA-256 digest; it must be the standard, " +
				"padded base64 encoding, " + want},
		{name: "unpadded checksum", data: valid, checksum: ptr(strings.TrimRight(want, "=")), code: CodeInvalidChecksum,
			msg: "eventDataChecksum is the unpadded base64 encoding..."},
		{name: "checksum of other bytes", data: valid + " ", checksum: ptr(want), code: CodeInvalidChecksum, msg: "eventDataChecksum..."},
		{name: "checksum before syntax", data: "nope", checksum: ptr(want), code: CodeInvalidChecksum, msg: "eventDataChecksum..."},

		// Step 2.
		{name: "not JSON", data: `{"version":}`, code: CodeInvalidData,
			msg: "eventData is not valid JSON: invalid character '}' looking for beginning of value (at byte offset 12)"},
		{name: "empty", data: ``, code: CodeInvalidData, msg: "eventData is not valid JSON: unexpected end of JSON input..."},
		{name: "trailing data", data: valid + `{}`, code: CodeInvalidData, msg: "eventData is not valid JSON: invalid character '{' after top-level value..."},
		{name: "array", data: `[1]`, code: CodeInvalidData, msg: "eventData must be a JSON object; found an array"},
		{name: "string", data: ` "x" `, code: CodeInvalidData, msg: "eventData must be a JSON object; found a string"},
		{name: "null", data: `null`, code: CodeInvalidData, msg: "eventData must be a JSON object; found null"},
		{name: "invalid UTF-8", data: eventWith(member{"userAgent", "\"a\xffb\""}), code: CodeInvalidData,
			msg: fmt.Sprintf("eventData is not valid UTF-8 (invalid byte at offset %d)", strings.Index(eventWith(member{"userAgent", "\"a\xffb\""}), "\xff"))},
		{name: "too deep", data: eventWith(member{"x", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)}),
			code: CodeInvalidData, msg: "eventData nests more than 1000 levels deep"},
		{name: "too deep in userIdentity", data: eventWith(member{"userIdentity", `{"type":"t","principalId":"p","details":` +
			strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`}),
			code: CodeInvalidData, msg: "eventData nests more than 1000 levels deep"},
		{name: "duplicate top-level field", data: strings.Replace(valid, `"UID"`, `"eventName":"A","UID"`, 1), code: CodeInvalidData,
			msg: `eventData has more than one "eventName" member`},
		{name: "duplicate userIdentity field", data: eventWith(member{"userIdentity", `{"type":"t","principalId":"p","type":"u"}`}),
			code: CodeInvalidData, msg: `eventData.userIdentity has more than one "type" member`},
		{name: "duplicate escaped key", data: strings.Replace(eventWith(), `{"version"`, `{"\u0055ID":"x","version"`, 1),
			code: CodeInvalidData, msg: `eventData has more than one "UID" member`},
		{name: "duplicate before missing", data: `{"version":"1","version":"2"}`, code: CodeInvalidData,
			msg: `eventData has more than one "version" member`},

		// Step 3.
		{name: "missing version", data: eventWith(member{"version", ""}), code: CodeFieldNotFound,
			msg: "required field eventData.version is missing"},
		{name: "missing userIdentity", data: eventWith(member{"userIdentity", ""}), code: CodeFieldNotFound,
			msg: "required field eventData.userIdentity is missing"},
		{name: "null userIdentity", data: eventWith(member{"userIdentity", "null"}), code: CodeFieldNotFound,
			msg: "required field eventData.userIdentity is null"},
		{name: "missing type", data: eventWith(member{"userIdentity", `{"principalId":"p"}`}), code: CodeFieldNotFound,
			msg: "required field eventData.userIdentity.type is missing"},
		{name: "type in wrong case", data: eventWith(member{"userIdentity", `{"Type":"t","principalId":"p"}`}), code: CodeFieldNotFound,
			msg: `required field eventData.userIdentity.type is missing; found "Type" instead (field names are case-sensitive)`},
		{name: "missing principalId", data: eventWith(member{"userIdentity", `{"type":"t"}`}), code: CodeFieldNotFound,
			msg: "required field eventData.userIdentity.principalId is missing"},
		{name: "empty principalId", data: eventWith(member{"userIdentity", `{"type":"t","principalId":""}`}), code: CodeFieldNotFound,
			msg: "required field eventData.userIdentity.principalId is an empty string"},
		{name: "missing eventSource", data: eventWith(member{"eventSource", ""}), code: CodeFieldNotFound,
			msg: "required field eventData.eventSource is missing"},
		{name: "null eventName", data: eventWith(member{"eventName", "null"}), code: CodeFieldNotFound,
			msg: "required field eventData.eventName is null"},
		{name: "empty eventTime", data: eventWith(member{"eventTime", `""`}), code: CodeFieldNotFound,
			msg: "required field eventData.eventTime is an empty string"},
		{name: "uid in lower case", data: eventWith(member{"UID", ""}, member{"uid", `"u"`}), code: CodeFieldNotFound,
			msg: `required field eventData.UID is missing; found "uid" instead (field names are case-sensitive)`},
		{name: "missing recipientAccountId", data: eventWith(member{"recipientAccountId", ""}), code: CodeFieldNotFound,
			msg: "required field eventData.recipientAccountId is missing"},
		{name: "missing before wrong type", data: eventWith(member{"version", "1"}, member{"UID", ""}), code: CodeFieldNotFound,
			msg: "required field eventData.UID is missing"},
		{name: "userIdentity not an object hides its fields", data: eventWith(member{"userIdentity", `"alice"`}, member{"eventName", ""}),
			code: CodeFieldNotFound, msg: "required field eventData.eventName is missing"},
		{name: "empty object", data: `{}`, code: CodeFieldNotFound, msg: "required field eventData.version is missing"},

		// Step 4.
		{name: "version a number", data: eventWith(member{"version", "1.0"}), code: CodeInvalidData,
			msg: "eventData.version must be a JSON string; found a number"},
		{name: "userIdentity a string", data: eventWith(member{"userIdentity", `"alice"`}), code: CodeInvalidData,
			msg: "eventData.userIdentity must be a JSON object; found a string"},
		{name: "type an object", data: eventWith(member{"userIdentity", `{"type":{},"principalId":"p"}`}), code: CodeInvalidData,
			msg: "eventData.userIdentity.type must be a JSON string; found an object"},
		{name: "principalId a number", data: eventWith(member{"userIdentity", `{"type":"t","principalId":7}`}), code: CodeInvalidData,
			msg: "eventData.userIdentity.principalId must be a JSON string; found a number"},
		{name: "details an array", data: eventWith(member{"userIdentity", `{"type":"t","principalId":"p","details":[]}`}),
			code: CodeInvalidData, msg: "eventData.userIdentity.details must be a JSON object; found an array"},
		{name: "userAgent a boolean", data: eventWith(member{"userAgent", "true"}), code: CodeInvalidData,
			msg: "eventData.userAgent must be a JSON string; found a boolean"},
		{name: "eventSource an array", data: eventWith(member{"eventSource", `["s"]`}), code: CodeInvalidData,
			msg: "eventData.eventSource must be a JSON string; found an array"},
		{name: "eventName a number", data: eventWith(member{"eventName", "0"}), code: CodeInvalidData,
			msg: "eventData.eventName must be a JSON string; found a number"},
		{name: "eventTime a number", data: eventWith(member{"eventTime", "1700000000"}), code: CodeInvalidData,
			msg: "eventData.eventTime must be a JSON string; found a number"},
		{name: "UID a number", data: eventWith(member{"UID", "12"}), code: CodeInvalidData,
			msg: "eventData.UID must be a JSON string; found a number"},
		{name: "requestParameters a string", data: eventWith(member{"requestParameters", `"{}"`}), code: CodeInvalidData,
			msg: "eventData.requestParameters must be a JSON object; found a string"},
		{name: "responseElements an array", data: eventWith(member{"responseElements", `[]`}), code: CodeInvalidData,
			msg: "eventData.responseElements must be a JSON object; found an array"},
		{name: "errorCode a number", data: eventWith(member{"errorCode", "403"}), code: CodeInvalidData,
			msg: "eventData.errorCode must be a JSON string; found a number"},
		{name: "errorMessage an object", data: eventWith(member{"errorMessage", "{}"}), code: CodeInvalidData,
			msg: "eventData.errorMessage must be a JSON string; found an object"},
		{name: "sourceIPAddress a number", data: eventWith(member{"sourceIPAddress", "1"}), code: CodeInvalidData,
			msg: "eventData.sourceIPAddress must be a JSON string; found a number"},
		{name: "recipientAccountId a number", data: eventWith(member{"recipientAccountId", "123456789012"}), code: CodeInvalidData,
			msg: "eventData.recipientAccountId must be a JSON string; found a number"},
		{name: "additionalEventData a boolean", data: eventWith(member{"additionalEventData", "false"}), code: CodeInvalidData,
			msg: "eventData.additionalEventData must be a JSON object; found a boolean"},
		{name: "bad time format", data: eventWith(member{"eventTime", `"2026/03/04 05:00:00"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026/03/04 05:00:00" is not a valid timestamp (not of that form): expected ` +
				`yyyy-MM-ddTHH:mm:ss, optionally with a fraction of a second, then Z or a ±hh:mm offset (no suffix means UTC)`},
		{name: "date only", data: eventWith(member{"eventTime", `"2026-03-04"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04" is not a valid timestamp (not of that form)...`},
		{name: "lower-case z", data: eventWith(member{"eventTime", `"2026-03-04T05:00:00z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T05:00:00z" is not a valid timestamp (not of that form)...`},
		{name: "offset without colon", data: eventWith(member{"eventTime", `"2026-03-04T05:00:00+0100"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T05:00:00+0100" is not a valid timestamp (not of that form)...`},
		{name: "empty fraction", data: eventWith(member{"eventTime", `"2026-03-04T05:00:00.Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T05:00:00.Z" is not a valid timestamp (the fraction of a second must have 1 to 9 digits)...`},
		{name: "ten-digit fraction", data: eventWith(member{"eventTime", `"2026-03-04T05:00:00.0123456789Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T05:00:00.0123456789Z" is not a valid timestamp (the fraction of a second must have 1 to 9 digits)...`},
		{name: "month 13", data: eventWith(member{"eventTime", `"2026-13-04T05:00:00Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-13-04T05:00:00Z" is not a valid timestamp (the month is out of range)...`},
		{name: "29 February 2025", data: eventWith(member{"eventTime", `"2025-02-29T05:00:00Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2025-02-29T05:00:00Z" is not a valid timestamp (the day is out of range for the month)...`},
		{name: "hour 24", data: eventWith(member{"eventTime", `"2026-03-04T24:00:00Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T24:00:00Z" is not a valid timestamp (the hour is out of range)...`},
		{name: "minute 60", data: eventWith(member{"eventTime", `"2026-03-04T05:60:00Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T05:60:00Z" is not a valid timestamp (the minute is out of range)...`},
		{name: "leap second", data: eventWith(member{"eventTime", `"2016-12-31T23:59:60Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2016-12-31T23:59:60Z" is not a valid timestamp (the second is out of range)...`},
		{name: "offset hour 24", data: eventWith(member{"eventTime", `"2026-03-04T05:00:00+24:00"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "2026-03-04T05:00:00+24:00" is not a valid timestamp (the offset is out of range)...`},
		{name: "year 0", data: eventWith(member{"eventTime", `"0000-03-04T05:00:00Z"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "0000-03-04T05:00:00Z" is not a valid timestamp (in UTC it is before 1970-01-01T00:00:00Z or after 9999-12-31T23:59:59Z)...`},
		{name: "Go's zero time", data: eventWith(member{"eventTime", `"0000-12-31T23:00:00-01:00"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "0000-12-31T23:00:00-01:00" is not a valid timestamp (in UTC it is before...`},
		{name: "before the epoch in UTC", data: eventWith(member{"eventTime", `"1970-01-01T00:30:00+01:00"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "1970-01-01T00:30:00+01:00" is not a valid timestamp (in UTC it is before...`},
		{name: "year 10000 in UTC", data: eventWith(member{"eventTime", `"9999-12-31T23:00:00-01:00"`}), code: CodeInvalidData,
			msg: `eventData.eventTime "9999-12-31T23:00:00-01:00" is not a valid timestamp (in UTC it is before 1970-01-01T00:00:00Z or after 9999-12-31T23:59:59Z)...`},
		{name: "not an IP", data: eventWith(member{"sourceIPAddress", `"example.com"`}), code: CodeInvalidData,
			msg: `eventData.sourceIPAddress "example.com" is not an IPv4 or IPv6 address`},
		{name: "IP with zone", data: eventWith(member{"sourceIPAddress", `"fe80::1%eth0"`}), code: CodeInvalidData,
			msg: `eventData.sourceIPAddress "fe80::1%eth0" is not an IPv4 or IPv6 address`},
		{name: "IP with port", data: eventWith(member{"sourceIPAddress", `"192.0.2.1:443"`}), code: CodeInvalidData,
			msg: `eventData.sourceIPAddress "192.0.2.1:443" is not an IPv4 or IPv6 address`},
		{name: "IPv4 with leading zero", data: eventWith(member{"sourceIPAddress", `"192.0.2.01"`}), code: CodeInvalidData,
			msg: `eventData.sourceIPAddress "192.0.2.01" is not an IPv4 or IPv6 address`},
		{name: "long value quoted short", data: eventWith(member{"sourceIPAddress", long(100)}), code: CodeInvalidData,
			msg: `eventData.sourceIPAddress "` + strings.Repeat("x", 64) + `"… is not an IPv4 or IPv6 address`},
		{name: "schema order within the step", data: eventWith(member{"additionalEventData", "1"}, member{"version", "1"}),
			code: CodeInvalidData, msg: "eventData.version must be a JSON string; found a number"},
		{name: "wrong type before too long", data: eventWith(member{"version", long(300)}, member{"UID", "1"}),
			code: CodeInvalidData, msg: "eventData.UID must be a JSON string; found a number"},

		// Step 5.
		{name: "version too long", data: eventWith(member{"version", long(257)}), code: CodeFieldTooLong,
			msg: "eventData.version is 257 characters long; the maximum is 256"},
		{name: "type too long", data: eventWith(member{"userIdentity", `{"type":` + long(129) + `,"principalId":"p"}`}),
			code: CodeFieldTooLong, msg: "eventData.userIdentity.type is 129 characters long; the maximum is 128"},
		{name: "principalId too long", data: eventWith(member{"userIdentity", `{"type":"t","principalId":` + long(1025) + `}`}),
			code: CodeFieldTooLong, msg: "eventData.userIdentity.principalId is 1025 characters long; the maximum is 1024"},
		{name: "userAgent too long", data: eventWith(member{"userAgent", long(1025)}), code: CodeFieldTooLong,
			msg: "eventData.userAgent is 1025 characters long; the maximum is 1024"},
		{name: "eventSource too long", data: eventWith(member{"eventSource", long(1025)}), code: CodeFieldTooLong,
			msg: "eventData.eventSource is 1025 characters long; the maximum is 1024"},
		{name: "eventName too long", data: eventWith(member{"eventName", long(1025)}), code: CodeFieldTooLong,
			msg: "eventData.eventName is 1025 characters long; the maximum is 1024"},
		{name: "UID too long", data: eventWith(member{"UID", long(1025)}), code: CodeFieldTooLong,
			msg: "eventData.UID is 1025 characters long; the maximum is 1024"},
		{name: "errorCode too long", data: eventWith(member{"errorCode", long(257)}), code: CodeFieldTooLong,
			msg: "eventData.errorCode is 257 characters long; the maximum is 256"},
		{name: "errorMessage too long with escapes", data: eventWith(member{"errorMessage", `"` + strings.Repeat(`\n`, 257) + `"`}),
			code: CodeFieldTooLong, msg: "eventData.errorMessage is 257 characters long; the maximum is 256"},
		{name: "multi-byte characters", data: eventWith(member{"errorMessage", `"` + strings.Repeat("日", 257) + `"`}),
			code: CodeFieldTooLong, msg: "eventData.errorMessage is 257 characters long; the maximum is 256"},
		{name: "requestParameters too long", data: eventWith(member{"requestParameters", obj(100<<10 + 1)}), code: CodeFieldTooLong,
			msg: "eventData.requestParameters is 102401 bytes of JSON; the maximum is 102400 (100 KiB)"},
		{name: "responseElements too long", data: eventWith(member{"responseElements", obj(100<<10 + 1)}), code: CodeFieldTooLong,
			msg: "eventData.responseElements is 102401 bytes of JSON; the maximum is 102400 (100 KiB)"},
		{name: "additionalEventData too long", data: eventWith(member{"additionalEventData", strings.Replace(obj(28<<10+1), ":", " : ", 1)}),
			code: CodeFieldTooLong, msg: "eventData.additionalEventData is 28673 bytes of JSON; the maximum is 28672 (28 KiB)"},
		{name: "too long before recipient", data: eventWith(member{"UID", long(1025)}, member{"recipientAccountId", `"999999999999"`}),
			code: CodeFieldTooLong, msg: "eventData.UID is 1025 characters long; the maximum is 1024"},

		// Step 6.
		{name: "other recipient", data: eventWith(member{"recipientAccountId", `"999999999999"`}), code: CodeInvalidRecipient,
			msg: `eventData.recipientAccountId "999999999999" is not "123456789012", the account that owns the channel`},
		{name: "recipient of another channel", data: valid, ch: &Channel{ARN: "a", OwnerAccount: "210987654321", Region: "r"},
			code: CodeInvalidRecipient, msg: `eventData.recipientAccountId "123456789012" is not "210987654321", the account that owns the channel`},
		{name: "recipient with space", data: eventWith(member{"recipientAccountId", `" 123456789012"`}), code: CodeInvalidRecipient,
			msg: `eventData.recipientAccountId " 123456789012" is not "123456789012", the account that owns the channel`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := channel
			if tt.ch != nil {
				ch = *tt.ch
			}
			rec, f := Build(Entry{ID: "x", EventData: tt.data, Checksum: tt.checksum}, ch, eventID, ingested)
			if f == nil {
				t.Fatalf("succeeded: %s", rec.Raw)
			}
			if rec.Raw != nil {
				t.Error("a failure returned a record")
			}
			if f.Code != tt.code {
				t.Errorf("code = %s, want %s (%s)", f.Code, tt.code, f.Message)
			}
			if prefix, ok := strings.CutSuffix(tt.msg, "..."); ok {
				if !strings.HasPrefix(f.Message, prefix) {
					t.Errorf("message = %s\nwant prefix %s", f.Message, prefix)
				}
			} else if f.Message != tt.msg {
				t.Errorf("message = %s\nwant        %s", f.Message, tt.msg)
			}
			checkFailure(t, f)
			if code, _ := reference(Entry{EventData: tt.data, Checksum: tt.checksum}, ch); code != tt.code {
				t.Errorf("the fuzz reference says %q", code)
			}
		})
	}
}

func checkFailure(t *testing.T, f *Failure) {
	t.Helper()
	switch f.Code {
	case CodeFieldNotFound, CodeFieldTooLong, CodeInvalidData, CodeInvalidChecksum, CodeInvalidRecipient:
	default:
		t.Errorf("unexpected code %q", f.Code)
	}
	if n := len([]rune(f.Message)); n < 1 || n > 1024 {
		t.Errorf("message is %d characters", n)
	}
	if !strings.HasPrefix(f.Message, "eventData") && !strings.HasPrefix(f.Message, "required field eventData") {
		t.Errorf("message does not name the field: %s", f.Message)
	}
}

func TestBuildDoesNotKeepInput(t *testing.T) {
	data := []byte(eventWith())
	rec, f := Build(Entry{EventData: string(data)}, channel, eventID, ingested)
	if f != nil {
		t.Fatal(f)
	}
	before := string(rec.Raw)
	// Later calls reuse Build's buffers; the record must not share them.
	for i := 0; i < 10; i++ {
		Build(Entry{EventData: eventWith(member{"UID", `"other-uid-that-is-longer"`})}, channel, "x", ingested)
	}
	if string(rec.Raw) != before {
		t.Error("the record changed after later Build calls")
	}
}

func TestBuildConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				uid := fmt.Sprintf(`"w%d-%d"`, w, i)
				rec, f := Build(Entry{EventData: eventWith(member{"UID", uid})}, channel, eventID, ingested)
				if f != nil || !strings.Contains(string(rec.Raw), `"UID":`+uid+`,`) {
					t.Errorf("worker %d round %d: %v %s", w, i, f, rec.Raw)
					return
				}
			}
		})
	}
	wg.Wait()
}
