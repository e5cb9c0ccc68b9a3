package app

import (
	"testing"
	"time"
)

func TestIdleDetector(t *testing.T) {
	t0 := time.Unix(1000, 0)
	// Started with a count of 5 at t0.
	d := idleDetector{quiet: 3 * time.Second, seen: 5, released: 5, since: t0}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	steps := []struct {
		second int
		count  int64
		want   bool
	}{
		{0, 5, false},  // the starting point, nothing happened yet
		{10, 5, false}, // idle since start, but no activity was seen: nothing to release
		{11, 9, false}, // activity
		{12, 12, false},
		{14, 12, false}, // 2 s quiet
		{15, 12, true},  // 3 s quiet: release
		{16, 12, false}, // once per stretch
		{30, 12, false},
		{31, 13, false}, // activity again
		{33, 13, false},
		{34, 13, true},
		{40, 14, false},
		{43, 14, true},
	}
	for _, s := range steps {
		if got := d.observe(at(s.second), s.count); got != s.want {
			t.Errorf("second %d, count %d: release %v, want %v", s.second, s.count, got, s.want)
		}
	}
	// A release that found the store busy is tried again at the next
	// observation, until one succeeds.
	d.retry()
	if !d.observe(at(44), 14) {
		t.Error("no second attempt after retry")
	}
	if d.observe(at(45), 14) {
		t.Error("a third attempt without retry")
	}
}
