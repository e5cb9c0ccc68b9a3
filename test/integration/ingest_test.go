package integration

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

const stratusDir = "../../../shared/testdata/stratus-detonation-logs"

// ingestAnswer is the JSON answer of POST /_cairn/events.
type ingestAnswer struct {
	Accepted int `json:"accepted"`
	Failed   []struct {
		Index   int    `json:"index"`
		EventID string `json:"eventId"`
		Errors  []struct {
			Field   string `json:"field"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"failed"`
	FirstSequence int64 `json:"firstSequence"`
	LastSequence  int64 `json:"lastSequence"`
	// Error answers.
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// postEvents posts body to /_cairn/events, signed as accessKey/secret for
// cloudtrail unless accessKey is empty, and decodes the answer.
func postEvents(t *testing.T, srv *testenv.Server, accessKey, secret string, body []byte) (int, ingestAnswer) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/_cairn/events", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if accessKey != "" {
		creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "cloudtrail", usEast1, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var answer ingestAnswer
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("HTTP %d answer is not JSON: %s", resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
		t.Errorf("Content-Type %q", ct)
	}
	return resp.StatusCode, answer
}

// ingestRecord is a valid record of account in region, an hour old (inside
// LookupEvents' window).
func ingestRecord(account, region, id string, edit map[string]any) map[string]any {
	r := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "IAMUser", "principalId": "AIDAINGEST", "arn": "arn:aws:iam::" + account + ":user/importer",
			"accountId": account, "accessKeyId": "AKIAINGEST", "userName": "importer",
		},
		"eventTime":          time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04:05Z"),
		"eventSource":        "ec2.amazonaws.com",
		"eventName":          "DescribeInstances",
		"awsRegion":          region,
		"sourceIPAddress":    "198.51.100.4",
		"userAgent":          "imported/1.0",
		"requestParameters":  map[string]any{"maxResults": 5},
		"responseElements":   nil,
		"requestID":          "req-" + id,
		"eventID":            id,
		"readOnly":           true,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": account,
		"eventCategory":      "Management",
		"someFutureField":    map[string]any{"kept": true},
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

func recordsBody(t *testing.T, recs ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func compactJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lookupEventID returns the events LookupEvents finds by EventId.
func lookupEventID(t *testing.T, srv *testenv.Server, account, region, id string) []types.Event {
	t.Helper()
	out, err := srv.CloudTrail(account, region).LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventId, AttributeValue: aws.String(id)}},
	})
	if err != nil {
		t.Fatalf("LookupEvents %s as %s in %s: %v", id, account, region, err)
	}
	return out.Events
}

func TestIngest_EndpointStoresGoodRecordsAndReportsBadOnes(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	good1 := ingestRecord(accountA, usWest2, "ingest-good-1", nil)
	good2 := ingestRecord(accountA, euWest1, "ingest-good-2", nil)
	body := gzipBytes(t, recordsBody(t,
		good1,
		ingestRecord(accountA, usWest2, "ingest-nameless", map[string]any{"eventName": nil, "eventTime": "last tuesday"}),
		ingestRecord(accountB, usWest2, "ingest-foreign", nil),
		good2,
		ingestRecord(accountA, usWest2, "ingest-good-1", nil),
	))
	status, answer := postEvents(t, srv, accountA, "secret", body)
	if status != http.StatusOK || answer.Accepted != 2 || len(answer.Failed) != 3 {
		t.Fatalf("HTTP %d %+v", status, answer)
	}
	if answer.LastSequence == 0 || answer.LastSequence != answer.FirstSequence+1 {
		t.Errorf("sequences %d..%d", answer.FirstSequence, answer.LastSequence)
	}
	type fe struct{ field, code string }
	want := map[int][]fe{
		1: {{"eventTime", "InvalidData"}, {"eventName", "FieldNotFound"}},
		2: {{"recipientAccountId", "AccessDenied"}},
		4: {{"eventID", "DuplicateEventID"}},
	}
	for _, f := range answer.Failed {
		var got []fe
		for _, e := range f.Errors {
			got = append(got, fe{e.Field, e.Code})
			if e.Message == "" {
				t.Errorf("record %d: empty message", f.Index)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want[f.Index]) {
			t.Errorf("record %d (%s): %v, want %v", f.Index, f.EventID, got, want[f.Index])
		}
	}

	// The good records are in event history, in the region they name, as
	// they were posted (unknown fields included).
	events := lookupEventID(t, srv, accountA, usWest2, "ingest-good-1")
	if len(events) != 1 {
		t.Fatalf("LookupEvents found %d events", len(events))
	}
	if got := aws.ToString(events[0].CloudTrailEvent); got != compactJSON(t, good1) {
		t.Errorf("CloudTrailEvent\n got %s\nwant %s", got, compactJSON(t, good1))
	}
	if aws.ToString(events[0].Username) != "importer" || aws.ToString(events[0].EventName) != "DescribeInstances" {
		t.Errorf("event %+v", events[0])
	}
	if n := len(lookupEventID(t, srv, accountA, euWest1, "ingest-good-2")); n != 1 {
		t.Errorf("eu-west-1 record: %d events", n)
	}
	// Not in another region, not for another account, and the rejected
	// ones nowhere.
	if n := len(lookupEventID(t, srv, accountA, usEast1, "ingest-good-1")); n != 0 {
		t.Errorf("us-east-1 sees the us-west-2 record")
	}
	if n := len(lookupEventID(t, srv, accountB, usWest2, "ingest-good-1")); n != 0 {
		t.Errorf("account B sees account A's record")
	}
	if n := len(lookupEventID(t, srv, accountB, usWest2, "ingest-foreign")); n != 0 {
		t.Errorf("the foreign record was stored")
	}
}

func TestIngest_EndpointPlainFormatsAndErrors(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	r1 := ingestRecord(accountA, usEast1, "fmt-1", nil)
	r2 := ingestRecord(accountA, usEast1, "fmt-2", nil)
	for name, body := range map[string][]byte{
		"bare array": []byte("[" + compactJSON(t, r1) + "]"),
		"NDJSON":     []byte(compactJSON(t, r2) + "\n"),
	} {
		status, answer := postEvents(t, srv, accountA, "secret", body)
		if status != http.StatusOK || answer.Accepted != 1 || len(answer.Failed) != 0 {
			t.Errorf("%s: HTTP %d %+v", name, status, answer)
		}
	}
	status, answer := postEvents(t, srv, accountA, "secret", []byte(`{"Records":[]}`))
	if status != http.StatusOK || answer.Accepted != 0 || answer.Failed == nil {
		t.Errorf("empty Records: HTTP %d %+v", status, answer)
	}
	for name, body := range map[string][]byte{
		"not JSON":     []byte("this is not a log file"),
		"empty":        nil,
		"Records null": []byte(`{"Records":null}`),
		"broken gzip":  gzipBytes(t, recordsBody(t, r1))[:25],
	} {
		status, answer := postEvents(t, srv, accountA, "secret", body)
		if status != http.StatusBadRequest || answer.Type != "SerializationException" || answer.Message == "" {
			t.Errorf("%s: HTTP %d %+v", name, status, answer)
		}
	}
	// GET is not ingestion.
	resp, err := http.Get(srv.URL() + "/_cairn/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: HTTP %d", resp.StatusCode)
	}
}

func TestIngest_SigV4ModeScopesToTheCallersAccount(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, testenv.WithSigV4(credentialsYAML))
	body := recordsBody(t,
		ingestRecord(devAccount, usEast1, "sig-dev", nil),
		ingestRecord(prodAccount, usEast1, "sig-prod", nil),
	)
	// alice is an IAM user of the dev account.
	status, answer := postEvents(t, srv, aliceKey, aliceSecret, body)
	if status != http.StatusOK || answer.Accepted != 1 || len(answer.Failed) != 1 || answer.Failed[0].EventID != "sig-prod" ||
		answer.Failed[0].Errors[0].Code != "AccessDenied" || !strings.Contains(answer.Failed[0].Errors[0].Message, prodAccount) {
		t.Errorf("alice: HTTP %d %+v", status, answer)
	}
	status, answer = postEvents(t, srv, prodRootKey, prodRootSec, body)
	if status != http.StatusOK || answer.Accepted != 1 || answer.Failed[0].EventID != "sig-dev" {
		t.Errorf("prod root: HTTP %d %+v", status, answer)
	}
	for name, c := range map[string]struct {
		key, secret, code string
		status            int
	}{
		"wrong secret": {aliceKey, wrongSecret, "InvalidSignatureException", 400},
		"unknown key":  {unknownKey, "x", "UnrecognizedClientException", 400},
		"unsigned":     {"", "", "MissingAuthenticationTokenException", 400},
	} {
		status, answer := postEvents(t, srv, c.key, c.secret, body)
		if answer.Type != c.code || status < 400 || status >= 500 {
			t.Errorf("%s: HTTP %d %+v, want %s", name, status, answer, c.code)
		}
	}
	if n := len(lookupEventsAs(t, srv, devRootKey, devRootSec, "sig-dev")); n != 1 {
		t.Errorf("dev sees %d sig-dev events", n)
	}
}

func lookupEventsAs(t *testing.T, srv *testenv.Server, key, secret, id string) []types.Event {
	t.Helper()
	ct := cloudtrail.NewFromConfig(srv.AWSConfig(key, secret, usEast1))
	out, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventId, AttributeValue: aws.String(id)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Events
}

// stratusFiles returns the real records, by file, with each file's account.
func stratusFiles(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(stratusDir, "*.json"))
	if len(files) == 0 {
		t.Skip("shared test data not present")
	}
	out := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var recs []struct {
			RecipientAccountID string `json:"recipientAccountId"`
		}
		if err := json.Unmarshal(data, &recs); err != nil || len(recs) == 0 {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = recs[0].RecipientAccountID
	}
	return out
}

func TestIngest_RealRecordsThroughTheEndpoint(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	total := 0
	var last int64
	for f, account := range stratusFiles(t) {
		data, _ := os.ReadFile(f)
		var recs []json.RawMessage
		json.Unmarshal(data, &recs)
		status, answer := postEvents(t, srv, account, "secret", gzipBytes(t, []byte(`{"Records":`+string(data)+`}`)))
		if status != http.StatusOK || answer.Accepted != len(recs) || len(answer.Failed) != 0 {
			t.Fatalf("%s: HTTP %d %+v", filepath.Base(f), status, answer)
		}
		if answer.FirstSequence <= last {
			t.Errorf("%s: sequences %d..%d after %d", filepath.Base(f), answer.FirstSequence, answer.LastSequence, last)
		}
		last = answer.LastSequence
		total += len(recs)
		// Posted by another account, every record is refused.
		status, answer = postEvents(t, srv, accountA, "secret", data)
		if status != http.StatusOK || answer.Accepted != 0 || len(answer.Failed) != len(recs) {
			t.Errorf("%s as %s: HTTP %d accepted %d", filepath.Base(f), accountA, status, answer.Accepted)
		}
	}
	t.Logf("%d real records accepted", total)
}

var (
	cairnBinOnce sync.Once
	cairnBinPath string
	cairnBinErr  error
)

// cairnBinary builds cmd/cairn once per test run.
func cairnBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the cairn binary")
	}
	cairnBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cairn-integration-bin-")
		if err != nil {
			cairnBinErr = err
			return
		}
		cairnBinPath = filepath.Join(dir, "cairn")
		build := exec.Command("go", "build", "-o", cairnBinPath, "./cmd/cairn")
		build.Dir = filepath.Join("..", "..")
		if out, err := build.CombinedOutput(); err != nil {
			cairnBinErr = fmt.Errorf("go build ./cmd/cairn: %v\n%s", err, out)
		}
	})
	if cairnBinErr != nil {
		t.Fatal(cairnBinErr)
	}
	return cairnBinPath
}

// runIngestCLI runs `cairn ingest args...` signing as accessKey, and returns
// its exit code and output.
func runIngestCLI(t *testing.T, srv *testenv.Server, accessKey string, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(cairnBinary(t), append([]string{"ingest", "--endpoint", srv.URL()}, args...)...)
	cmd.Env = []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=secret",
		"AWS_REGION=" + usEast1,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIngest_CLISendsAnS3LogTree(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	// The largest Stratus file, split into two gzip log files as AWS
	// would deliver them, in the S3 layout, with a digest file beside.
	src := filepath.Join(stratusDir, "aws.execution.ssm-send-command.json")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skip("shared test data not present")
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	var first struct {
		RecipientAccountID string `json:"recipientAccountId"`
		AWSRegion          string `json:"awsRegion"`
	}
	json.Unmarshal(recs[0], &first)
	account, region := first.RecipientAccountID, first.AWSRegion
	root := t.TempDir()
	dir := filepath.Join(root, "AWSLogs", account, "CloudTrail", region, "2024", "08", "01")
	half := len(recs) / 2
	for i, part := range [][]json.RawMessage{recs[:half], recs[half:]} {
		body, _ := json.Marshal(map[string]any{"Records": part})
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("%s_CloudTrail_%s_20240801T000%dZ_x.json.gz", account, region, i)), gzipBytes(t, body))
	}
	writeTestFile(t, filepath.Join(root, "AWSLogs", account, "CloudTrail-Digest", region, "2024", "08", "01", "digest.json.gz"),
		gzipBytes(t, []byte(`{"awsAccountId":"`+account+`"}`)))

	code, stdout, stderr := runIngestCLI(t, srv, account, nil, filepath.Join(root, "AWSLogs"))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, fmt.Sprintf("2 files: %d records accepted, 0 failed", len(recs))) || strings.Contains(stdout, "digest") {
		t.Errorf("output:\n%s", stdout)
	}

	// Signed as another account, nothing is accepted: exit 1 with a line
	// per record.
	code, stdout, _ = runIngestCLI(t, srv, accountA, nil, src)
	if code != 1 || strings.Count(stdout, ": AccessDenied: ") != len(recs) {
		t.Errorf("as another account: exit %d\n%s", code, stdout)
	}

	// Usage errors exit 2.
	if code, _, _ := runIngestCLI(t, srv, account, nil); code != 2 {
		t.Errorf("no files: exit %d", code)
	}
}

func TestIngest_CLIFromStdinIsLookedUp(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	good := ingestRecord(accountB, usWest2, "cli-stdin-good", nil)
	bad := ingestRecord(accountB, usWest2, "cli-stdin-bad", map[string]any{"sourceIPAddress": nil})
	stdin := []byte(compactJSON(t, good) + "\n" + compactJSON(t, bad) + "\n")
	code, stdout, stderr := runIngestCLI(t, srv, accountB, stdin, "-")
	if code != 1 {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"-: 1 accepted, 1 failed\n", "  record 1 (eventID cli-stdin-bad): sourceIPAddress: FieldNotFound: the field is required\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	events := lookupEventID(t, srv, accountB, usWest2, "cli-stdin-good")
	if len(events) != 1 || aws.ToString(events[0].CloudTrailEvent) != compactJSON(t, good) {
		t.Errorf("LookupEvents: %+v", events)
	}
}
