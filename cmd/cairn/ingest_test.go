package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/auth"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/iam"
	"github.com/cairnhq/cairn/internal/ingest"
)

const (
	cliAccount = "111111111111"
	cliKey     = "AKIACLITEST00000001"
	cliSecret  = "cli-test-secret"
)

// memAppender stores appended records in memory.
type memAppender struct {
	mu   sync.Mutex
	recs []events.Record
}

func (m *memAppender) Append(_ context.Context, recs []events.Record) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, recs...)
	return int64(len(m.recs)), nil
}

func (m *memAppender) ids() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.recs {
		out = append(out, r.EventID)
	}
	return out
}

// ingestServer is a gateway with real SigV4 verification (or open mode)
// in front of an ingest.Service, counting requests.
type ingestServer struct {
	*httptest.Server
	store    *memAppender
	requests atomic.Int32
}

func startIngestServer(t *testing.T, mode auth.Mode) *ingestServer {
	t.Helper()
	dir, err := iam.ParseDirectory([]byte(fmt.Sprintf("accounts:\n  - id: %q\n    rootAccessKeys:\n      - accessKeyId: %s\n        secretAccessKey: %s\n",
		cliAccount, cliKey, cliSecret)))
	if err != nil {
		t.Fatal(err)
	}
	s := &ingestServer{store: &memAppender{}}
	gw := gateway.New(gateway.Config{})
	gw.SetBackend(&gateway.Backend{
		Auth:       &auth.Authenticator{Mode: mode, Directory: dir, DefaultRegion: "us-east-1"},
		CloudTrail: &gateway.JSONService{Name: "cloudtrail"},
		Data:       &gateway.RESTService{Name: "cloudtrail-data"},
		Ingest:     ingest.New(ingest.Config{Appender: s.store}).Ingest,
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		gw.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// isolateAWSConfig points the AWS configuration at nothing but the given
// keys (none when key is empty).
func isolateAWSConfig(t *testing.T, key, secret string) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func cliRecord(id string, edit map[string]any) map[string]any {
	r := map[string]any{
		"eventVersion":       "1.08",
		"userIdentity":       map[string]any{"type": "Root", "accountId": cliAccount, "arn": "arn:aws:iam::" + cliAccount + ":root"},
		"eventTime":          time.Now().UTC().Add(-time.Hour).Format(events.TimeFormat),
		"eventSource":        "s3.amazonaws.com",
		"eventName":          "ListBuckets",
		"awsRegion":          "ap-south-1",
		"sourceIPAddress":    "192.0.2.7",
		"requestParameters":  nil,
		"responseElements":   nil,
		"eventID":            id,
		"eventType":          "AwsApiCall",
		"recipientAccountId": cliAccount,
		"eventCategory":      "Management",
		"padding":            strings.Repeat("p", 400),
	}
	for k, v := range edit {
		if v == nil {
			delete(r, k)
		} else {
			r[k] = v
		}
	}
	return r
}

func logFile(t *testing.T, recs ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func runCLI(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = ingestCommand(t.Context(), args, ingestIO{
		Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" },
	})
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIngestCLIFilesDirectoriesAndStdin(t *testing.T) {
	srv := startIngestServer(t, auth.SigV4)
	isolateAWSConfig(t, cliKey, cliSecret)
	tmp := t.TempDir()
	plain := writeFile(t, filepath.Join(tmp, "plain.json"), logFile(t, cliRecord("p1", nil), cliRecord("p2", nil)))
	// An S3 log tree: log files, a digest file and something else.
	tree := filepath.Join(tmp, "AWSLogs", cliAccount)
	logDir := filepath.Join(tree, "CloudTrail", "ap-south-1", "2026", "07", "15")
	writeFile(t, filepath.Join(logDir, cliAccount+"_CloudTrail_ap-south-1_20260715T1200Z_a.json.gz"), gzipped(logFile(t, cliRecord("t1", nil))))
	writeFile(t, filepath.Join(logDir, cliAccount+"_CloudTrail_ap-south-1_20260715T1205Z_b.json.gz"), gzipped(logFile(t, cliRecord("t2", nil), cliRecord("t3", nil))))
	writeFile(t, filepath.Join(tree, "CloudTrail-Digest", "ap-south-1", "2026", "07", "15", cliAccount+"_CloudTrail-Digest_ap-south-1_x.json.gz"),
		gzipped([]byte(`{"awsAccountId":"`+cliAccount+`","logFiles":[]}`)))
	writeFile(t, filepath.Join(logDir, "README.txt"), []byte("not a log file"))
	stdin := []byte(mustJSON(t, cliRecord("s1", nil)) + "\n" + mustJSON(t, cliRecord("s2", nil)) + "\n")

	code, out, errOut := runCLI(t, stdin, "--endpoint", srv.URL, plain, filepath.Join(tmp, "AWSLogs"), "-")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		plain + ": 2 accepted\n",
		"_a.json.gz: 1 accepted\n",
		"_b.json.gz: 2 accepted\n",
		"-: 2 accepted\n",
		"4 files: 7 records accepted, 0 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Digest") || strings.Contains(out, "README") {
		t.Errorf("digest or non-log file sent:\n%s", out)
	}
	if got := strings.Join(srv.store.ids(), ","); got != "p1,p2,t1,t2,t3,s1,s2" {
		t.Errorf("stored %s", got)
	}
	if srv.requests.Load() != 4 {
		t.Errorf("%d requests for 4 files", srv.requests.Load())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIngestCLIReportsBadRecords(t *testing.T) {
	srv := startIngestServer(t, auth.SigV4)
	isolateAWSConfig(t, cliKey, cliSecret)
	file := writeFile(t, filepath.Join(t.TempDir(), "mixed.json"), logFile(t,
		cliRecord("good", nil),
		cliRecord("nameless", map[string]any{"eventName": nil}),
		cliRecord("foreign", map[string]any{"recipientAccountId": "222222222222"}),
	))
	code, out, _ := runCLI(t, nil, "--endpoint", srv.URL, file)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{
		"mixed.json: 1 accepted, 2 failed\n",
		"  record 1 (eventID nameless): eventName: FieldNotFound: the field is required\n",
		"  record 2 (eventID foreign): recipientAccountId: AccessDenied: the record belongs to account \"222222222222\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestIngestCLISplitsLargeFiles(t *testing.T) {
	srv := startIngestServer(t, auth.SigV4)
	isolateAWSConfig(t, cliKey, cliSecret)
	var recs []map[string]any
	for i := range 30 {
		edit := map[string]any(nil)
		if i == 17 {
			edit = map[string]any{"eventSource": nil}
		}
		recs = append(recs, cliRecord(fmt.Sprintf("r%02d", i), edit))
	}
	file := writeFile(t, filepath.Join(t.TempDir(), "big.json"), logFile(t, recs...))
	// Gzip files are sent as they are while they fit: the limit is on the
	// bytes sent.
	compressed := writeFile(t, filepath.Join(t.TempDir(), "big.json.gz"), gzipped(logFile(t, recs...)))
	huge := writeFile(t, filepath.Join(t.TempDir(), "huge.json"), logFile(t,
		cliRecord("small", nil), cliRecord("too-big", map[string]any{"padding": strings.Repeat("x", 5000)})))

	// Each record is about 700 bytes: 4 KiB requests hold 5 of them.
	code, out, _ := runCLI(t, nil, "--endpoint", srv.URL, "--max-request-bytes", "4096", file, huge, compressed)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{
		"big.json: 29 accepted, 1 failed\n",
		"  record 17 (eventID r17): eventSource: FieldNotFound",
		"big.json.gz: 29 accepted, 1 failed\n",
		"huge.json: 1 accepted, 1 failed\n",
		"  record 1 (eventID too-big): FieldTooLong: the record is ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// 21 KB of plain records in 4 KiB requests, one for huge.json, one for
	// the compressed file.
	if n := srv.requests.Load(); n < 8 || n > 10 {
		t.Errorf("%d requests", n)
	}
	if len(srv.store.ids()) != 59 {
		t.Errorf("stored %d", len(srv.store.ids()))
	}

	// --batch-records bounds the records per request.
	srv.requests.Store(0)
	code, out, _ = runCLI(t, nil, "--endpoint", srv.URL, "--batch-records", "4", compressed)
	if code != 1 || !strings.Contains(out, "big.json.gz: 29 accepted, 1 failed\n") || srv.requests.Load() != 8 {
		t.Errorf("exit %d, %d requests:\n%s", code, srv.requests.Load(), out)
	}
}

func TestIngestCLIFailures(t *testing.T) {
	srv := startIngestServer(t, auth.SigV4)
	tmp := t.TempDir()
	good := writeFile(t, filepath.Join(tmp, "good.json"), logFile(t, cliRecord("g", nil)))
	notJSON := writeFile(t, filepath.Join(tmp, "notes.json"), []byte("hello"))

	isolateAWSConfig(t, cliKey, "wrong-secret")
	code, out, _ := runCLI(t, nil, "--endpoint", srv.URL, good)
	if code != 1 || !strings.Contains(out, "good.json: 0 accepted, 1 failed\n") || !strings.Contains(out, "InvalidSignatureException") {
		t.Errorf("wrong secret: exit %d\n%s", code, out)
	}

	isolateAWSConfig(t, cliKey, cliSecret)
	code, out, _ = runCLI(t, nil, "--endpoint", srv.URL, notJSON, filepath.Join(tmp, "missing.json"), good)
	if code != 1 || !strings.Contains(out, "notes.json: error: not CloudTrail records: The body is not valid JSON") ||
		!strings.Contains(out, "missing.json: error: ") || !strings.Contains(out, "good.json: 1 accepted\n") {
		t.Errorf("bad files: exit %d\n%s", code, out)
	}

	empty := writeFile(t, filepath.Join(tmp, "empty.json"), []byte(`{"Records":[]}`))
	code, out, _ = runCLI(t, nil, "--endpoint", srv.URL, empty)
	if code != 0 || !strings.Contains(out, "empty.json: no records\n") {
		t.Errorf("empty file: exit %d\n%s", code, out)
	}

	emptyDir := t.TempDir()
	code, out, _ = runCLI(t, nil, "--endpoint", srv.URL, emptyDir)
	if code != 1 || !strings.Contains(out, "no *.json or *.json.gz files") {
		t.Errorf("empty directory: exit %d\n%s", code, out)
	}

	// Nobody listening.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	code, out, _ = runCLI(t, nil, "--endpoint", closed.URL, good)
	if code != 1 || !strings.Contains(out, "good.json: 0 accepted, 1 failed\n  error: 1 record from record 0 not stored: ") {
		t.Errorf("no server: exit %d\n%s", code, out)
	}
}

func TestIngestCLIUsageErrors(t *testing.T) {
	isolateAWSConfig(t, cliKey, cliSecret)
	for _, args := range [][]string{
		{},
		{"--no-such-flag", "x.json"},
		{"--endpoint", "localhost:4599", "x.json"},
		{"--endpoint", "ftp://h/", "x.json"},
		{"--batch-records", "0", "x.json"},
		{"--max-request-bytes", "10", "x.json"},
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "-h"); code != 0 || !strings.Contains(errOut, "Usage: cairn ingest") {
		t.Errorf("-h: exit %d %q", code, errOut)
	}
}

func TestIngestCLIOpenModeDefaults(t *testing.T) {
	srv := startIngestServer(t, auth.Open)
	isolateAWSConfig(t, "", "")
	// Without credentials the CLI signs as the default account, which the
	// records must then name.
	rec := cliRecord("d", map[string]any{"recipientAccountId": "123456789012", "userIdentity": map[string]any{"type": "Root", "accountId": "123456789012"}})
	file := writeFile(t, filepath.Join(t.TempDir(), "default.json"), logFile(t, rec))
	var out, errOut bytes.Buffer
	code := ingestCommand(t.Context(), []string{file}, ingestIO{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "CAIRN_ENDPOINT" {
				return srv.URL + "/"
			}
			return ""
		},
	})
	if code != 0 || !strings.Contains(errOut.String(), "no AWS credentials found; signing as account 123456789012") {
		t.Errorf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
}

func TestIngestURL(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	check := func(flagValue, want string) {
		t.Helper()
		got, err := ingestURL(flagValue, getenv)
		if err != nil || got != want {
			t.Errorf("ingestURL(%q) with %v = %q, %v; want %q", flagValue, env, got, err, want)
		}
	}
	check("", "http://127.0.0.1:4599/_cairn/events")
	env["AWS_ENDPOINT_URL"] = "http://aws:1/"
	check("", "http://aws:1/_cairn/events")
	env["CAIRN_ENDPOINT"] = "https://cairn.example:8443"
	check("", "https://cairn.example:8443/_cairn/events")
	check("http://flag:2/base", "http://flag:2/base/_cairn/events")
}

func TestIsLogFile(t *testing.T) {
	for path, want := range map[string]bool{
		"AWSLogs/1/CloudTrail/r/2026/01/01/x.json.gz": true,
		"a/B.JSON":     true,
		"a/b.json.bz2": false,
		"a/b.txt":      false,
		"AWSLogs/1/CloudTrail-Digest/r/2026/01/01/x.json.gz":  false,
		"AWSLogs/1/CloudTrail-Insight/r/2026/01/01/x.json.gz": true,
	} {
		if got := isLogFile(path); got != want {
			t.Errorf("isLogFile(%s) = %v", path, got)
		}
	}
}
