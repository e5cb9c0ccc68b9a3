package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// buildVersion is stamped into the test binary with -ldflags, so that the
// version the binary reports can be checked exactly.
const buildVersion = "0.0.0-e2e"

var (
	// moduleRoot is the directory holding Cairn's go.mod.
	moduleRoot string
	// e2eDir is this package's directory (test/e2e).
	e2eDir string
	// cairnBin is the cairn binary TestMain built.
	cairnBin string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		fmt.Fprintln(os.Stderr, "e2e: cannot locate the test source file")
		return 1
	}
	e2eDir = filepath.Dir(file)
	moduleRoot = filepath.Clean(filepath.Join(e2eDir, "..", ".."))
	if _, err := os.Stat(filepath.Join(moduleRoot, "go.mod")); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: expected the module root at %s: %v\n", moduleRoot, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "cairn-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	cairnBin = filepath.Join(tmp, "cairn")

	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	start := time.Now()
	build := exec.Command(goTool, "build", "-o", cairnBin,
		"-ldflags", "-X main.version="+buildVersion, "./cmd/cairn")
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/cairn failed: %v\n%s", err, out)
		return 1
	}
	if testing.Verbose() {
		fmt.Printf("e2e: built %s in %s\n", cairnBin, time.Since(start).Round(time.Millisecond))
	}
	return m.Run()
}
