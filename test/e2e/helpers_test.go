package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
	"time"
)

// obj is a decoded JSON object.
type obj = map[string]any

// wantFields requires got to hold every key of want with an equal value
// (compared after a JSON round trip, so nested lists and objects work).
func wantFields(t *testing.T, what string, got obj, want obj) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: %s is missing (want %v); got %s", what, k, want[k], compact(got))
			continue
		}
		if !jsonEqual(g, want[k]) {
			t.Errorf("%s: %s = %s, want %s", what, k, compact(g), compact(want[k]))
		}
	}
}

// wantAbsent requires got to have none of keys.
func wantAbsent(t *testing.T, what string, got obj, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := got[k]; ok {
			t.Errorf("%s: %s should be absent, got %s", what, k, compact(v))
		}
	}
}

// jsonEqual compares two values as JSON documents.
func jsonEqual(a, b any) bool {
	var na, nb any
	ra, err1 := json.Marshal(a)
	rb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		return false
	}
	_ = json.Unmarshal(ra, &na)
	_ = json.Unmarshal(rb, &nb)
	return reflect.DeepEqual(na, nb)
}

func compact(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// list returns got[key] as a list, failing the test if it is not one.
func list(t *testing.T, what string, got obj, key string) []any {
	t.Helper()
	v, ok := got[key].([]any)
	if !ok {
		t.Fatalf("%s: %s should be a list, got %s", what, key, compact(got))
	}
	return v
}

// object returns v as an object, failing the test if it is not one.
func object(t *testing.T, what string, v any) obj {
	t.Helper()
	o, ok := v.(obj)
	if !ok {
		t.Fatalf("%s: want a JSON object, got %s", what, compact(v))
	}
	return o
}

// only requires got[key] to be a list of exactly one object and returns it.
func only(t *testing.T, what string, got obj, key string) obj {
	t.Helper()
	l := list(t, what, got, key)
	if len(l) != 1 {
		t.Fatalf("%s: %s should hold exactly one item, got %s", what, key, compact(l))
	}
	return object(t, what, l[0])
}

// epochTime reads a timestamp the AWS CLI printed as epoch seconds.
func epochTime(t *testing.T, what string, v any) time.Time {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s: want epoch seconds, got %s", what, compact(v))
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// recent requires ts to lie between start (less a second, for rounding)
// and now.
func recent(t *testing.T, what string, ts, start time.Time) {
	t.Helper()
	if ts.Before(start.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) {
		t.Errorf("%s = %s, want a time between %s and now", what, ts.UTC(), start.UTC())
	}
}

// tagMap turns a TagsList into key → value ("" when a tag has no value).
func tagMap(t *testing.T, what string, tags []any) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, raw := range tags {
		tag := object(t, what, raw)
		k, _ := tag["Key"].(string)
		v, _ := tag["Value"].(string)
		m[k] = v
	}
	return m
}
