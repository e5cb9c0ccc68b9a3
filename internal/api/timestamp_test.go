package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimestamp_RoundTrip(t *testing.T) {
	cases := map[string]time.Time{
		"1795132800":     time.Unix(1795132800, 0).UTC(),
		"1795132800.123": time.Unix(1795132800, 123e6).UTC(),
	}
	for raw, want := range cases {
		var ts Timestamp
		if err := json.Unmarshal([]byte(raw), &ts); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !ts.Equal(want) {
			t.Errorf("%s decoded to %v, want %v", raw, ts.Time, want)
		}
		out, _ := json.Marshal(ts)
		if string(out) != raw {
			t.Errorf("%s re-encoded as %s", raw, out)
		}
	}
}

func TestTimestamp_RejectsOutOfRange(t *testing.T) {
	for _, raw := range []string{`1e19`, `-1e19`, `1e300`, `9.3e15`, `"2026-01-01"`, `true`} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(raw), &ts); err == nil {
			t.Errorf("%s accepted as %v", raw, ts.Time)
		}
	}
}
