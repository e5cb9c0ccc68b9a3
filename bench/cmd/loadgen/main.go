// Command loadgen benchmarks Cairn against moto_server side by side, with
// a floor server beside them (this program again, answering with fixed
// bodies and doing nothing else) to show what the machine and the load
// generator allow:
//
//	go run ./bench/cmd/loadgen            # full run, about two minutes
//	go run ./bench/cmd/loadgen -quick     # smoke test, about fifteen seconds
//	go run ./bench/cmd/loadgen -cases ingest,lookup -events 1000000
//
// It prints Markdown tables (the format of docs/benchmarks.md) and exits 1
// if any request failed, since failed requests invalidate the numbers.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cairnhq/cairn/bench/loadgen"
)

func main() {
	os.Exit(run())
}

func run() int {
	serveFloor := flag.String("serve-floor", "", "run the floor server (no validation, storage or recording) on this address instead of measuring")
	floor := flag.Bool("floor", true, "measure the floor server beside Cairn and moto in the compare cases")
	quick := flag.Bool("quick", false, "smoke test: 1s per case, 3 startup runs")
	def := loadgen.DefaultOptions()
	cairnBin := flag.String("cairn-bin", "", "cairn binary to measure (default: go build ./cmd/cairn into a temporary directory)")
	moto := flag.String("moto", def.Moto, "moto_server command; empty to measure Cairn alone")
	conns := flag.Int("conns", def.Conns, "concurrent keep-alive connections")
	duration := flag.Duration("duration", 0, "measured time per case (default 10s, 1s with -quick)")
	warmup := flag.Duration("warmup", -1, "unrecorded time before each case (default 2s, 200ms with -quick)")
	rounds := flag.Int("rounds", def.Rounds, "times to repeat every case, alternating servers")
	signEvery := flag.Duration("sign-every", def.SignEvery, "re-sign a request when its signature is this old; 0 signs every request")
	startupRuns := flag.Int("startup-runs", 0, "cairn starts timed per data-directory kind (default 10, 3 with -quick)")
	tmp := flag.String("tmp", "", "directory for the binary, data directories and logs (default: system temp)")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	jsonOut := flag.String("json", "", "also write the report as JSON to this file")
	cases := flag.String("cases", strings.Join(def.Cases, ","), "comma-separated cases: compare (GetTrail, CreateTrail+DeleteTrail against moto, startup, memory), ingest, lookup (Cairn only)")
	ingestConns := flag.Int("ingest-conns", def.IngestConns, "connections posting to /_cairn/events")
	batch := flag.Int("batch", def.BatchEvents, "records per ingestion request")
	events := flag.Int("events", 0, "events ingested in all before the lookups (default 1000000, 20000 with -quick)")
	lookupConns := flag.Int("lookup-conns", def.LookupConns, "connections calling LookupEvents")
	lookupDuration := flag.Duration("lookup-duration", 0, "measured time per LookupEvents attribute (default 5s, 300ms with -quick)")
	flag.Parse()

	if *serveFloor != "" {
		fmt.Fprintln(os.Stderr, "loadgen floor server:", loadgen.ServeFloor(*serveFloor))
		return 1
	}
	opts := def
	if *quick {
		opts = loadgen.QuickOptions()
	}
	if *floor {
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			return 1
		}
		opts.Floor = []string{self, "-serve-floor"}
	}
	opts.CairnBin, opts.Moto, opts.Conns, opts.Rounds, opts.SignEvery = *cairnBin, *moto, *conns, *rounds, *signEvery
	opts.TempDir, opts.Keep, opts.Log = *tmp, *keep, os.Stderr
	if *duration > 0 {
		opts.Duration = *duration
	}
	if *warmup >= 0 {
		opts.Warmup = *warmup
	}
	if *startupRuns > 0 {
		opts.StartupRuns = *startupRuns
	}
	opts.Cases = strings.Split(*cases, ",")
	opts.IngestConns, opts.BatchEvents, opts.LookupConns = *ingestConns, *batch, *lookupConns
	if *events > 0 {
		opts.Events = *events
	}
	if *lookupDuration > 0 {
		opts.LookupDuration = *lookupDuration
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	rep, err := loadgen.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return 2
	}
	command := strings.Join(append([]string{"go run ./bench/cmd/loadgen"}, os.Args[1:]...), " ")
	fmt.Printf("Command: `%s` (took %v)\n\n", command, time.Since(start).Round(time.Second))
	rep.WriteMarkdown(os.Stdout)
	if *jsonOut != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonOut, append(data, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			return 2
		}
	}
	if rep.Failed() {
		fmt.Fprintln(os.Stderr, "loadgen: requests failed; the run is invalid")
		return 1
	}
	return 0
}
