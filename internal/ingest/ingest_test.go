package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/identity"
)

const (
	acct  = "111111111111"
	other = "222222222222"
)

var testNow = time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)

// fakeAppender records what it is given and numbers it like the event
// store.
type fakeAppender struct {
	mu    sync.Mutex
	calls int
	recs  []events.Record
	err   error
}

func (f *fakeAppender) Append(_ context.Context, recs []events.Record) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return 0, f.err
	}
	f.recs = append(f.recs, recs...)
	return int64(len(f.recs)) + 100, nil
}

func newService(maxRecords int) (*Service, *fakeAppender) {
	app := &fakeAppender{}
	return New(Config{Appender: app, Now: func() time.Time { return testNow }, MaxRecords: maxRecords}), app
}

func callerCtx(account string) context.Context {
	return identity.WithCaller(context.Background(), &identity.Caller{
		Principal: identity.Principal{Type: identity.PrincipalRoot, AccountID: account},
		Region:    "us-east-1",
	})
}

// record returns a valid CloudTrail record for acct, changed by edit
// (deleting a key when edit sets it to nil).
func record(id string, edit map[string]any) map[string]any {
	r := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::" + acct + ":user/alice",
			"accountId": acct, "accessKeyId": "AKIAEXAMPLE", "userName": "alice",
		},
		"eventTime":          "2026-07-15T11:00:00Z",
		"eventSource":        "iam.amazonaws.com",
		"eventName":          "ListUsers",
		"awsRegion":          "us-east-1",
		"sourceIPAddress":    "192.0.2.1",
		"userAgent":          "aws-cli/2",
		"requestParameters":  nil,
		"responseElements":   nil,
		"requestID":          "req-" + id,
		"eventID":            id,
		"readOnly":           true,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": acct,
		"eventCategory":      "Management",
	}
	for k, v := range edit {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

func envelope(t testing.TB, recs ...any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ingest(t *testing.T, s *Service, ctx context.Context, body []byte) *Result {
	t.Helper()
	out, err := s.Ingest(ctx, body)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return out.(*Result)
}

func TestIngestPlainAndGzip(t *testing.T) {
	body := envelope(t, record("e1", nil), record("e2", nil))
	for name, in := range map[string][]byte{"plain": body, "gzip": gz(t, body)} {
		s, app := newService(0)
		res := ingest(t, s, callerCtx(acct), in)
		if res.Accepted != 2 || len(res.Failed) != 0 || res.FirstSequence != 101 || res.LastSequence != 102 {
			t.Errorf("%s: %+v", name, res)
		}
		if app.calls != 1 || len(app.recs) != 2 {
			t.Fatalf("%s: %d calls, %d records", name, app.calls, len(app.recs))
		}
		// The stored JSON is the posted record, byte for byte (compacted).
		recs, _ := SplitBody(body, 0, 0)
		for i, r := range app.recs {
			js, _ := r.JSON()
			if !bytes.Equal(js, recs[i]) {
				t.Errorf("%s #%d stored %s, posted %s", name, i, js, recs[i])
			}
			if r.EventID != fmt.Sprintf("e%d", i+1) || r.AWSRegion != "us-east-1" || r.RecipientAccountID != acct {
				t.Errorf("%s #%d decoded %+v", name, i, r)
			}
		}
	}
}

func TestIngestOtherFormats(t *testing.T) {
	r1, _ := json.MarshalIndent(record("e1", nil), "", "  ")
	r2, _ := json.Marshal(record("e2", nil))
	r3, _ := json.Marshal(record("e3", nil))
	bodies := map[string][]byte{
		"bare array":         []byte("[" + string(r1) + ",\n" + string(r2) + "," + string(r3) + "]"),
		"NDJSON":             []byte(string(r2) + "\n" + string(r3) + "\n" + strings.ReplaceAll(string(r1), "\n", "") + "\n"),
		"concatenated gzip":  append(gz(t, envelope(t, record("e1", nil))), gz(t, envelope(t, record("e2", nil), record("e3", nil)))...),
		"gzip bare array":    gz(t, []byte("["+string(r1)+","+string(r2)+","+string(r3)+"]")),
		"two envelopes":      append(envelope(t, record("e1", nil), record("e2", nil)), envelope(t, record("e3", nil))...),
		"pretty-printed env": []byte("{\n  \"Records\": [\n" + string(r1) + ",\n" + string(r2) + ",\n" + string(r3) + "\n  ]\n}\n"),
	}
	for name, body := range bodies {
		s, app := newService(0)
		res := ingest(t, s, callerCtx(acct), body)
		if res.Accepted != 3 || len(res.Failed) != 0 || len(app.recs) != 3 {
			t.Errorf("%s: %+v", name, res)
		}
		for _, r := range app.recs {
			js, _ := r.JSON()
			if bytes.ContainsAny(js, " \n") {
				t.Errorf("%s: stored JSON is not compacted: %s", name, js)
			}
		}
	}
}

func TestIngestKeepsGoodRecordsOfAMixedBatch(t *testing.T) {
	s, app := newService(0)
	body := envelope(t,
		record("good-1", nil),
		record("no-name", map[string]any{"eventName": nil}),
		record("good-2", nil),
		"not an object",
		record("bad-type", map[string]any{"readOnly": "yes"}),
		record("good-3", map[string]any{"somethingNew": map[string]any{"x": 1}}),
	)
	res := ingest(t, s, callerCtx(acct), body)
	if res.Accepted != 3 || res.FirstSequence != 101 || res.LastSequence != 103 {
		t.Errorf("result %+v", res)
	}
	var ids []string
	for _, r := range app.recs {
		ids = append(ids, r.EventID)
	}
	if strings.Join(ids, ",") != "good-1,good-2,good-3" {
		t.Errorf("stored %v", ids)
	}
	want := []RecordError{
		{Index: 1, EventID: "no-name", Errors: []FieldError{{Field: "eventName", Code: events.CodeFieldNotFound}}},
		{Index: 3, Errors: []FieldError{{Code: events.CodeInvalidData}}},
		{Index: 4, EventID: "bad-type", Errors: []FieldError{{Field: "readOnly", Code: events.CodeInvalidData}}},
	}
	if len(res.Failed) != len(want) {
		t.Fatalf("failed %+v", res.Failed)
	}
	for i, w := range want {
		got := res.Failed[i]
		if got.Index != w.Index || got.EventID != w.EventID || len(got.Errors) != 1 ||
			got.Errors[0].Field != w.Errors[0].Field || got.Errors[0].Code != w.Errors[0].Code || got.Errors[0].Message == "" {
			t.Errorf("failure %d = %+v, want %+v", i, got, w)
		}
	}
	// The somethingNew field survives storage.
	js, _ := app.recs[2].JSON()
	if !bytes.Contains(js, []byte(`"somethingNew":{"x":1}`)) {
		t.Errorf("unknown field lost: %s", js)
	}
}

func TestIngestReportsEveryValidationError(t *testing.T) {
	long := strings.Repeat("x", events.MaxStringFieldSize+1)
	type fe struct{ field, code string }
	cases := []struct {
		name string
		edit map[string]any
		want []fe
	}{
		{"no eventVersion", map[string]any{"eventVersion": nil}, []fe{{"eventVersion", "FieldNotFound"}}},
		{"bad eventVersion", map[string]any{"eventVersion": "v1"}, []fe{{"eventVersion", "InvalidData"}}},
		{"no eventTime", map[string]any{"eventTime": nil}, []fe{{"eventTime", "FieldNotFound"}}},
		{"bad eventTime", map[string]any{"eventTime": "yesterday"}, []fe{{"eventTime", "InvalidData"}}},
		{"eventTime not a string", map[string]any{"eventTime": 1700000000}, []fe{{"eventTime", "InvalidData"}}},
		{"future eventTime", map[string]any{"eventTime": "2026-07-15T13:00:01Z"}, []fe{{"eventTime", "InvalidData"}}},
		{"ancient eventTime", map[string]any{"eventTime": "1969-12-31T23:59:59Z"}, []fe{{"eventTime", "InvalidData"}}},
		{"no userIdentity", map[string]any{"userIdentity": nil, "recipientAccountId": acct}, []fe{{"userIdentity", "FieldNotFound"}}},
		{"no userIdentity.type", map[string]any{"userIdentity": map[string]any{"accountId": acct}}, []fe{{"userIdentity.type", "FieldNotFound"}}},
		{"no eventSource", map[string]any{"eventSource": nil}, []fe{{"eventSource", "FieldNotFound"}}},
		{"no sourceIPAddress", map[string]any{"sourceIPAddress": nil}, []fe{{"sourceIPAddress", "FieldNotFound"}}},
		{"no awsRegion", map[string]any{"awsRegion": nil}, []fe{{"awsRegion", "FieldNotFound"}}},
		{"bad awsRegion", map[string]any{"awsRegion": "../../etc"}, []fe{{"awsRegion", "InvalidData"}}},
		{"upper-case awsRegion", map[string]any{"awsRegion": "US-EAST-1"}, []fe{{"awsRegion", "InvalidData"}}},
		{"no eventID", map[string]any{"eventID": nil}, []fe{{"eventID", "FieldNotFound"}}},
		{"no eventType", map[string]any{"eventType": nil}, []fe{{"eventType", "FieldNotFound"}}},
		{"no eventCategory", map[string]any{"eventCategory": nil}, []fe{{"eventCategory", "FieldNotFound"}}},
		{"bad eventCategory", map[string]any{"eventCategory": "Gossip"}, []fe{{"eventCategory", "InvalidData"}}},
		{"bad eventType", map[string]any{"eventType": "AwsRumour"}, []fe{{"eventType", "InvalidData"}}},
		{"long userAgent", map[string]any{"userAgent": long}, []fe{{"userAgent", "FieldTooLong"}}},
		{"long errorMessage", map[string]any{"errorMessage": long}, []fe{{"errorMessage", "FieldTooLong"}}},
		{"long eventID", map[string]any{"eventID": long}, []fe{{"eventID", "FieldTooLong"}}},
		{"requestParameters array", map[string]any{"requestParameters": []int{1}}, []fe{{"requestParameters", "InvalidData"}}},
		{"huge requestParameters", map[string]any{"requestParameters": map[string]string{"x": strings.Repeat("y", events.MaxParametersSize)}}, []fe{{"requestParameters", "FieldTooLong"}}},
		{"huge record", map[string]any{
			"requestParameters":   map[string]string{"x": strings.Repeat("y", 90<<10)},
			"responseElements":    map[string]string{"x": strings.Repeat("y", 90<<10)},
			"serviceEventDetails": map[string]string{"x": strings.Repeat("y", 90<<10)}},
			[]fe{{"", "FieldTooLong"}}},
		{"bad recipientAccountId", map[string]any{"recipientAccountId": "12345"}, []fe{{"recipientAccountId", "InvalidData"}}},
		{"type error", map[string]any{"userIdentity": "alice"}, []fe{{"userIdentity", "InvalidData"}}},
		{"everything wrong", map[string]any{
			"eventVersion": "1.09", "eventTime": "soon", "eventName": nil, "eventSource": nil, "awsRegion": nil,
			"eventCategory": "X", "userAgent": long, "recipientAccountId": other},
			[]fe{{"eventTime", "InvalidData"}, {"eventSource", "FieldNotFound"}, {"eventName", "FieldNotFound"},
				{"awsRegion", "FieldNotFound"}, {"userAgent", "FieldTooLong"}, {"eventCategory", "InvalidData"},
				{"recipientAccountId", CodeAccessDenied}}},
	}
	for _, c := range cases {
		s, app := newService(0)
		res := ingest(t, s, callerCtx(acct), envelope(t, record("ok", nil), record("bad", c.edit)))
		if res.Accepted != 1 || len(app.recs) != 1 || len(res.Failed) != 1 {
			t.Errorf("%s: %+v", c.name, res)
			continue
		}
		var got []fe
		for _, e := range res.Failed[0].Errors {
			got = append(got, fe{e.Field, e.Code})
			if e.Message == "" {
				t.Errorf("%s: no message for %s", c.name, e.Field)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: errors %v, want %v", c.name, got, c.want)
		}
		if res.Failed[0].Index != 1 {
			t.Errorf("%s: index %d", c.name, res.Failed[0].Index)
		}
	}
}

func TestIngestAccountScoping(t *testing.T) {
	ui := func(account string) map[string]any {
		return map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::" + account + ":assumed-role/r/s", "accountId": account}
	}
	s, app := newService(0)
	res := ingest(t, s, callerCtx(acct), envelope(t,
		record("foreign-recipient", map[string]any{"recipientAccountId": other}),
		record("foreign-identity", map[string]any{"recipientAccountId": nil, "userIdentity": ui(other)}),
		record("cross-account-call", map[string]any{"userIdentity": ui(other)}), // delivered to acct
		record("own-identity", map[string]any{"recipientAccountId": nil}),
		record("no-account", map[string]any{"recipientAccountId": nil, "userIdentity": map[string]any{"type": "AWSService", "invokedBy": "s3.amazonaws.com"}}),
		record("empty-recipient", map[string]any{"recipientAccountId": "", "userIdentity": map[string]any{"type": "AWSService"}}),
		record("null-recipient", map[string]any{"userIdentity": map[string]any{"type": "AWSService"}, "recipientAccountId": json.RawMessage("null")}),
	))
	if res.Accepted != 3 {
		t.Errorf("accepted %d", res.Accepted)
	}
	wantFailed := map[string]FieldError{
		"foreign-recipient": {Field: "recipientAccountId", Code: CodeAccessDenied},
		"foreign-identity":  {Field: "userIdentity.accountId", Code: CodeAccessDenied},
		"empty-recipient":   {Field: "recipientAccountId", Code: events.CodeInvalidData},
		"null-recipient":    {Field: "recipientAccountId", Code: events.CodeInvalidData},
	}
	if len(res.Failed) != len(wantFailed) {
		t.Errorf("failed %+v", res.Failed)
	}
	for _, f := range res.Failed {
		w, ok := wantFailed[f.EventID]
		if !ok || len(f.Errors) != 1 || f.Errors[0].Field != w.Field || f.Errors[0].Code != w.Code {
			t.Errorf("%s: %+v, want %+v", f.EventID, f.Errors, w)
		}
		if w.Code == CodeAccessDenied && (!strings.Contains(f.Errors[0].Message, other) || !strings.Contains(f.Errors[0].Message, acct)) {
			t.Errorf("%s: message %q names neither account", f.EventID, f.Errors[0].Message)
		}
	}
	stored := map[string]events.Record{}
	for _, r := range app.recs {
		stored[r.EventID] = r
	}
	// A record without any account gets the caller's, in its JSON too.
	r := stored["no-account"]
	js, _ := r.JSON()
	if r.RecipientAccountID != acct || !bytes.HasSuffix(js, []byte(`,"recipientAccountId":"`+acct+`"}`)) {
		t.Errorf("no-account stored as %s (%q)", js, r.RecipientAccountID)
	}
	var decoded events.Record
	if err := json.Unmarshal(js, &decoded); err != nil || decoded.RecipientAccountID != acct {
		t.Errorf("filled record does not decode: %v", err)
	}
	// Records naming the caller's account are stored unchanged.
	r = stored["own-identity"]
	if js, _ := r.JSON(); bytes.Contains(js, []byte("recipientAccountId")) {
		t.Errorf("own-identity was changed: %s", js)
	}

	// The same records posted by the other account: the foreign ones are its.
	s2, _ := newService(0)
	res = ingest(t, s2, callerCtx(other), envelope(t,
		record("foreign-recipient", map[string]any{"recipientAccountId": other}),
		record("foreign-identity", map[string]any{"recipientAccountId": nil, "userIdentity": ui(other)}),
		record("mine-not", nil),
	))
	if res.Accepted != 2 || len(res.Failed) != 1 || res.Failed[0].EventID != "mine-not" {
		t.Errorf("as the other account: %+v", res)
	}

	// No caller at all is a programming error, not a client one.
	if _, err := s.Ingest(context.Background(), envelope(t, record("x", nil))); err == nil {
		t.Error("Ingest without a caller succeeded")
	}
}

func TestIngestDuplicateEventIDs(t *testing.T) {
	s, app := newService(0)
	res := ingest(t, s, callerCtx(acct), envelope(t,
		record("a", nil),
		record("b", map[string]any{"eventName": nil}), // bad: does not claim "b"
		record("a", nil),
		record("b", nil),
		record("a", map[string]any{"eventSource": nil}),
	))
	if res.Accepted != 2 || len(app.recs) != 2 || app.recs[0].EventID != "a" || app.recs[1].EventID != "b" {
		t.Fatalf("result %+v", res)
	}
	if len(res.Failed) != 3 {
		t.Fatalf("failed %+v", res.Failed)
	}
	dup := res.Failed[1]
	if dup.Index != 2 || dup.EventID != "a" || len(dup.Errors) != 1 || dup.Errors[0].Code != CodeDuplicateEventID ||
		dup.Errors[0].Field != "eventID" || !strings.Contains(dup.Errors[0].Message, "record 0") {
		t.Errorf("duplicate %+v", dup)
	}
	last := res.Failed[2]
	if last.Index != 4 || len(last.Errors) != 2 || last.Errors[0].Field != "eventSource" || last.Errors[1].Code != CodeDuplicateEventID {
		t.Errorf("bad duplicate %+v", last)
	}
}

func TestIngestBodyErrors(t *testing.T) {
	s, app := newService(5)
	for name, body := range map[string][]byte{
		"empty":            nil,
		"not JSON":         []byte("hello"),
		"Records object":   []byte(`{"Records":{}}`),
		"truncated":        envelope(t, record("a", nil))[:100],
		"broken gzip":      gz(t, envelope(t, record("a", nil)))[:30],
		"syntax in record": []byte(`{"Records":[{"eventID":"a"},{"eventID":}]}`),
	} {
		_, err := s.Ingest(callerCtx(acct), body)
		wantAPIError(t, name, err, api.CodeSerialization, 400)
	}
	six := make([]any, 6)
	for i := range six {
		six[i] = record(fmt.Sprint(i), nil)
	}
	_, err := s.Ingest(callerCtx(acct), envelope(t, six...))
	wantAPIError(t, "six records", err, api.CodeRequestEntityTooLarge, 413)
	s.maxDecompressed = 1 << 20
	_, err = s.Ingest(callerCtx(acct), gz(t, append(envelope(t, record("a", nil)), bytes.Repeat([]byte("\n"), 2<<20)...)))
	wantAPIError(t, "bomb", err, api.CodeRequestEntityTooLarge, 413)
	if app.calls != 0 {
		t.Errorf("%d appends for rejected bodies", app.calls)
	}
}

func TestIngestDefaultLimits(t *testing.T) {
	s, app := newService(0)
	if s.maxRecords != DefaultMaxRecords || s.maxDecompressed != MaxDecompressedBytes {
		t.Errorf("defaults %d %d", s.maxRecords, s.maxDecompressed)
	}
	tooMany := gz(t, []byte("["+strings.Repeat("{},", DefaultMaxRecords)+"{}]"))
	_, err := s.Ingest(callerCtx(acct), tooMany)
	wantAPIError(t, "default limit", err, api.CodeRequestEntityTooLarge, 413)
	// A real gzip bomb: 300 MiB of spaces in about 300 KB.
	if testing.Short() {
		return
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 300 {
		zw.Write(chunk)
	}
	zw.Close()
	_, err = s.Ingest(callerCtx(acct), buf.Bytes())
	wantAPIError(t, "300 MiB bomb", err, api.CodeRequestEntityTooLarge, 413)
	if app.calls != 0 {
		t.Error("appended")
	}
}

func TestIngestEmpty(t *testing.T) {
	s, app := newService(0)
	for _, body := range []string{`{"Records":[]}`, `[]`, "{\"Records\":[]}\n{\"Records\":[]}"} {
		res := ingest(t, s, callerCtx(acct), []byte(body))
		if res.Accepted != 0 || len(res.Failed) != 0 || res.LastSequence != 0 {
			t.Errorf("%s: %+v", body, res)
		}
		js, _ := json.Marshal(res)
		if string(js) != `{"accepted":0,"failed":[]}` {
			t.Errorf("%s: JSON %s", body, js)
		}
	}
	res := ingest(t, s, callerCtx(acct), envelope(t, record("x", map[string]any{"eventName": nil})))
	if res.Accepted != 0 || len(res.Failed) != 1 {
		t.Errorf("all bad: %+v", res)
	}
	if app.calls != 0 {
		t.Errorf("Append called %d times with nothing to store", app.calls)
	}
}

func TestIngestAppendFailure(t *testing.T) {
	s, app := newService(0)
	app.err = context.DeadlineExceeded
	_, err := s.Ingest(callerCtx(acct), envelope(t, record("a", nil)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v", err)
	}
}

func TestResultJSON(t *testing.T) {
	res := &Result{Accepted: 1, FirstSequence: 7, LastSequence: 7, Failed: []RecordError{
		{Index: 1, EventID: "e", Errors: []FieldError{{Field: "eventName", Code: "FieldNotFound", Message: "the field is required"}}},
		{Index: 2, Errors: []FieldError{{Code: "InvalidData", Message: "the record is not a JSON object"}}},
	}}
	js, _ := json.Marshal(res)
	want := `{"accepted":1,"failed":[{"index":1,"eventId":"e","errors":[{"field":"eventName","code":"FieldNotFound","message":"the field is required"}]},` +
		`{"index":2,"errors":[{"code":"InvalidData","message":"the record is not a JSON object"}]}],"firstSequence":7,"lastSequence":7}`
	if string(js) != want {
		t.Errorf("got  %s\nwant %s", js, want)
	}
}

// The Stratus Red Team detonation logs are real (anonymized) AWS records:
// every one is accepted when posted by its own account, and stored exactly
// as posted.
func TestIngestRealRecords(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/testdata/stratus-detonation-logs/*.json")
	if len(files) == 0 {
		t.Skip("shared test data not present")
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws, err := SplitBody(data, 0, 0)
		if err != nil || len(raws) == 0 {
			t.Fatalf("%s: %d records, %v", f, len(raws), err)
		}
		var probe events.Record
		if err := json.Unmarshal(raws[0], &probe); err != nil {
			t.Fatal(err)
		}
		account := probe.RecipientAccountID
		// Each file as it is (a bare array), and wrapped as AWS writes log
		// files, gzip-compressed.
		wrapped := gz(t, []byte(`{"Records":`+string(data)+`}`))
		for _, body := range [][]byte{data, wrapped} {
			s, app := newService(0)
			s.now = time.Now
			res := ingest(t, s, callerCtx(account), body)
			if res.Accepted != len(raws) || len(res.Failed) != 0 {
				t.Fatalf("%s: accepted %d of %d, failed %+v", filepath.Base(f), res.Accepted, len(raws), res.Failed)
			}
			for i, r := range app.recs {
				var want bytes.Buffer
				json.Compact(&want, raws[i])
				js, _ := r.JSON()
				if !bytes.Equal(js, want.Bytes()) {
					t.Fatalf("%s #%d stored differently", filepath.Base(f), i)
				}
			}
		}
		// Another account may not ingest them.
		s, _ := newService(0)
		s.now = time.Now
		res := ingest(t, s, callerCtx(identity.DefaultAccountID), data)
		if res.Accepted != 0 || len(res.Failed) != len(raws) || res.Failed[0].Errors[0].Code != CodeAccessDenied {
			t.Errorf("%s as %s: %+v", filepath.Base(f), identity.DefaultAccountID, res)
		}
		total += len(raws)
	}
	t.Logf("%d records in %d files", total, len(files))
}

// FuzzIngest checks that any body gives a 4xx error or a result that
// accounts for every record, and that what is stored passes validation.
func FuzzIngest(f *testing.F) {
	good, _ := json.Marshal(record("a", nil))
	f.Add(good)
	f.Add([]byte(`{"Records":[` + string(good) + `,{"eventID":"a"},7]}`))
	f.Add([]byte(`[` + string(good) + `,` + string(good) + `]`))
	f.Add([]byte(string(good) + "\n" + `{"eventVersion":"1.0","eventTime":"2020-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, app := newService(20)
		out, err := s.Ingest(callerCtx(acct), body)
		if err != nil {
			var apiErr api.Error
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus() >= 500 {
				t.Fatalf("error %v is not a client error", err)
			}
			return
		}
		res := out.(*Result)
		raws, _ := SplitBody(body, 20, MaxDecompressedBytes)
		if res.Accepted+len(res.Failed) != len(raws) || res.Accepted != len(app.recs) {
			t.Fatalf("%d accepted + %d failed of %d records", res.Accepted, len(res.Failed), len(raws))
		}
		for _, r := range app.recs {
			if err := events.Validate(&r); err != nil {
				t.Fatalf("stored an invalid record: %v", err)
			}
			js, _ := r.JSON()
			if !json.Valid(js) || (r.RecipientAccountID != acct && (r.RecipientAccountID != "" || r.UserIdentity == nil || r.UserIdentity.AccountID != acct)) {
				t.Fatalf("stored %s for %s", js, acct)
			}
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}
