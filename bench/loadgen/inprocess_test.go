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

func BenchmarkCreateDeleteTrail(b *testing.B) {
	benchmarkWorkload(b, createDeleteWorkload)
}

func benchmarkWorkload(b *testing.B, wl workload) {
	srv := testenv.Start(b)
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
}
