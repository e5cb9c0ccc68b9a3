package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is one running `cairn serve` process.
type server struct {
	t       *testing.T
	URL     string
	Port    int
	DataDir string
	Args    []string // the extra arguments it was started with

	cmd      *exec.Cmd
	logs     *lockedBuffer
	exited   chan struct{}
	finished bool // stopped or killed by the test
}

type serverOptions struct {
	dataDir string
	args    []string
}

// serverOption adjusts how startServer runs the binary.
type serverOption func(*serverOptions)

// withDataDir reuses dir instead of a fresh temporary data directory.
func withDataDir(dir string) serverOption {
	return func(o *serverOptions) { o.dataDir = dir }
}

// withArgs appends arguments to `cairn serve`.
func withArgs(args ...string) serverOption {
	return func(o *serverOptions) { o.args = append(o.args, args...) }
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort asks the kernel for a free loopback port. The listener is closed
// before cairn binds the port, so startServer retries if another process
// takes it in between.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// startServer starts `cairn serve` on a free loopback port and waits until
// GET /_cairn/health answers 200. Unless the test stops or kills it first,
// it is stopped with SIGTERM when the test ends, and must exit with code 0.
func startServer(t *testing.T, opts ...serverOption) *server {
	t.Helper()
	o := serverOptions{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.dataDir == "" {
		o.dataDir = filepath.Join(t.TempDir(), "data")
	}
	var lastLogs string
	for attempt := 0; attempt < 3; attempt++ {
		s := &server{t: t, DataDir: o.dataDir, Args: o.args, Port: freePort(t)}
		s.URL = "http://127.0.0.1:" + strconv.Itoa(s.Port)
		if s.launch() {
			t.Cleanup(s.cleanup)
			return s
		}
		lastLogs = s.logs.String()
		if !strings.Contains(lastLogs, "address already in use") {
			break
		}
	}
	t.Fatalf("cairn serve did not become healthy; its output:\n%s", lastLogs)
	return nil
}

// launch runs the process and reports whether it became healthy. When it
// did not, the process is gone when launch returns.
func (s *server) launch() bool {
	t := s.t
	t.Helper()
	args := append([]string{"serve",
		"--listen", "127.0.0.1:" + strconv.Itoa(s.Port),
		"--data-dir", s.DataDir,
	}, s.Args...)
	s.logs = &lockedBuffer{}
	s.cmd = exec.Command(cairnBin, args...)
	s.cmd.Env = serverEnv()
	s.cmd.Stdout = s.logs
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting cairn: %v", err)
	}
	s.exited = make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return false
		default:
		}
		resp, err := client.Get(s.URL + "/_cairn/health")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	return false
}

// serverEnv is the environment for cairn: the test's, without CAIRN_
// settings that could change how it runs.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop sends SIGTERM and requires the process to exit with code 0.
func (s *server) stop() {
	t := s.t
	t.Helper()
	if s.finished {
		return
	}
	s.finished = true
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("sending SIGTERM to cairn: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		t.Errorf("cairn did not exit within 30s of SIGTERM; its output:\n%s", s.logs.String())
		return
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("cairn exited with code %d after SIGTERM, want 0 (%s); its output:\n%s",
			code, s.cmd.ProcessState, s.logs.String())
	}
}

// kill9 ends the process with SIGKILL, as a crash would.
func (s *server) kill9() {
	s.t.Helper()
	s.finished = true
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("sending SIGKILL to cairn: %v", err)
	}
	<-s.exited
}

func (s *server) cleanup() {
	s.stop()
	if s.t.Failed() {
		s.t.Logf("cairn (port %d, data %s) output:\n%s", s.Port, s.DataDir, s.logs.String())
	}
}

// health fetches /_cairn/health.
func (s *server) health() (int, map[string]any) {
	s.t.Helper()
	resp, err := http.Get(s.URL + "/_cairn/health")
	if err != nil {
		s.t.Fatalf("GET /_cairn/health: %v", err)
	}
	defer resp.Body.Close()
	var body map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		s.t.Fatalf("GET /_cairn/health: body %q is not JSON: %v", raw, err)
	}
	return resp.StatusCode, body
}

// runBinary runs cairn with args to completion (at most 20s) and returns its
// output and exit code.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runBinaryEnv(t, nil, args...)
}

// runBinaryEnv is runBinary with more environment variables (NAME=value).
func runBinaryEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cairnBin, args...)
	cmd.Env = append(serverEnv(), env...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("cairn %s did not finish within 20s; output:\n%s%s", strings.Join(args, " "), out.String(), errOut.String())
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running cairn %s: %v", strings.Join(args, " "), err)
		}
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// describe is a short description of a process result for failure messages.
func describe(stdout, stderr string, code int) string {
	return fmt.Sprintf("exit code %d\n--- stdout:\n%s\n--- stderr:\n%s", code, stdout, stderr)
}

// awaitKilled waits for the process to die of SIGKILL sent by someone else.
func (s *server) awaitKilled() {
	s.t.Helper()
	s.finished = true
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.t.Fatalf("cairn was expected to have been killed, but it was still running")
	}
	if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		s.t.Fatalf("cairn should have died of SIGKILL, got %s", s.cmd.ProcessState)
	}
}

// Pid is the server's process id.
func (s *server) Pid() int { return s.cmd.Process.Pid }
