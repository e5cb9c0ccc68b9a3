package trails

import (
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func TestUpdateTrailChangesAndRemovals(t *testing.T) {
	h := newHarness(t)
	_, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name: ptr("main"), S3BucketName: ptr("trail-bucket"), S3KeyPrefix: ptr("logs"), SnsTopicName: ptr("topic"),
		KmsKeyId:                  ptr("alias/key"),
		CloudWatchLogsLogGroupArn: ptr("arn:aws:logs:us-east-1:123456789012:log-group:ct:*"),
		CloudWatchLogsRoleArn:     ptr("arn:aws:iam::123456789012:role/ct"),
	})
	mustOK(t, err)

	out, err := h.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{
		Name: ptr(mainARN), S3BucketName: ptr("other-bucket"), EnableLogFileValidation: ptr(true),
		IncludeGlobalServiceEvents: ptr(false),
	})
	mustOK(t, err)
	if *out.S3BucketName != "other-bucket" || !*out.LogFileValidationEnabled || *out.IncludeGlobalServiceEvents ||
		*out.S3KeyPrefix != "logs" || *out.SnsTopicARN != "arn:aws:sns:us-east-1:123456789012:topic" {
		t.Fatalf("after update %+v", out)
	}

	out, err = h.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{
		Name: ptr("main"), S3KeyPrefix: ptr(""), SnsTopicName: ptr(""), KmsKeyId: ptr(""),
		CloudWatchLogsLogGroupArn: ptr(""), CloudWatchLogsRoleArn: ptr(""),
	})
	mustOK(t, err)
	if out.S3KeyPrefix != nil || out.SnsTopicName != nil || out.SnsTopicARN != nil || out.KmsKeyId != nil ||
		out.CloudWatchLogsLogGroupArn != nil || out.CloudWatchLogsRoleArn != nil {
		t.Fatalf("removals not applied: %+v", out)
	}
	tr := h.get(in(home), "main")
	if tr.S3KeyPrefix != nil || tr.SnsTopicARN != nil || *tr.S3BucketName != "other-bucket" {
		t.Fatalf("stored trail %+v", tr)
	}
}

func TestUpdateTrailErrors(t *testing.T) {
	tests := []struct {
		name string
		req  cloudtrail.UpdateTrailRequest
		ctx  string
		code string
	}{
		{"not found", cloudtrail.UpdateTrailRequest{Name: ptr("ghost")}, home, "TrailNotFoundException"},
		{"bad name", cloudtrail.UpdateTrailRequest{Name: ptr("a")}, home, "InvalidTrailNameException"},
		{"bad arn", cloudtrail.UpdateTrailRequest{Name: ptr("arn:aws:cloudtrail:x")}, home, "CloudTrailARNInvalidException"},
		{"missing bucket", cloudtrail.UpdateTrailRequest{Name: ptr("main"), S3BucketName: ptr("no-bucket")}, home, "S3BucketDoesNotExistException"},
		{"empty bucket", cloudtrail.UpdateTrailRequest{Name: ptr("main"), S3BucketName: ptr("")}, home, "InvalidS3BucketNameException"},
		{"bad prefix", cloudtrail.UpdateTrailRequest{Name: ptr("main"), S3KeyPrefix: ptr(string(make([]byte, 201)))}, home, "InvalidS3PrefixException"},
		{"bad topic", cloudtrail.UpdateTrailRequest{Name: ptr("main"), SnsTopicName: ptr("a/b")}, home, "InvalidSnsTopicNameException"},
		{"bad kms", cloudtrail.UpdateTrailRequest{Name: ptr("main"), KmsKeyId: ptr("key")}, home, "InvalidKmsKeyIdException"},
		{"log group alone", cloudtrail.UpdateTrailRequest{Name: ptr("main"),
			CloudWatchLogsLogGroupArn: ptr("arn:aws:logs:us-east-1:123456789012:log-group:ct")}, home, "InvalidParameterCombinationException"},
		{"bad role", cloudtrail.UpdateTrailRequest{Name: ptr("main"),
			CloudWatchLogsLogGroupArn: ptr("arn:aws:logs:us-east-1:123456789012:log-group:ct"),
			CloudWatchLogsRoleArn:     ptr("role/ct")}, home, "InvalidCloudWatchLogsRoleArnException"},
		{"multi without global", cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsMultiRegionTrail: ptr(true),
			IncludeGlobalServiceEvents: ptr(false)}, home, "InvalidParameterCombinationException"},
		{"organization", cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsOrganizationTrail: ptr(true)}, home, "OrganizationsNotInUseException"},
		{"other region by name", cloudtrail.UpdateTrailRequest{Name: ptr("main")}, away, "TrailNotFoundException"},
		{"shadow by ARN", cloudtrail.UpdateTrailRequest{Name: ptr(globalARN)}, away, "InvalidHomeRegionException"},
		{"shadow by name", cloudtrail.UpdateTrailRequest{Name: ptr("global")}, away, "InvalidHomeRegionException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.create(in(home), "main", false)
			h.create(in(home), "global", true)
			before := h.get(in(home), "main")
			_, err := h.h.UpdateTrail(in(tc.ctx), &tc.req)
			wantCode(t, err, tc.code)
			after := h.get(in(home), "main")
			if *after.S3BucketName != *before.S3BucketName || after.S3KeyPrefix != nil || after.KmsKeyId != nil {
				t.Fatalf("failed update changed the trail: %+v", after)
			}
		})
	}
}

func TestUpdateTrailHomeRegionMessage(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)
	_, err := h.h.UpdateTrail(in(away), &cloudtrail.UpdateTrailRequest{Name: ptr(globalARN)})
	wantMessage(t, err, "InvalidHomeRegionException",
		"The trail arn:aws:cloudtrail:us-east-1:123456789012:trail/global can only be changed from its home region us-east-1; this request was made in eu-west-1.")
}

func TestUpdateTrailMultiRegionConversion(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", false)

	// Turning a trail multi-Region creates shadows everywhere.
	out, err := h.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsMultiRegionTrail: ptr(true)})
	mustOK(t, err)
	if !*out.IsMultiRegionTrail {
		t.Fatal("not multi-Region")
	}
	if sh := h.get(in(away), mainARN); *sh.HomeRegion != home {
		t.Fatalf("shadow %+v", sh)
	}
	// Global service events cannot be turned off while multi-Region.
	_, err = h.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{Name: ptr("main"), IncludeGlobalServiceEvents: ptr(false)})
	wantCode(t, err, "InvalidParameterCombinationException")

	// And back: the shadows disappear.
	_, err = h.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsMultiRegionTrail: ptr(false)})
	mustOK(t, err)
	_, err = h.h.GetTrail(in(away), &cloudtrail.GetTrailRequest{Name: ptr(mainARN)})
	wantCode(t, err, "TrailNotFoundException")
}

func TestUpdateTrailMultiRegionConversionRespectsNamesAndLimits(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", false)
	h.create(in(away), "main", false)
	_, err := h.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsMultiRegionTrail: ptr(true)})
	wantCode(t, err, "TrailAlreadyExistsException")
	if tr := h.get(in(home), "main"); *tr.IsMultiRegionTrail {
		t.Fatal("failed conversion was stored")
	}

	h2 := newHarness(t)
	h2.create(in(home), "main", false)
	for _, n := range []string{"aw1", "aw2", "aw3", "aw4", "aw5"} {
		h2.create(in(away), n, false)
	}
	_, err = h2.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsMultiRegionTrail: ptr(true)})
	wantMessage(t, err, "MaximumNumberOfTrailsExceededException", "User: 123456789012 already has 5 trails in eu-west-1.")
	// Updating a multi-Region trail that stays multi-Region needs no room.
	h3 := newHarness(t)
	h3.create(in(home), "main", true)
	for _, n := range []string{"aw1", "aw2", "aw3", "aw4"} {
		h3.create(in(away), n, false)
	}
	_, err = h3.h.UpdateTrail(in(home), &cloudtrail.UpdateTrailRequest{Name: ptr("main"), IsMultiRegionTrail: ptr(true),
		EnableLogFileValidation: ptr(true)})
	mustOK(t, err)
}

func TestDeleteTrail(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)
	_, err := h.tags.AddTags(in(home), &cloudtrail.AddTagsRequest{ResourceId: ptr(globalARN),
		TagsList: []cloudtrail.Tag{{Key: ptr("k"), Value: ptr("v")}}})
	mustOK(t, err)

	_, err = h.h.DeleteTrail(in(away), &cloudtrail.DeleteTrailRequest{Name: ptr(globalARN)})
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = h.h.DeleteTrail(in(home), &cloudtrail.DeleteTrailRequest{Name: ptr("global")})
	mustOK(t, err)

	for _, region := range []string{home, away} {
		_, err = h.h.GetTrail(in(region), &cloudtrail.GetTrailRequest{Name: ptr(globalARN)})
		wantCode(t, err, "TrailNotFoundException")
	}
	_, err = h.h.DeleteTrail(in(home), &cloudtrail.DeleteTrailRequest{Name: ptr("global")})
	wantCode(t, err, "TrailNotFoundException")

	// A new trail with the same name starts without the old tags.
	h.create(in(home), "global", true)
	out, err := h.tags.ListTags(in(home), &cloudtrail.ListTagsRequest{ResourceIdList: []string{globalARN}})
	mustOK(t, err)
	if len(out.ResourceTagList[0].TagsList) != 0 {
		t.Fatalf("tags survived DeleteTrail: %+v", out.ResourceTagList[0].TagsList)
	}
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	h := newHarness(t)
	_, err := h.h.CreateTrail(in(home), &cloudtrail.CreateTrailRequest{
		Name: ptr("global"), S3BucketName: ptr("trail-bucket"), IsMultiRegionTrail: ptr(true), KmsKeyId: ptr("alias/k"),
		TagsList: []cloudtrail.Tag{{Key: ptr("team"), Value: ptr("sec")}},
	})
	mustOK(t, err)
	_, err = h.h.StartLogging(in(home), &cloudtrail.StartLoggingRequest{Name: ptr("global")})
	mustOK(t, err)
	_, err = h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("global"),
		AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{managementSelector()}})
	mustOK(t, err)
	_, err = h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr("global"),
		InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiErrorRateInsight"}}})
	mustOK(t, err)

	h.restart()

	tr := h.get(in(away), globalARN)
	if !*tr.HasCustomEventSelectors || !*tr.HasInsightSelectors || *tr.KmsKeyId != "arn:aws:kms:us-east-1:123456789012:alias/k" {
		t.Fatalf("after restart %+v", tr)
	}
	st, err := h.h.GetTrailStatus(in(home), &cloudtrail.GetTrailStatusRequest{Name: ptr("global")})
	mustOK(t, err)
	if !*st.IsLogging || !st.StartLoggingTime.Equal(t0) {
		t.Fatalf("status after restart %+v", st)
	}
	sel, err := h.h.GetEventSelectors(in(home), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr("global")})
	mustOK(t, err)
	if len(sel.AdvancedEventSelectors) != 1 || sel.EventSelectors != nil {
		t.Fatalf("selectors after restart %+v", sel)
	}
	ins, err := h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{TrailName: ptr("global")})
	mustOK(t, err)
	if len(ins.InsightSelectors) != 1 {
		t.Fatalf("insights after restart %+v", ins)
	}
	tags, err := h.tags.ListTags(in(home), &cloudtrail.ListTagsRequest{ResourceIdList: []string{globalARN}})
	mustOK(t, err)
	if len(tags.ResourceTagList[0].TagsList) != 1 {
		t.Fatalf("tags after restart %+v", tags)
	}
}

func TestTaggingTrails(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)
	add := func(region, id string) error {
		_, err := h.tags.AddTags(in(region), &cloudtrail.AddTagsRequest{ResourceId: ptr(id),
			TagsList: []cloudtrail.Tag{{Key: ptr("k"), Value: ptr("v")}}})
		return err
	}
	mustOK(t, add(home, globalARN))
	wantCode(t, add(home, "arn:aws:cloudtrail:us-east-1:123456789012:trail/ghost"), "ResourceNotFoundException")
	wantCode(t, add(home, "arn:aws:cloudtrail:us-east-1:123456789012:trail/a--b"), "CloudTrailARNInvalidException")
	// A multi-Region trail is tagged from its home Region only.
	wantCode(t, add(away, globalARN), "CloudTrailARNInvalidException")
	wantCode(t, add(away, "arn:aws:cloudtrail:eu-west-1:123456789012:trail/global"), "ResourceNotFoundException")
}
