package eventstore

import (
	"context"
	"testing"
	"time"
)

// TestReleaseMemory: after a compaction DuckDB keeps the blocks it touched;
// ReleaseMemory evicts them and leaves the memory limit as it was.
func TestReleaseMemory(t *testing.T) {
	s := openTest(t, "", Options{MemoryLimit: "1GB", Threads: 1})
	end := time.Now().UTC()
	fill(t, s, 130000, 4, end.Add(-time.Hour), end)
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	used := func() int64 {
		var n int64
		if err := s.db.QueryRow("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := used()
	// It waits for a moment without compaction (the compactor may still
	// be at work after Compact).
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		released, err := s.ReleaseMemory()
		if err != nil {
			t.Fatal(err)
		}
		if released {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ReleaseMemory found the store busy for a minute")
		}
	}
	after := used()
	if after > 64<<20 || after >= before {
		t.Errorf("DuckDB holds %d MiB after ReleaseMemory, %d MiB before; want at most 64 MiB", after>>20, before>>20)
	}
	var limit string
	if err := s.db.QueryRow("SELECT current_setting('memory_limit')").Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != "953.6 MiB" { // 1GB, as DuckDB shows it
		t.Errorf("memory limit %q after ReleaseMemory, want 1GB back", limit)
	}
	// The store still works.
	fill(t, s, 1000, 1, end.Add(-time.Minute), end)
}
