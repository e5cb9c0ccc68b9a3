package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestBinary_Version(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runBinary(t, "version")
	if code != 0 || strings.TrimSpace(stdout) != "cairn "+buildVersion {
		t.Errorf("cairn version: want exit 0 and %q, got %s", "cairn "+buildVersion, describe(stdout, stderr, code))
	}
}

func TestBinary_ServeHelp(t *testing.T) {
	t.Parallel()
	stdout, stderr, code := runBinary(t, "serve", "-h")
	if code != 0 {
		t.Errorf("cairn serve -h: want exit 0, got %s", describe(stdout, stderr, code))
	}
	for _, flag := range []string{"-listen", "-data-dir", "-auth", "-credentials", "-allow-open-remote"} {
		if !strings.Contains(stdout+stderr, flag) {
			t.Errorf("cairn serve -h does not mention %s:\n%s%s", flag, stdout, stderr)
		}
	}
}

// TestBinary_RefusesOpenRemote: open auth on a non-loopback address needs
// --allow-open-remote. The refusal comes before anything listens.
func TestBinary_RefusesOpenRemote(t *testing.T) {
	t.Parallel()
	addr := "0.0.0.0:" + strconv.Itoa(freePort(t))
	dataDir := filepath.Join(t.TempDir(), "data")
	stdout, stderr, code := runBinary(t, "serve", "--listen", addr, "--auth", "open", "--data-dir", dataDir)
	if code == 0 || !strings.Contains(stderr, "--allow-open-remote") {
		t.Errorf("cairn serve --listen %s --auth open: want a non-zero exit and a message naming --allow-open-remote, got %s",
			addr, describe(stdout, stderr, code))
	}
}

// TestBinary_Health checks the health endpoint of the built binary: its
// version and auth mode.
func TestBinary_Health(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	status, body := srv.health()
	if status != 200 {
		t.Fatalf("/_cairn/health answered %d", status)
	}
	wantFields(t, "/_cairn/health", body, obj{"status": "ok", "version": buildVersion, "auth": "open"})
}
