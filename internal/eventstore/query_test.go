package eventstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// Query sees every event with Lake's typed columns, whether it is still in
// a log segment or already compacted into a partition.
func TestQueryReadsLogSegmentsAndPartitions(t *testing.T) {
	s, err := OpenWithOptions(t.TempDir(), Options{SegmentRows: 4, SharedSQL: []string{"CREATE OR REPLACE MACRO memory.main.twice(x) AS x * 2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	count := func() (total, withArn int64) {
		err := s.Query(ctx, func(ev string) string {
			return "SELECT twice(count(*)) / 2, count(\"userIdentity\".arn) FROM " + ev + " WHERE \"eventName\" = 'DescribeTrails'"
		}, func(rows *sql.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&total, &withArn); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return total, withArn
	}
	if n, _ := count(); n != 0 {
		t.Fatalf("empty store: %d events", n)
	}
	var recs []events.Record
	for i := range 10 {
		r := rec(fmt.Sprintf("q-%d", i), time.Date(2026, 11, 21, 10, 0, i, 0, time.UTC))
		recs = append(recs, r)
	}
	if _, err := s.Append(ctx, recs); err != nil {
		t.Fatal(err)
	}
	total, withArn := count()
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	total2, withArn2 := count()
	if total != total2 || withArn != withArn2 || total == 0 || withArn != total {
		t.Fatalf("before compaction %d/%d, after %d/%d", total, withArn, total2, withArn2)
	}
	if err := s.Prepare(ctx, func(ev string) string { return "SELECT nosuchcolumn FROM " + ev }); err == nil {
		t.Fatal("Prepare accepted a query with an unknown column")
	}
}

// A query sees every event committed when it starts exactly once, also
// when compaction moves the log's events into the partitions meanwhile.
func TestQueryConsistentWhileCompacting(t *testing.T) {
	s := openTest(t, "", Options{SegmentRows: 4, CompactionBacklog: 100, CompactionPause: time.Hour})
	ctx := context.Background()
	recs := tenRecords()
	for i := range recs {
		if _, err := s.Append(ctx, recs[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	var n, distinct int
	err := s.Query(ctx, func(ev string) string {
		// The log is copied; now compaction moves all of it.
		if err := s.Compact(ctx); err != nil {
			t.Error(err)
		}
		return "SELECT count(*), count(DISTINCT eventID) FROM " + ev
	}, func(rows *sql.Rows) error {
		rows.Next()
		return rows.Scan(&n, &distinct)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 10 || distinct != 10 {
		t.Fatalf("the query saw %d events (%d distinct), want 10", n, distinct)
	}
	s.mu.RLock()
	left := len(s.segs)
	s.mu.RUnlock()
	if left != 1 {
		t.Fatalf("%d log segments after compaction, want the current one", left)
	}
}

// A long query holds back retention, but retention waiting does not hold
// back other queries.
func TestQueriesAreNotBlockedByWaitingMaintenance(t *testing.T) {
	s := openTest(t, "", Options{SegmentRows: 4})
	ctx := context.Background()
	if _, err := s.Append(ctx, tenRecords()); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	long := make(chan error, 1)
	go func() {
		long <- s.Query(ctx, func(ev string) string { return "SELECT 1" }, func(*sql.Rows) error { <-release; return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	dropped := make(chan error, 1)
	go func() {
		_, err := s.DropBefore(ctx, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		dropped <- err
	}()
	time.Sleep(50 * time.Millisecond)
	quick := make(chan error, 1)
	go func() {
		quick <- s.Query(ctx, func(ev string) string { return "SELECT count(*) FROM " + ev }, func(*sql.Rows) error { return nil })
	}()
	select {
	case err := <-quick:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a query waited for retention, which waited for a long query")
	}
	select {
	case <-dropped:
		t.Fatal("retention dropped partitions while a query was reading")
	default:
	}
	close(release)
	if err := <-long; err != nil {
		t.Fatal(err)
	}
	if err := <-dropped; err != nil {
		t.Fatal(err)
	}
}

// Appends racing Close all return, with their answer or ErrClosed.
func TestAppendsRacingCloseReturn(t *testing.T) {
	for round := range 5 {
		s, err := OpenWithOptions(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					_, err := s.Append(context.Background(), []events.Record{rec(fmt.Sprintf("c-%d-%d-%d", round, w, i), time.Now())})
					if err != nil {
						return
					}
				}
			}()
		}
		time.Sleep(20 * time.Millisecond)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("an append racing Close never returned")
		}
	}
}

// tenRecords are ten events a second apart.
func tenRecords() []events.Record {
	var recs []events.Record
	for i := range 10 {
		recs = append(recs, rec(fmt.Sprintf("b-%d", i), time.Date(2026, 11, 21, 10, 0, i, 0, time.UTC)))
	}
	return recs
}

// TestSharedSQL: objects SharedSQL creates once are found by queries on
// every connection, however many the pool opens.
func TestSharedSQL(t *testing.T) {
	s, err := OpenWithOptions(t.TempDir(), Options{SharedSQL: []string{"CREATE OR REPLACE MACRO memory.main.thrice(x) AS x * 3"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// Held open at once, the queries need a connection each.
	const parallel = 6
	var wg, arrived sync.WaitGroup
	arrived.Add(parallel)
	release := make(chan struct{})
	errs := make(chan error, parallel)
	for range parallel {
		wg.Go(func() {
			errs <- s.Query(ctx, func(ev string) string {
				return "SELECT thrice(count(*) + 1) FROM " + ev
			}, func(rows *sql.Rows) error {
				var n int64
				for rows.Next() {
					if err := rows.Scan(&n); err != nil {
						return err
					}
				}
				arrived.Done()
				if n != 3 {
					return fmt.Errorf("thrice(0 + 1) = %d", n)
				}
				<-release
				return rows.Err()
			})
		})
	}
	arrived.Wait()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
