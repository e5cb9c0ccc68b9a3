package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options configure a run.
type Options struct {
	// CairnBin is a cairn binary to use; empty builds ./cmd/cairn of the
	// current module.
	CairnBin string
	// Moto is the moto_server command; empty skips moto entirely.
	Moto string
	// Floor is the command that runs ServeFloor, given the address to
	// listen on as its last argument; empty skips the floor server.
	Floor []string
	// Conns is the number of concurrent keep-alive connections per case.
	Conns int
	// Warmup runs unrecorded before each Duration-long measured case.
	Warmup   time.Duration
	Duration time.Duration
	// Rounds repeats every case, alternating the servers.
	Rounds int
	// SignEvery re-signs a request when its signature is this old; zero
	// signs every request as an SDK would.
	SignEvery time.Duration
	// StartupRuns and MotoStartupRuns are how often each startup is timed.
	StartupRuns     int
	MotoStartupRuns int
	// Settle is how long a server is left idle before its memory is read.
	Settle time.Duration
	// TempDir holds the binary, data directories and logs; empty uses the
	// system's temporary directory. Keep leaves it in place afterwards.
	TempDir string
	Keep    bool
	// Log receives progress lines; nil discards them.
	Log io.Writer

	// Cases selects what runs: CaseCompare (GetTrail and
	// CreateTrail+DeleteTrail against both servers, startup and memory),
	// CaseIngest and CaseLookup (the event pipeline, Cairn only). Empty
	// runs all three.
	Cases []string
	// IngestConns connections post BatchEvents records per request in the
	// ingestion case, for Warmup and then Duration.
	IngestConns int
	BatchEvents int
	// Events is how many events the load generator ingests in all before
	// the lookup case (the ingestion case's count, plus more as needed).
	Events int
	// LookupConns connections call LookupEvents for LookupDuration per
	// attribute (after Warmup/4 unrecorded).
	LookupConns    int
	LookupDuration time.Duration
	// SettleLimit bounds the wait for Cairn's background work to finish
	// between ingestion and the lookups.
	SettleLimit time.Duration
}

// The cases Options.Cases can name.
const (
	CaseCompare = "compare"
	CaseIngest  = "ingest"
	CaseLookup  = "lookup"
)

// DefaultOptions is a full run.
func DefaultOptions() Options {
	return Options{
		Moto:            "moto_server",
		Conns:           8,
		Warmup:          2 * time.Second,
		Duration:        10 * time.Second,
		Rounds:          2,
		SignEvery:       time.Second,
		StartupRuns:     10,
		MotoStartupRuns: 3,
		Settle:          5 * time.Second,
		Cases:           []string{CaseCompare, CaseIngest, CaseLookup},
		IngestConns:     8,
		BatchEvents:     100,
		Events:          1_000_000,
		LookupConns:     1,
		LookupDuration:  5 * time.Second,
		SettleLimit:     3 * time.Minute,
	}
}

// QuickOptions is a smoke test of a few seconds.
func QuickOptions() Options {
	o := DefaultOptions()
	o.Warmup = 200 * time.Millisecond
	o.Duration = time.Second
	o.StartupRuns = 3
	o.MotoStartupRuns = 1
	o.Rounds = 1
	o.Settle = 300 * time.Millisecond
	o.Events = 20_000
	o.LookupDuration = 300 * time.Millisecond
	o.SettleLimit = 5 * time.Second
	return o
}

// Report is everything a run measured.
type Report struct {
	Machine Machine `json:"machine"`
	// Revision is the commit cairn was built from ("-dirty" with
	// uncommitted changes), or the binary given.
	Revision string        `json:"revision"`
	Options  ReportOptions `json:"options"`
	Cases    []CaseResult  `json:"cases"`
	Startup  Startup       `json:"startup"`
	// Memory holds each server's memory idle after startup and idle after
	// the load, by server name.
	Memory map[string]MemoryPoints `json:"memory"`
	// Pipeline holds the event pipeline cases (Cairn only).
	Pipeline *Pipeline `json:"pipeline,omitempty"`
	// Notes are things the reader should know, such as a skipped moto.
	Notes []string `json:"notes,omitempty"`
}

// ReportOptions are the options that shape the numbers.
type ReportOptions struct {
	Conns     int           `json:"connections"`
	Warmup    time.Duration `json:"warmup_ns"`
	Duration  time.Duration `json:"duration_ns"`
	Rounds    int           `json:"rounds"`
	SignEvery time.Duration `json:"sign_every_ns"`
	Cases     []string      `json:"cases"`
	// The pipeline cases' options.
	IngestConns    int           `json:"ingest_connections,omitempty"`
	BatchEvents    int           `json:"events_per_batch,omitempty"`
	Events         int           `json:"lookup_store_events,omitempty"`
	LookupConns    int           `json:"lookup_connections,omitempty"`
	LookupDuration time.Duration `json:"lookup_duration_ns,omitempty"`
}

// MemoryPoints is a server's memory at two moments.
type MemoryPoints struct {
	AfterStartup Memory `json:"idle_after_startup"`
	AfterLoad    Memory `json:"idle_after_load"`
}

// Failed reports whether any request failed, which invalidates the run.
func (r *Report) Failed() bool {
	for _, c := range r.Cases {
		if c.Errors > 0 {
			return true
		}
	}
	return r.Pipeline.failed()
}

// Run builds or takes the cairn binary, times its startup, starts Cairn and
// moto_server side by side, and measures every workload against both.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Conns <= 0 || opts.Duration <= 0 || opts.Rounds <= 0 {
		return nil, errors.New("connections, duration and rounds must be positive")
	}
	if len(opts.Cases) == 0 {
		opts.Cases = []string{CaseCompare, CaseIngest, CaseLookup}
	}
	for _, c := range opts.Cases {
		if c != CaseCompare && c != CaseIngest && c != CaseLookup {
			return nil, fmt.Errorf("unknown case %q (want %s, %s or %s)", c, CaseCompare, CaseIngest, CaseLookup)
		}
	}
	compare, doIngest, doLookup := slices.Contains(opts.Cases, CaseCompare), slices.Contains(opts.Cases, CaseIngest), slices.Contains(opts.Cases, CaseLookup)
	if (doIngest || doLookup) && (opts.IngestConns <= 0 || opts.BatchEvents <= 0 || opts.LookupConns <= 0 || opts.LookupDuration <= 0) {
		return nil, errors.New("ingest connections, batch size, lookup connections and lookup duration must be positive")
	}
	if !compare {
		opts.Moto = ""
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }

	tmp, err := os.MkdirTemp(opts.TempDir, "cairn-loadgen-")
	if err != nil {
		return nil, err
	}
	if opts.Keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	bin := opts.CairnBin
	revision := "given binary " + bin
	if bin == "" {
		logf("building ./cmd/cairn")
		if bin, revision, err = buildCairn(ctx, tmp); err != nil {
			return nil, err
		}
	}
	motoPath := ""
	if opts.Moto != "" {
		if motoPath, err = exec.LookPath(opts.Moto); err != nil {
			return nil, fmt.Errorf("moto_server: %w (pass -moto '' to measure Cairn alone)", err)
		}
	}

	rep := &Report{
		Machine:  describeMachine(tmp, motoPath),
		Revision: revision,
		Options: ReportOptions{Conns: opts.Conns, Warmup: opts.Warmup, Duration: opts.Duration, Rounds: opts.Rounds, SignEvery: opts.SignEvery,
			Cases: opts.Cases},
		Memory: map[string]MemoryPoints{},
	}
	if doIngest || doLookup {
		o := &rep.Options
		o.IngestConns, o.BatchEvents = opts.IngestConns, opts.BatchEvents
		if doLookup {
			o.Events, o.LookupConns, o.LookupDuration = opts.Events, opts.LookupConns, opts.LookupDuration
		}
	}
	if compare && motoPath == "" {
		rep.Notes = append(rep.Notes, "moto_server was not run (-moto ''), so there are no ratios.")
	}

	if compare {
		logf("timing startup: %d runs each with a new and an existing data directory", opts.StartupRuns)
		if rep.Startup, err = measureStartup(ctx, bin, motoPath, tmp, opts.StartupRuns, opts.MotoStartupRuns); err != nil {
			return nil, err
		}
	}

	var targets []*target
	defer func() {
		for _, t := range targets {
			_ = t.proc.stop()
		}
	}()
	benchData := filepath.Join(tmp, "bench-data")
	cairn, err := startCairn(bin, benchData, tmp, "bench")
	if err != nil {
		return nil, err
	}
	targets = append(targets, &target{
		name:      "cairn",
		proc:      cairn,
		getKey:    "123456789012",
		workerKey: cairnWorkerKey,
	})
	if compare && len(opts.Floor) > 0 {
		floor, err := startFloor(opts.Floor, tmp)
		if err != nil {
			return nil, err
		}
		// Like Cairn's: the floor server does not care which key.
		targets = append(targets, &target{name: "floor", proc: floor, getKey: "123456789012", workerKey: cairnWorkerKey})
	}
	if motoPath != "" {
		moto, err := startMoto(motoPath, tmp, "bench")
		if err != nil {
			return nil, err
		}
		targets = append(targets, &target{
			name:      "moto",
			proc:      moto,
			getKey:    "123456789012",
			workerKey: func(int) string { return "123456789012" },
		})
	}
	for _, t := range targets {
		logf("preparing %s on %s", t.name, t.proc.host)
		if err := prepare(ctx, t); err != nil {
			return nil, fmt.Errorf("preparing %s: %w", t.name, err)
		}
	}
	time.Sleep(opts.Settle)
	for _, t := range targets {
		m, err := t.proc.memory()
		if err != nil {
			return nil, err
		}
		rep.Memory[t.name] = MemoryPoints{AfterStartup: m}
	}

	for round := 1; compare && round <= opts.Rounds; round++ {
		for _, wl := range []workload{getTrailWorkload, createDeleteWorkload} {
			for _, t := range targets {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				// No server's background work (Cairn's compaction of the
				// events the previous case recorded) runs into a case.
				for _, other := range targets {
					if waited, timedOut := waitIdle(ctx, other.proc, time.Minute); waited > time.Second || timedOut {
						logf("  waited %v for %s to fall idle", waited.Round(time.Second), other.name)
					}
				}
				logf("round %d: %s against %s, %d connections, %v", round, wl.name, t.name, opts.Conns, opts.Duration)
				res, err := runCase(ctx, t, wl, opts.Conns, opts.Warmup, opts.Duration, opts.SignEvery)
				if err != nil {
					return nil, fmt.Errorf("%s against %s: %w", wl.name, t.name, err)
				}
				res.Round = round
				logf("  %.0f req/s, p50 %v, p99 %v, max %v, errors %d", res.Throughput, res.Latency.P50, res.Latency.P99, res.Latency.Max, res.Errors)
				rep.Cases = append(rep.Cases, res)
			}
		}
	}

	if compare {
		// Idle: once the background work the load left (Cairn's
		// compaction) is done, and Settle after.
		for _, t := range targets {
			waitIdle(ctx, t.proc, 2*time.Minute)
		}
		time.Sleep(opts.Settle)
		for _, t := range targets {
			m, err := t.proc.memory()
			if err != nil {
				return nil, err
			}
			points := rep.Memory[t.name]
			points.AfterLoad = m
			rep.Memory[t.name] = points
		}
	}

	if doIngest || doLookup {
		// Every call Cairn served so far was recorded as an event.
		var recorded uint64
		for _, c := range rep.Cases {
			if c.Server == "cairn" {
				recorded += c.Requests
			}
		}
		if rep.Pipeline, err = runPipeline(ctx, opts, cairn, benchData, recorded, doIngest, doLookup, logf); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// startFloor runs the floor server: argv, then the address to listen on.
func startFloor(argv []string, tmp string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return startProcess("floor", filepath.Join(tmp, "floor.log"), port, append(slices.Clone(argv), "127.0.0.1:"+strconv.Itoa(port))...)
}

func startCairn(bin, dataDir, tmp, label string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return startProcess("cairn", filepath.Join(tmp, "cairn-"+label+".log"), port,
		bin, "serve", "--listen", "127.0.0.1:"+strconv.Itoa(port), "--data-dir", dataDir)
}

func startMoto(motoPath, tmp, label string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	return startProcess("moto", filepath.Join(tmp, "moto-"+label+".log"), port,
		motoPath, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
}

// prepare waits for the server, creates the trail bucket (path-style S3 on
// the same port, for both servers) and the trail GetTrail reads.
func prepare(ctx context.Context, t *target) error {
	c := newConn(t.proc.host)
	defer c.close()
	describe := cloudTrailRequest(t.getKey, "DescribeTrails", "{}")
	if _, err := t.proc.waitReady(ctx, 60*time.Second, 5*time.Millisecond, func() bool {
		_, err := call(c, t.proc.host, describe)
		return err == nil
	}); err != nil {
		return err
	}
	steps := []*request{
		s3CreateBucket(t.getKey, benchBucket),
		cloudTrailRequest(t.getKey, "CreateTrail", `{"Name":"`+benchTrail+`","S3BucketName":"`+benchBucket+`"}`),
		cloudTrailRequest(t.getKey, "GetTrail", `{"Name":"`+benchTrail+`"}`),
	}
	for _, r := range steps {
		if _, err := call(c, t.proc.host, r); err != nil {
			return err
		}
	}
	return nil
}

// Machine describes where the numbers come from.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	MemTotal  int64  `json:"mem_total_bytes"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"`
	Moto      string `json:"moto_version,omitempty"`
	// DataFS is the file system of the data directories, which decides
	// what an fsync costs; Fsync is what a 4 KiB write and fdatasync took
	// there, measured before the servers start.
	DataFS string  `json:"data_fs"`
	Fsync  Latency `json:"fsync"`
}

func describeMachine(tmp, motoPath string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), DataFS: fsType(tmp), Fsync: probeFsync(tmp)}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPUModel = strings.TrimSpace(value)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if value, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
				m.MemTotal = kb << 10
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	if motoPath != "" {
		m.Moto = motoVersion(motoPath)
	}
	return m
}

// motoVersion asks the Python that runs moto_server (through a pyenv shim
// if there is one) for moto's version.
func motoVersion(motoPath string) string {
	script := motoPath
	if out, err := exec.Command("pyenv", "which", filepath.Base(motoPath)).Output(); err == nil && strings.Contains(motoPath, "/shims/") {
		script = strings.TrimSpace(string(out))
	}
	data, err := os.ReadFile(script)
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(data), "\n")
	python, ok := strings.CutPrefix(first, "#!")
	if !ok {
		return "unknown"
	}
	argv := strings.Fields(python)
	if len(argv) == 0 {
		return "unknown"
	}
	argv = append(argv, "-c", "import sys; from importlib.metadata import version as v; print('moto', v('moto'), '(Werkzeug ' + v('werkzeug') + ', Python ' + sys.version.split()[0] + ')')")
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// probeFsync times 200 rounds of a 4 KiB write plus fdatasync in dir: the
// floor under any durable write's latency there.
func probeFsync(dir string) Latency {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return Latency{}
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	var h histogram
	for i := range 200 {
		start := time.Now()
		if _, err := f.WriteAt(page, int64(i%16)*4096); err != nil {
			return Latency{}
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return Latency{}
		}
		h.record(time.Since(start))
	}
	return h.summary()
}

func fsType(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	names := map[int64]string{0xEF53: "ext4", 0x01021994: "tmpfs", 0x58465342: "xfs", 0x9123683E: "btrfs", 0x794C7630: "overlayfs", 0x6969: "nfs", 0x2FC12FC1: "zfs"}
	if name, ok := names[int64(st.Type)]; ok {
		return name
	}
	return fmt.Sprintf("0x%x", st.Type)
}

// Startup is how long a server takes from exec to serving.
type Startup struct {
	// FreshData starts on an empty data directory, ExistingData on one
	// holding a bucket and a trail.
	FreshData    StartupStats  `json:"cairn_fresh_data"`
	ExistingData StartupStats  `json:"cairn_existing_data"`
	Moto         *StartupStats `json:"moto,omitempty"`
}

// StartupStats summarizes timed starts.
type StartupStats struct {
	Runs int `json:"runs"`
	// Health is exec to the first 200 from GET /_cairn/health (Cairn only).
	HealthMedian time.Duration `json:"health_median_ns"`
	HealthMax    time.Duration `json:"health_max_ns"`
	// API is exec to the first successful DescribeTrails.
	APIMedian time.Duration `json:"api_median_ns"`
	APIMax    time.Duration `json:"api_max_ns"`
	// RSSMedian is the resident memory right after the first API call.
	RSSMedian int64 `json:"rss_median_bytes"`
}

type startSample struct {
	health, api time.Duration
	rss         int64
}

func summarizeStarts(samples []startSample) StartupStats {
	s := StartupStats{Runs: len(samples)}
	if len(samples) == 0 {
		return s
	}
	median := func(get func(startSample) int64) (int64, int64) {
		vals := make([]int64, len(samples))
		for i, x := range samples {
			vals[i] = get(x)
		}
		slices.Sort(vals)
		n := len(vals)
		med := vals[n/2]
		if n%2 == 0 {
			med = (vals[n/2-1] + vals[n/2]) / 2
		}
		return med, vals[n-1]
	}
	h, hmax := median(func(x startSample) int64 { return int64(x.health) })
	a, amax := median(func(x startSample) int64 { return int64(x.api) })
	r, _ := median(func(x startSample) int64 { return x.rss })
	s.HealthMedian, s.HealthMax = time.Duration(h), time.Duration(hmax)
	s.APIMedian, s.APIMax = time.Duration(a), time.Duration(amax)
	s.RSSMedian = r
	return s
}

// pollPause is the pause between readiness probes while timing startup.
const pollPause = 100 * time.Microsecond

func measureStartup(ctx context.Context, bin, motoPath, tmp string, runs, motoRuns int) (Startup, error) {
	var out Startup
	health := []byte("GET /_cairn/health HTTP/1.1\r\nHost: cairn\r\nUser-Agent: " + userAgent + "\r\n\r\n")

	timeOne := func(p *process, withHealth bool) (startSample, error) {
		defer p.stop()
		var s startSample
		c := newConn(p.host)
		defer c.close()
		var err error
		if withHealth {
			s.health, err = p.waitReady(ctx, 30*time.Second, pollPause, func() bool {
				resp, err := c.do(health)
				return err == nil && resp.status == 200
			})
			if err != nil {
				return s, err
			}
		}
		describe := cloudTrailRequest("123456789012", "DescribeTrails", "{}")
		if err := describe.sign(p.host, time.Now()); err != nil {
			return s, err
		}
		s.api, err = p.waitReady(ctx, 60*time.Second, pollPause, func() bool {
			resp, err := c.do(describe.wire)
			return err == nil && resp.status == 200
		})
		if err != nil {
			return s, err
		}
		m, err := p.memory()
		s.rss = m.RSS
		return s, err
	}

	// A new data directory each time.
	var samples []startSample
	for i := range runs {
		p, err := startCairn(bin, filepath.Join(tmp, fmt.Sprintf("startup-fresh-%d", i)), tmp, "startup")
		if err != nil {
			return out, err
		}
		s, err := timeOne(p, true)
		if err != nil {
			return out, err
		}
		samples = append(samples, s)
	}
	out.FreshData = summarizeStarts(samples)

	// The same data directory, holding a bucket and a trail.
	existing := filepath.Join(tmp, "startup-existing")
	p, err := startCairn(bin, existing, tmp, "startup")
	if err != nil {
		return out, err
	}
	err = prepare(ctx, &target{name: "cairn", proc: p, getKey: "123456789012"})
	if stopErr := p.stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return out, err
	}
	samples = samples[:0]
	for range runs {
		p, err := startCairn(bin, existing, tmp, "startup")
		if err != nil {
			return out, err
		}
		s, err := timeOne(p, true)
		if err != nil {
			return out, err
		}
		samples = append(samples, s)
	}
	out.ExistingData = summarizeStarts(samples)

	if motoPath != "" && motoRuns > 0 {
		samples = samples[:0]
		for range motoRuns {
			p, err := startMoto(motoPath, tmp, "startup")
			if err != nil {
				return out, err
			}
			s, err := timeOne(p, false)
			if err != nil {
				return out, err
			}
			samples = append(samples, s)
		}
		stats := summarizeStarts(samples)
		out.Moto = &stats
	}
	return out, nil
}
