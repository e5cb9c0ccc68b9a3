package loadgen

import (
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/testenv"
)

// The benchmarks below drive an in-process Cairn with the load generator's
// client, for CPU and allocation profiles of the request path:
//
//	go test ./bench/loadgen -run '^$' -bench GetTrail -cpuprofile cpu.out
//	go tool pprof -top -focus 'cairn/internal' bench/loadgen/loadgen.test cpu.out

func BenchmarkGetTrail(b *testing.B) {
	benchmarkWorkload(b, getTrailWorkload)
}

// BenchmarkGetTrailSyncReads is GetTrail with --sync-read-events: every
// call waits for its event's fdatasync.
func BenchmarkGetTrailSyncReads(b *testing.B) {
	benchmarkWorkload(b, getTrailWorkload, testenv.WithSyncReadEvents())
}

func BenchmarkCreateDeleteTrail(b *testing.B) {
	benchmarkWorkload(b, createDeleteWorkload)
}

func benchmarkWorkload(b *testing.B, wl workload, opts ...testenv.Option) {
	srv := testenv.Start(b, opts...)
	u, err := url.Parse(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	t := &target{
		name:      "cairn",
		proc:      &process{name: "cairn", host: u.Host, exited: make(chan struct{})},
		getKey:    "123456789012",
		workerKey: cairnWorkerKey,
	}
	if err := prepare(b.Context(), t); err != nil {
		b.Fatal(err)
	}
	const conns = 8
	workers := make([]*worker, conns)
	for i := range workers {
		ops := wl.ops(t, i)
		workers[i] = &worker{c: newConn(u.Host), host: u.Host, ops: ops, signAge: time.Second, hists: make([]histogram, len(ops))}
	}
	defer func() {
		for _, w := range workers {
			w.c.close()
		}
	}()
	var remaining atomic.Int64
	remaining.Store(int64(b.N))
	b.ReportAllocs()
	journalBefore := srv.JournalStats()
	cpuBefore := selfCPU()
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for remaining.Add(-1) >= 0 {
				w.cycle(time.Now(), true)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	// CPU time of the whole process (server and client) per operation:
	// steadier than ns/op when other work shares the machine.
	b.ReportMetric(float64((selfCPU()-cpuBefore).Nanoseconds())/float64(b.N), "cpu-ns/op")
	var all histogram
	for _, w := range workers {
		if w.errors > 0 {
			b.Fatalf("%d failed requests, e.g. %v", w.errors, w.samples)
		}
		for i := range w.hists {
			all.merge(&w.hists[i])
		}
	}
	s := all.summary()
	b.ReportMetric(float64(s.P99.Microseconds()), "p99-µs")
	// Recording's group commits: fdatasyncs per thousand calls, and what
	// each took.
	j := srv.JournalStats()
	if entries := j.Entries - journalBefore.Entries; entries > 0 {
		b.ReportMetric(1000*float64(j.Syncs-journalBefore.Syncs)/float64(entries), "syncs/kcall")
	}
	if syncs := j.Syncs - journalBefore.Syncs; syncs > 0 {
		b.ReportMetric(float64((j.Syncing-journalBefore.Syncing).Microseconds())/float64(syncs), "µs/sync")
		b.ReportMetric(100*float64(j.Syncing-journalBefore.Syncing)/float64(b.Elapsed()), "%syncing")
	}
}

// BenchmarkIngest posts 100-record batches to an in-process Cairn's
// POST /_cairn/events over 8 connections; one op is one batch.
//
//	go test ./bench/loadgen -run '^$' -bench Ingest -cpuprofile cpu.out
func BenchmarkIngest(b *testing.B) {
	srv := testenv.Start(b)
	u, err := url.Parse(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	const conns, batch = 8, 100
	ings := make([]*ingester, conns)
	for i := range ings {
		ings[i] = &ingester{c: newConn(u.Host), host: u.Host, gen: newRecordGen(i, time.Now())}
	}
	defer func() {
		for _, in := range ings {
			in.c.close()
		}
	}()
	var budget atomic.Int64
	budget.Store(int64(b.N) * batch)
	var stop atomic.Bool
	b.ReportAllocs()
	cpuBefore := selfCPU()
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, in := range ings {
		wg.Go(func() { in.run(time.Now().Add(time.Hour), batch, &budget, &stop) })
	}
	wg.Wait()
	b.StopTimer()
	var events uint64
	for _, in := range ings {
		if in.errors > 0 {
			b.Fatalf("%d failed batches, e.g. %v", in.errors, in.errs)
		}
		events += in.events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((selfCPU()-cpuBefore).Nanoseconds())/float64(events), "cpu-ns/event")
}
