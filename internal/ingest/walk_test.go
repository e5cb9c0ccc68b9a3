package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/cairnhq/cairn/internal/events"
)

// short abbreviates data for messages.
func short(data []byte) string {
	if len(data) > 200 {
		return fmt.Sprintf("%q...(%d bytes)", data[:200], len(data))
	}
	return fmt.Sprintf("%q", data)
}

// checkWalker fails unless the one-pass walker reads data exactly as
// splitSlow (encoding/json's decoder) does: the same bodies accepted, the
// same records, each decoded as events.Parse decodes it. It returns
// whether the walker read the body.
func checkWalker(t *testing.T, data []byte, max int) bool {
	t.Helper()
	want, wantErr := splitSlow(data, "body", max)

	w := walker{data: data, max: max}
	ok := w.run()
	if ok != (wantErr == nil) {
		t.Fatalf("%s: walker ok=%v, encoding/json: %v", short(data), ok, wantErr)
	}
	if !ok {
		return false
	}
	if len(w.raws) != len(want) {
		t.Fatalf("%s: walker found %d records, encoding/json %d", short(data), len(w.raws), len(want))
	}
	for i := range want {
		if !bytes.Equal(w.raws[i], want[i]) {
			t.Fatalf("%s: record %d is %q, encoding/json %q", short(data), i, w.raws[i], want[i])
		}
	}

	d := walker{data: data, max: max, decode: true}
	if !d.run() {
		t.Fatalf("%s: decoding walker failed", short(data))
	}
	if len(d.recs) != len(want) {
		t.Fatalf("%s: decoding walker found %d records, want %d", short(data), len(d.recs), len(want))
	}
	bad := d.bad
	for i, raw := range want {
		rec, err := events.Parse(raw)
		var gotErr error
		if len(bad) > 0 && bad[0].index == i {
			gotErr = bad[0].err
			if !bytes.Equal(bad[0].raw, raw) {
				t.Fatalf("%s: failed record %d is %q, want %q", short(data), i, bad[0].raw, raw)
			}
			bad = bad[1:]
		}
		if !reflect.DeepEqual(gotErr, err) {
			t.Fatalf("%s: record %d error %v, events.Parse %v", short(data), i, gotErr, err)
		}
		if !reflect.DeepEqual(d.recs[i], rec) {
			t.Fatalf("%s: record %d\n got %#v\nwant %#v", short(data), i, d.recs[i], rec)
		}
		if err == nil {
			var m map[string]json.RawMessage
			_ = json.Unmarshal(rec.Raw, &m)
			if _, want := m["recipientAccountId"]; hasKey(rec.Raw, "recipientAccountId") != want {
				t.Fatalf("%s: record %d: hasKey %v", short(data), i, !want)
			}
		}
	}
	if len(bad) > 0 {
		t.Fatalf("%s: %d failures left over", short(data), len(bad))
	}
	return true
}

var walkerBodies = []string{
	`{"Records":[{"a":1},{"b":[1,{"Records":2}]},[3],"x"]}`,
	" {\n \"Records\" : [\n  {\"a\":1} ,\n\t{\"b\":[1,{\"Records\":2}]},[3] , \"x\"\n ]\n}\n",
	`{"x":{"Records":[]},"Records":[{"a":1},{"b":[1,{"Records":2}]},[3],"x"],"y":[1]}`,
	`[{"a":1},{"b":[1,{"Records":2}]},[3],"x"]`,
	`{"Records":[{"a":1},{"b":[1,{"Records":2}]}]}` + "\n" + `{"Records":[[3],"x"]}`,
	`{"Records":[{"a":1}]}[{"b":[1,{"Records":2}]},[3],"x"]`,
	"{\"eventID\":\"1\"}\n{\"eventID\":\"2\"}\r\n\n  {\"eventID\":\"3\"}{\"eventID\":\"4\"}\n",
	`{"Records":[]} []`, `{}`, `[]`, `{} {}`, `[{}]`, `[null,true,1,"x",[],{}]`,
	`{"Records":[{"eventID":"a"}],"Records":[{"eventID":"b"}]}`,
	`{"Rec\u006frds":[{"eventID":"escaped key"}]}`,
	`{"records":[]}`, `{"RECORDS":[]}`, "{\"Recordſ\":[]}", `{"Rec\u006Frds":[],"recordS":1}`,
	`{"Records":{}}`, `{"Records":null}`, `{"Records":"[]"}`, `{"Records":[1,]}`, `{"Records":[,1]}`,
	`{"a":1,"Records":[{"x":1}]}`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{5:1}`, `{"Records":[{"a":1}], 5:1}`,
	`[{"a":1}`, `{"Records":[{"a":1}]`, `[{"a":1},{"b":}]`, `{"Records":[]} x`, `[{"a":1},]`,
	"{\"a\":1}\nnot json\n", `7`, `"x"`, `null`, `true`, `{"Records":[]}7`, `[1]2`, `{}"x"`,
	"[\"\xff\",{\"eventName\":\"\xfe\"}]", "{\"\xff\":1}", "{\"Records\":[{\"eventName\":\"caf\xc3\xa9\"}]}",
	`[{"eventName":"x","eventName":"y"},{"userIdentity":{"type":"A"},"userIdentity":{"arn":"b"}}]`,
	`[{"readOnly":"yes","eventID":"e"},{"eventID":5},{"eventTime":7}]`,
	"[ {\"eventName\" : \"spaced\" } , {\"requestParameters\":{ \"a\" : 1 }}]",
	`{"eventName":"top-level record","requestParameters":{"x":[1,2]}}`,
	`{"eventName":"top-level record","Records":[{"eventName":"inner"}]}`,
}

func TestWalkerMatchesEncodingJSON(t *testing.T) {
	for _, body := range walkerBodies {
		checkWalker(t, []byte(body), 0)
		checkWalker(t, []byte(body), 2)
	}
	for _, max := range []int{0, 2, 3, 4} {
		checkWalker(t, []byte(`[{},{},{}]`), max)
		checkWalker(t, []byte("{}\n{}\n{}"), max)
		checkWalker(t, []byte(`{"Records":[{},{}]}{"Records":[{}]}`), max)
	}
}

// Nesting is limited per value, as encoding/json's decoder limits it: an
// element of an array may nest 10,000 deep, and so may the value of each
// key of a top-level record, whose record then fails to parse.
func TestWalkerDepth(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, n := range []int{9998, 9999, 10000, 10001} {
		for _, body := range []string{
			"[" + nest(n) + "]",
			`{"Records":[` + nest(n) + `]}`,
			`{"Records":[{"requestParameters":` + nest(n) + `}]}`,
			`{"requestParameters":` + nest(n) + `}`,
			`{"x":` + nest(n) + `,"Records":[]}`,
		} {
			checkWalker(t, []byte(body), 0)
		}
	}
}

func TestWalkerDecodesInPlace(t *testing.T) {
	body := []byte(`{"Records":[{"eventName":"a","requestParameters":{"x":1}},{"eventName":"b"}]}`)
	w := walker{data: body, decode: true}
	if !w.run() || len(w.recs) != 2 || len(w.bad) != 0 {
		t.Fatalf("%+v", w)
	}
	// Compact records are not copied: Raw is the body's bytes.
	if &w.recs[0].Raw[0] != &body[12] || string(w.recs[0].RequestParameters) != `{"x":1}` {
		t.Errorf("Raw %q is a copy", w.recs[0].Raw)
	}
	// And cannot grow into the next record.
	_ = append(w.recs[0].Raw, 'X')
	if string(w.recs[1].Raw) != `{"eventName":"b"}` {
		t.Errorf("appending to a record changed the next: %s", w.recs[1].Raw)
	}
}

// FuzzWalker checks the one-pass walker against encoding/json's decoder
// on any body.
func FuzzWalker(f *testing.F) {
	for _, body := range walkerBodies {
		f.Add([]byte(body), uint8(0))
	}
	good, _ := json.Marshal(record("a", nil))
	f.Add([]byte(`{"Records":[`+string(good)+`,`+string(good)+`]}`), uint8(1))
	f.Fuzz(func(t *testing.T, body []byte, max uint8) {
		checkWalker(t, body, int(max))
	})
}

func TestIngestFallsBackForErrors(t *testing.T) {
	// A body the walker rejects gets encoding/json's message, with the
	// position of the value where the error is.
	s, _ := newService(0)
	_, err := s.Ingest(callerCtx(acct), []byte("[{\"a\":1},\n {\"b\": x}]"))
	if err == nil || !strings.Contains(err.Error(), "invalid character 'x'") || !strings.Contains(err.Error(), "starting at byte 11 (line 2)") {
		t.Errorf("error %v", err)
	}
	var apiErr interface{ HTTPStatus() int }
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus() != 400 {
		t.Errorf("error %v is not a 400", err)
	}
}

// Stored records carry JSON that events checked, so that storage need not
// check it again (events.Record.RawChecked), including the one Ingest
// gives the caller's account.
func TestIngestStoresCheckedJSON(t *testing.T) {
	s, app := newService(0)
	pretty, _ := json.MarshalIndent(record("pretty", nil), "", "  ")
	body := append(envelope(t,
		record("plain", nil),
		record("no-account", map[string]any{"recipientAccountId": nil, "userIdentity": map[string]any{"type": "AWSService"}}),
		record("dup-keys", map[string]any{"userIdentity": json.RawMessage(`{"type":"IAMUser","accountId":"` + acct + `","type":"Root"}`)}),
	), pretty...)
	res := ingest(t, s, callerCtx(acct), body)
	if res.Accepted != 4 {
		t.Fatalf("%+v", res)
	}
	for _, r := range app.recs {
		if !r.RawChecked() || !json.Valid(r.Raw) {
			t.Errorf("%s: stored JSON not checked: %s", r.EventID, r.Raw)
		}
	}
}

func TestHasKey(t *testing.T) {
	for _, raw := range []string{
		`{}`, `{"a":1}`, `{"recipientAccountId":null}`, `{"a":{"recipientAccountId":1}}`, `{"x":[1,{"recipientAccountId":1}],"recipientAccountId":""}`,
		`{"recipient\u0041ccountId":"1"}`, `{"RecipientAccountId":"1"}`, `{"recipientAccountId ":1}`, ` { "recipientAccountId" : 1 } `,
		"{\"\xff\":1,\"recipientAccountId\":2}", `[]`, `7`,
	} {
		var m map[string]json.RawMessage
		_, want := m["recipientAccountId"]
		if json.Unmarshal([]byte(raw), &m) == nil {
			_, want = m["recipientAccountId"]
		}
		if got := hasKey([]byte(raw), "recipientAccountId"); got != want {
			t.Errorf("hasKey(%s) = %v, want %v", raw, got, want)
		}
	}
}

// Gzip readers are reused: bodies decompress alike whatever the body
// before them was, broken or not, and concurrently.
func TestDecompressReusesReaders(t *testing.T) {
	good := envelope(t, record("a", nil), record("b", nil))
	bodies := [][]byte{
		gz(t, good),
		gz(t, good)[:25], // truncated
		append([]byte{0x1f, 0x8b}, []byte("not gzip at all")...), // bad header
		append(gz(t, good[:40]), gz(t, good[40:])...),            // two members
		append(gz(t, good), 'x'),                                 // trailing garbage
		gz(t, nil),
	}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		data, err := decompress(b, 1<<20)
		want[i] = fmt.Sprintf("%q %v", data, err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 50 {
				i := (g + round) % len(bodies)
				data, err := decompress(bodies[i], 1<<20)
				if got := fmt.Sprintf("%q %v", data, err); got != want[i] {
					t.Errorf("body %d: %s, want %s", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
