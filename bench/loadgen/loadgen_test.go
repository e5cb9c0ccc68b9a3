package loadgen

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	// The cairn binary the smoke test builds links these; importing them
	// here makes go test compile them into the build cache before the test
	// runs, so the go build inside the test only links.
	_ "github.com/cairnhq/cairn/internal/app"
	_ "github.com/cairnhq/cairn/internal/config"
)

// TestQuickRun runs the whole load generator in quick mode, against
// moto_server when it is installed. It checks that every request succeeded
// and that the report is complete, never absolute numbers.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers; skipped with -short")
	}
	opts := QuickOptions()
	opts.Duration = 700 * time.Millisecond
	opts.Warmup = 100 * time.Millisecond
	opts.StartupRuns = 2
	opts.Settle = 100 * time.Millisecond
	opts.TempDir = t.TempDir()
	if _, err := exec.LookPath(opts.Moto); err != nil {
		t.Logf("moto_server is not installed; measuring Cairn alone (%v)", err)
		opts.Moto = ""
	}
	var log bytes.Buffer
	opts.Log = &log
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("run: %v\nlog:\n%s", err, log.String())
	}
	var md strings.Builder
	rep.WriteMarkdown(&md)
	t.Logf("\n%s", md.String())

	servers := 1
	if opts.Moto != "" {
		servers = 2
	}
	if got, want := len(rep.Cases), 2*servers; got != want {
		t.Fatalf("got %d case results, want %d", got, want)
	}
	for _, c := range rep.Cases {
		if c.Errors > 0 {
			t.Errorf("%s against %s: %d failed requests, e.g. %q", c.Case, c.Server, c.Errors, c.ErrorSamples)
		}
		if c.Requests == 0 || c.Throughput <= 0 || c.Latency.P99 <= 0 || c.Latency.Max < c.Latency.P99 {
			t.Errorf("%s against %s: incomplete result %+v", c.Case, c.Server, c)
		}
		if c.Server == "cairn" && c.Dials != 0 {
			t.Errorf("%s: Cairn closed %d keep-alive connections", c.Case, c.Dials)
		}
	}
	if rep.Startup.FreshData.Runs != 2 || rep.Startup.FreshData.APIMedian <= 0 || rep.Startup.ExistingData.HealthMedian <= 0 {
		t.Errorf("incomplete startup result %+v", rep.Startup)
	}
	if m := rep.Memory["cairn"]; m.AfterStartup.RSS <= 0 || m.AfterLoad.RSS <= 0 {
		t.Errorf("incomplete memory result %+v", m)
	}
	if p := rep.Pipeline; p == nil || p.Ingest == nil || p.Ingest.Events == 0 || p.Ingested < uint64(opts.Events) || len(p.Lookups) != len(lookupAttributes) {
		t.Errorf("incomplete event pipeline result %+v", p)
	}
	if servers == 2 && len(rep.Ratios()) != 2 {
		t.Errorf("got ratios %+v, want one per case", rep.Ratios())
	}
}
