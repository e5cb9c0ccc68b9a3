package e2e

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// step returns out[name] as an object.
func step(t *testing.T, out obj, name string) obj {
	t.Helper()
	v, ok := out[name]
	if !ok {
		t.Fatalf("the script reported no %q step", name)
	}
	return object(t, name, v)
}

// pyTime reads a time the scripts encode as {"$time": epoch seconds}.
func pyTime(t *testing.T, what string, v any) time.Time {
	t.Helper()
	return epochTime(t, what, object(t, what, v)["$time"])
}

// wantError requires a script's error_of observation to carry code and
// HTTP status.
func wantError(t *testing.T, what string, got obj, code string, status int) {
	t.Helper()
	if got["code"] != code || got["status"] != float64(status) {
		t.Errorf("%s: got %v (HTTP %v: %v), want %s (HTTP %d)", what, got["code"], got["status"], got["message"], code, status)
	}
}

func TestBoto3_TrailLifecycle(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv := startServer(t)
	before := time.Now().Truncate(time.Second)
	var out obj
	srv.open(t, defaultAccount).pythonJSON(&out, "lifecycle.py")
	arn := "arn:aws:cloudtrail:us-east-1:" + defaultAccount + ":trail/py-trail"

	created := obj{
		"Name": "py-trail", "S3BucketName": "e2e-py-trails", "S3KeyPrefix": "boto",
		"IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true, "LogFileValidationEnabled": true,
		"IsOrganizationTrail": false, "TrailARN": arn,
	}
	wantFields(t, "create_trail", step(t, out, "create"), created)
	full := obj{"HomeRegion": "us-east-1", "HasCustomEventSelectors": false, "HasInsightSelectors": false}
	for k, v := range created {
		full[k] = v
	}
	wantFields(t, "get_trail", object(t, "get_trail", step(t, out, "get")["Trail"]), full)
	wantFields(t, "describe_trails(trailNameList)", only(t, "describe_trails", step(t, out, "describe_by_name"), "trailList"), full)
	wantFields(t, "describe_trails in us-west-2", only(t, "describe_trails", step(t, out, "describe_west"), "trailList"), full)
	if l := list(t, "describe_trails(includeShadowTrails=False) in us-west-2", step(t, out, "describe_west_no_shadows"), "trailList"); len(l) != 0 {
		t.Errorf("describe_trails(includeShadowTrails=False) in us-west-2 = %s, want none", compact(l))
	}
	wantFields(t, "get_trail_status of the shadow in us-west-2", step(t, out, "status_west_shadow"), obj{"IsLogging": false})
	wantError(t, "start_logging from us-west-2", step(t, out, "start_logging_west"), "InvalidHomeRegionException", 400)
	wantError(t, "delete_trail from us-west-2", step(t, out, "delete_west"), "InvalidHomeRegionException", 400)

	wantFields(t, "get_trail_status (new)", step(t, out, "status_new"), obj{"IsLogging": false})
	wantAbsent(t, "get_trail_status (new)", step(t, out, "status_new"), "StartLoggingTime", "StopLoggingTime")
	started := step(t, out, "status_started")
	wantFields(t, "get_trail_status (started)", started, obj{"IsLogging": true})
	startTime := pyTime(t, "StartLoggingTime", started["StartLoggingTime"])
	recent(t, "StartLoggingTime", startTime, before)
	wantAbsent(t, "get_trail_status (started)", started, "StopLoggingTime")
	stopped := step(t, out, "status_stopped")
	wantFields(t, "get_trail_status (stopped)", stopped, obj{"IsLogging": false})
	recent(t, "StopLoggingTime", pyTime(t, "StopLoggingTime", stopped["StopLoggingTime"]), startTime)

	defaults := step(t, out, "default_selectors")
	wantFields(t, "get_event_selectors of a new trail", defaults, obj{"TrailARN": arn})
	wantFields(t, "get_event_selectors of a new trail", only(t, "default selectors", defaults, "EventSelectors"), obj{
		"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}, "ExcludeManagementEventSources": []any{},
	})
	basic := obj{
		"ReadWriteType":                 "All",
		"IncludeManagementEvents":       true,
		"DataResources":                 []any{obj{"Type": "AWS::Lambda::Function", "Values": []any{"arn:aws:lambda"}}},
		"ExcludeManagementEventSources": []any{"kms.amazonaws.com"},
	}
	for _, name := range []string{"put_basic", "get_basic"} {
		got := step(t, out, name)
		wantFields(t, name, got, obj{"TrailARN": arn})
		wantFields(t, name, only(t, name, got, "EventSelectors"), basic)
		wantAbsent(t, name, got, "AdvancedEventSelectors")
	}
	advanced := []any{
		obj{"Name": "management", "FieldSelectors": []any{
			obj{"Field": "eventCategory", "Equals": []any{"Management"}},
		}},
		obj{"Name": "bucket objects", "FieldSelectors": []any{
			obj{"Field": "eventCategory", "Equals": []any{"Data"}},
			obj{"Field": "resources.type", "Equals": []any{"AWS::S3::Object"}},
			obj{"Field": "resources.ARN", "StartsWith": []any{"arn:aws:s3:::e2e-py-trails/"}},
		}},
	}
	for _, name := range []string{"put_advanced", "get_advanced"} {
		got := step(t, out, name)
		wantFields(t, name, got, obj{"TrailARN": arn, "AdvancedEventSelectors": advanced})
		wantAbsent(t, name, got, "EventSelectors")
	}
	for _, name := range []string{"put_insights", "get_insights"} {
		got := step(t, out, name)
		wantFields(t, name, got, obj{"TrailARN": arn})
		wantFields(t, name, only(t, name, got, "InsightSelectors"), obj{"InsightType": "ApiErrorRateInsight"})
	}
	wantFields(t, "get_trail after selectors", object(t, "get_trail", step(t, out, "get_after_selectors")["Trail"]),
		obj{"HasCustomEventSelectors": true, "HasInsightSelectors": true})

	tags := only(t, "list_tags", step(t, out, "list_tags"), "ResourceTagList")
	wantFields(t, "list_tags", tags, obj{"ResourceId": arn})
	if got := tagMap(t, "list_tags", list(t, "list_tags", tags, "TagsList")); !jsonEqual(got, map[string]string{"owner": "bob", "cost-center": "42"}) {
		t.Errorf("tags after add_tags and remove_tags = %v", got)
	}

	key := only(t, "list_public_keys", step(t, out, "public_keys"), "PublicKeyList")
	if fp, _ := key["Fingerprint"].(string); !fingerprintPattern.MatchString(fp) {
		t.Errorf("list_public_keys Fingerprint %q is not 32 lowercase hex digits", fp)
	}
	der, err := base64.StdEncoding.DecodeString(fmt.Sprint(object(t, "Value", key["Value"])["$bytes"]))
	if err != nil || len(der) < 100 || der[0] != 0x30 {
		t.Errorf("list_public_keys Value should be DER bytes, got %d bytes (%v)", len(der), err)
	}
	if !pyTime(t, "ValidityEndTime", key["ValidityEndTime"]).After(pyTime(t, "ValidityStartTime", key["ValidityStartTime"])) {
		t.Errorf("the key's validity period is empty: %s", compact(key))
	}
	events := list(t, "lookup_events", step(t, out, "lookup"), "Events")
	if len(events) != 1 {
		t.Fatalf("lookup_events EventName=CreateTrail = %s, want the one CreateTrail call", compact(events))
	}
	createEvent := object(t, "event", events[0])
	wantFields(t, "the CreateTrail event", createEvent, obj{"EventName": "CreateTrail", "EventSource": "cloudtrail.amazonaws.com", "ReadOnly": "false", "Username": "root"})
	var createRecord map[string]any
	if err := json.Unmarshal([]byte(fmt.Sprint(createEvent["CloudTrailEvent"])), &createRecord); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v", err)
	}
	wantFields(t, "the CreateTrail record", createRecord, obj{"eventName": "CreateTrail", "eventVersion": "1.11", "recipientAccountId": "123456789012", "eventType": "AwsApiCall"})
	if params := object(t, "requestParameters", createRecord["requestParameters"]); params["name"] != "py-trail" || params["s3BucketName"] != "e2e-py-trails" {
		t.Errorf("requestParameters %s", compact(params))
	}

	wantFields(t, "update_trail", step(t, out, "update"), obj{
		"Name": "py-trail", "S3KeyPrefix": "boto-v2", "LogFileValidationEnabled": false, "TrailARN": arn,
	})
	wantFields(t, "get_trail after update_trail", object(t, "get_trail", step(t, out, "get_updated")["Trail"]), obj{
		"S3KeyPrefix": "boto-v2", "LogFileValidationEnabled": false, "IsMultiRegionTrail": true,
		"HasCustomEventSelectors": true, "HasInsightSelectors": true,
	})
	wantError(t, "update_trail to a missing bucket", step(t, out, "update_missing_bucket"), "S3BucketDoesNotExistException", 404)
	wantError(t, "get_insight_selectors after putting an empty list", step(t, out, "insights_off"), "InsightNotEnabledException", 400)
	wantFields(t, "get_trail after turning Insights off", object(t, "get_trail", step(t, out, "get_insights_off")["Trail"]), obj{
		"HasInsightSelectors": false, "S3BucketName": "e2e-py-trails",
	})
	listed := list(t, "list_trails", out, "list_trails")
	if len(listed) != 1 {
		t.Fatalf("list_trails paginator = %s, want py-trail only", compact(listed))
	}
	wantFields(t, "list_trails", object(t, "list_trails", listed[0]), obj{"Name": "py-trail", "TrailARN": arn, "HomeRegion": "us-east-1"})

	wantError(t, "get_trail after delete_trail", step(t, out, "get_deleted"), "TrailNotFoundException", 404)
	for _, name := range []string{"describe_deleted", "describe_west_deleted"} {
		if l := list(t, name, step(t, out, name), "trailList"); len(l) != 0 {
			t.Errorf("%s: %s, want no trails", name, compact(l))
		}
	}
}

func TestBoto3_Errors(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv := startServer(t)
	var out obj
	srv.open(t, defaultAccount).pythonJSON(&out, "errors.py")
	for _, c := range []struct {
		step   string
		code   string
		status int
	}{
		{"get_missing", "TrailNotFoundException", 404},
		{"status_missing", "TrailNotFoundException", 404},
		{"create_duplicate", "TrailAlreadyExistsException", 400},
		{"create_sixth", "MaximumNumberOfTrailsExceededException", 403},
		{"create_multi_region_into_full_region", "MaximumNumberOfTrailsExceededException", 403},
		{"create_bad_name", "InvalidTrailNameException", 400},
		{"get_bad_name", "InvalidTrailNameException", 400},
		{"create_missing_bucket", "S3BucketDoesNotExistException", 404},
		{"insights_not_enabled", "InsightNotEnabledException", 400},
		{"update_from_other_region", "InvalidHomeRegionException", 400},
		{"tags_51", "TagsLimitExceededException", 400},
		{"event_selectors_bad_read_write_type", "InvalidEventSelectorsException", 400},
		{"event_selectors_bad_data_resource", "InvalidEventSelectorsException", 400},
		{"lookup_max_results_51", "InvalidMaxResultsException", 400},
		{"multi_region_without_global_events", "InvalidParameterCombinationException", 400},
		{"generate_query", "UnsupportedOperationException", 400},
	} {
		wantError(t, c.step, step(t, out, c.step), c.code, c.status)
	}
	// An operation Cairn does not build names itself.
	if msg := fmt.Sprint(step(t, out, "generate_query")["message"]); !strings.Contains(msg, "GenerateQuery") {
		t.Errorf("generate_query: the message %q should name GenerateQuery", msg)
	}
	// The failed creates left the five trails alone, and the sixth is not there.
	names := list(t, "names after the errors", out, "names_after")
	var got []string
	for _, n := range names {
		got = append(got, fmt.Sprint(n))
	}
	sort.Strings(got)
	if want := "full-1,full-2,full-3,full-4,west-everywhere"; strings.Join(got, ",") != want {
		t.Errorf("trails visible in us-east-1 after the errors = %v, want %s", got, want)
	}
	if tags := list(t, "tags after the refused add_tags", out, "tags_after"); len(tags) != 1 {
		t.Errorf("a refused add_tags changed the tags: %s", compact(tags))
	}
}

func TestBoto3_AccountIsolation(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv := startServer(t)
	var out obj
	srv.open(t, defaultAccount).pythonJSON(&out, "isolation.py")

	before := step(t, out, "two_before")
	for _, name := range []string{"describe", "describe_west"} {
		if l := list(t, "account two "+name, object(t, name, before[name]), "trailList"); len(l) != 0 {
			t.Errorf("account 222222222222 sees account 111111111111's trails (%s): %s", name, compact(l))
		}
	}
	if l := list(t, "account two list", object(t, "list", before["list"]), "Trails"); len(l) != 0 {
		t.Errorf("account 222222222222 lists account 111111111111's trails: %s", compact(l))
	}
	for _, name := range []string{"get", "status", "delete"} {
		wantError(t, "account two "+name+" of account one's trail", object(t, name, before[name]), "TrailNotFoundException", 404)
	}
	wantFields(t, "account two create_trail", step(t, out, "two_create"), obj{
		"Name": "private-trail", "TrailARN": "arn:aws:cloudtrail:us-east-1:222222222222:trail/private-trail",
	})

	names := func(account, name string, v any) map[string]string {
		got := map[string]string{}
		for _, tr := range list(t, account+" "+name, object(t, name, v), "trailList") {
			o := object(t, name, tr)
			got[fmt.Sprint(o["Name"])] = fmt.Sprint(o["TrailARN"])
		}
		return got
	}
	one, two := step(t, out, "one"), step(t, out, "two")
	if got, want := names("one", "describe", one["describe"]), map[string]string{
		"private-trail": "arn:aws:cloudtrail:us-east-1:111111111111:trail/private-trail",
		"one-only":      "arn:aws:cloudtrail:us-east-1:111111111111:trail/one-only",
	}; !jsonEqual(got, want) {
		t.Errorf("account 111111111111 describe_trails = %v, want %v", got, want)
	}
	if got, want := names("one", "describe_west", one["describe_west"]), map[string]string{
		"private-trail": "arn:aws:cloudtrail:us-east-1:111111111111:trail/private-trail",
	}; !jsonEqual(got, want) {
		t.Errorf("account 111111111111 describe_trails in us-west-2 = %v, want %v", got, want)
	}
	if got, want := names("two", "describe", two["describe"]), map[string]string{
		"private-trail": "arn:aws:cloudtrail:us-east-1:222222222222:trail/private-trail",
	}; !jsonEqual(got, want) {
		t.Errorf("account 222222222222 describe_trails = %v, want %v", got, want)
	}
	if got := names("two", "describe_west", two["describe_west"]); len(got) != 0 {
		t.Errorf("account 222222222222 sees trails in us-west-2: %v", got)
	}
	// Starting account two's trail did not start account one's namesake.
	wantFields(t, "account one get_trail_status", object(t, "status", one["status"]), obj{"IsLogging": false})
	wantFields(t, "account two get_trail_status", object(t, "status", two["status"]), obj{"IsLogging": true})
}

func TestBoto3_S3Objects(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv := startServer(t)
	var out obj
	srv.open(t, defaultAccount).pythonJSON(&out, "s3_objects.py")

	var payload []byte
	for i := 0; i < 64; i++ {
		for b := 0; b < 256; b++ {
			payload = append(payload, byte(b))
		}
	}
	payload = append(payload, "tail"...)
	etag := fmt.Sprintf(`"%x"`, md5.Sum(payload))

	if out["create_bucket"] != float64(200) {
		t.Errorf("create_bucket HTTP status %v, want 200", out["create_bucket"])
	}
	wantFields(t, "put_object", step(t, out, "put"), obj{"ETag": etag})
	wantFields(t, "get_object", step(t, out, "get"), obj{
		"same_bytes": true, "length": len(payload), "ContentLength": len(payload),
		"ContentType": "application/octet-stream",
		"Metadata":    obj{"origin": "boto3", "run-id": "e2e-42"},
		"ETag":        etag,
	})
	wantFields(t, "head_object", step(t, out, "head"), obj{
		"Metadata": obj{"origin": "boto3", "run-id": "e2e-42"}, "ContentLength": len(payload), "ETag": etag,
	})
	wantFields(t, "list_objects_v2", out, obj{
		"list": []any{
			obj{"Key": "reports/2026/summary.bin", "Size": len(payload)},
			obj{"Key": "reports/readme.txt", "Size": 5},
		},
		"buckets":           []any{"e2e-py-objects"},
		"list_after_delete": []any{"reports/2026/summary.bin"},
	})
	wantError(t, "get_object of a deleted key", step(t, out, "get_deleted"), "NoSuchKey", 404)
	wantError(t, "get_object in a missing bucket", step(t, out, "get_missing_bucket"), "NoSuchBucket", 404)
}

func TestBoto3_MotoReset(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv := startServer(t)
	var out obj
	srv.open(t, defaultAccount).pythonJSON(&out, "reset.py")

	wantFields(t, "before the reset", step(t, out, "before"), obj{
		"trails": []any{"doomed"}, "other_trails": []any{"doomed-too"}, "buckets": []any{"e2e-py-reset"},
	})
	if out["reset_status"] != float64(200) {
		t.Errorf("POST /moto-api/reset answered HTTP %v, want 200", out["reset_status"])
	}
	after := step(t, out, "after")
	wantFields(t, "after the reset", after, obj{"trails": []any{}, "other_trails": []any{}, "buckets": []any{}})
	wantError(t, "get_trail after the reset", object(t, "get_trail", after["get_trail"]), "TrailNotFoundException", 404)
	wantError(t, "list_objects_v2 after the reset", object(t, "list_objects", after["list_objects"]), "NoSuchBucket", 404)
	wantFields(t, "create_trail after the reset", step(t, out, "recreate"), obj{"Name": "doomed", "IsMultiRegionTrail": false})
	// The recreated trail is new: the old one's logging state is gone.
	wantFields(t, "get_trail_status after the reset", step(t, out, "status_after_recreate"), obj{"IsLogging": false})
	wantAbsent(t, "get_trail_status after the reset", step(t, out, "status_after_recreate"), "StartLoggingTime")
}
