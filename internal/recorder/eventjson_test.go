package recorder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/gateway"
)

// operationShapes returns a zero input and output of every operation of
// both services, from the handler tables' function types.
func operationShapes(t *testing.T) map[string]reflect.Type {
	t.Helper()
	shapes := map[string]reflect.Type{}
	for _, handlers := range []any{cloudtrail.Handlers{}, cloudtraildata.Handlers{}} {
		ht := reflect.TypeOf(handlers)
		for i := range ht.NumField() {
			fn := ht.Field(i).Type
			shapes[ht.Field(i).Name+" input"] = fn.In(1).Elem()
			shapes[ht.Field(i).Name+" output"] = fn.Out(0).Elem()
		}
	}
	if len(shapes) != 2*61 {
		t.Fatalf("found %d shapes, want an input and an output for each of 61 operations", len(shapes))
	}
	return shapes
}

// filler sets values by reflection. Map keys start with a lower-case
// letter or a digit: the old path lower-cased map keys (see
// TestAppendEventJSON_MapKeysVerbatim), which is the one intended
// difference.
type filler struct {
	rng *rand.Rand
	// mode: "full" sets every member with two elements per collection,
	// "empty" sets every member with empty collections, "random" sets a
	// random half of the members with zero to three elements.
	mode    string
	invalid bool // put invalid UTF-8 into strings
	n       int
}

var trickyStrings = []string{
	"plain", "", "quote\" back\\slash", "<script>&amp;</script>", "tab\tnl\ncr\r\b\f\x00\x01\x1f\x7f",
	"é ü 日本 🎉", "line\u2028para\u2029", "arn:aws:cloudtrail:us-east-1:111122223333:trail/Name-With_Parts.1",
}

func (f *filler) str() string {
	f.n++
	s := trickyStrings[f.rng.IntN(len(trickyStrings))] + fmt.Sprint(f.n)
	if f.invalid && f.rng.IntN(2) == 0 {
		s += "\xff\xfe bad \xc3"
	}
	return s
}

func (f *filler) count() int {
	switch f.mode {
	case "full":
		return 2
	case "empty":
		return 0
	}
	return f.rng.IntN(4)
}

func (f *filler) set() bool { return f.mode != "random" || f.rng.IntN(2) == 0 }

var timestampType = reflect.TypeFor[api.Timestamp]()

func (f *filler) fill(v reflect.Value, depth int) {
	if v.Type() == timestampType {
		ms := []int64{1_700_000_000_000, 1_700_000_000_123, 1_700_000_000_500, -1_000, 0}[f.rng.IntN(5)]
		v.Set(reflect.ValueOf(api.Timestamp{Time: time.UnixMilli(ms).In(time.FixedZone("x", 3600))}))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 6 || !f.set() {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if f.set() {
				f.fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if depth > 6 || !f.set() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 { // a blob
			f.n++
			v.SetBytes([]byte(fmt.Sprintf("blob\x00\xff%d", f.n)[:f.rng.IntN(8)]))
			return
		}
		n := f.count()
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if depth > 6 || !f.set() {
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := range f.count() {
			key := reflect.New(v.Type().Key()).Elem()
			key.SetString([]string{"lower", "9digit", "zeta", "a<b>&c"}[i%4] + fmt.Sprint(f.n))
			val := reflect.New(v.Type().Elem()).Elem()
			f.fill(val, depth+1)
			m.SetMapIndex(key, val)
		}
		v.Set(m)
	case reflect.String:
		if v.Type().Name() != "string" { // an enum
			v.SetString(strings.ToUpper("enum_" + fmt.Sprint(f.rng.IntN(3))))
			return
		}
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 0)
	case reflect.Int32, reflect.Int64:
		v.SetInt([]int64{0, 1, -7, 50, math.MaxInt32, math.MinInt32}[f.rng.IntN(6)])
	case reflect.Float32, reflect.Float64:
		v.SetFloat([]float64{0, 0.1, -2.5, 1e-7, 3e21, 123456789.125, 1e20, float64(float32(0.3))}[f.rng.IntN(8)])
	default:
		panic("unhandled kind " + v.Kind().String())
	}
}

// TestAppendEventJSON_MatchesOldPath compares the generated encoders with
// the path they replace (encoding/json, decoded, keys lower-cased,
// encoded again) for the input and output of every operation, filled
// completely, with empty collections, at random, and left zero.
func TestAppendEventJSON_MatchesOldPath(t *testing.T) {
	for name, typ := range operationShapes(t) {
		for _, mode := range []string{"zero", "full", "empty", "random", "random", "random", "random", "random"} {
			for seed := range uint64(3) {
				v := reflect.New(typ)
				if mode != "zero" {
					(&filler{rng: rand.New(rand.NewPCG(seed, uint64(len(name)))), mode: mode}).fill(v.Elem(), 0)
				}
				got := v.Interface().(api.EventJSONAppender).AppendEventJSON(nil)
				want, err := camelCaseJSON(v.Interface())
				if err != nil {
					t.Fatalf("%s (%s): old path: %v", name, mode, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s (%s, seed %d):\n got %s\nwant %s", name, mode, seed, got, want)
				}
				// The recorder's own path, through appendParams.
				buf, params, err := appendParams([]byte("prefix"), v.Interface())
				if err != nil || !bytes.Equal(params, want) || !bytes.HasPrefix(buf, []byte("prefix")) {
					t.Fatalf("%s: appendParams gave %s, %v", name, params, err)
				}
			}
		}
	}
}

// TestAppendEventJSON_InvalidUTF8: both paths replace invalid UTF-8 with
// U+FFFD; the old one wrote the character, the new one its escape, as
// encoding/json does in one pass. The meaning is the same.
func TestAppendEventJSON_InvalidUTF8(t *testing.T) {
	for name, typ := range operationShapes(t) {
		v := reflect.New(typ)
		(&filler{rng: rand.New(rand.NewPCG(1, 2)), mode: "full", invalid: true}).fill(v.Elem(), 0)
		got := v.Interface().(api.EventJSONAppender).AppendEventJSON(nil)
		want, err := camelCaseJSON(v.Interface())
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(got) {
			t.Fatalf("%s: invalid JSON %s", name, got)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

// TestAppendEventJSON_MapKeysVerbatim: map keys are data (dimension names,
// query parameter names) and are written as given. The old path
// lower-cased them too, since it could not tell them from member names.
func TestAppendEventJSON_MapKeysVerbatim(t *testing.T) {
	in := &cloudtrail.StartDashboardRefreshRequest{
		DashboardId:          new("dash"),
		QueryParameterValues: map[string]string{"StartTime": "1", "EndTime": "2", "region": "3"},
	}
	got := string(in.AppendEventJSON(nil))
	want := `{"dashboardId":"dash","queryParameterValues":{"EndTime":"2","StartTime":"1","region":"3"}}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestAppendEventJSON_Values pins the encoding of each kind of value.
func TestAppendEventJSON_Values(t *testing.T) {
	in := &cloudtrail.CreateTrailRequest{
		Name:                       new("a<b>&\"c\u2028"),
		S3BucketName:               new("logs"),
		IsMultiRegionTrail:         new(true),
		EnableLogFileValidation:    new(false),
		TagsList:                   []cloudtrail.Tag{{Key: new("K"), Value: new("v")}, {Key: new("only-key")}},
		CloudWatchLogsLogGroupArn:  new(""),
		IncludeGlobalServiceEvents: nil,
	}
	got := string(in.AppendEventJSON(nil))
	want := `{"cloudWatchLogsLogGroupArn":"","enableLogFileValidation":false,"isMultiRegionTrail":true,` +
		`"name":"a\u003cb\u003e\u0026\"c\u2028","s3BucketName":"logs","tagsList":[{"key":"K","value":"v"},{"key":"only-key"}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	ts := &cloudtrail.GetTrailStatusResponse{
		IsLogging:                 new(true),
		LatestDeliveryTime:        api.NewTimestamp(time.UnixMilli(1_700_000_000_250)),
		StartLoggingTime:          api.NewTimestamp(time.Unix(1_700_000_000, 0)),
		LatestDeliveryAttemptTime: new("2023"),
	}
	if got, want := string(ts.AppendEventJSON(nil)), `{"isLogging":true,"latestDeliveryAttemptTime":"2023","latestDeliveryTime":1700000000.25,"startLoggingTime":1700000000}`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := string((&cloudtrail.ListTrailsRequest{}).AppendEventJSON(nil)); got != "{}" {
		t.Fatalf("empty input: %s", got)
	}
	lists := &cloudtrail.PutEventSelectorsRequest{TrailName: new("t"), EventSelectors: []cloudtrail.EventSelector{}}
	if got := string(lists.AppendEventJSON(nil)); got != `{"eventSelectors":[],"trailName":"t"}` {
		t.Fatalf("empty list: %s", got)
	}
}

// TestAppendEventJSON_QueryMembersLeftOut: members bound to the query
// string were never in requestParameters (encoding/json skips json:"-").
func TestAppendEventJSON_QueryMembersLeftOut(t *testing.T) {
	in := &cloudtraildata.PutAuditEventsRequest{ChannelArn: new("arn:c"), ExternalId: new("x"), AuditEvents: []cloudtraildata.AuditEvent{{Id: new("1"), EventData: new("{}")}}}
	if got, want := string(in.AppendEventJSON(nil)), `{"auditEvents":[{"eventData":"{}","id":"1"}]}`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestAppendJSONFloat_MatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123.456, math.MaxFloat64, math.SmallestNonzeroFloat64, 5e-324, 1.5e300}
	for range 2000 {
		values = append(values, math.Float64frombits(rng.Uint64()), rng.NormFloat64()*math.Pow(10, float64(rng.IntN(60)-30)))
	}
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if got := string(api.AppendJSONFloat(nil, f, 64)); got != "null" {
				t.Fatalf("%v: %s", f, got)
			}
			continue
		}
		want, _ := json.Marshal(f)
		if got := api.AppendJSONFloat(nil, f, 64); !bytes.Equal(got, want) {
			t.Fatalf("float64 %v: got %s want %s", f, got, want)
		}
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		want, _ = json.Marshal(f32)
		if got := api.AppendJSONFloat(nil, float64(f32), 32); !bytes.Equal(got, want) {
			t.Fatalf("float32 %v: got %s want %s", f32, got, want)
		}
	}
}

func TestAppendJSONString_MatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	inputs := append([]string{}, trickyStrings...)
	inputs = append(inputs, "\xff", "a\xc3", "\xed\xa0\x80", "\U0010FFFF", "\u2027\u202a")
	for range 5000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		want, _ := json.Marshal(s)
		if got := api.AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	}
	for _, b := range [][]byte{nil, {}, {0}, []byte("hello\xff")} {
		want, _ := json.Marshal(b)
		if got := api.AppendJSONBlob(nil, b); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", b, got, want)
		}
	}
}

// fillRecord sets every field of a record, including fields added to
// events.Record after appendRecord was written.
func fillRecord(t *testing.T, v reflect.Value, rng *rand.Rand, mode string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeFor[*bool]() {
			v.Set(reflect.ValueOf(new(rng.IntN(2) == 0)))
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fillRecord(t, v.Elem(), rng, mode)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 21, 10, 0, 0, 123456789, time.FixedZone("x", -7200))))
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" || (mode == "random" && rng.IntN(2) == 0) {
				continue
			}
			fillRecord(t, v.Field(i), rng, mode)
		}
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			v.Set(reflect.ValueOf(json.RawMessage([]string{`{"a":1,"b":[true,null,"x"]}`, `null`, `"s"`, `[]`, `{}`}[rng.IntN(5)])))
			return
		}
		n := 1 + rng.IntN(3)
		if mode == "empty" {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fillRecord(t, s.Index(i), rng, mode)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		if mode != "empty" {
			for i := range 3 {
				m.SetMapIndex(reflect.ValueOf(fmt.Sprintf("%s%d", trickyStrings[rng.IntN(len(trickyStrings))], i)), reflect.ValueOf(trickyStrings[rng.IntN(len(trickyStrings))]))
			}
		}
		v.Set(m)
	case reflect.String:
		s := trickyStrings[rng.IntN(len(trickyStrings))]
		if rng.IntN(4) == 0 {
			s += "\xff"
		}
		if mode == "empty" {
			s = ""
		}
		v.SetString(s)
	default:
		t.Fatalf("events.Record has a field of kind %s that this test does not fill", v.Kind())
	}
}

// TestAppendRecord_MatchesEncodingJSON compares appendRecord with
// Record.MarshalJSON (encoding/json) on records with every field set, some
// fields set, and empty values.
func TestAppendRecord_MatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 300 {
		mode := []string{"full", "random", "empty"}[i%3]
		var rec events.Record
		fillRecord(t, reflect.ValueOf(&rec).Elem(), rng, mode)
		want, err := rec.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendRecord(nil, &rec)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("%s record:\n got %s\nwant %s", mode, got, want)
		}
	}
	var zero events.Record
	want, _ := zero.MarshalJSON()
	if got, _ := appendRecord(nil, &zero); !bytes.Equal(got, want) {
		t.Fatalf("zero record: got %s want %s", got, want)
	}
	// Years JSON cannot hold are left to encoding/json (which fails).
	zero.EventTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := appendRecord(nil, &zero); ok {
		t.Fatal("year 10000 encoded")
	}
}

// TestBuild_RawMatchesFields: the record's Raw, which the journal and the
// store keep, is exactly what encoding its fields gives, for calls of
// every kind.
func TestBuild_RawMatchesFields(t *testing.T) {
	r := New(&memAppender{}, false)
	c := caller(alice)
	c.TLS = nil
	calls := []*gateway.Call{
		{Service: "cloudtrail", Operation: "CreateTrail", Caller: c,
			Input:  &cloudtrail.CreateTrailRequest{Name: new("audit"), S3BucketName: new("logs"), TagsList: []cloudtrail.Tag{{Key: new("k")}}},
			Output: &cloudtrail.CreateTrailResponse{Name: new("audit"), TrailARN: new("arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit")}},
		{Service: "cloudtrail", Operation: "GetTrail", Caller: c, Input: &cloudtrail.GetTrailRequest{Name: new("audit")}, Output: &cloudtrail.GetTrailResponse{}},
		{Service: "cloudtrail", Operation: "DeleteTrail", Caller: c, Input: &cloudtrail.DeleteTrailRequest{Name: new("x")}, Err: cloudtrail.NewTrailNotFoundException("Unknown trail <x>")},
		{Service: "cloudtrail-data", Operation: "PutAuditEvents", Caller: c, Input: &cloudtraildata.PutAuditEventsRequest{}, Output: &cloudtraildata.PutAuditEventsResponse{}},
		{Service: "cloudtrail", Operation: "StartLogging", Caller: c, Input: &struct{ api.Input }{}, Output: map[string]any{"Odd": 1}},
		{Service: "cloudtrail", Operation: "ListTrails", Caller: c},
	}
	for _, call := range calls {
		rec, err := r.Build(call)
		if err != nil {
			t.Fatalf("%s: %v", call.Operation, err)
		}
		fields := rec
		fields.Raw = nil
		want, err := fields.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rec.Raw, want) {
			t.Fatalf("%s:\n raw    %s\n fields %s", call.Operation, rec.Raw, want)
		}
	}
}
