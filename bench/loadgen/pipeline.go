package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The event pipeline cases run against Cairn only: moto_server has neither
// an ingestion endpoint nor an event store behind LookupEvents.

// IngestResult is the ingestion case: batches of records posted to
// POST /_cairn/events over keep-alive connections in a closed loop. An
// event counts when its batch was answered 200 with it accepted, which
// means it is on disk.
type IngestResult struct {
	Conns       int           `json:"connections"`
	BatchEvents int           `json:"events_per_batch"`
	RecordBytes float64       `json:"mean_record_bytes"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	Batches     uint64        `json:"batches"`
	Events      uint64        `json:"events"`
	EventsPerS  float64       `json:"events_per_second"`
	// Latency is per batch, from writing the request to the last byte of
	// the answer.
	Latency      Latency  `json:"batch_latency"`
	Errors       uint64   `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	cpuUse
	ServerCPUPerEvent time.Duration `json:"server_cpu_per_event_ns"`
}

// LookupResult is LookupEvents measured with one kind of filter.
type LookupResult struct {
	Attribute    string        `json:"attribute"` // "none" for no filter
	Example      string        `json:"example_value,omitempty"`
	Conns        int           `json:"connections"`
	Elapsed      time.Duration `json:"elapsed_ns"`
	Requests     uint64        `json:"requests"`
	Throughput   float64       `json:"requests_per_second"`
	Latency      Latency       `json:"latency"`
	MeanEvents   float64       `json:"mean_events_per_page"`
	Errors       uint64        `json:"errors"`
	ErrorSamples []string      `json:"error_samples,omitempty"`
	cpuUse
	ServerCPUPerRequest time.Duration `json:"server_cpu_per_request_ns"`
}

// Pipeline is everything the event pipeline cases measured.
type Pipeline struct {
	Ingest *IngestResult `json:"ingest,omitempty"`
	// Fill is the unmeasured ingestion that brought the store up to the
	// lookup case's size, with its rate.
	Fill *IngestResult `json:"fill,omitempty"`
	// Ingested is every event the load generator ingested; Recorded the
	// API calls Cairn served before the lookups (each of which it recorded
	// as an event), as counted by the load generator.
	Ingested uint64 `json:"events_ingested"`
	Recorded uint64 `json:"api_calls_recorded"`
	// Settle is how long the server kept working (compaction, indexing)
	// after the last batch before its CPU use fell idle.
	Settle        time.Duration  `json:"settle_ns"`
	SettleTimeout bool           `json:"settle_timed_out"`
	DataBytes     int64          `json:"data_dir_bytes"`
	Lookups       []LookupResult `json:"lookups,omitempty"`
	// Memory is Cairn's memory after the pipeline cases and Settle idle.
	Memory Memory `json:"memory_after"`
}

// cpuUse is the CPU used during a measured window, in cores.
type cpuUse struct {
	ServerCPU float64 `json:"server_cpu_cores"`
	ClientCPU float64 `json:"loadgen_cpu_cores"`
	OtherCPU  float64 `json:"other_cpu_cores"`
}

type cpuMeter struct {
	p                       *process
	server, client, machine time.Duration
	start                   time.Time
}

func startCPU(p *process) (*cpuMeter, error) {
	m := &cpuMeter{p: p, client: selfCPU(), machine: machineBusy(), start: time.Now()}
	var err error
	m.server, err = p.cpuTime()
	return m, err
}

// stop returns the cores used since start and the server's CPU time.
func (m *cpuMeter) stop() (cpuUse, time.Duration, error) {
	secs := time.Since(m.start).Seconds()
	server, err := m.p.cpuTime()
	if err != nil {
		return cpuUse{}, 0, err
	}
	client, machine := selfCPU(), machineBusy()
	u := cpuUse{ServerCPU: (server - m.server).Seconds() / secs, ClientCPU: (client - m.client).Seconds() / secs}
	if m.machine > 0 && machine > 0 {
		u.OtherCPU = max(0, (machine-m.machine).Seconds()/secs-u.ServerCPU-u.ClientCPU)
	}
	return u, server - m.server, nil
}

// ingestRequest signs a batch body for POST /_cairn/events.
func ingestRequest(body []byte) *request {
	return &request{method: http.MethodPost, path: "/_cairn/events", service: "cloudtrail", accessKey: ingestAccount,
		contentType: "application/json", body: body}
}

// ingester is one ingestion connection.
type ingester struct {
	c       *conn
	host    string
	gen     *recordGen
	buf     []byte
	hist    histogram
	batches uint64
	events  uint64
	bytes   uint64
	errors  uint64
	errs    []string
	samples []sample
}

func (in *ingester) fail(format string, args ...any) {
	in.errors++
	if len(in.errs) < 3 {
		in.errs = append(in.errs, fmt.Sprintf(format, args...))
	}
}

// maxSamples bounds the stored records each ingester remembers for the
// lookup case.
const maxSamples = 512

// run posts batches until end or until the shared budget of events is
// used up (budget < 0: no budget).
func (in *ingester) run(end time.Time, batch int, budget *atomic.Int64, stop *atomic.Bool) {
	var answer struct {
		Accepted int               `json:"accepted"`
		Failed   []json.RawMessage `json:"failed"`
	}
	for time.Now().Before(end) && !stop.Load() {
		if budget != nil && budget.Add(-int64(batch)) <= -int64(batch) {
			return
		}
		var s sample
		in.buf, s = in.gen.batch(in.buf[:0], batch)
		req := ingestRequest(in.buf)
		wire, err := req.signedWire(in.host, time.Now(), 0)
		if err != nil {
			in.fail("signing: %v", err)
			return
		}
		start := time.Now()
		resp, err := in.c.do(wire)
		in.hist.record(time.Since(start))
		in.batches++
		switch {
		case err != nil:
			in.fail("POST /_cairn/events: %v", err)
			continue
		case resp.status != 200:
			in.fail("POST /_cairn/events: HTTP %d: %s", resp.status, snippet(resp.body))
			continue
		}
		answer.Accepted, answer.Failed = 0, nil
		if err := json.Unmarshal(resp.body, &answer); err != nil || answer.Accepted != batch || len(answer.Failed) != 0 {
			in.fail("POST /_cairn/events: %d of %d accepted: %s", answer.Accepted, batch, snippet(resp.body))
		}
		in.events += uint64(answer.Accepted)
		in.bytes += uint64(len(in.buf))
		if answer.Accepted == batch && s.EventID != "" {
			if len(in.samples) < maxSamples {
				in.samples = append(in.samples, s)
			} else {
				in.samples[in.gen.rng.IntN(maxSamples)] = s
			}
		}
	}
}

// ingest runs conns ingesters for warmup (unrecorded) then duration, or,
// with budget >= 0, until that many more events are stored.
func ingest(ctx context.Context, p *process, ings []*ingester, batch int, warmup, duration time.Duration, budget int64) (*IngestResult, error) {
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	runAll := func(end time.Time, budget *atomic.Int64) {
		var wg sync.WaitGroup
		for _, in := range ings {
			wg.Go(func() { in.run(end, batch, budget, &stop) })
		}
		wg.Wait()
	}
	var bud *atomic.Int64
	if budget >= 0 {
		bud = new(atomic.Int64)
		bud.Store(budget)
		duration = 24 * time.Hour
	} else if warmup > 0 {
		runAll(time.Now().Add(warmup), nil)
	}
	before := make([]ingester, len(ings))
	for i, in := range ings {
		before[i] = *in
		in.hist = histogram{}
	}
	meter, err := startCPU(p)
	if err != nil {
		return nil, err
	}
	runAll(time.Now().Add(duration), bud)
	res := &IngestResult{Conns: len(ings), BatchEvents: batch, Elapsed: time.Since(meter.start)}
	use, serverCPU, err := meter.stop()
	if err != nil {
		return nil, err
	}
	res.cpuUse = use
	var all histogram
	var bytes uint64
	for i, in := range ings {
		all.merge(&in.hist)
		res.Batches += in.batches - before[i].batches
		res.Events += in.events - before[i].events
		bytes += in.bytes - before[i].bytes
		res.Errors += in.errors - before[i].errors
		for _, s := range in.errs[len(before[i].errs):] {
			if len(res.ErrorSamples) < 10 {
				res.ErrorSamples = append(res.ErrorSamples, s)
			}
		}
	}
	res.Latency = all.summary()
	res.EventsPerS = float64(res.Events) / res.Elapsed.Seconds()
	if res.Events > 0 {
		res.RecordBytes = float64(bytes) / float64(res.Events)
		res.ServerCPUPerEvent = serverCPU / time.Duration(res.Events)
	}
	return res, ctx.Err()
}

// waitIdle waits until the server's CPU use over a second falls under a
// tenth of a core (its background compaction and indexing have caught up),
// at most limit.
func waitIdle(ctx context.Context, p *process, limit time.Duration) (time.Duration, bool) {
	start := time.Now()
	prev, _ := p.cpuTime()
	for time.Since(start) < limit && ctx.Err() == nil {
		time.Sleep(time.Second)
		now, err := p.cpuTime()
		if err != nil {
			break
		}
		if now-prev < 100*time.Millisecond {
			return time.Since(start) - time.Second, false
		}
		prev = now
	}
	return time.Since(start), true
}

func dirSize(dir string) int64 {
	var total int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

// lookupAttributes are LookupEvents' attribute keys, in the order the
// report lists them; "none" is a call without LookupAttributes.
var lookupAttributes = []string{"none", "EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

// lookupValues returns the values the lookup case cycles through for an
// attribute: values present in the store, taken from the ingested records.
func lookupValues(attr string, samples []sample) []string {
	var out []string
	switch attr {
	case "none":
		out = []string{""}
	case "EventId":
		for _, s := range samples {
			out = append(out, s.EventID)
		}
	case "ResourceName":
		for _, s := range samples {
			if s.ResourceName != "" {
				out = append(out, s.ResourceName)
			}
		}
	case "EventName", "EventSource", "ResourceType":
		seen := map[string]bool{}
		for _, k := range eventKinds {
			v := map[string]string{"EventName": k.name, "EventSource": k.source, "ResourceType": k.resourceType}[attr]
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	case "ReadOnly":
		out = []string{"true", "false"}
	case "Username":
		for u := range benchUsers {
			out = append(out, benchUserName(u))
		}
	case "AccessKeyId":
		for u := range benchUsers {
			out = append(out, benchAccessKey(u))
		}
	}
	return out
}

func lookupBody(attr, value string) string {
	if attr == "none" {
		return "{}"
	}
	key, _ := json.Marshal(attr)
	val, _ := json.Marshal(value)
	return `{"LookupAttributes":[{"AttributeKey":` + string(key) + `,"AttributeValue":` + string(val) + `}]}`
}

// lookupCase sends signed LookupEvents calls with the attribute over conns
// connections in a closed loop, each call with the next of values, and
// checks that every answer holds at least one event (the EventId asked
// for, with that filter).
func lookupCase(ctx context.Context, p *process, attr string, values []string, conns int, warmup, duration time.Duration) (LookupResult, error) {
	res := LookupResult{Attribute: attr, Conns: conns}
	if len(values) == 0 {
		return res, fmt.Errorf("no values to look up %s by", attr)
	}
	res.Example = values[0]
	type looker struct {
		c      *conn
		hist   histogram
		events uint64
		errors uint64
		errs   []string
		next   int
	}
	lookers := make([]*looker, conns)
	for i := range lookers {
		lookers[i] = &looker{c: newConn(p.host), next: i * len(values) / conns}
		lookers[i].c.setDeadline(time.Now().Add(warmup + duration + time.Minute))
	}
	defer func() {
		for _, l := range lookers {
			l.c.close()
		}
	}()
	var stop atomic.Bool
	defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	one := func(l *looker, record bool) {
		value := values[l.next%len(values)]
		l.next++
		req := cloudTrailRequest(ingestAccount, "LookupEvents", lookupBody(attr, value))
		wire, err := req.signedWire(p.host, time.Now(), 0)
		if err != nil {
			l.errors++
			return
		}
		start := time.Now()
		resp, err := l.c.do(wire)
		took := time.Since(start)
		if !record {
			return
		}
		l.hist.record(took)
		fail := func(format string, args ...any) {
			l.errors++
			if len(l.errs) < 3 {
				l.errs = append(l.errs, fmt.Sprintf(format, args...))
			}
		}
		if err != nil {
			fail("%v", err)
			return
		}
		if resp.status != 200 {
			fail("HTTP %d: %s", resp.status, snippet(resp.body))
			return
		}
		n := strings.Count(string(resp.body), `"EventId":`)
		l.events += uint64(n)
		if n == 0 || (attr == "EventId" && !strings.Contains(string(resp.body), value)) {
			fail("%s = %q: no matching event: %s", attr, value, snippet(resp.body))
		}
	}
	runAll := func(end time.Time, record bool) {
		var wg sync.WaitGroup
		for _, l := range lookers {
			wg.Go(func() {
				for time.Now().Before(end) && !stop.Load() {
					one(l, record)
				}
			})
		}
		wg.Wait()
	}
	runAll(time.Now().Add(warmup), false)
	meter, err := startCPU(p)
	if err != nil {
		return res, err
	}
	runAll(time.Now().Add(duration), true)
	res.Elapsed = time.Since(meter.start)
	use, serverCPU, err := meter.stop()
	if err != nil {
		return res, err
	}
	res.cpuUse = use
	var all histogram
	var events uint64
	for _, l := range lookers {
		all.merge(&l.hist)
		events += l.events
		res.Errors += l.errors
		for _, s := range l.errs {
			if len(res.ErrorSamples) < 10 {
				res.ErrorSamples = append(res.ErrorSamples, s)
			}
		}
	}
	res.Requests = all.count
	res.Latency = all.summary()
	res.Throughput = float64(res.Requests) / res.Elapsed.Seconds()
	if res.Requests > 0 {
		res.MeanEvents = float64(events) / float64(res.Requests)
		res.ServerCPUPerRequest = serverCPU / time.Duration(res.Requests)
	}
	return res, ctx.Err()
}

// runPipeline runs the ingestion and lookup cases against Cairn.
func runPipeline(ctx context.Context, opts Options, p *process, dataDir string, recorded uint64, doIngest, doLookup bool, logf func(string, ...any)) (*Pipeline, error) {
	out := &Pipeline{Recorded: recorded}
	ings := make([]*ingester, opts.IngestConns)
	now := time.Now()
	for i := range ings {
		ings[i] = &ingester{c: newConn(p.host), host: p.host, gen: newRecordGen(i, now)}
	}
	defer func() {
		for _, in := range ings {
			in.c.close()
		}
	}()
	if doIngest {
		logf("ingest: %d connections, %d events per batch, %v warmup then %v measured", opts.IngestConns, opts.BatchEvents, opts.Warmup, opts.Duration)
		res, err := ingest(ctx, p, ings, opts.BatchEvents, opts.Warmup, opts.Duration, -1)
		if err != nil {
			return nil, err
		}
		logf("  %.0f events/s, batch p50 %v, p99 %v, errors %d", res.EventsPerS, res.Latency.P50, res.Latency.P99, res.Errors)
		out.Ingest = res
	}
	if doLookup {
		var have uint64
		for _, in := range ings {
			have += in.events
		}
		if missing := int64(opts.Events) - int64(have); missing > 0 {
			logf("ingesting %d more events to reach %d", missing, opts.Events)
			res, err := ingest(ctx, p, ings, opts.BatchEvents, 0, 0, missing)
			if err != nil {
				return nil, err
			}
			logf("  %.0f events/s over %v", res.EventsPerS, res.Elapsed.Round(time.Second))
			out.Fill = res
		}
	}
	for _, in := range ings {
		out.Ingested += in.events
	}
	out.Settle, out.SettleTimeout = waitIdle(ctx, p, opts.SettleLimit)
	logf("server idle %v after the last batch", out.Settle.Round(100*time.Millisecond))
	if doLookup {
		var samples []sample
		for _, in := range ings {
			samples = append(samples, in.samples...)
		}
		for _, attr := range lookupAttributes {
			values := lookupValues(attr, samples)
			res, err := lookupCase(ctx, p, attr, values, opts.LookupConns, opts.Warmup/4, opts.LookupDuration)
			if err != nil {
				return nil, fmt.Errorf("LookupEvents by %s: %w", attr, err)
			}
			logf("LookupEvents by %s: %.0f req/s, p50 %v, p99 %v, errors %d", attr, res.Throughput, res.Latency.P50, res.Latency.P99, res.Errors)
			out.Lookups = append(out.Lookups, res)
		}
	}
	out.DataBytes = dirSize(dataDir)
	m, err := p.memory()
	if err != nil {
		return nil, err
	}
	out.Memory = m
	return out, nil
}

// failed reports whether any pipeline request failed.
func (pl *Pipeline) failed() bool {
	if pl == nil {
		return false
	}
	for _, r := range []*IngestResult{pl.Ingest, pl.Fill} {
		if r != nil && r.Errors > 0 {
			return true
		}
	}
	for _, l := range pl.Lookups {
		if l.Errors > 0 {
			return true
		}
	}
	return false
}
