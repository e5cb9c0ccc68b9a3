package e2e

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	deliveryBucket   = "e2e-delivery-bucket"
	deliveryTrail    = "vl-trail"
	deliveryTrailARN = "arn:aws:cloudtrail:us-east-1:" + defaultAccount + ":trail/" + deliveryTrail
)

var validLine = regexp.MustCompile(`(?m)^(Digest|Log) file\ts3://` + deliveryBucket + `/(\S+)\tvalid$`)

// TestCLI_ValidateLogs is the acceptance test of trail delivery: a trail
// with log file validation, made and driven through the AWS CLI, delivers
// log files and a chain of signed digests that `aws cloudtrail
// validate-logs` accepts; changing a log file, deleting another and
// changing a digest are each reported as INVALID. Cairn's own validator
// agrees in both cases.
func TestCLI_ValidateLogs(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv := startServer(t, withArgs("--delivery-interval", "500ms", "--digest-interval", "2s"))
	cli := srv.open(t, defaultAccount)
	start := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)

	cli.aws("s3", "mb", "s3://"+deliveryBucket).ok(t)
	var out obj
	cli.awsJSON(&out, "cloudtrail", "create-trail", "--name", deliveryTrail, "--s3-bucket-name", deliveryBucket,
		"--s3-key-prefix", "pfx", "--enable-log-file-validation")
	cli.aws("cloudtrail", "start-logging", "--name", deliveryTrail).ok(t)
	// Activity over three digest periods.
	for i := 0; i < 6; i++ {
		cli.aws("cloudtrail", "describe-trails").ok(t)
		time.Sleep(time.Second)
	}
	cli.aws("cloudtrail", "stop-logging", "--name", deliveryTrail).ok(t)
	// The chain closes with the next digest.
	deadline := time.Now().Add(20 * time.Second)
	var stopped time.Time
	for {
		cli.awsJSON(&out, "cloudtrail", "get-trail-status", "--name", deliveryTrail)
		if stopped.IsZero() {
			stopped = epochTime(t, "StopLoggingTime", out["StopLoggingTime"])
		}
		if v, ok := out["LatestDigestDeliveryTime"]; ok && epochTime(t, "LatestDigestDeliveryTime", v).After(stopped) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no digest after StopLogging: %v", out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if _, ok := out["LatestDeliveryTime"]; !ok {
		t.Fatalf("get-trail-status reports no delivery: %v", out)
	}
	wantAbsent(t, "get-trail-status", out, "LatestDeliveryError", "LatestDigestDeliveryError")

	validate := func() result {
		return cli.aws("cloudtrail", "validate-logs", "--trail-arn", deliveryTrailARN, "--start-time", start.Format(time.RFC3339), "--verbose")
	}
	cairnValidate := func() (string, string, int) {
		return runBinary(t, "validate-logs", "--trail-arn", deliveryTrailARN, "--start-time", start.Format(time.RFC3339), "--verbose", "--endpoint", srv.URL)
	}
	r := validate()
	if r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "INVALID") {
		t.Fatalf("validate-logs on untouched files:\n%s", r)
	}
	summary := regexp.MustCompile(`(\d+)/(\d+) digest files valid\n(\d+)/(\d+) log files valid`).FindStringSubmatch(r.Stdout)
	if summary == nil || summary[1] != summary[2] || summary[3] != summary[4] || len(summary[2]) == 1 && summary[2] < "3" {
		t.Fatalf("validate-logs summary:\n%s", r)
	}
	if stdout, stderr, code := cairnValidate(); code != 0 || !strings.Contains(stdout, summary[0]) {
		t.Fatalf("cairn validate-logs disagrees with the AWS CLI (%s):\n%s", summary[0], describe(stdout, stderr, code))
	}

	// Group the verbose output: each digest, then the log files it lists.
	type digestGroup struct {
		key  string
		logs []string
	}
	var groups []digestGroup
	for _, m := range validLine.FindAllStringSubmatch(r.Stdout, -1) {
		if m[1] == "Digest" {
			groups = append(groups, digestGroup{key: m[2]})
		} else if len(groups) > 0 {
			groups[len(groups)-1].logs = append(groups[len(groups)-1].logs, m[2])
		}
	}
	// Change a digest without log files of its own if there is one, and
	// change and delete log files listed by other digests.
	var changedDigest, changedLog, deletedLog string
	for _, g := range groups {
		if changedDigest == "" && len(g.logs) == 0 {
			changedDigest = g.key
		}
	}
	if changedDigest == "" {
		changedDigest = groups[0].key
	}
	for _, g := range groups {
		if g.key == changedDigest {
			continue
		}
		for _, l := range g.logs {
			switch {
			case changedLog == "":
				changedLog = l
			case deletedLog == "":
				deletedLog = l
			}
		}
	}
	if changedLog == "" || deletedLog == "" {
		t.Fatalf("need two log files outside the changed digest:\n%s", r)
	}
	dir := t.TempDir()
	tamper := func(key string, change func([]byte) []byte) {
		local := filepath.Join(dir, filepath.Base(key))
		cli.aws("s3", "cp", "s3://"+deliveryBucket+"/"+key, local).ok(t)
		raw, err := os.ReadFile(local)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var plain bytes.Buffer
		plain.ReadFrom(zr)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(change(plain.Bytes()))
		zw.Close()
		if err := os.WriteFile(local, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		cli.aws("s3", "cp", local, "s3://"+deliveryBucket+"/"+key).ok(t)
	}
	tamper(changedLog, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"eventVersion":"1.11"`), []byte(`"eventVersion":"1.10"`), 1)
	})
	tamper(changedDigest, func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"awsAccountId":"`), []byte(`"awsAccountId":"0`), 1)
	})
	cli.aws("s3", "rm", "s3://"+deliveryBucket+"/"+deletedLog).ok(t)

	r = validate()
	if r.Code != 1 {
		t.Fatalf("validate-logs after tampering: want exit code 1:\n%s", r)
	}
	for _, want := range []string{
		"Log file\ts3://" + deliveryBucket + "/" + changedLog + "\tINVALID: hash value doesn't match",
		"Log file\ts3://" + deliveryBucket + "/" + deletedLog + "\tINVALID: not found",
		"Digest file\ts3://" + deliveryBucket + "/" + changedDigest + "\tINVALID: signature verification failed",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("validate-logs did not report %q:\n%s", want, r)
		}
	}
	stdout, stderr, code := cairnValidate()
	if code != 1 {
		t.Fatalf("cairn validate-logs after tampering: want exit code 1:\n%s", describe(stdout, stderr, code))
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Stderr), "\n") {
		if strings.Contains(line, "INVALID") && !strings.Contains(stderr, line) {
			t.Errorf("cairn validate-logs missed %q:\n%s", line, describe(stdout, stderr, code))
		}
	}
}
