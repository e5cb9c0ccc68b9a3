package trails

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// TestResponseShapes checks the JSON the gateway will send for responses
// whose empty lists and deprecated members AWS sends explicitly.
func TestResponseShapes(t *testing.T) {
	h := newHarness(t)
	jsonOf := func(v any, err error) string {
		t.Helper()
		mustOK(t, err)
		raw, err := json.Marshal(v)
		mustOK(t, err)
		return string(raw)
	}
	tests := []struct {
		name string
		got  func() string
		want string
	}{
		{"empty DescribeTrails", func() string {
			return jsonOf(h.h.DescribeTrails(in(home), &cloudtrail.DescribeTrailsRequest{}))
		}, `{"trailList":[]}`},
		{"empty ListTrails", func() string {
			return jsonOf(h.h.ListTrails(in(home), &cloudtrail.ListTrailsRequest{}))
		}, `{"Trails":[]}`},
		{"CreateTrail", func() string {
			return jsonOf(h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("trail-bucket")}))
		}, `{"IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":false,"IsOrganizationTrail":false,` +
			`"LogFileValidationEnabled":false,"Name":"main","S3BucketName":"trail-bucket",` +
			`"TrailARN":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}`},
		{"default GetEventSelectors", func() string {
			return jsonOf(h.h.GetEventSelectors(in(home), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr("main")}))
		}, `{"EventSelectors":[{"DataResources":[],"ExcludeManagementEventSources":[],"IncludeManagementEvents":true,` +
			`"ReadWriteType":"All"}],"TrailARN":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}`},
		{"fresh GetTrailStatus", func() string {
			return jsonOf(h.h.GetTrailStatus(in(home), &cloudtrail.GetTrailStatusRequest{Name: ptr("main")}))
		}, `{"IsLogging":false,"LatestDeliveryAttemptSucceeded":"","LatestDeliveryAttemptTime":"",` +
			`"LatestNotificationAttemptSucceeded":"","LatestNotificationAttemptTime":"","TimeLoggingStarted":"","TimeLoggingStopped":""}`},
		{"GetTrail", func() string {
			return jsonOf(h.h.GetTrail(in(home), &cloudtrail.GetTrailRequest{Name: ptr("main")}))
		}, `{"Trail":{"HasCustomEventSelectors":false,"HasInsightSelectors":false,"HomeRegion":"us-east-1",` +
			`"IncludeGlobalServiceEvents":true,"IsMultiRegionTrail":false,"IsOrganizationTrail":false,` +
			`"LogFileValidationEnabled":false,"Name":"main","S3BucketName":"trail-bucket",` +
			`"TrailARN":"arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}`},
	}
	for _, tc := range tests {
		if got := tc.got(); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.name, got, tc.want)
		}
	}
}

func violationsOf(in api.Input) []api.Violation {
	var v api.Validator
	in.ValidateConstraints(&v)
	return v.Violations
}

func TestMapViolations(t *testing.T) {
	svc := New(Config{})
	tests := []struct {
		name    string
		op      string
		in      api.Input
		code    string // empty: the generic ValidationException stands
		message string
	}{
		{"tag key too long", "CreateTrail", &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("b"),
			TagsList: []cloudtrail.Tag{{Key: ptr(strings.Repeat("k", 129))}}}, "InvalidTagParameterException", ""},
		{"tag value empty", "CreateTrail", &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("b"),
			TagsList: []cloudtrail.Tag{{Key: ptr("k"), Value: ptr("")}}}, "InvalidTagParameterException", ""},
		{"too many tags", "CreateTrail", &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("b"),
			TagsList: manyTags(201)}, "TagsLimitExceededException", ""},
		{"missing name", "CreateTrail", &cloudtrail.CreateTrailRequest{S3BucketName: ptr("b")}, "", ""},
		{"read write type", "PutEventSelectors", &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
			EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "read-only"}}},
			"InvalidEventSelectorsException", "Value read-only for ReadWriteType is invalid."},
		{"field pattern", "PutEventSelectors", &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
			AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
				{Field: ptr("event Category"), Equals: []string{"Data"}, StartsWith: []string{"a"}, EndsWith: []string{"a"},
					NotEquals: []string{"a"}, NotStartsWith: []string{"a"}, NotEndsWith: []string{"a"}}}}}},
			"InvalidEventSelectorsException", "Value event Category for Field is invalid."},
		{"missing trail name", "PutEventSelectors", &cloudtrail.PutEventSelectorsRequest{}, "", ""},
		{"insight type", "PutInsightSelectors", &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr("main"),
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "Latency"}}}, "InvalidInsightSelectorsException", ""},
		{"insight category", "PutInsightSelectors", &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr("main"),
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight",
				EventCategories: []cloudtrail.SourceEventCategory{"Network"}}}}, "InvalidInsightSelectorsException", ""},
		{"event data store pattern", "PutInsightSelectors", &cloudtrail.PutInsightSelectorsRequest{EventDataStore: ptr("a b c"),
			InsightSelectors: []cloudtrail.InsightSelector{}}, "InvalidParameterException", ""},
		{"get event data store pattern", "GetInsightSelectors", &cloudtrail.GetInsightSelectorsRequest{EventDataStore: ptr("x")},
			"InvalidParameterException", ""},
		{"missing name elsewhere", "GetTrail", &cloudtrail.GetTrailRequest{}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs := violationsOf(tc.in)
			if len(vs) == 0 {
				t.Fatal("the request has no violations to map")
			}
			err := svc.MapViolations(tc.op, vs)
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("got %v, want the generic ValidationException", err)
			case tc.code == "":
			case tc.message != "":
				wantMessage(t, err, tc.code, tc.message)
			default:
				wantCode(t, err, tc.code)
			}
		})
	}
}
