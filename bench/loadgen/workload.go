package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// target is a prepared server under test.
type target struct {
	name string // "cairn" or "moto"
	proc *process
	// getKey is the access key GetTrail is sent with; workerKey(w) the one
	// worker w creates and deletes trails with. Cairn maps a 12-digit key to
	// that account in open auth mode, so each worker gets its own account
	// and stays under the five-trails-per-Region limit. moto has a single
	// account; its workers use distinct trail names instead.
	getKey    string
	workerKey func(w int) string
}

// cairnWorkerKey is the access key, and so the account, of Cairn's worker w.
func cairnWorkerKey(w int) string { return fmt.Sprintf("%012d", 200000000000+w) }

const (
	benchBucket = "cairn-loadgen-bucket"
	benchTrail  = "cairn-loadgen-trail"
)

// op is one request of a worker's cycle.
type op struct {
	name   string
	req    *request
	expect []byte // the response body must contain this; nil for any
}

// workload is a cycle of requests each worker repeats.
type workload struct {
	name string
	ops  func(t *target, worker int) []op
}

var getTrailWorkload = workload{
	name: "GetTrail",
	ops: func(t *target, _ int) []op {
		return []op{{
			name:   "GetTrail",
			req:    cloudTrailRequest(t.getKey, "GetTrail", `{"Name":"`+benchTrail+`"}`),
			expect: []byte(benchTrail),
		}}
	},
}

var createDeleteWorkload = workload{
	name: "CreateTrail+DeleteTrail",
	ops: func(t *target, w int) []op {
		name := fmt.Sprintf("cairn-loadgen-w%d", w)
		key := t.workerKey(w)
		return []op{
			{
				name:   "CreateTrail",
				req:    cloudTrailRequest(key, "CreateTrail", `{"Name":"`+name+`","S3BucketName":"`+benchBucket+`"}`),
				expect: []byte(name),
			},
			{
				name: "DeleteTrail",
				req:  cloudTrailRequest(key, "DeleteTrail", `{"Name":"`+name+`"}`),
			},
		}
	},
}

// CaseResult is one workload measured against one server.
type CaseResult struct {
	Round      int           `json:"round"`
	Case       string        `json:"case"`
	Server     string        `json:"server"`
	Conns      int           `json:"connections"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	Requests   uint64        `json:"requests"`
	Throughput float64       `json:"requests_per_second"`
	Latency    Latency       `json:"latency"`
	// PerOp is the latency of each operation of a multi-operation cycle.
	PerOp        map[string]Latency `json:"per_operation,omitempty"`
	Errors       uint64             `json:"errors"`
	ErrorSamples []string           `json:"error_samples,omitempty"`
	// Dials is how many TCP connections the workers opened while
	// measured. Keep-alive connections are opened during the warmup, so
	// anything above zero means the server closed connections.
	Dials int64 `json:"dials"`
	// ServerCPU and ClientCPU are CPU time used per second of wall time,
	// in cores; ServerCPUPerRequest is the server's CPU time per request.
	ServerCPU           float64       `json:"server_cpu_cores"`
	ServerCPUPerRequest time.Duration `json:"server_cpu_per_request_ns"`
	ClientCPU           float64       `json:"loadgen_cpu_cores"`
	// OtherCPU is the CPU the rest of the machine used meanwhile (other
	// processes and kernel work not charged to either), in cores: the
	// noise in the throughput numbers.
	OtherCPU float64 `json:"other_cpu_cores"`
}

type worker struct {
	c       *conn
	host    string
	ops     []op
	signAge time.Duration
	hists   []histogram
	errors  uint64
	samples []string
}

func (w *worker) fail(format string, args ...any) {
	w.errors++
	if len(w.samples) < 3 {
		w.samples = append(w.samples, fmt.Sprintf(format, args...))
	}
}

// run repeats the worker's cycle until end, recording latencies when
// record is set. A cycle that has started is finished, so a create is
// always followed by its delete.
func (w *worker) run(end time.Time, record bool, stop *atomic.Bool) {
	for now := time.Now(); now.Before(end) && !stop.Load(); {
		now = w.cycle(now, record)
	}
}

// cycle sends each of the worker's requests once, starting at now, and
// returns the time the last response arrived.
func (w *worker) cycle(now time.Time, record bool) time.Time {
	for i := range w.ops {
		o := &w.ops[i]
		before := o.req.signedAt
		wire, err := o.req.signedWire(w.host, now, w.signAge)
		if err != nil {
			w.fail("signing %s: %v", o.name, err)
			return time.Now()
		}
		if !o.req.signedAt.Equal(before) {
			now = time.Now() // signing is client work, not latency
		}
		resp, err := w.c.do(wire)
		done := time.Now()
		if record {
			w.hists[i].record(done.Sub(now))
		}
		switch {
		case err != nil:
			w.fail("%s: %v", o.name, err)
		case resp.status != 200:
			w.fail("%s: HTTP %d: %s", o.name, resp.status, snippet(resp.body))
		case o.expect != nil && !bytes.Contains(resp.body, o.expect):
			w.fail("%s: response lacks %q: %s", o.name, o.expect, snippet(resp.body))
		}
		now = done
	}
	return now
}

// runCase runs wl against t: warmup unrecorded, then duration recorded.
func runCase(ctx context.Context, t *target, wl workload, conns int, warmup, duration, signAge time.Duration) (CaseResult, error) {
	res := CaseResult{Case: wl.name, Server: t.name, Conns: conns}
	workers := make([]*worker, conns)
	guard := time.Now().Add(warmup + duration + time.Minute)
	for i := range workers {
		ops := wl.ops(t, i)
		c := newConn(t.proc.host)
		c.setDeadline(guard)
		workers[i] = &worker{c: c, host: t.proc.host, ops: ops, signAge: signAge, hists: make([]histogram, len(ops))}
	}
	defer func() {
		for _, w := range workers {
			w.c.close()
		}
	}()
	// stop ends the workers early when ctx is cancelled (Ctrl-C).
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	runAll := func(end time.Time, record bool) {
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Go(func() { w.run(end, record, &stop) })
		}
		wg.Wait()
	}
	if warmup > 0 {
		runAll(time.Now().Add(warmup), false)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for _, w := range workers {
		res.Dials -= w.c.dials
	}
	serverBefore, err := t.proc.cpuTime()
	if err != nil {
		return res, err
	}
	clientBefore := selfCPU()
	machineBefore := machineBusy()
	start := time.Now()
	runAll(start.Add(duration), true)
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	clientAfter := selfCPU()
	machineAfter := machineBusy()
	serverAfter, err := t.proc.cpuTime()
	if err != nil {
		return res, err
	}

	var all histogram
	perOp := make([]histogram, len(workers[0].ops))
	for _, w := range workers {
		for i := range w.hists {
			perOp[i].merge(&w.hists[i])
			all.merge(&w.hists[i])
		}
		res.Errors += w.errors
		for _, s := range w.samples {
			if len(res.ErrorSamples) < 10 {
				res.ErrorSamples = append(res.ErrorSamples, s)
			}
		}
		res.Dials += w.c.dials
	}
	res.Requests = all.count
	res.Latency = all.summary()
	if len(perOp) > 1 {
		res.PerOp = make(map[string]Latency, len(perOp))
		for i := range perOp {
			res.PerOp[workers[0].ops[i].name] = perOp[i].summary()
		}
	}
	secs := res.Elapsed.Seconds()
	res.Throughput = float64(res.Requests) / secs
	res.ServerCPU = (serverAfter - serverBefore).Seconds() / secs
	if res.Requests > 0 {
		res.ServerCPUPerRequest = (serverAfter - serverBefore) / time.Duration(res.Requests)
	}
	res.ClientCPU = (clientAfter - clientBefore).Seconds() / secs
	if machineBefore > 0 && machineAfter > 0 {
		res.OtherCPU = max(0, (machineAfter-machineBefore).Seconds()/secs-res.ServerCPU-res.ClientCPU)
	}
	return res, nil
}

// selfCPU is the load generator's own user plus system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy is the CPU time all CPUs have spent not idle, from the first
// line of /proc/stat (in clock ticks of 10 ms), or 0 if unknown.
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0
	}
	var busy int64
	// user nice system idle iowait irq softirq steal
	for i, f := range fields[1:9] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0
		}
		if i != 3 && i != 4 {
			busy += v
		}
	}
	return time.Duration(busy) * 10 * time.Millisecond
}
