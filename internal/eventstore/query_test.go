package eventstore

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// Query sees every event with Lake's typed columns, whether it is still in
// a log segment or already compacted into a partition.
func TestQueryReadsLogSegmentsAndPartitions(t *testing.T) {
	s, err := OpenWithOptions(t.TempDir(), Options{SegmentRows: 4, SessionSQL: []string{"CREATE OR REPLACE TEMP MACRO twice(x) AS x * 2"}})
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
