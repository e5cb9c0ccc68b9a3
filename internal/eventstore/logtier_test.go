package eventstore

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cairnhq/cairn/internal/events"
)

func eventIDs(evs []Event) []string {
	var out []string
	for _, e := range evs {
		r, err := e.Record()
		if err != nil {
			panic(err)
		}
		out = append(out, r.EventID)
	}
	return out
}

func lastSegmentFile(t *testing.T, dir string) string {
	t.Helper()
	nums, err := listSegments(filepath.Join(dir, LogDirName))
	if err != nil || len(nums) == 0 {
		t.Fatalf("no log segments: %v", err)
	}
	return segmentPath(filepath.Join(dir, LogDirName), nums[len(nums)-1])
}

// An append cut short by a crash leaves a torn frame at the end of the
// log: Open cuts it off, keeps every event before it, and appends after.
func TestTornLogTailIsCut(t *testing.T) {
	for _, tail := range []string{"garbage", "\x40\x00\x00\x00\x01\x02\x03\x04partial frame"} {
		dir := t.TempDir()
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		appendAll(t, s, rec("a", t0), rec("b", t0))
		s.Close()
		f, err := os.OpenFile(lastSegmentFile(t, dir), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(tail)
		f.Close()

		s = openTest(t, dir, Options{})
		appendAll(t, s, rec("c", t0))
		if got := strings.Join(eventIDs(readAll(t, s)), ","); got != "a,b,c" {
			t.Fatalf("tail %q: events %s, want a,b,c", tail, got)
		}
		s.Close()
		s = openTest(t, dir, Options{})
		if got := strings.Join(eventIDs(readAll(t, s)), ","); got != "a,b,c" {
			t.Fatalf("tail %q: after reopening, events %s, want a,b,c", tail, got)
		}
	}
}

// Damage before the end of the log is not a torn append: Open refuses it
// rather than skip acknowledged events.
func TestDamagedLogSegmentIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWithOptions(dir, Options{SegmentRows: 2, CompactionBacklog: 100, CompactionPause: 1 << 62})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, s, rec("a", t0), rec("b", t0))
	appendAll(t, s, rec("c", t0)) // in the second segment
	s.Close()
	nums, _ := listSegments(filepath.Join(dir, LogDirName))
	if len(nums) < 2 {
		t.Fatalf("segments %v, want two", nums)
	}
	first := segmentPath(filepath.Join(dir, LogDirName), nums[0])
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-10] ^= 0xff
	os.WriteFile(first, data, 0o600)
	if s, err := Open(dir); err == nil {
		s.Close()
		t.Fatal("Open accepted a damaged log segment that is not the last")
	} else if !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Open: %v", err)
	}
}

// Markers live in the log with their events, move into the database with
// compaction, and survive restarts at every stage, also when set with no
// events.
func TestMarkersSurviveCompactionAndRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	opts := Options{CompactionBacklog: 100, CompactionPause: 1 << 62}
	s := openTest(t, dir, opts)
	check := func(want int64) {
		t.Helper()
		if v, err := s.MarkerValue(ctx, "journal"); err != nil || v != want {
			t.Fatalf("marker %d, %v; want %d", v, err, want)
		}
	}
	reopen := func() {
		t.Helper()
		s.Close()
		s = openTest(t, dir, opts)
	}
	if _, err := s.AppendMarked(ctx, []events.Record{rec("a", t0)}, Marker{Name: "journal", Value: 1}); err != nil {
		t.Fatal(err)
	}
	check(1)
	reopen()
	check(1)
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	reopen()
	check(1)
	if _, err := s.AppendMarked(ctx, nil, Marker{Name: "journal", Value: 7}); err != nil {
		t.Fatal(err)
	}
	check(7)
	reopen()
	check(7)
	// The marker-only segment is sealed (not last) once another follows.
	s.mu.RLock()
	n := len(s.segs)
	s.mu.RUnlock()
	if n != 1 {
		t.Fatalf("%d segments", n)
	}
	if err := func() error {
		req := &appendReq{rotate: true, done: make(chan error, 1)}
		s.reqs <- req
		return <-req.done
	}(); err != nil {
		t.Fatal(err)
	}
	reopen()
	check(7)
	if got := strings.Join(eventIDs(readAll(t, s)), ","); got != "a" {
		t.Fatalf("events %s, want a", got)
	}
}

// A store whose log was DuckDB tables (before the log moved into files)
// has them moved into the partitions at Open.
func TestLegacyLogTablesAreMoved(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, s, rec("a", t0))
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The last log table of a store is often empty.
	for _, table := range []string{"log_000000003", "log_000000004"} {
		if _, err := conn.ExecContext(ctx, createTableSQL(table, logColumns)); err != nil {
			t.Fatal(err)
		}
	}
	r := rec("b", t0.AddDate(0, 2, 0))
	row, _, err := toLogRow(&r, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	row.seq = 5
	if err := conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "", "", "log_000000003")
		if err != nil {
			return err
		}
		if err := app.AppendRow(row.values()...); err != nil {
			return err
		}
		return app.Close()
	}); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	s.Close()

	s = openTest(t, dir, Options{})
	if got := strings.Join(eventIDs(readAll(t, s)), ","); got != "a,b" {
		t.Fatalf("events %s, want a,b", got)
	}
	if last := appendAll(t, s, rec("c", t0)); last != 6 {
		t.Fatalf("next event numbered %d, want 6", last)
	}
	if logs, err := s.listTables(ctx, "log_"); err != nil || len(logs) != 0 {
		t.Fatalf("log tables left: %v, %v", logs, err)
	}
	if got := len(s.Partitions()); got != 2 {
		t.Fatalf("%d partitions, want 2", got)
	}
}

// When Options.MaxBacklog segments wait for compaction, appends wait for
// it too.
func TestAppendsWaitForCompactionBacklog(t *testing.T) {
	s := openTest(t, "", Options{SegmentRows: 2, CompactionBacklog: 2, MaxBacklog: 2})
	ctx := context.Background()
	s.partMu.Lock() // compaction cannot run
	locked := true
	defer func() {
		if locked {
			s.partMu.Unlock()
		}
	}()
	done := make(chan int, 1)
	go func() {
		for i := range 20 {
			if _, err := s.Append(ctx, []events.Record{rec(fmt.Sprintf("w-%d", i), t0)}); err != nil {
				t.Error(err)
				break
			}
		}
		done <- 20
	}()
	select {
	case <-done:
		t.Fatal("20 appends went through with compaction stopped")
	case <-time.After(300 * time.Millisecond):
	}
	if n := len(s.sealed()); n > 2 {
		t.Fatalf("%d segments waiting, the bound is 2", n)
	}
	s.partMu.Unlock()
	locked = false
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("appends still wait after compaction resumed")
	}
	if got := len(readAll(t, s)); got != 20 {
		t.Fatalf("%d events stored, want 20", got)
	}
}

// decodeEvent never panics on a damaged body, and what it decodes
// encodes to a body that decodes the same.
func FuzzDecodeEvent(f *testing.F) {
	r := rec("a", t0)
	row, _, err := toLogRow(&r, t0, nil)
	if err != nil {
		f.Fatal(err)
	}
	frame := appendFrame(nil, &row)
	f.Add(frame[8:])
	f.Add([]byte{frameEvent})
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeEvent(body)
		if err != nil {
			return
		}
		again, err := decodeEvent(appendFrame(nil, &got)[8:])
		if err != nil || again.seq != got.seq || again.v != got.v || string(again.json) != string(got.json) ||
			!again.eventTime.Equal(got.eventTime) || !again.ingest.Equal(got.ingest) {
			t.Fatalf("decoded %+v, which encodes to %+v (%v)", got.v, again.v, err)
		}
	})
}
