package eventstore

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/eventgen"
)

// TestHindexAgainstScan checks the index's answers against a scan of every
// entry it was given, while entries arrive in groups, chunks are sorted and
// merged, runs are written and merged, the retention floor rises and the
// index is reopened.
func TestHindexAgainstScan(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { testHindexAgainstScan(t, seed) })
	}
}

func testHindexAgainstScan(t *testing.T, seed uint64) {
	dir := t.TempDir()
	opts := hindexOptions{flushEntries: 40, flushAge: time.Hour, fanIn: 3, maxMerge: 2000}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	x, err := openHindex(dir, logger, opts)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var all []entry
	seq := int64(0)
	floor := int64(0)
	check := func(round int) {
		t.Helper()
		for range 20 {
			q := findQuery{stopT: ^uint64(0), upTo: seq - int64(rng.IntN(5)), n: 1 + rng.IntN(30)}
			for range 1 + rng.IntN(3) {
				q.keys = append(q.keys, uint64(rng.IntN(6)))
			}
			if rng.IntN(2) == 0 {
				q.start = entry{t: timeCode(base.Add(time.Duration(rng.IntN(1000)) * time.Minute)), s: seqCode(int64(rng.IntN(int(seq) + 1)))}
			}
			if rng.IntN(3) == 0 {
				q.stopT = timeCode(base.Add(time.Duration(rng.IntN(1000)) * time.Minute))
			}
			var want []entry
			for _, e := range all {
				if slices.Contains(q.keys, e.key) && cmpOrder(e, q.start) >= 0 && e.t <= q.stopT && e.seq() <= q.upTo && e.micros() >= floor {
					want = append(want, e)
				}
			}
			// An event is one entry of the answer, whatever keys it has.
			slices.SortFunc(want, func(a, b entry) int {
				if c := cmpOrder(a, b); c != 0 {
					return c
				}
				return cmpEntry(a, b)
			})
			want = slices.CompactFunc(want, func(a, b entry) bool { return a.t == b.t && a.s == b.s })
			want = want[:min(len(want), q.n)]
			got, err := x.find(q)
			if err != nil {
				t.Fatal(err)
			}
			same := len(got) == len(want)
			for i := 0; same && i < len(got); i++ {
				same = got[i].t == want[i].t && got[i].s == want[i].s
			}
			if !same {
				t.Fatalf("round %d: find %+v:\n got %v\nwant %v", round, q, got, want)
			}
		}
	}
	for round := range 300 {
		var group []entry
		for range rng.IntN(12) {
			seq++
			t := timeCode(base.Add(time.Duration(rng.IntN(1000)) * time.Minute))
			for _, k := range rng.Perm(6)[:1+rng.IntN(3)] {
				group = append(group, entry{key: uint64(k), t: t, s: seqCode(seq)})
			}
		}
		if rng.IntN(10) == 0 {
			seq += 3 // a failed commit
		}
		all = append(all, group...)
		x.add(seq, group)
		check(round)
		switch rng.IntN(4) {
		case 0:
			if err := x.maintain(false); err != nil {
				t.Fatal(err)
			}
		case 1:
			x.sortChunks()
		}
		if round%100 == 99 {
			floor = base.Add(time.Duration(round) * time.Minute).UnixMicro()
			x.setFloor(time.UnixMicro(floor))
			if err := x.maintain(false); err != nil {
				t.Fatal(err)
			}
		}
		check(round)
		if round%50 == 49 {
			if err := x.maintain(true); err != nil {
				t.Fatal(err)
			}
			x.close()
			if x, err = openHindex(dir, logger, opts); err != nil {
				t.Fatal(err)
			}
			if x.hi != seq {
				t.Fatalf("reopened index covers up to %d, want %d", x.hi, seq)
			}
			x.setFloor(time.UnixMicro(floor))
			check(round)
		}
	}
	x.mu.RLock()
	n := len(x.runs)
	x.mu.RUnlock()
	if n > 12 {
		for _, r := range x.runs {
			t.Logf("run (%d, %d] %d entries, tier %d, times %d..%d", r.lo, r.hi, r.count, x.tier(r), r.minT, r.maxT)
		}
		t.Errorf("%d runs: not merged", n)
	}
	x.close()
}

// BenchmarkIndexMaintenance measures what the lookup index costs appends
// per event: computing the keys, building the entries, and the
// maintainer's sorting, merging and writing of runs (the run merges of a
// long fill included), in 8192-event groups.
//
//	go test ./internal/eventstore -run '^$' -bench IndexMaintenance -benchtime 1000000x
func BenchmarkIndexMaintenance(b *testing.B) {
	x, err := openHindex(b.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)),
		hindexOptions{flushEntries: 1 << 20, flushAge: time.Hour, fanIn: 8, maxMerge: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer x.close()
	p := eventgen.NewPool(1, 2000)
	recs := p.Batch(0, 8192, time.Now(), time.Millisecond)
	b.ResetTimer()
	seq := int64(0)
	var keys []uint64
	for done := 0; done < b.N; done += len(recs) {
		entries := make([]entry, 0, 8*len(recs))
		for i := range recs {
			v := valuesOf(&recs[i])
			v.types, v.names = lookupResources(recs[i].LookupResourceList())
			keys = v.keys(keys[:0])
			seq++
			tc, sc := timeCode(recs[i].EventTime), seqCode(seq)
			for _, k := range keys {
				entries = append(entries, entry{key: k, t: tc, s: sc})
			}
		}
		x.add(seq, entries)
		if err := x.maintain(false); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	x.mu.RLock()
	b.ReportMetric(float64(len(x.runs)), "runs")
	x.mu.RUnlock()
}

func TestSortEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 5, 300, 5000, 70000} {
		for _, keys := range []int{1, 3, 1 << 30} {
			in := make([]entry, n)
			for i := range in {
				in[i] = entry{key: uint64(rng.IntN(keys)) * 0x9e3779b97f4a7c15, t: uint64(rng.IntN(50)), s: seqCode(int64(i))}
				if rng.IntN(2) == 0 {
					in[i].t = uint64(n - i) // rising times
				}
			}
			got := sortEntries(in)
			want := slices.Clone(in)
			slices.SortFunc(want, cmpEntry)
			if !slices.Equal(got, want) {
				t.Fatalf("%d entries, %d keys: not sorted", n, keys)
			}
		}
	}
}
