package integration

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func TestMultiRegionTrail_ShadowsInOtherRegions(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createTrail(t, f.ct, "global-trail", f.bucket, true)
	arn := trailARN(usEast1, accountA, "global-trail")
	_, err := f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("global-trail")})
	must(t, err, "StartLogging")

	for _, region := range []string{usWest2, euWest1} {
		t.Run(region, func(t *testing.T) {
			ct := f.srv.CloudTrail(accountA, region)
			out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			must(t, err, "DescribeTrails")
			if len(out.TrailList) != 1 {
				t.Fatalf("DescribeTrails in %s = %+v, want the shadow", region, out.TrailList)
			}
			shadow := out.TrailList[0]
			if aws.ToString(shadow.HomeRegion) != usEast1 || aws.ToString(shadow.TrailARN) != arn ||
				!aws.ToBool(shadow.IsMultiRegionTrail) || aws.ToString(shadow.Name) != "global-trail" {
				t.Errorf("shadow in %s: %+v", region, shadow)
			}

			got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
			must(t, err, "GetTrail by ARN")
			if aws.ToString(got.Trail.HomeRegion) != usEast1 || aws.ToString(got.Trail.TrailARN) != arn {
				t.Errorf("GetTrail by ARN in %s: %+v", region, *got.Trail)
			}
			status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
			must(t, err, "GetTrailStatus by ARN")
			if !aws.ToBool(status.IsLogging) || status.StartLoggingTime == nil {
				t.Errorf("GetTrailStatus of the shadow in %s: %+v", region, status)
			}
			sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(arn)})
			must(t, err, "GetEventSelectors by ARN")
			if aws.ToString(sel.TrailARN) != arn {
				t.Errorf("GetEventSelectors of the shadow: TrailARN %q", aws.ToString(sel.TrailARN))
			}
			list, err := ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
			must(t, err, "ListTrails")
			if len(list.Trails) != 1 || aws.ToString(list.Trails[0].HomeRegion) != usEast1 {
				t.Errorf("ListTrails in %s = %+v", region, list.Trails)
			}
		})
	}

	// Back to a single-Region trail: the shadows disappear.
	_, err = f.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("global-trail"), IsMultiRegionTrail: aws.Bool(false)})
	must(t, err, "UpdateTrail to single-Region")
	for _, region := range []string{usWest2, euWest1} {
		ct := f.srv.CloudTrail(accountA, region)
		out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
		must(t, err, "DescribeTrails")
		if len(out.TrailList) != 0 {
			t.Errorf("DescribeTrails in %s after conversion = %+v", region, out.TrailList)
		}
		_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
		_, err = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
	}
	got, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("global-trail")})
	must(t, err, "GetTrail at home")
	if aws.ToBool(got.Trail.IsMultiRegionTrail) {
		t.Errorf("trail is still multi-Region after UpdateTrail")
	}

	// And the name is free again in other Regions.
	createTrail(t, f.srv.CloudTrail(accountA, euWest1), "global-trail", f.bucket, false)
}

func TestIsolation_Accounts(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	createBucket(t, f.srv, accountB, "trail-bucket-b")
	ctB := f.srv.CloudTrail(accountB, usEast1)

	createTrail(t, f.ct, "same-name", f.bucket, true)
	arnA := trailARN(usEast1, accountA, "same-name")
	_, err := f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arnA), TagsList: []types.Tag{{Key: aws.String("secret"), Value: aws.String("a")}}})
	must(t, err, "AddTags A")

	// B sees nothing of A's.
	out, err := ctB.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails B")
	if len(out.TrailList) != 0 {
		t.Errorf("account B sees %+v", out.TrailList)
	}
	list, err := ctB.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	must(t, err, "ListTrails B")
	if len(list.Trails) != 0 {
		t.Errorf("account B lists %+v", list.Trails)
	}
	for _, id := range []string{"same-name", arnA} {
		_, err = ctB.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(id)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
		_, err = ctB.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(id)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
		_, err = ctB.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(id)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
		_, err = ctB.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(id)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
	}
	descB, err := ctB.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{arnA}})
	must(t, err, "DescribeTrails B by A's ARN")
	if len(descB.TrailList) != 0 {
		t.Errorf("account B describes A's trail: %+v", descB.TrailList)
	}
	tags, err := ctB.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arnA}})
	if err == nil {
		t.Errorf("account B listed A's tags: %+v", tags.ResourceTagList)
	} else if s := statusOf(err); s < 400 || s >= 500 {
		t.Errorf("ListTags of another account's trail: %v", err)
	}
	_, err = ctB.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arnA), TagsList: []types.Tag{{Key: aws.String("secret"), Value: aws.String("b")}}})
	if err == nil {
		t.Errorf("account B tagged A's trail")
	}

	// B can use the same trail name; both trails stay independent.
	createTrail(t, ctB, "same-name", "trail-bucket-b", false)
	gotA, err := f.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("same-name")})
	must(t, err, "GetTrail A")
	gotB, err := ctB.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("same-name")})
	must(t, err, "GetTrail B")
	if aws.ToString(gotA.Trail.TrailARN) != arnA || aws.ToString(gotB.Trail.TrailARN) != trailARN(usEast1, accountB, "same-name") ||
		aws.ToString(gotB.Trail.S3BucketName) != "trail-bucket-b" || aws.ToBool(gotB.Trail.IsMultiRegionTrail) {
		t.Errorf("trails mixed up: A %+v, B %+v", *gotA.Trail, *gotB.Trail)
	}
	tagsA, err := f.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arnA}})
	must(t, err, "ListTags A")
	if renderTags(tagsA.ResourceTagList[0].TagsList) != "secret=a" {
		t.Errorf("A's tags = %q", renderTags(tagsA.ResourceTagList[0].TagsList))
	}
	tagsB, err := ctB.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{trailARN(usEast1, accountB, "same-name")}})
	must(t, err, "ListTags B")
	if len(tagsB.ResourceTagList[0].TagsList) != 0 {
		t.Errorf("B's new trail has tags %+v", tagsB.ResourceTagList[0].TagsList)
	}
}

func TestIsolation_Regions(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	eu := f.srv.CloudTrail(accountA, euWest1)
	createTrail(t, f.ct, "regional", f.bucket, false)
	arn := trailARN(usEast1, accountA, "regional")
	_, err := f.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []types.Tag{{Key: aws.String("where"), Value: aws.String("east")}}})
	must(t, err, "AddTags")

	for _, id := range []string{"regional", arn} {
		_, err = eu.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(id)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
		_, err = eu.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(id)})
		checkAPIError(t, err, "TrailNotFoundException", 404)
		_, err = eu.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(id), S3KeyPrefix: aws.String("x")})
		checkAPIError(t, err, "TrailNotFoundException", 404)
	}
	out, err := eu.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails eu-west-1")
	if len(out.TrailList) != 0 {
		t.Errorf("eu-west-1 sees %+v", out.TrailList)
	}
	if _, err := eu.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}}); err == nil {
		t.Errorf("eu-west-1 listed the tags of a us-east-1 trail")
	}

	// The same name is free in another Region and makes a separate trail.
	createTrail(t, eu, "regional", f.bucket, false)
	got, err := eu.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("regional")})
	must(t, err, "GetTrail eu-west-1")
	if aws.ToString(got.Trail.TrailARN) != trailARN(euWest1, accountA, "regional") || aws.ToString(got.Trail.HomeRegion) != euWest1 {
		t.Errorf("eu-west-1 trail: %+v", *got.Trail)
	}

	// Each Region has its own digest signing key.
	keysEast, err := f.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	must(t, err, "ListPublicKeys us-east-1")
	keysEU, err := eu.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	must(t, err, "ListPublicKeys eu-west-1")
	if len(keysEast.PublicKeyList) != 1 || len(keysEU.PublicKeyList) != 1 ||
		aws.ToString(keysEast.PublicKeyList[0].Fingerprint) == aws.ToString(keysEU.PublicKeyList[0].Fingerprint) {
		t.Errorf("Regions share a signing key: %+v / %+v", keysEast.PublicKeyList, keysEU.PublicKeyList)
	}
}
