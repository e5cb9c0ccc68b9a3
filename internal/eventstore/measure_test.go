package eventstore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/eventgen"
)

// Measurements, run by hand: they are skipped unless their variable is set.
//
//	CAIRN_EVENTSTORE_APPEND=400000 go test ./internal/eventstore -run TestMeasureAppend -v
//	CAIRN_EVENTSTORE_MEASURE=1000000 CAIRN_EVENTSTORE_DIR=/tmp/es go test ./internal/eventstore -run TestMeasureLookup -v -timeout 2h
//
// CAIRN_EVENTSTORE_WRITERS sets the concurrent writers (default 4); batches
// are 100 records of about 1 KB.

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// fill appends n events from concurrent writers in 100-event batches,
// spread evenly over [begin, end), and returns the rate.
func fill(t *testing.T, s *Store, n, writers int, begin, end time.Time) float64 {
	const batch = 100
	step := end.Sub(begin) / time.Duration(n)
	batches := int64(n / batch)
	// Records come from a pool of generated ones with fresh IDs and times,
	// which costs about a microsecond per record.
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := eventgen.NewPool(uint64(w)+1, 2000)
			for {
				b := next.Add(1) - 1
				if b >= batches {
					return
				}
				recs := p.Batch(b*batch, batch, begin.Add(time.Duration(b*batch)*step), step)
				if _, err := s.Append(context.Background(), recs); err != nil {
					t.Error(err)
					return
				}
				if done := (b + 1) * batch; done%1_000_000 == 0 {
					t.Logf("  %d events, %.0f events/s so far", done, float64(done)/time.Since(start).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	return float64(batches*batch) / time.Since(start).Seconds()
}

// TestMeasureAppend reports durable append throughput for 100-event
// batches, with compaction deferred (the log absorbing a burst) and with
// compaction running alongside.
func TestMeasureAppend(t *testing.T) {
	n := envInt("CAIRN_EVENTSTORE_APPEND", 0)
	if n == 0 {
		t.Skip("set CAIRN_EVENTSTORE_APPEND to the number of events")
	}
	writers := envInt("CAIRN_EVENTSTORE_WRITERS", 4)
	end := time.Now().UTC()
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"burst (compaction deferred)", Options{CompactionBacklog: 1 << 20, MaxBacklog: 1 << 20, Threads: envInt("CAIRN_EVENTSTORE_THREADS", 1)}},
		{"sustained (compaction alongside)", Options{CompactionBacklog: 1, Threads: envInt("CAIRN_EVENTSTORE_THREADS", 1)}},
	} {
		s := openTest(t, "", c.opts)
		cpu0 := cpuTime()
		rate := fill(t, s, n, writers, end.Add(-24*time.Hour), end)
		cpu := cpuTime() - cpu0
		t.Logf("%s: %d events, %d writers, 100-event batches: %.0f events/s, %.1f µs CPU per event", c.name, n, writers, rate,
			float64(cpu.Microseconds())/float64(n))
		// The partitions' side: what compaction had done when the appends
		// ended, and how long the rest takes.
		s.mu.RLock()
		compacted := s.compacted
		s.mu.RUnlock()
		start, cpu0 := time.Now(), cpuTime()
		if err := s.Compact(context.Background()); err != nil {
			t.Fatal(err)
		}
		rest := time.Since(start)
		t.Logf("  %d events compacted during the appends; the other %d in %v (%.0f events/s, %.1f µs CPU per event); %.0f events/s into the partitions overall",
			compacted, int64(n)-compacted, rest.Round(time.Millisecond), float64(int64(n)-compacted)/rest.Seconds(),
			float64((cpuTime()-cpu0).Microseconds())/float64(int64(n)-compacted), float64(n)/(float64(n)/rate+rest.Seconds()))
		s.Close()
	}
}

// TestMeasureLookup fills a store (or reuses the one in
// CAIRN_EVENTSTORE_DIR) and reports its size and lookup latency for every
// attribute.
func TestMeasureLookup(t *testing.T) {
	n := envInt("CAIRN_EVENTSTORE_MEASURE", 0)
	if n == 0 {
		t.Skip("set CAIRN_EVENTSTORE_MEASURE to the number of events")
	}
	dir := os.Getenv("CAIRN_EVENTSTORE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	end := time.Now().UTC().Truncate(time.Second)
	if s.LastSequence() == 0 {
		rate := fill(t, s, n, envInt("CAIRN_EVENTSTORE_WRITERS", 4), end.Add(-89*24*time.Hour), end)
		t.Logf("ingested %d events over 89 days: %.0f events/s", n, rate)
		start := time.Now()
		if err := s.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("compacted the remaining log in %v", time.Since(start).Round(time.Millisecond))
	}
	if _, err := s.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	// Let the lookup index finish its merges.
	start := time.Now()
	if err := s.index.maintain(false); err != nil {
		t.Fatal(err)
	}
	t.Logf("lookup index: %d runs (maintenance took %v)", len(s.index.runs), time.Since(start).Round(time.Millisecond))
	var size int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	total := s.LastSequence()
	t.Logf("store: %d events, %d MB on disk, %.0f MB per million events", total, size>>20, float64(size)/(1<<20)/(float64(total)/1e6))

	// Attribute values taken from stored events.
	samples := map[string][]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT eventID, lookupUsername, lookupAccessKeyId, lookupResourceNames
		FROM (`+s.unionSQL("eventID, lookupUsername, lookupAccessKeyId, lookupResourceNames")+`) USING SAMPLE 200 ROWS`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, user, key, res *string
		if err := rows.Scan(&id, &user, &key, &res); err != nil {
			t.Fatal(err)
		}
		samples[AttrEventID] = append(samples[AttrEventID], deref(id))
		samples[AttrUsername] = append(samples[AttrUsername], deref(user))
		samples[AttrAccessKeyID] = append(samples[AttrAccessKeyID], deref(key))
		if res != nil {
			samples[AttrResourceName] = append(samples[AttrResourceName], *res)
		}
	}
	rows.Close()
	samples[AttrEventName] = []string{"DescribeTrails", "GetUser", "CreateTrail", "PutEventSelectors"} // common to rare
	samples[AttrEventSource] = []string{"s3.amazonaws.com", "cloudtrail.amazonaws.com"}
	samples[AttrReadOnly] = []string{"true", "false"}
	samples[AttrResourceType] = []string{"AWS::S3::Bucket"}
	samples[""] = []string{""}

	for _, key := range []string{"", AttrEventID, AttrEventName, AttrReadOnly, AttrUsername, AttrResourceType, AttrResourceName, AttrEventSource, AttrAccessKeyID} {
		var lat []time.Duration
		found := 0
		cpu0 := cpuTime()
		for i := range 200 {
			vals := samples[key]
			q := LookupQuery{Account: acct, Region: region, ManagementOnly: true,
				Start: end.Add(-90 * 24 * time.Hour), Limit: 50}
			if key != "" {
				q.Attribute = &Attribute{Key: key, Value: vals[i%len(vals)]}
			}
			st := time.Now()
			res, err := s.Lookup(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			lat = append(lat, time.Since(st))
			found += len(res.Events)
		}
		slices.Sort(lat)
		name := key
		if name == "" {
			name = "(none)"
		}
		cpu := (cpuTime() - cpu0) / time.Duration(len(lat))
		t.Logf("lookup %-13s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms  CPU %5.2f ms  (%.1f events per page)", name,
			ms(lat[len(lat)/2]), ms(lat[len(lat)*9/10]), ms(lat[len(lat)*99/100]), ms(lat[len(lat)-1]), ms(cpu),
			float64(found)/float64(len(lat)))
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
