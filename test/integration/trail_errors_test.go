package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

func TestCreateTrail_InvalidTrailName(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	cases := []struct{ rule, name string }{
		{"too short", "ab"},
		{"too long", strings.Repeat("a", 129)},
		{"space", "bad name"},
		{"exclamation mark", "bad!name"},
		{"slash", "bad/name"},
		{"non-ASCII letter", "trailé"},
		{"starts with a period", ".trail"},
		{"starts with a hyphen", "-trail"},
		{"starts with an underscore", "_trail"},
		{"ends with a period", "trail."},
		{"ends with a hyphen", "trail-"},
		{"ends with an underscore", "trail_"},
		{"adjacent periods", "my..trail"},
		{"adjacent hyphens", "my--trail"},
		{"adjacent underscores", "my__trail"},
		{"period and hyphen", "my.-trail"},
		{"hyphen and underscore", "my-_trail"},
		{"IP address", "192.168.5.4"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String(c.name), S3BucketName: aws.String(f.bucket)})
			checkAPIError(t, err, "InvalidTrailNameException", 400)
		})
	}
	// The limits themselves are valid.
	for _, name := range []string{"abc", strings.Repeat("b", 128), "a.b-c_d", "1trail9", "192.168.5"} {
		_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(f.bucket)})
		if err != nil {
			t.Errorf("CreateTrail(%q): %v", name, err)
		}
	}
}

func TestGetTrail_InvalidNamesAndARNs(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	_, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("a")})
	checkAPIError(t, err, "InvalidTrailNameException", 400)
	for _, arn := range []string{
		"arn:aws:cloudtrail:us-east-1:12345:trail/short-account",
		"arn:aws:cloudtrail:us-east-1:" + accountA + ":eventdatastore/abc",
		"arn:aws:s3:::some-bucket",
		"arn:",
	} {
		t.Run(arn, func(t *testing.T) {
			_, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
			checkAPIError(t, err, "CloudTrailARNInvalidException", 400)
		})
	}
}

func TestTrailOperations_TrailNotFound(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	missing := aws.String("missing-trail")
	missingARN := aws.String(trailARN(usEast1, accountA, "missing-trail"))
	calls := map[string]func(ctx context.Context, name *string) error{
		"GetTrail": func(ctx context.Context, n *string) error {
			_, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: n})
			return err
		},
		"GetTrailStatus": func(ctx context.Context, n *string) error {
			_, err := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: n})
			return err
		},
		"UpdateTrail": func(ctx context.Context, n *string) error {
			_, err := f.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: n, S3KeyPrefix: aws.String("p")})
			return err
		},
		"DeleteTrail": func(ctx context.Context, n *string) error {
			_, err := f.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: n})
			return err
		},
		"StartLogging": func(ctx context.Context, n *string) error {
			_, err := f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: n})
			return err
		},
		"StopLogging": func(ctx context.Context, n *string) error {
			_, err := f.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: n})
			return err
		},
		"GetEventSelectors": func(ctx context.Context, n *string) error {
			_, err := f.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: n})
			return err
		},
		"PutEventSelectors": func(ctx context.Context, n *string) error {
			_, err := f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: n, EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll}}})
			return err
		},
		"GetInsightSelectors": func(ctx context.Context, n *string) error {
			_, err := f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: n})
			return err
		},
		"PutInsightSelectors": func(ctx context.Context, n *string) error {
			_, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: n, InsightSelectors: []types.InsightSelector{}})
			return err
		},
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			checkAPIError(t, call(t.Context(), missing), "TrailNotFoundException", 404)
			checkAPIError(t, call(t.Context(), missingARN), "TrailNotFoundException", 404)
		})
	}
}

func TestCreateTrail_TrailAlreadyExists(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "twice", f.bucket, false)
	_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("twice"), S3BucketName: aws.String(f.bucket)})
	checkAPIError(t, err, "TrailAlreadyExistsException", 400)

	// A multi-Region trail's shadows occupy the name in every Region.
	createTrail(t, f.ct, "everywhere", f.bucket, true)
	_, err = f.srv.CloudTrail(accountA, euWest1).CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("everywhere"), S3BucketName: aws.String(f.bucket)})
	checkAPIError(t, err, "TrailAlreadyExistsException", 400)
}

func TestCreateTrail_MaximumNumberOfTrailsExceeded(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	for i := 1; i <= 5; i++ {
		createTrail(t, f.ct, fmt.Sprintf("east-%d", i), f.bucket, false)
	}
	_, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("east-6"), S3BucketName: aws.String(f.bucket)})
	checkAPIError(t, err, "MaximumNumberOfTrailsExceededException", 403)

	// The quota is per Region and per account.
	west := f.srv.CloudTrail(accountA, usWest2)
	createTrail(t, west, "west-1", f.bucket, false)
	createBucket(t, f.srv, accountB, "trail-bucket-b")
	createTrail(t, f.srv.CloudTrail(accountB, usEast1), "east-6", "trail-bucket-b", false)

	// A multi-Region trail would be a sixth trail in us-east-1.
	_, err = west.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("west-multi"), S3BucketName: aws.String(f.bucket), IsMultiRegionTrail: aws.Bool(true)})
	checkAPIError(t, err, "MaximumNumberOfTrailsExceededException", 403)
}

func TestCreateTrail_MultiRegionTrailCountsInEveryRegion(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "global", f.bucket, true)
	eu := f.srv.CloudTrail(accountA, euWest1)
	for i := 1; i <= 4; i++ {
		createTrail(t, eu, fmt.Sprintf("eu-%d", i), f.bucket, false)
	}
	_, err := eu.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("eu-5"), S3BucketName: aws.String(f.bucket)})
	checkAPIError(t, err, "MaximumNumberOfTrailsExceededException", 403)

	// Turning a single-Region trail into a multi-Region one is held to the
	// same quota.
	createTrail(t, f.ct, "single", f.bucket, false)
	_, err = f.ct.UpdateTrail(t.Context(), &cloudtrail.UpdateTrailInput{Name: aws.String("single"), IsMultiRegionTrail: aws.Bool(true)})
	checkAPIError(t, err, "MaximumNumberOfTrailsExceededException", 403)
}

func TestCreateTrail_S3BucketDoesNotExist(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("orphan"), S3BucketName: aws.String("no-such-bucket-anywhere")})
	checkAPIError(t, err, "S3BucketDoesNotExistException", 404)

	createTrail(t, f.ct, "moving", f.bucket, false)
	_, err = f.ct.UpdateTrail(t.Context(), &cloudtrail.UpdateTrailInput{Name: aws.String("moving"), S3BucketName: aws.String("no-such-bucket-anywhere")})
	checkAPIError(t, err, "S3BucketDoesNotExistException", 404)
}

func TestCreateTrail_InvalidS3Prefix(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	long := strings.Repeat("p", 201)
	_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("prefixed"), S3BucketName: aws.String(f.bucket), S3KeyPrefix: aws.String(long)})
	checkAPIError(t, err, "InvalidS3PrefixException", 400)

	_, err = f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("prefixed"), S3BucketName: aws.String(f.bucket), S3KeyPrefix: aws.String(long[:200])})
	must(t, err, "CreateTrail with a 200-character prefix")
	_, err = f.ct.UpdateTrail(t.Context(), &cloudtrail.UpdateTrailInput{Name: aws.String("prefixed"), S3KeyPrefix: aws.String(long)})
	checkAPIError(t, err, "InvalidS3PrefixException", 400)
}

func TestCreateTrail_InvalidParameterCombination(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{
		Name: aws.String("no-globals"), S3BucketName: aws.String(f.bucket),
		IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(false),
	})
	checkAPIError(t, err, "InvalidParameterCombinationException", 400)

	createTrail(t, f.ct, "multi", f.bucket, true)
	_, err = f.ct.UpdateTrail(t.Context(), &cloudtrail.UpdateTrailInput{Name: aws.String("multi"), IncludeGlobalServiceEvents: aws.Bool(false)})
	checkAPIError(t, err, "InvalidParameterCombinationException", 400)
}

func manyTags(prefix string, n int) []types.Tag {
	tags := make([]types.Tag, n)
	for i := range tags {
		tags[i] = types.Tag{Key: aws.String(fmt.Sprintf("%s%d", prefix, i)), Value: aws.String("v")}
	}
	return tags
}

func TestAddTags_TagsLimitExceeded(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	_, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("crowded"), S3BucketName: aws.String(f.bucket), TagsList: manyTags("k", 51)})
	checkAPIError(t, err, "TagsLimitExceededException", 400)

	_, err = f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("crowded"), S3BucketName: aws.String(f.bucket), TagsList: manyTags("k", 50)})
	must(t, err, "CreateTrail with 50 tags")
	arn := aws.String(trailARN(usEast1, accountA, "crowded"))
	_, err = f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: manyTags("extra", 1)})
	checkAPIError(t, err, "TagsLimitExceededException", 400)
	// Overwriting existing keys does not add tags.
	_, err = f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: manyTags("k", 10)})
	must(t, err, "AddTags overwriting existing keys")
}

func TestAddTags_InvalidTagParameter(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "tag-rules", f.bucket, false)
	arn := aws.String(trailARN(usEast1, accountA, "tag-rules"))
	cases := []struct {
		what string
		tags []types.Tag
	}{
		{"key too long", []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}},
		{"value too long", []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}},
		{"reserved prefix", []types.Tag{{Key: aws.String("aws:createdBy"), Value: aws.String("v")}}},
		{"duplicate key", []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			_, err := f.ct.AddTags(t.Context(), &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: c.tags})
			checkAPIError(t, err, "InvalidTagParameterException", 400)
		})
	}
	_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("bad-tags"), S3BucketName: aws.String(f.bucket),
		TagsList: []types.Tag{{Key: aws.String(strings.Repeat("k", 129))}}})
	checkAPIError(t, err, "InvalidTagParameterException", 400)
}

func TestPutEventSelectors_InvalidEventSelectors(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "selectors", f.bucket, false)
	name := aws.String("selectors")

	six := make([]types.EventSelector, 6)
	for i := range six {
		six[i] = types.EventSelector{ReadWriteType: types.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}
	}
	values := make([]string, 251)
	for i := range values {
		values[i] = fmt.Sprintf("arn:aws:s3:::%s/prefix-%d/", f.bucket, i)
	}
	tooManyResources := []types.EventSelector{{
		ReadWriteType:           types.ReadWriteTypeAll,
		IncludeManagementEvents: aws.Bool(true),
		DataResources:           []types.DataResource{{Type: aws.String("AWS::S3::Object"), Values: values}},
	}}
	arnPrefixes := make([]string, 501)
	for i := range arnPrefixes {
		arnPrefixes[i] = fmt.Sprintf("arn:aws:s3:::%s/p%d/", f.bucket, i)
	}
	tooManyValues := []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
		{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
		{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
		{Field: aws.String("resources.ARN"), StartsWith: arnPrefixes},
	}}}
	cases := []struct {
		what     string
		basic    []types.EventSelector
		advanced []types.AdvancedEventSelector
	}{
		{"six basic selectors", six, nil},
		{"251 data resources", tooManyResources, nil},
		{"503 advanced values", nil, tooManyValues},
		{"unknown ReadWriteType", []types.EventSelector{{ReadWriteType: "Sometimes"}}, nil},
		{"unknown data resource type", []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll, DataResources: []types.DataResource{{Type: aws.String("AWS::Nope::Thing"), Values: []string{"arn:aws:s3"}}}}}, nil},
		{"unknown field", nil, []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("colour"), Equals: []string{"blue"}},
		}}}},
		{"unsupported operator", nil, []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), StartsWith: []string{"t"}},
		}}}},
		{"unknown event category", nil, []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Gossip"}},
		}}}},
		{"missing eventCategory", nil, []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("readOnly"), Equals: []string{"true"}},
		}}}},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			_, err := f.ct.PutEventSelectors(t.Context(), &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: c.basic, AdvancedEventSelectors: c.advanced})
			checkAPIError(t, err, "InvalidEventSelectorsException", 400)
		})
	}

	// The limits themselves are accepted.
	tooManyResources[0].DataResources[0].Values = values[:250]
	_, err := f.ct.PutEventSelectors(t.Context(), &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: tooManyResources})
	must(t, err, "PutEventSelectors with 250 data resources")
	// eventCategory, resources.type and 498 prefixes: 500 values.
	tooManyValues[0].FieldSelectors[2].StartsWith = arnPrefixes[:498]
	_, err = f.ct.PutEventSelectors(t.Context(), &cloudtrail.PutEventSelectorsInput{TrailName: name, AdvancedEventSelectors: tooManyValues})
	must(t, err, "PutEventSelectors with 500 advanced values")
	_, err = f.ct.PutEventSelectors(t.Context(), &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: six[:5]})
	must(t, err, "PutEventSelectors with five selectors")
}

func TestPutInsightSelectors_InvalidInsightSelectors(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "insights", f.bucket, false)
	name := aws.String("insights")
	cases := []struct {
		what      string
		selectors []types.InsightSelector
	}{
		{"unknown type", []types.InsightSelector{{InsightType: "ApiGossipInsight"}}},
		{"type given twice", []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}, {InsightType: types.InsightTypeApiCallRateInsight}}},
		{"data events not logged", []types.InsightSelector{{InsightType: types.InsightTypeApiErrorRateInsight, EventCategories: []types.SourceEventCategory{types.SourceEventCategoryData}}}},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			_, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: name, InsightSelectors: c.selectors})
			checkAPIError(t, err, "InvalidInsightSelectorsException", 400)
		})
	}

	// API call rate Insights need write management events.
	_, err := f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: []types.EventSelector{
		{ReadWriteType: types.ReadWriteTypeReadOnly, IncludeManagementEvents: aws.Bool(true)},
	}})
	must(t, err, "PutEventSelectors read-only")
	_, err = f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: name, InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiCallRateInsight}}})
	checkAPIError(t, err, "InvalidInsightSelectorsException", 400)
	_, err = f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name})
	checkAPIError(t, err, "InsightNotEnabledException", 400)
}

func TestHomeRegionOperations_InvalidHomeRegion(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "homed", f.bucket, true)
	west := f.srv.CloudTrail(accountA, usWest2)
	calls := map[string]func(ctx context.Context, name *string) error{
		"UpdateTrail": func(ctx context.Context, n *string) error {
			_, err := west.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: n, S3KeyPrefix: aws.String("p")})
			return err
		},
		"DeleteTrail": func(ctx context.Context, n *string) error {
			_, err := west.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: n})
			return err
		},
		"StartLogging": func(ctx context.Context, n *string) error {
			_, err := west.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: n})
			return err
		},
		"StopLogging": func(ctx context.Context, n *string) error {
			_, err := west.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: n})
			return err
		},
		"PutEventSelectors": func(ctx context.Context, n *string) error {
			_, err := west.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: n, EventSelectors: []types.EventSelector{{ReadWriteType: types.ReadWriteTypeAll}}})
			return err
		},
		"PutInsightSelectors": func(ctx context.Context, n *string) error {
			_, err := west.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: n, InsightSelectors: []types.InsightSelector{}})
			return err
		},
	}
	arn := aws.String(trailARN(usEast1, accountA, "homed"))
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			checkAPIError(t, call(t.Context(), arn), "InvalidHomeRegionException", 400)
			checkAPIError(t, call(t.Context(), aws.String("homed")), "InvalidHomeRegionException", 400)
		})
	}
	// Nothing changed, and the trail still exists.
	got, err := f.ct.GetTrail(t.Context(), &cloudtrail.GetTrailInput{Name: aws.String("homed")})
	must(t, err, "GetTrail")
	if got.Trail.S3KeyPrefix != nil || aws.ToBool(got.Trail.HasCustomEventSelectors) {
		t.Errorf("a rejected call changed the trail: %+v", *got.Trail)
	}
}

func TestCreateTrail_OrganizationsNotInUse(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	_, err := f.ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String(f.bucket), IsOrganizationTrail: aws.Bool(true)})
	checkAPIError(t, err, "OrganizationsNotInUseException", 404)
	createTrail(t, f.ct, "org", f.bucket, false)
	_, err = f.ct.UpdateTrail(t.Context(), &cloudtrail.UpdateTrailInput{Name: aws.String("org"), IsOrganizationTrail: aws.Bool(true)})
	checkAPIError(t, err, "OrganizationsNotInUseException", 404)
}

func TestLookupEvents_InvalidParameters(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	now := time.Now()
	attr := func(key types.LookupAttributeKey, value string) types.LookupAttribute {
		return types.LookupAttribute{AttributeKey: key, AttributeValue: aws.String(value)}
	}
	cases := []struct {
		what   string
		in     cloudtrail.LookupEventsInput
		code   string
		status int
	}{
		{"MaxResults 0", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(0)}, "InvalidMaxResultsException", 400},
		{"MaxResults 51", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException", 400},
		{"two attributes", cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{
			attr(types.LookupAttributeKeyEventName, "CreateTrail"), attr(types.LookupAttributeKeyUsername, "alice")}}, "InvalidLookupAttributesException", 400},
		{"unknown attribute key", cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{attr("Colour", "blue")}}, "InvalidLookupAttributesException", 400},
		{"empty attribute value", cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{attr(types.LookupAttributeKeyEventName, "")}}, "InvalidLookupAttributesException", 400},
		{"Insights with an unsupported key", cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight,
			LookupAttributes: []types.LookupAttribute{attr(types.LookupAttributeKeyUsername, "alice")}}, "InvalidLookupAttributesException", 400},
		{"start after end", cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))}, "InvalidTimeRangeException", 400},
		{"unknown event category", cloudtrail.LookupEventsInput{EventCategory: "management"}, "InvalidEventCategoryException", 400},
		{"garbage NextToken", cloudtrail.LookupEventsInput{NextToken: aws.String("not-a-token")}, "InvalidNextTokenException", 400},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			in := c.in
			_, err := ct.LookupEvents(t.Context(), &in)
			checkAPIError(t, err, c.code, c.status)
		})
	}
	// Insights lookups with a supported key are fine.
	_, err := ct.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{EventCategory: types.EventCategoryInsight,
		LookupAttributes: []types.LookupAttribute{attr(types.LookupAttributeKeyEventSource, "ec2.amazonaws.com")}})
	must(t, err, "LookupEvents insight")
}

// The CloudTrail User Guide ("Logging Insights events with the AWS CLI")
// shows the message GetInsightSelectors answers for a trail without
// Insights: it names the trail by its ARN, "Trail
// arn:aws:cloudtrail:us-east-1:123456789012:trail/trailName does not have
// Insights enabled...". docs/compat.md promises documented messages.
func TestGetInsightSelectors_InsightNotEnabledMessageNamesTrailARN(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "no-insights", f.bucket, false)
	arn := trailARN(usEast1, accountA, "no-insights")
	for _, id := range []string{"no-insights", arn} {
		_, err := f.ct.GetInsightSelectors(t.Context(), &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String(id)})
		apiErr := checkAPIError(t, err, "InsightNotEnabledException", 400)
		if apiErr == nil {
			continue
		}
		if want := "Trail " + arn + " does not have Insights enabled"; !strings.HasPrefix(apiErr.ErrorMessage(), want) {
			t.Errorf("GetInsightSelectors(%s) message %q, want it to start %q", id, apiErr.ErrorMessage(), want)
		}
	}
}
