package e2e

import (
	"strings"
	"testing"
	"time"
)

func TestJS_TrailLifecycle(t *testing.T) {
	t.Parallel()
	node.require(t)
	srv := startServer(t)
	before := time.Now().Truncate(time.Second)
	var out obj
	srv.open(t, defaultAccount).node("lifecycle.js").decode(t, &out)
	arn := "arn:aws:cloudtrail:us-east-1:" + defaultAccount + ":trail/js-trail"

	wantFields(t, "s3.listBuckets", out, obj{"buckets": []any{"e2e-js-trails"}})
	wantFields(t, "s3.getObject", step(t, out, "object"), obj{
		"body": `{"from":"node"}`, "contentType": "application/json", "metadata": obj{"origin": "aws-sdk-v2"},
	})
	wantFields(t, "s3.listObjectsV2", out, obj{"objectKeys": []any{"notes/a b+ü.json"}})
	created := obj{
		"Name": "js-trail", "S3BucketName": "e2e-js-trails", "S3KeyPrefix": "node",
		"IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true, "TrailARN": arn,
	}
	wantFields(t, "createTrail", step(t, out, "create"), created)
	created["HomeRegion"] = "us-east-1"
	wantFields(t, "getTrail", object(t, "getTrail", step(t, out, "get")["Trail"]), created)
	wantFields(t, "describeTrails", only(t, "describeTrails", step(t, out, "describe"), "trailList"), created)
	wantFields(t, "describeTrails in us-west-2", only(t, "describeTrails", step(t, out, "describeWest"), "trailList"), created)

	wantFields(t, "getTrailStatus (new)", step(t, out, "statusNew"), obj{"IsLogging": false})
	started := step(t, out, "statusStarted")
	wantFields(t, "getTrailStatus (started)", started, obj{"IsLogging": true})
	startTime := pyTime(t, "StartLoggingTime", started["StartLoggingTime"])
	recent(t, "StartLoggingTime", startTime, before)
	stopped := step(t, out, "statusStopped")
	wantFields(t, "getTrailStatus (stopped)", stopped, obj{"IsLogging": false})
	recent(t, "StopLoggingTime", pyTime(t, "StopLoggingTime", stopped["StopLoggingTime"]), startTime)

	tags := only(t, "listTags", step(t, out, "tags"), "ResourceTagList")
	wantFields(t, "listTags", tags, obj{"ResourceId": arn, "TagsList": []any{obj{"Key": "team", "Value": "web"}}})

	basic := obj{
		"ReadWriteType":           "ReadOnly",
		"IncludeManagementEvents": true,
		"DataResources":           []any{obj{"Type": "AWS::S3::Object", "Values": []any{"arn:aws:s3:::e2e-js-trails/node/"}}},
	}
	for _, name := range []string{"putSelectors", "getSelectors"} {
		wantFields(t, name, step(t, out, name), obj{"TrailARN": arn})
		wantFields(t, name, only(t, name, step(t, out, name), "EventSelectors"), basic)
	}
	advanced := []any{obj{"Name": "no kms", "FieldSelectors": []any{
		obj{"Field": "eventCategory", "Equals": []any{"Management"}},
		obj{"Field": "eventSource", "NotEquals": []any{"kms.amazonaws.com"}},
	}}}
	for _, name := range []string{"putAdvanced", "getAdvanced"} {
		wantFields(t, name, step(t, out, name), obj{"TrailARN": arn, "AdvancedEventSelectors": advanced})
		wantAbsent(t, name, step(t, out, name), "EventSelectors")
	}
	wantFields(t, "getInsightSelectors", only(t, "getInsightSelectors", step(t, out, "getInsights"), "InsightSelectors"),
		obj{"InsightType": "ApiCallRateInsight"})

	wantError(t, "getTrail after deleteTrail", step(t, out, "getDeleted"), "TrailNotFoundException", 404)
	if l := list(t, "describeTrails after deleteTrail", step(t, out, "describeDeleted"), "trailList"); len(l) != 0 {
		t.Errorf("describeTrails after deleteTrail = %s", compact(l))
	}
	unbuilt := step(t, out, "generateQuery")
	wantError(t, "generateQuery", unbuilt, "UnsupportedOperationException", 400)
	if msg, _ := unbuilt["message"].(string); !strings.Contains(msg, "GenerateQuery") {
		t.Errorf("the generateQuery error message %q should name GenerateQuery", msg)
	}
}
