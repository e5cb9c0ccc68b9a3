package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api"
)

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSplitBodyFormats(t *testing.T) {
	want := []string{`{"a":1}`, `{"b":[1,{"Records":2}]}`, `[3]`, `"x"`}
	cases := map[string]string{
		"envelope":            `{"Records":[{"a":1},{"b":[1,{"Records":2}]},[3],"x"]}`,
		"envelope spaced":     " {\n \"Records\" : [\n  {\"a\":1} ,\n\t{\"b\":[1,{\"Records\":2}]},[3] , \"x\"\n ]\n}\n",
		"envelope extra keys": `{"x":{"Records":[]},"Records":[{"a":1},{"b":[1,{"Records":2}]},[3],"x"],"y":[1]}`,
		"bare array":          `[{"a":1},{"b":[1,{"Records":2}]},[3],"x"]`,
		"two envelopes":       `{"Records":[{"a":1},{"b":[1,{"Records":2}]}]}` + "\n" + `{"Records":[[3],"x"]}`,
		"envelope then array": `{"Records":[{"a":1}]}[{"b":[1,{"Records":2}]},[3],"x"]`,
		"with BOM":            "\xef\xbb\xbf" + `[{"a":1},{"b":[1,{"Records":2}]},[3],"x"]`,
	}
	for name, body := range cases {
		for _, compress := range []bool{false, true} {
			in := []byte(body)
			if compress {
				in = gz(t, in)
			}
			recs, err := SplitBody(in, 0, 0)
			if err != nil {
				t.Errorf("%s (gzip %v): %v", name, compress, err)
				continue
			}
			if len(recs) != len(want) {
				t.Errorf("%s (gzip %v): %d records %q", name, compress, len(recs), recs)
				continue
			}
			for i := range want {
				if string(recs[i]) != want[i] {
					t.Errorf("%s (gzip %v) #%d = %q, want %q", name, compress, i, recs[i], want[i])
				}
			}
		}
	}
}

func TestSplitBodyRecordStream(t *testing.T) {
	recs, err := SplitBody([]byte("{\"eventID\":\"1\"}\n{\"eventID\":\"2\"}\r\n\n  {\"eventID\":\"3\"}{\"eventID\":\"4\"}\n"), 0, 0)
	if err != nil || len(recs) != 4 {
		t.Fatalf("NDJSON: %q %v", recs, err)
	}
	if string(recs[2]) != `{"eventID":"3"}` || string(recs[3]) != `{"eventID":"4"}` {
		t.Errorf("records %q", recs)
	}
	recs, err = SplitBody([]byte(`{"eventID":"only"}`), 0, 0)
	if err != nil || len(recs) != 1 || string(recs[0]) != `{"eventID":"only"}` {
		t.Errorf("single record: %q %v", recs, err)
	}
	recs, err = SplitBody([]byte(`{"Records":[]} []`), 0, 0)
	if err != nil || len(recs) != 0 {
		t.Errorf("no records: %q %v", recs, err)
	}
}

func TestSplitBodyRecordsAreIndependent(t *testing.T) {
	body := []byte(`[{"a":1},{"b":2}]`)
	recs, err := SplitBody(body, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(recs[0], 'X') // must not overwrite the next record
	if string(recs[1]) != `{"b":2}` || !bytes.Equal(body, []byte(`[{"a":1},{"b":2}]`)) {
		t.Errorf("append to a record changed its neighbour: %q %s", recs[1], body)
	}
}

func wantAPIError(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var apiErr api.Error
	if !errors.As(err, &apiErr) {
		t.Errorf("%s: error %v, want %s (%d)", what, err, code, status)
		return
	}
	if apiErr.ErrorCode() != code || apiErr.HTTPStatus() != status {
		t.Errorf("%s: %s (%d) %q, want %s (%d)", what, apiErr.ErrorCode(), apiErr.HTTPStatus(), apiErr.ErrorMessage(), code, status)
	}
	if apiErr.ErrorMessage() == "" {
		t.Errorf("%s: empty message", what)
	}
}

func TestSplitBodyRejects(t *testing.T) {
	cases := map[string][]byte{
		"empty":                 nil,
		"blank":                 []byte(" \n\t "),
		"not JSON":              []byte("Records"),
		"number":                []byte(`7`),
		"string":                []byte(`"x"`),
		"null":                  []byte(`null`),
		"Records object":        []byte(`{"Records":{}}`),
		"Records null":          []byte(`{"Records":null}`),
		"Records string":        []byte(`{"Records":"[]"}`),
		"records lowercase":     []byte(`{"records":[{"a":1}]}`),
		"truncated array":       []byte(`[{"a":1}`),
		"truncated envelope":    []byte(`{"Records":[{"a":1}]`),
		"bad element":           []byte(`[{"a":1},{"b":}]`),
		"trailing garbage":      []byte(`{"Records":[]} x`),
		"trailing comma":        []byte(`[{"a":1},]`),
		"garbage line":          []byte("{\"a\":1}\nnot json\n"),
		"gzip magic only":       {0x1f, 0x8b},
		"gzip magic garbage":    append([]byte{0x1f, 0x8b}, []byte("garbage garbage garbage")...),
		"gzip truncated":        gz(t, []byte(`{"Records":[{"a":1},{"b":2},{"c":3}]}`))[:20],
		"gzip of empty":         gz(t, nil),
		"gzip of invalid JSON":  gz(t, []byte(`{"Records":[`)),
		"envelope bad key type": []byte(`{"Records":[{"a":1}], 5:1}`),
	}
	for name, body := range cases {
		recs, err := SplitBody(body, 0, 0)
		if err == nil {
			t.Errorf("%s: accepted as %q", name, recs)
			continue
		}
		wantAPIError(t, name, err, api.CodeSerialization, 400)
	}
	_, err := SplitBody([]byte(`{"Records":{}}`), 0, 0)
	if err == nil || !strings.Contains(err.Error(), `"Records" must be an array`) {
		t.Errorf("Records object: %v", err)
	}
	_, err = SplitBody([]byte(`{"records":[]}`), 0, 0)
	if err == nil || !strings.Contains(err.Error(), `must be named "Records"`) {
		t.Errorf("records: %v", err)
	}
	_, err = SplitBody(gz(t, []byte("[{\"a\":1},\n {\"b\": x}]")), 0, 0)
	if err == nil || !strings.Contains(err.Error(), "decompressed body is not valid JSON") || !strings.Contains(err.Error(), "starting at byte 11 (line 2)") {
		t.Errorf("gzip syntax error: %v", err)
	}
}

func TestSplitBodyLimits(t *testing.T) {
	// The record count is checked while reading, so a body of millions of
	// tiny records stops at the limit.
	many := []byte("[" + strings.Repeat("{},", 1_000_000) + "{}]")
	_, err := SplitBody(many, 10, 0)
	wantAPIError(t, "too many records", err, api.CodeRequestEntityTooLarge, 413)
	if recs, err := SplitBody([]byte(`[{},{},{}]`), 3, 0); err != nil || len(recs) != 3 {
		t.Errorf("exactly the limit: %d %v", len(recs), err)
	}
	if _, err := SplitBody([]byte("{}\n{}\n{}\n{}"), 3, 0); err == nil {
		t.Error("NDJSON over the limit accepted")
	}

	// A gzip bomb: 8 MiB of zeros compress to a few KB.
	bomb := gz(t, make([]byte, 8<<20))
	_, err = SplitBody(bomb, 0, 1<<20)
	wantAPIError(t, "bomb", err, api.CodeRequestEntityTooLarge, 413)
	// Exactly at the limit is fine (and then not JSON).
	_, err = SplitBody(gz(t, bytes.Repeat([]byte(" "), 1<<20)), 0, 1<<20)
	wantAPIError(t, "at the limit", err, api.CodeSerialization, 400)

	// A trailer that lies about the size does not make SplitBody allocate
	// what it claims.
	small := gz(t, []byte(`[{}]`))
	copy(small[len(small)-4:], []byte{0xff, 0xff, 0xff, 0xff})
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	_, _ = SplitBody(small, 0, MaxDecompressedBytes)
	runtime.ReadMemStats(&ms)
	if d := ms.TotalAlloc - before; d > 16<<20 {
		t.Errorf("a lying gzip trailer made SplitBody allocate %d bytes", d)
	}
}

// FuzzSplitBody checks that any body either fails with a 4xx api.Error or
// yields records that are each one JSON value, within the limit.
func FuzzSplitBody(f *testing.F) {
	for _, seed := range []string{
		`{"Records":[{"eventID":"a"},{"eventID":"b"}]}`,
		`[{"a":1},[2],"x",null]`,
		"{\"a\":1}\n{\"b\":2}\n",
		`{"x":1,"Records":[{}],"y":{"Records":[]}}`,
		`{"records":[]}`,
		`{"Records":null}`,
		`[{"a":1}`,
		"\xef\xbb\xbf[]",
		"",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, compress bool) {
		if compress {
			body = gz(t, body)
		}
		recs, err := SplitBody(body, 50, 1<<20)
		if err != nil {
			var apiErr api.Error
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus() < 400 || apiErr.HTTPStatus() >= 500 {
				t.Fatalf("error %v is not a 4xx api.Error", err)
			}
			return
		}
		if len(recs) > 50 {
			t.Fatalf("%d records over the limit", len(recs))
		}
		for i, r := range recs {
			if !json.Valid(r) {
				t.Fatalf("record %d %q is not one JSON value", i, r)
			}
			if r[0] == ' ' || r[0] == ',' || r[0] == '\n' {
				t.Fatalf("record %d %q starts with a separator", i, r)
			}
		}
		// A bare array of values splits into exactly its elements.
		var elems []json.RawMessage
		if !compress && json.Unmarshal(body, &elems) == nil && len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] == '[' {
			if len(elems) != len(recs) {
				t.Fatalf("array of %d elements split into %d records", len(elems), len(recs))
			}
			for i := range elems {
				var a, b bytes.Buffer
				_ = json.Compact(&a, elems[i])
				_ = json.Compact(&b, recs[i])
				if a.String() != b.String() {
					t.Fatalf("element %d: %s, split %s", i, a.String(), b.String())
				}
			}
		}
	})
}
