package e2e

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	defaultAccount = "123456789012"
	cliTrailARN    = "arn:aws:cloudtrail:us-east-1:" + defaultAccount + ":trail/cli-trail"
)

var fingerprintPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestCLI_S3 makes a bucket, copies a binary file up and back down with
// `aws s3 cp`, and lists buckets and objects.
func TestCLI_S3(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv := startServer(t)
	cli := srv.open(t, defaultAccount)

	r := cli.aws("s3", "mb", "s3://e2e-cli-bucket").ok(t)
	if !strings.Contains(r.Stdout, "make_bucket: e2e-cli-bucket") {
		t.Errorf("aws s3 mb output:\n%s", r)
	}

	dir := t.TempDir()
	payload := make([]byte, 300*1024+7)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range payload {
		payload[i] = byte(rng.UintN(256))
	}
	up := filepath.Join(dir, "payload.bin")
	if err := os.WriteFile(up, payload, 0o600); err != nil {
		t.Fatal(err)
	}
	cli.aws("s3", "cp", up, "s3://e2e-cli-bucket/logs/2026/payload.bin").ok(t)
	down := filepath.Join(dir, "downloaded.bin")
	cli.aws("s3", "cp", "s3://e2e-cli-bucket/logs/2026/payload.bin", down).ok(t)
	got, err := os.ReadFile(down)
	if err != nil {
		t.Fatalf("the downloaded file: %v", err)
	}
	if !bytes.Equal(got, payload) {
		t.Errorf("downloaded %d bytes differ from the %d uploaded", len(got), len(payload))
	}

	r = cli.aws("s3", "ls").ok(t)
	if !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d e2e-cli-bucket$`).MatchString(r.Stdout) {
		t.Errorf("aws s3 ls should list e2e-cli-bucket:\n%s", r)
	}
	r = cli.aws("s3", "ls", "--recursive", "s3://e2e-cli-bucket").ok(t)
	if !regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +307207 logs/2026/payload\.bin$`).MatchString(r.Stdout) {
		t.Errorf("aws s3 ls --recursive should list the object with its size:\n%s", r)
	}
}

// TestCLI_TrailLifecycle takes a trail from create-trail to delete-trail with
// the aws CLI: describe, get, status, logging, list and update on the way.
func TestCLI_TrailLifecycle(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv := startServer(t)
	cli := srv.open(t, defaultAccount)
	cli.aws("s3", "mb", "s3://e2e-cli-trail-bucket").ok(t)

	var out obj
	cli.awsJSON(&out, "cloudtrail", "create-trail",
		"--name", "cli-trail",
		"--s3-bucket-name", "e2e-cli-trail-bucket",
		"--is-multi-region-trail",
		"--s3-key-prefix", "cloudtrail/e2e",
		"--tags-list", "Key=team,Value=platform", "Key=env,Value=e2e")
	wantFields(t, "create-trail", out, obj{
		"Name":                       "cli-trail",
		"S3BucketName":               "e2e-cli-trail-bucket",
		"S3KeyPrefix":                "cloudtrail/e2e",
		"IsMultiRegionTrail":         true,
		"IncludeGlobalServiceEvents": true,
		"LogFileValidationEnabled":   false,
		"IsOrganizationTrail":        false,
		"TrailARN":                   cliTrailARN,
	})

	wantTrail := obj{
		"Name":                       "cli-trail",
		"S3BucketName":               "e2e-cli-trail-bucket",
		"S3KeyPrefix":                "cloudtrail/e2e",
		"IsMultiRegionTrail":         true,
		"IncludeGlobalServiceEvents": true,
		"HomeRegion":                 "us-east-1",
		"TrailARN":                   cliTrailARN,
		"LogFileValidationEnabled":   false,
		"HasCustomEventSelectors":    false,
		"HasInsightSelectors":        false,
		"IsOrganizationTrail":        false,
	}
	cli.awsJSON(&out, "cloudtrail", "describe-trails")
	wantFields(t, "describe-trails", only(t, "describe-trails", out, "trailList"), wantTrail)
	cli.awsJSON(&out, "cloudtrail", "get-trail", "--name", "cli-trail")
	wantFields(t, "get-trail", object(t, "get-trail", out["Trail"]), wantTrail)
	cli.awsJSON(&out, "cloudtrail", "list-trails")
	wantFields(t, "list-trails", only(t, "list-trails", out, "Trails"), obj{
		"Name": "cli-trail", "TrailARN": cliTrailARN, "HomeRegion": "us-east-1",
	})

	// Logging: off at first, on after start-logging, off again after stop.
	cli.awsJSON(&out, "cloudtrail", "get-trail-status", "--name", "cli-trail")
	wantFields(t, "get-trail-status (new trail)", out, obj{"IsLogging": false})
	wantAbsent(t, "get-trail-status (new trail)", out, "StartLoggingTime", "StopLoggingTime")
	started := time.Now().Truncate(time.Second)
	cli.aws("cloudtrail", "start-logging", "--name", "cli-trail").ok(t)
	cli.awsJSON(&out, "cloudtrail", "get-trail-status", "--name", "cli-trail")
	wantFields(t, "get-trail-status (after start-logging)", out, obj{"IsLogging": true})
	startTime := epochTime(t, "StartLoggingTime", out["StartLoggingTime"])
	recent(t, "StartLoggingTime", startTime, started)
	cli.aws("cloudtrail", "stop-logging", "--name", "cli-trail").ok(t)
	cli.awsJSON(&out, "cloudtrail", "get-trail-status", "--name", "cli-trail")
	wantFields(t, "get-trail-status (after stop-logging)", out, obj{"IsLogging": false})
	stopTime := epochTime(t, "StopLoggingTime", out["StopLoggingTime"])
	recent(t, "StopLoggingTime", stopTime, startTime)
	if got := epochTime(t, "StartLoggingTime", out["StartLoggingTime"]); !got.Equal(startTime) {
		t.Errorf("StartLoggingTime changed on stop-logging: %s, was %s", got, startTime)
	}

	cli.awsJSON(&out, "cloudtrail", "update-trail", "--name", "cli-trail",
		"--s3-key-prefix", "rotated", "--enable-log-file-validation")
	wantFields(t, "update-trail", out, obj{
		"Name": "cli-trail", "TrailARN": cliTrailARN, "S3KeyPrefix": "rotated",
		"LogFileValidationEnabled": true, "IsMultiRegionTrail": true,
	})

	cli.aws("cloudtrail", "delete-trail", "--name", "cli-trail").ok(t)
	cli.awsFails("TrailNotFoundException", "cloudtrail", "get-trail", "--name", "cli-trail")
}

// TestCLI_SelectorsTagsKeys covers event and insight selectors, tags, public
// keys and event lookup with the aws CLI.
func TestCLI_SelectorsTagsKeys(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv := startServer(t)
	cli := srv.open(t, defaultAccount)
	cli.aws("s3", "mb", "s3://e2e-cli-trail-bucket").ok(t)
	cli.aws("cloudtrail", "create-trail", "--name", "cli-trail", "--s3-bucket-name", "e2e-cli-trail-bucket",
		"--tags-list", "Key=team,Value=platform", "Key=env,Value=e2e").ok(t)
	var out obj

	// Basic event selectors.
	basic := []any{obj{
		"ReadWriteType":           "WriteOnly",
		"IncludeManagementEvents": true,
		"DataResources": []any{obj{
			"Type":   "AWS::S3::Object",
			"Values": []any{"arn:aws:s3:::e2e-cli-trail-bucket/"},
		}},
	}}
	cli.awsJSON(&out, "cloudtrail", "put-event-selectors", "--trail-name", "cli-trail", "--event-selectors", compact(basic))
	wantFields(t, "put-event-selectors (basic)", out, obj{"TrailARN": cliTrailARN})
	wantFields(t, "put-event-selectors (basic)", only(t, "put-event-selectors", out, "EventSelectors"), object(t, "", basic[0]))
	cli.awsJSON(&out, "cloudtrail", "get-event-selectors", "--trail-name", "cli-trail")
	wantFields(t, "get-event-selectors (basic)", out, obj{"TrailARN": cliTrailARN})
	wantFields(t, "get-event-selectors (basic)", only(t, "get-event-selectors", out, "EventSelectors"), object(t, "", basic[0]))
	wantAbsent(t, "get-event-selectors (basic)", out, "AdvancedEventSelectors")

	// Advanced event selectors replace the basic ones.
	advanced := []any{obj{
		"Name": "management writes",
		"FieldSelectors": []any{
			obj{"Field": "eventCategory", "Equals": []any{"Management"}},
			obj{"Field": "readOnly", "Equals": []any{"false"}},
		},
	}}
	cli.awsJSON(&out, "cloudtrail", "put-event-selectors", "--trail-name", "cli-trail", "--advanced-event-selectors", compact(advanced))
	wantFields(t, "put-event-selectors (advanced)", out, obj{"TrailARN": cliTrailARN, "AdvancedEventSelectors": advanced})
	cli.awsJSON(&out, "cloudtrail", "get-event-selectors", "--trail-name", "cli-trail")
	wantFields(t, "get-event-selectors (advanced)", out, obj{"TrailARN": cliTrailARN, "AdvancedEventSelectors": advanced})
	wantAbsent(t, "get-event-selectors (advanced)", out, "EventSelectors")

	// Insight selectors.
	cli.awsJSON(&out, "cloudtrail", "put-insight-selectors", "--trail-name", "cli-trail",
		"--insight-selectors", `[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight"}]`)
	wantFields(t, "put-insight-selectors", out, obj{"TrailARN": cliTrailARN})
	cli.awsJSON(&out, "cloudtrail", "get-insight-selectors", "--trail-name", "cli-trail")
	wantFields(t, "get-insight-selectors", out, obj{"TrailARN": cliTrailARN})
	var types []string
	for _, sel := range list(t, "get-insight-selectors", out, "InsightSelectors") {
		s, _ := object(t, "InsightSelectors", sel)["InsightType"].(string)
		types = append(types, s)
	}
	if strings.Join(types, ",") != "ApiCallRateInsight,ApiErrorRateInsight" {
		t.Errorf("get-insight-selectors InsightTypes = %v", types)
	}

	// Tags.
	cli.aws("cloudtrail", "add-tags", "--resource-id", cliTrailARN, "--tags-list", "Key=owner,Value=alice", "Key=flag").ok(t)
	cli.aws("cloudtrail", "remove-tags", "--resource-id", cliTrailARN, "--tags-list", "Key=team").ok(t)
	cli.awsJSON(&out, "cloudtrail", "list-tags", "--resource-id-list", cliTrailARN)
	tags := only(t, "list-tags", out, "ResourceTagList")
	wantFields(t, "list-tags", tags, obj{"ResourceId": cliTrailARN})
	if got := tagMap(t, "list-tags", list(t, "list-tags", tags, "TagsList")); !jsonEqual(got, map[string]string{"env": "e2e", "owner": "alice", "flag": ""}) {
		t.Errorf("tags after add-tags and remove-tags = %v", got)
	}

	cli.awsJSON(&out, "cloudtrail", "list-public-keys")
	key := only(t, "list-public-keys", out, "PublicKeyList")
	if fp, _ := key["Fingerprint"].(string); !fingerprintPattern.MatchString(fp) {
		t.Errorf("list-public-keys Fingerprint %q is not 32 lowercase hex digits", fp)
	}
	value, _ := key["Value"].(string)
	if der, err := base64.StdEncoding.DecodeString(value); err != nil || len(der) < 100 || der[0] != 0x30 {
		t.Errorf("list-public-keys Value should be a base64 DER public key, got %q (%v)", value, err)
	}
	from := epochTime(t, "ValidityStartTime", key["ValidityStartTime"])
	until := epochTime(t, "ValidityEndTime", key["ValidityEndTime"])
	if now := time.Now(); from.After(now.Add(time.Second)) || !until.After(now) {
		t.Errorf("the public key is valid from %s until %s, which should include now", from, until)
	}

	cli.awsJSON(&out, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateTrail")
	events := list(t, "lookup-events", out, "Events")
	if len(events) != 1 {
		t.Fatalf("lookup-events EventName=CreateTrail = %s, want the one CreateTrail call", compact(events))
	}
	wantFields(t, "the CreateTrail event", object(t, "event", events[0]), obj{"EventName": "CreateTrail", "ReadOnly": "false", "Username": "root"})
}

// TestCLI_Errors checks that service errors reach the CLI with their codes.
func TestCLI_Errors(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv := startServer(t)
	cli := srv.open(t, defaultAccount)

	r := cli.awsFails("S3BucketDoesNotExistException", "cloudtrail", "create-trail",
		"--name", "orphan-trail", "--s3-bucket-name", "e2e-no-such-bucket")
	if !strings.Contains(r.Stderr, "CreateTrail") {
		t.Errorf("the CLI should name the CreateTrail operation:\n%s", r)
	}

	cli.awsFails("TrailNotFoundException", "cloudtrail", "get-trail", "--name", "no-such-trail")
	cli.awsFails("InvalidTrailNameException", "cloudtrail", "get-trail", "--name", "bad name!")
	// The CLI itself rejects --max-results 0; 51 reaches the server.
	cli.awsFails("InvalidMaxResultsException", "cloudtrail", "lookup-events", "--max-results", "51")

	// Cairn does not build natural-language query generation.
	r = cli.awsFails("UnsupportedOperationException", "cloudtrail", "generate-query",
		"--event-data-stores", "arn:aws:cloudtrail:us-east-1:"+defaultAccount+":eventdatastore/01234567-89ab-cdef-0123-456789abcdef",
		"--prompt", "Show me every console sign-in of the last week")
	if !strings.Contains(r.Stderr, "GenerateQuery operation:") || strings.Count(r.Stderr, "GenerateQuery") < 2 {
		t.Errorf("the UnsupportedOperationException message should name GenerateQuery:\n%s", r)
	}
}

// TestCLI_MultiRegionShadow checks that a multi-region trail shows in other
// regions as a shadow that only its home region may change.
func TestCLI_MultiRegionShadow(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv := startServer(t)
	east := srv.open(t, defaultAccount)
	west := east.in("us-west-2")
	east.aws("s3", "mb", "s3://e2e-cli-shadow-bucket").ok(t)
	east.aws("cloudtrail", "create-trail", "--name", "everywhere", "--s3-bucket-name", "e2e-cli-shadow-bucket",
		"--is-multi-region-trail").ok(t)
	arn := "arn:aws:cloudtrail:us-east-1:" + defaultAccount + ":trail/everywhere"

	var out obj
	west.awsJSON(&out, "cloudtrail", "describe-trails")
	wantFields(t, "describe-trails in us-west-2", only(t, "describe-trails in us-west-2", out, "trailList"), obj{
		"Name": "everywhere", "HomeRegion": "us-east-1", "TrailARN": arn, "IsMultiRegionTrail": true,
		"S3BucketName": "e2e-cli-shadow-bucket",
	})
	west.awsFails("InvalidHomeRegionException", "cloudtrail", "update-trail", "--name", arn, "--s3-key-prefix", "x")
}
