package trails

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestTrailRecordCloneSharesNothing fills every field of a trail record,
// including ones added later, and checks that clone copies them all and
// shares no pointer or slice with the original. A field of a kind the test
// does not know fails it, so that clone is revisited.
func TestTrailRecordCloneSharesNothing(t *testing.T) {
	var orig trailRecord
	fillValue(t, reflect.ValueOf(&orig).Elem(), "trailRecord")
	c := orig.clone()
	if !reflect.DeepEqual(&orig, c) {
		t.Fatalf("clone differs:\n got %+v\nwant %+v", c, &orig)
	}
	checkNotShared(t, reflect.ValueOf(orig), reflect.ValueOf(*c), "trailRecord")
}

var timeType = reflect.TypeFor[time.Time]()

func fillValue(t *testing.T, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(t, v.Elem(), path+"*")
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillValue(t, v.Index(i), path+"[]")
		}
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fillValue(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	default:
		t.Fatalf("%s: kind %s is not handled by this test (nor, probably, by clone)", path, v.Kind())
	}
}

func checkNotShared(t *testing.T, a, b reflect.Value, path string) {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the pointer", path)
		}
		checkNotShared(t, a.Elem(), b.Elem(), path+"*")
	case reflect.Slice:
		if a.Len() == 0 {
			return
		}
		if a.Pointer() == b.Pointer() {
			t.Errorf("%s: the clone shares the slice", path)
		}
		for i := range a.Len() {
			checkNotShared(t, a.Index(i), b.Index(i), path+"[]")
		}
	case reflect.Struct:
		if a.Type() == timeType {
			return
		}
		for i := range a.NumField() {
			checkNotShared(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
		}
	}
}

// TestDecodeRecordCopies checks that records decoded from the same bytes
// are equal to a fresh decode and independent of each other, and that nil
// and empty slices survive the cache.
func TestDecodeRecordCopies(t *testing.T) {
	stopped := t0.Add(time.Hour)
	rec := &trailRecord{
		Version: recordVersion, Account: acct, HomeRegion: home, Name: "cache-test", Created: t0,
		S3BucketName: "bucket", StopLoggingTime: &stopped,
		Selectors: eventSelectors{Basic: []basicSelector{{
			ReadWriteType: "All", IncludeManagementEvents: true,
			DataResources: []dataResource{{Type: "AWS::S3::Object", Values: []string{}}},
		}}},
		InsightSelectors: []insightRule{{Type: "ApiCallRateInsight", Categories: []string{"a"}}},
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var fresh trailRecord
	if err := json.Unmarshal(raw, &fresh); err != nil {
		t.Fatal(err)
	}
	first, err := decodeRecord("k", raw)
	if err != nil {
		t.Fatal(err)
	}
	first.Name = "changed"
	first.StopLoggingTime = nil
	first.Selectors.Basic[0].DataResources[0].Values = append(first.Selectors.Basic[0].DataResources[0].Values, "v")
	first.InsightSelectors[0].Categories[0] = "changed"
	for range 2 {
		again, err := decodeRecord("k", raw)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, &fresh) {
			t.Fatalf("decoded again:\n got %+v\nwant %+v", again, &fresh)
		}
		if again.Selectors.Basic[0].DataResources[0].Values == nil {
			t.Fatal("an empty slice came back nil")
		}
	}
}

func BenchmarkDecodeRecord(b *testing.B) {
	rec := &trailRecord{Version: recordVersion, Account: acct, HomeRegion: home, Name: "bench", Created: t0,
		S3BucketName: "bucket", IncludeGlobalServiceEvents: true, Selectors: defaultSelectors()}
	raw, err := json.Marshal(rec)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeRecord("k", raw); err != nil {
			b.Fatal(err)
		}
	}
}
