package eventstore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Compacted segments stay as the archive Lookup fetches from, survive
// restarts through their index files, are rebuilt when an index is lost
// or damaged, and go when their events leave the window; Lookup answers
// the same throughout.
func TestArchiveLifecycle(t *testing.T) {
	dir := t.TempDir()
	logDir := filepath.Join(dir, LogDirName)
	now := t0.Add(time.Hour)
	open := func() *Store {
		t.Helper()
		return openTest(t, dir, Options{Now: func() time.Time { return now }})
	}
	s := open()
	fx := lookupFixture()
	appendAll(t, s, fx...)
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	lookupAll := func(want int) {
		t.Helper()
		res, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, ManagementOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res); !slices.Equal(got, []string{"e8-alice-lookup", "e3-root-policy", "e2-bob-create", "e1-alice-describe"}) {
			t.Fatalf("lookup: %v", got)
		}
		if len(s.archive) != want {
			t.Fatalf("%d archived segments, want %d", len(s.archive), want)
		}
	}
	lookupAll(1)
	num := s.archive[0].num

	s.Close()
	s = open()
	lookupAll(1)

	s.Close()
	if err := os.Remove(idxPath(logDir, num)); err != nil {
		t.Fatal(err)
	}
	s = open()
	lookupAll(1)

	s.Close()
	if err := os.Truncate(idxPath(logDir, num), idxHeader+3); err != nil {
		t.Fatal(err)
	}
	s = open()
	lookupAll(1)

	s.Close()
	now = t0.Add(91 * 24 * time.Hour)
	s = open()
	lookupAll(0)
	for _, p := range []string{idxPath(logDir, num), segmentPath(logDir, num)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s is still there after its events left the window", p)
		}
	}
}
