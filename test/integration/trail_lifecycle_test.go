package integration

import (
	"crypto/x509"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

// trailFixture is a server with one bucket of account A, and account A's
// CloudTrail client in us-east-1.
type trailFixture struct {
	srv    *testenv.Server
	ct     *cloudtrail.Client
	bucket string
}

func newTrailFixture(t *testing.T, opts ...testenv.Option) *trailFixture {
	t.Helper()
	srv := testenv.Start(t, opts...)
	f := &trailFixture{srv: srv, ct: srv.CloudTrail(accountA, usEast1), bucket: "trail-bucket-a"}
	createBucket(t, srv, accountA, f.bucket)
	return f
}

func TestCreateTrail_AllOptions(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	const kmsKey = "1234abcd-12ab-34cd-56ef-1234567890ab"
	logGroup := "arn:aws:logs:us-east-1:" + accountA + ":log-group:trail-logs:*"
	role := "arn:aws:iam::" + accountA + ":role/CloudTrail_CloudWatchLogs_Role"
	out, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name:                       aws.String("all-options"),
		S3BucketName:               aws.String(f.bucket),
		S3KeyPrefix:                aws.String("audit/logs"),
		SnsTopicName:               aws.String("trail-topic"),
		IsMultiRegionTrail:         aws.Bool(true),
		IncludeGlobalServiceEvents: aws.Bool(true),
		EnableLogFileValidation:    aws.Bool(true),
		KmsKeyId:                   aws.String(kmsKey),
		CloudWatchLogsLogGroupArn:  aws.String(logGroup),
		CloudWatchLogsRoleArn:      aws.String(role),
		TagsList: []types.Tag{
			{Key: aws.String("env"), Value: aws.String("test")},
			{Key: aws.String("team"), Value: aws.String("audit")},
		},
	})
	must(t, err, "CreateTrail")
	arn := trailARN(usEast1, accountA, "all-options")
	topicARN := "arn:aws:sns:us-east-1:" + accountA + ":trail-topic"
	keyARN := "arn:aws:kms:us-east-1:" + accountA + ":key/" + kmsKey
	checks := []struct {
		what      string
		got, want any
	}{
		{"Name", aws.ToString(out.Name), "all-options"},
		{"TrailARN", aws.ToString(out.TrailARN), arn},
		{"S3BucketName", aws.ToString(out.S3BucketName), f.bucket},
		{"S3KeyPrefix", aws.ToString(out.S3KeyPrefix), "audit/logs"},
		{"SnsTopicARN", aws.ToString(out.SnsTopicARN), topicARN},
		{"IsMultiRegionTrail", aws.ToBool(out.IsMultiRegionTrail), true},
		{"IncludeGlobalServiceEvents", aws.ToBool(out.IncludeGlobalServiceEvents), true},
		{"LogFileValidationEnabled", aws.ToBool(out.LogFileValidationEnabled), true},
		{"KmsKeyId", aws.ToString(out.KmsKeyId), keyARN},
		{"CloudWatchLogsLogGroupArn", aws.ToString(out.CloudWatchLogsLogGroupArn), logGroup},
		{"CloudWatchLogsRoleArn", aws.ToString(out.CloudWatchLogsRoleArn), role},
		{"IsOrganizationTrail", aws.ToBool(out.IsOrganizationTrail), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("CreateTrail %s = %v, want %v", c.what, c.got, c.want)
		}
	}

	got, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("all-options")})
	must(t, err, "GetTrail")
	tr := got.Trail
	if aws.ToString(tr.HomeRegion) != usEast1 || aws.ToString(tr.KmsKeyId) != keyARN ||
		aws.ToString(tr.SnsTopicARN) != topicARN || aws.ToString(tr.S3KeyPrefix) != "audit/logs" ||
		!aws.ToBool(tr.LogFileValidationEnabled) || !aws.ToBool(tr.IsMultiRegionTrail) ||
		aws.ToString(tr.CloudWatchLogsLogGroupArn) != logGroup || aws.ToString(tr.CloudWatchLogsRoleArn) != role ||
		aws.ToBool(tr.HasCustomEventSelectors) || aws.ToBool(tr.HasInsightSelectors) {
		t.Errorf("GetTrail does not match what was created: %+v", *tr)
	}

	tags, err := f.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	must(t, err, "ListTags")
	if len(tags.ResourceTagList) != 1 || renderTags(tags.ResourceTagList[0].TagsList) != "env=test,team=audit" {
		t.Errorf("ListTags after CreateTrail = %+v", tags.ResourceTagList)
	}
}

func TestCreateTrail_Defaults(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	out := createTrail(t, f.ct, "plain", f.bucket, false)
	if aws.ToBool(out.IsMultiRegionTrail) || !aws.ToBool(out.IncludeGlobalServiceEvents) ||
		aws.ToBool(out.LogFileValidationEnabled) || out.S3KeyPrefix != nil || out.SnsTopicARN != nil ||
		out.KmsKeyId != nil || out.CloudWatchLogsLogGroupArn != nil {
		t.Errorf("CreateTrail defaults: %+v", out)
	}
	status, err := f.ct.GetTrailStatus(t.Context(), &cloudtrail.GetTrailStatusInput{Name: aws.String("plain")})
	must(t, err, "GetTrailStatus")
	if aws.ToBool(status.IsLogging) || status.StartLoggingTime != nil || status.StopLoggingTime != nil {
		t.Errorf("a new trail should not be logging: %+v", status)
	}
}

func TestGetTrail_ByNameAndARN(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "by-name", f.bucket, false)
	arn := trailARN(usEast1, accountA, "by-name")
	for _, id := range []string{"by-name", arn} {
		out, err := f.ct.GetTrail(t.Context(), &cloudtrail.GetTrailInput{Name: aws.String(id)})
		must(t, err, "GetTrail "+id)
		if aws.ToString(out.Trail.TrailARN) != arn || aws.ToString(out.Trail.Name) != "by-name" ||
			aws.ToString(out.Trail.S3BucketName) != f.bucket || aws.ToString(out.Trail.HomeRegion) != usEast1 {
			t.Errorf("GetTrail(%s) = %+v", id, *out.Trail)
		}
	}
}

func TestDescribeTrails_NamesARNsAndShadows(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "home-single", f.bucket, false)
	createTrail(t, f.ct, "home-multi", f.bucket, true)
	west := f.srv.CloudTrail(accountA, usWest2)
	createTrail(t, west, "west-single", f.bucket, false)
	ctx := t.Context()
	name := func(tr types.Trail) *string { return tr.Name }

	describe := func(c *cloudtrail.Client, shadows *bool, names ...string) []string {
		t.Helper()
		out, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: names, IncludeShadowTrails: shadows})
		must(t, err, "DescribeTrails")
		got := trailNames(out.TrailList, name)
		slices.Sort(got)
		return got
	}
	cases := []struct {
		what    string
		client  *cloudtrail.Client
		shadows *bool
		names   []string
		want    []string
	}{
		{"empty list, home region", f.ct, nil, nil, []string{"home-multi", "home-single"}},
		{"empty list, shadows included by default", west, nil, nil, []string{"home-multi", "west-single"}},
		{"empty list, includeShadowTrails true", west, aws.Bool(true), nil, []string{"home-multi", "west-single"}},
		{"empty list, includeShadowTrails false", west, aws.Bool(false), nil, []string{"west-single"}},
		{"by name", f.ct, nil, []string{"home-single"}, []string{"home-single"}},
		{"by ARN", f.ct, nil, []string{trailARN(usEast1, accountA, "home-multi")}, []string{"home-multi"}},
		{"shadow by ARN", west, nil, []string{trailARN(usEast1, accountA, "home-multi")}, []string{"home-multi"}},
		{"shadow by ARN, includeShadowTrails false", west, aws.Bool(false), []string{trailARN(usEast1, accountA, "home-multi")}, []string{}},
		{"unknown names are skipped", f.ct, nil, []string{"nope", "home-single"}, []string{"home-single"}},
		{"other region's trail by name is not found", f.ct, nil, []string{"west-single"}, []string{}},
	}
	for _, c := range cases {
		if got := describe(c.client, c.shadows, c.names...); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, got, c.want)
		}
	}

	out, err := west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{trailARN(usEast1, accountA, "home-multi")}})
	must(t, err, "DescribeTrails shadow")
	if len(out.TrailList) != 1 || aws.ToString(out.TrailList[0].HomeRegion) != usEast1 ||
		aws.ToString(out.TrailList[0].TrailARN) != trailARN(usEast1, accountA, "home-multi") {
		t.Errorf("shadow trail should describe its home region and ARN: %+v", out.TrailList)
	}
}

func TestDescribeTrails_EmptyAccount(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	out, err := srv.CloudTrail(accountA, usEast1).DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails")
	if out.TrailList == nil || len(out.TrailList) != 0 {
		t.Errorf("TrailList = %#v, want an empty list", out.TrailList)
	}
}

func TestListTrails_ShadowsAndPaginator(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	createTrail(t, f.ct, "list-b", f.bucket, false)
	createTrail(t, f.ct, "list-a", f.bucket, true)
	west := f.srv.CloudTrail(accountA, usWest2)
	createTrail(t, west, "list-c", f.bucket, false)

	// Five trails per Region is the quota, so every listing fits in one
	// page; the paginator must still terminate after it.
	var infos []types.TrailInfo
	pages := 0
	p := cloudtrail.NewListTrailsPaginator(west, &cloudtrail.ListTrailsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		must(t, err, "ListTrails")
		pages++
		infos = append(infos, page.Trails...)
	}
	if pages != 1 {
		t.Errorf("ListTrails took %d pages, want 1", pages)
	}
	got := map[string]string{}
	for _, i := range infos {
		got[aws.ToString(i.Name)] = aws.ToString(i.HomeRegion) + " " + aws.ToString(i.TrailARN)
	}
	// The Region's own trail and the shadow of the multi-Region trail are
	// listed with their home Region. (Whether trails homed in, and confined
	// to, other Regions are listed too is not documented, so it is not
	// checked.)
	want := map[string]string{
		"list-a": usEast1 + " " + trailARN(usEast1, accountA, "list-a"),
		"list-c": usWest2 + " " + trailARN(usWest2, accountA, "list-c"),
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("ListTrails in us-west-2: %s is %q, want %q (all: %v)", name, got[name], w, got)
		}
	}
	if b, ok := got["list-b"]; ok && b != usEast1+" "+trailARN(usEast1, accountA, "list-b") {
		t.Errorf("ListTrails in us-west-2 lists list-b as %q", b)
	}
}

func TestStartLogging_StopLoggingTimes(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "logger", f.bucket, false)
	name := aws.String("logger")

	before := time.Now().Add(-time.Second)
	_, err := f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name})
	must(t, err, "StartLogging")
	started, err := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
	must(t, err, "GetTrailStatus")
	after := time.Now().Add(time.Second)
	if !aws.ToBool(started.IsLogging) || started.StartLoggingTime == nil ||
		started.StartLoggingTime.Before(before) || started.StartLoggingTime.After(after) || started.StopLoggingTime != nil {
		t.Fatalf("after StartLogging: %+v", started)
	}
	if aws.ToString(started.TimeLoggingStarted) == "" {
		t.Errorf("TimeLoggingStarted is empty after StartLogging")
	}

	// Starting again changes nothing.
	_, err = f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name})
	must(t, err, "StartLogging again")
	again, err := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
	must(t, err, "GetTrailStatus")
	if !again.StartLoggingTime.Equal(*started.StartLoggingTime) {
		t.Errorf("StartLoggingTime moved from %v to %v on a second StartLogging", started.StartLoggingTime, again.StartLoggingTime)
	}

	_, err = f.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(trailARN(usEast1, accountA, "logger"))})
	must(t, err, "StopLogging by ARN")
	stopped, err := f.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
	must(t, err, "GetTrailStatus")
	if aws.ToBool(stopped.IsLogging) || stopped.StopLoggingTime == nil || stopped.StopLoggingTime.Before(*stopped.StartLoggingTime) ||
		!stopped.StartLoggingTime.Equal(*started.StartLoggingTime) {
		t.Errorf("after StopLogging: %+v", stopped)
	}
}

func TestUpdateTrail_PrefixChangeAndRemoval(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "updated", f.bucket, false)
	out, err := f.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("updated"), S3KeyPrefix: aws.String("new/prefix"), EnableLogFileValidation: aws.Bool(true)})
	must(t, err, "UpdateTrail")
	if aws.ToString(out.S3KeyPrefix) != "new/prefix" || !aws.ToBool(out.LogFileValidationEnabled) || aws.ToString(out.S3BucketName) != f.bucket {
		t.Errorf("UpdateTrail response %+v", out)
	}
	got, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("updated")})
	must(t, err, "GetTrail")
	if aws.ToString(got.Trail.S3KeyPrefix) != "new/prefix" {
		t.Errorf("S3KeyPrefix after update = %q", aws.ToString(got.Trail.S3KeyPrefix))
	}

	out, err = f.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("updated"), S3KeyPrefix: aws.String("")})
	must(t, err, "UpdateTrail removing the prefix")
	if out.S3KeyPrefix != nil {
		t.Errorf("UpdateTrail with an empty prefix still reports %q", *out.S3KeyPrefix)
	}
	got, err = f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("updated")})
	must(t, err, "GetTrail")
	if got.Trail.S3KeyPrefix != nil || !aws.ToBool(got.Trail.LogFileValidationEnabled) {
		t.Errorf("after removing the prefix: %+v", *got.Trail)
	}
}

func TestPutEventSelectors_BasicAndAdvancedReplaceEachOther(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "selective", f.bucket, false)
	name := aws.String("selective")
	arn := trailARN(usEast1, accountA, "selective")

	def, err := f.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})
	must(t, err, "GetEventSelectors")
	if aws.ToString(def.TrailARN) != arn || len(def.AdvancedEventSelectors) != 0 || len(def.EventSelectors) != 1 ||
		def.EventSelectors[0].ReadWriteType != types.ReadWriteTypeAll || !aws.ToBool(def.EventSelectors[0].IncludeManagementEvents) {
		t.Errorf("default selectors: %+v", def)
	}

	basic := []types.EventSelector{{
		ReadWriteType:           types.ReadWriteTypeWriteOnly,
		IncludeManagementEvents: aws.Bool(true),
		DataResources: []types.DataResource{{
			Type:   aws.String("AWS::S3::Object"),
			Values: []string{"arn:aws:s3:::" + f.bucket + "/"},
		}},
	}}
	put, err := f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: basic})
	must(t, err, "PutEventSelectors basic")
	if aws.ToString(put.TrailARN) != arn || len(put.EventSelectors) != 1 || len(put.AdvancedEventSelectors) != 0 {
		t.Errorf("PutEventSelectors basic response: %+v", put)
	}
	wantCustom(t, f.ct, "selective", true)
	got, err := f.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(arn)})
	must(t, err, "GetEventSelectors")
	if len(got.AdvancedEventSelectors) != 0 || len(got.EventSelectors) != 1 ||
		got.EventSelectors[0].ReadWriteType != types.ReadWriteTypeWriteOnly ||
		len(got.EventSelectors[0].DataResources) != 1 ||
		!slices.Equal(got.EventSelectors[0].DataResources[0].Values, basic[0].DataResources[0].Values) {
		t.Errorf("GetEventSelectors after basic put: %+v", got)
	}

	advanced := []types.AdvancedEventSelector{{
		Name: aws.String("write management events"),
		FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}},
		},
	}}
	put, err = f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, AdvancedEventSelectors: advanced})
	must(t, err, "PutEventSelectors advanced")
	if len(put.AdvancedEventSelectors) != 1 || len(put.EventSelectors) != 0 {
		t.Errorf("PutEventSelectors advanced response: %+v", put)
	}
	got, err = f.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})
	must(t, err, "GetEventSelectors")
	if len(got.EventSelectors) != 0 || len(got.AdvancedEventSelectors) != 1 ||
		aws.ToString(got.AdvancedEventSelectors[0].Name) != "write management events" ||
		len(got.AdvancedEventSelectors[0].FieldSelectors) != 2 {
		t.Errorf("advanced selectors did not replace basic ones: %+v", got)
	}
	wantCustom(t, f.ct, "selective", true)

	_, err = f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: basic})
	must(t, err, "PutEventSelectors basic again")
	got, err = f.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})
	must(t, err, "GetEventSelectors")
	if len(got.AdvancedEventSelectors) != 0 || len(got.EventSelectors) != 1 {
		t.Errorf("basic selectors did not replace advanced ones: %+v", got)
	}
}

func wantCustom(t *testing.T, ct *cloudtrail.Client, name string, want bool) {
	t.Helper()
	got, err := ct.GetTrail(t.Context(), &cloudtrail.GetTrailInput{Name: aws.String(name)})
	must(t, err, "GetTrail")
	if aws.ToBool(got.Trail.HasCustomEventSelectors) != want {
		t.Errorf("HasCustomEventSelectors = %v, want %v", aws.ToBool(got.Trail.HasCustomEventSelectors), want)
	}
}

func TestPutInsightSelectors_EnableAndDisable(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "insightful", f.bucket, false)
	name := aws.String("insightful")

	_, err := f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name})
	wantAPIError(t, err, "InsightNotEnabledException", 400)

	put, err := f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{
		TrailName: name,
		InsightSelectors: []types.InsightSelector{
			{InsightType: types.InsightTypeApiCallRateInsight},
			{InsightType: types.InsightTypeApiErrorRateInsight},
		},
	})
	must(t, err, "PutInsightSelectors")
	if aws.ToString(put.TrailARN) != trailARN(usEast1, accountA, "insightful") || len(put.InsightSelectors) != 2 {
		t.Errorf("PutInsightSelectors response: %+v", put)
	}
	got, err := f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name})
	must(t, err, "GetInsightSelectors")
	var kinds []string
	for _, s := range got.InsightSelectors {
		kinds = append(kinds, string(s.InsightType))
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, []string{"ApiCallRateInsight", "ApiErrorRateInsight"}) {
		t.Errorf("GetInsightSelectors = %v", kinds)
	}
	tr, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: name})
	must(t, err, "GetTrail")
	if !aws.ToBool(tr.Trail.HasInsightSelectors) {
		t.Errorf("HasInsightSelectors false with Insights enabled")
	}

	_, err = f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: name, InsightSelectors: []types.InsightSelector{}})
	must(t, err, "PutInsightSelectors (disable)")
	_, err = f.ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name})
	wantAPIError(t, err, "InsightNotEnabledException", 400)
	tr, err = f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: name})
	must(t, err, "GetTrail")
	if aws.ToBool(tr.Trail.HasInsightSelectors) {
		t.Errorf("HasInsightSelectors true after Insights were turned off")
	}
}

func TestAddTags_ListTagsRemoveTags(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "tagged", f.bucket, false)
	arn := trailARN(usEast1, accountA, "tagged")
	list := func() string {
		t.Helper()
		out, err := f.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
		must(t, err, "ListTags")
		if len(out.ResourceTagList) != 1 || aws.ToString(out.ResourceTagList[0].ResourceId) != arn {
			t.Fatalf("ListTags = %+v", out.ResourceTagList)
		}
		return renderTags(out.ResourceTagList[0].TagsList)
	}
	if got := list(); got != "" {
		t.Errorf("new trail has tags %q", got)
	}
	_, err := f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{
		{Key: aws.String("owner"), Value: aws.String("alice")},
		{Key: aws.String("cost-center"), Value: aws.String("42")},
		{Key: aws.String("flag")},
	}})
	must(t, err, "AddTags")
	if got := list(); got != "cost-center=42,flag,owner=alice" {
		t.Errorf("after AddTags: %q", got)
	}
	_, err = f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{
		{Key: aws.String("owner"), Value: aws.String("bob")},
	}})
	must(t, err, "AddTags overwrite")
	if got := list(); got != "cost-center=42,flag,owner=bob" {
		t.Errorf("after overwriting a tag: %q", got)
	}
	_, err = f.ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{
		{Key: aws.String("owner")}, {Key: aws.String("not-there")},
	}})
	must(t, err, "RemoveTags")
	if got := list(); got != "cost-center=42,flag" {
		t.Errorf("after RemoveTags: %q", got)
	}
}

var fingerprintPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestListPublicKeys_CurrentKey(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()
	out, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	must(t, err, "ListPublicKeys")
	if len(out.PublicKeyList) != 1 || out.NextToken != nil {
		t.Fatalf("ListPublicKeys = %+v, want one key and no NextToken", out)
	}
	k := out.PublicKeyList[0]
	if !fingerprintPattern.MatchString(aws.ToString(k.Fingerprint)) {
		t.Errorf("Fingerprint %q is not 32 lowercase hex digits", aws.ToString(k.Fingerprint))
	}
	if _, err := x509.ParsePKCS1PublicKey(k.Value); err != nil {
		t.Errorf("Value is not a DER PKCS#1 RSA public key: %v", err)
	}
	now := time.Now()
	if k.ValidityStartTime == nil || k.ValidityEndTime == nil || k.ValidityStartTime.After(now) || !k.ValidityEndTime.After(now) {
		t.Errorf("key validity [%v, %v] does not cover now", k.ValidityStartTime, k.ValidityEndTime)
	}

	again, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now)})
	must(t, err, "ListPublicKeys with a range")
	if len(again.PublicKeyList) != 1 || aws.ToString(again.PublicKeyList[0].Fingerprint) != aws.ToString(k.Fingerprint) {
		t.Errorf("the same key should be listed for a range ending now: %+v", again.PublicKeyList)
	}

	_, err = ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	wantAPIError(t, err, "InvalidTimeRangeException", 400)
}

func TestLookupEvents_EmptyPage(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	out, err := srv.CloudTrail(accountA, usEast1).LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail")}},
		MaxResults:       aws.Int32(10),
	})
	must(t, err, "LookupEvents")
	if len(out.Events) != 0 || out.NextToken != nil {
		t.Errorf("LookupEvents = %+v, want an empty page", out)
	}
}

func TestDeleteTrail_RemovesTrailAndTags(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "doomed", f.bucket, true)
	arn := trailARN(usEast1, accountA, "doomed")
	_, err := f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	must(t, err, "AddTags")
	_, err = f.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("doomed")})
	must(t, err, "DeleteTrail")

	_, err = f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("doomed")})
	checkAPIError(t, err, "TrailNotFoundException", 404)
	_, err = f.srv.CloudTrail(accountA, usWest2).GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	checkAPIError(t, err, "TrailNotFoundException", 404)
	out, err := f.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails")
	if len(out.TrailList) != 0 {
		t.Errorf("DescribeTrails after delete = %+v", out.TrailList)
	}

	// A new trail with the same name starts without the old tags.
	createTrail(t, f.ct, "doomed", f.bucket, false)
	tags, err := f.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	must(t, err, "ListTags")
	if len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 0 {
		t.Errorf("recreated trail inherited tags: %+v", tags.ResourceTagList)
	}
}

// renderTags renders tags as sorted "key=value" pairs ("key" alone when
// there is no value), comma separated.
func renderTags(tags []types.Tag) string {
	parts := make([]string, 0, len(tags))
	for _, tg := range tags {
		s := aws.ToString(tg.Key)
		if tg.Value != nil {
			s += "=" + *tg.Value
		}
		parts = append(parts, s)
	}
	slices.Sort(parts)
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out
}
