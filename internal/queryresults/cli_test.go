package queryresults

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/signingkeys"
)

// listPublicKeysServer answers CloudTrail's ListPublicKeys (AWS JSON 1.1)
// from a key store and records the requested time ranges.
type listPublicKeysServer struct {
	keys   *signingkeys.Store
	region string

	mu     sync.Mutex
	ranges [][2]time.Time
}

func (s *listPublicKeysServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	// Both target prefixes are valid; botocore sends the long one.
	target := r.Header.Get("X-Amz-Target")
	if target != "CloudTrail_20131101.ListPublicKeys" &&
		target != "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys" {
		fail(400, "UnknownOperationException", "unexpected operation "+target)
		return
	}
	var in struct {
		StartTime, EndTime *float64 // JSON protocol timestamps: epoch seconds
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail(400, "SerializationException", err.Error())
		return
	}
	epoch := func(f *float64) time.Time {
		if f == nil {
			return time.Time{}
		}
		sec, frac := math.Modf(*f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	start, end := epoch(in.StartTime), epoch(in.EndTime)
	s.mu.Lock()
	s.ranges = append(s.ranges, [2]time.Time{start, end})
	s.mu.Unlock()
	keys, err := s.keys.List(s.region, start, end)
	if err != nil {
		fail(400, "InvalidTimeRangeException", err.Error())
		return
	}
	type entry struct {
		Value             string
		ValidityStartTime int64
		ValidityEndTime   int64
		Fingerprint       string
	}
	out := struct{ PublicKeyList []entry }{PublicKeyList: []entry{}}
	for _, k := range keys {
		out.PublicKeyList = append(out.PublicKeyList, entry{
			Value:             base64.StdEncoding.EncodeToString(k.PublicDER),
			ValidityStartTime: k.ValidityStart.Unix(),
			ValidityEndTime:   k.ValidityEnd.Unix(),
			Fingerprint:       k.Fingerprint,
		})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// cliEnv is the environment for the aws CLI: dummy credentials and Region,
// no profile, no instance metadata. The user's AWS config file is hidden
// unless AWS_CONFIG_FILE is set explicitly (which lets a caller load CLI
// plugins).
func cliEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") && name != "AWS_CONFIG_FILE" {
			continue
		}
		env = append(env, kv)
	}
	if os.Getenv("AWS_CONFIG_FILE") == "" {
		env = append(env, "AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "config"))
	}
	return append(env,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "credentials"),
		"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
	)
}

// TestAWSCLIVerifyQueryResults delivers results signed by a Cairn key store
// and has the machine's `aws cloudtrail verify-query-results
// --local-export-path` check them against a fake ListPublicKeys endpoint,
// then tampers with the delivery in three ways.
func TestAWSCLIVerifyQueryResults(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	const region = "us-east-1"
	keys := openKeys(t)
	srv := &listPublicKeysServer{keys: keys, region: region}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	old := maxFileBytes
	maxFileBytes = 300 // several result files, so the signed string joins several hashes
	t.Cleanup(func() { maxFileBytes = old })

	done := time.Now().UTC().Truncate(time.Second)
	d := Delivery{
		URI: "s3://cli-bucket/exports", Account: "123456789012", Region: region,
		QueryID: queryID, Completed: done,
		Columns: []string{"eventTime", "eventName", "arn", "requestParameters"},
	}
	var rows [][]*string
	for i := range 12 {
		var params *string
		if i%3 != 0 {
			params = str(fmt.Sprintf("{bucketName=logs-%d, key=\"a,b\"}", i))
		}
		rows = append(rows, []*string{
			str(done.Add(-time.Duration(i) * time.Minute).Format("2006-01-02 15:04:05.000")),
			str("PutObject"), str("arn:aws:iam::123456789012:user/alice"), params,
		})
	}
	d.Rows = rowsOf(rows...)
	store := newDirStore(t)
	written, err := Deliver(context.Background(), store, storeSigner{keys}, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) < 4 {
		t.Fatalf("want several result files, got %q", written)
	}
	exportDir := store.path("cli-bucket", path.Dir(written[0]))

	run := func(t *testing.T, dir string) (stdout, stderr string, code int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsPath, "cloudtrail", "verify-query-results",
			"--local-export-path", dir, "--endpoint-url", ts.URL, "--region", region)
		cmd.Env = cliEnv(t)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exitErr *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exitErr):
			code = exitErr.ExitCode()
		default:
			t.Fatalf("run aws: %v", err)
		}
		if strings.Contains(errOut.String(), "Invalid choice") {
			version, _ := exec.Command(awsPath, "--version").CombinedOutput()
			t.Skipf("%s (%s) has no `cloudtrail verify-query-results`; that command exists only in AWS CLI v2",
				awsPath, strings.TrimSpace(string(version)))
		}
		return out.String(), errOut.String(), code
	}
	// copyExport copies the delivery so each tampering starts from a clean one.
	copyExport := func(t *testing.T) string {
		t.Helper()
		dst := t.TempDir()
		entries, err := os.ReadDir(exportDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(exportDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dst
	}
	readSign := func(t *testing.T, dir string) SignFile {
		t.Helper()
		var sf SignFile
		raw, err := os.ReadFile(filepath.Join(dir, SignFileName))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &sf); err != nil {
			t.Fatal(err)
		}
		return sf
	}
	writeSign := func(t *testing.T, dir string, sf SignFile) {
		t.Helper()
		raw, _ := json.MarshalIndent(sf, "", "  ")
		if err := os.WriteFile(filepath.Join(dir, SignFileName), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The untouched delivery validates (this run also skips the test when
	// the CLI lacks the command).
	stdout, stderr, code := run(t, exportDir)
	if code != 0 || !strings.Contains(stdout, "Successfully validated sign and query result files") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	srv.mu.Lock()
	ranges := srv.ranges
	srv.mu.Unlock()
	// The CLI looks the key up from queryCompleteTime to 20 days later.
	if len(ranges) != 1 || !ranges[0][0].Equal(done) || !ranges[0][1].Equal(done.Add(20*24*time.Hour)) {
		t.Errorf("ListPublicKeys ranges %v, want [%v %v]", ranges, done, done.Add(20*24*time.Hour))
	}

	t.Run("modified result file", func(t *testing.T) {
		dir := copyExport(t)
		p := filepath.Join(dir, "result_2.csv.gz")
		b, _ := os.ReadFile(p)
		b[len(b)/2] ^= 0x01
		os.WriteFile(p, b, 0o644)
		stdout, stderr, code := run(t, dir)
		t.Logf("aws exit %d: %s", code, strings.TrimSpace(stderr))
		if code == 0 || !strings.Contains(stderr, "File result_2.csv.gz has inconsistent hash value") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("replaced result file with updated hash", func(t *testing.T) {
		dir := copyExport(t)
		forged := []byte("forged")
		os.WriteFile(filepath.Join(dir, "result_1.csv.gz"), forged, 0o644)
		sf := readSign(t, dir)
		sf.Files[0].FileHashValue = sha256Hex(forged)
		writeSign(t, dir, sf)
		stdout, stderr, code := run(t, dir)
		t.Logf("aws exit %d: %s", code, strings.TrimSpace(stderr))
		if code == 0 || !strings.Contains(stderr, "ValidationError: Invalid signature in sign file") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		dir := copyExport(t)
		sf := readSign(t, dir)
		sf.PublicKeyFingerprint = strings.Repeat("0", 32)
		writeSign(t, dir, sf)
		stdout, stderr, code := run(t, dir)
		t.Logf("aws exit %d: %s", code, strings.TrimSpace(stderr))
		if code == 0 || !strings.Contains(stderr, "No public keys found for key with fingerprint") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
	})
}
