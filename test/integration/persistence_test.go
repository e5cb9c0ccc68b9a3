package integration

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/testenv"
)

// trailSnapshot is everything the persistence test compares across a
// restart.
type trailSnapshot struct {
	Trail            types.Trail
	IsLogging        bool
	StartLoggingTime time.Time
	StopLoggingTime  *time.Time
	EventSelectors   []types.EventSelector
	Advanced         []types.AdvancedEventSelector
	Insights         []types.InsightSelector
	Tags             string
	KeyFingerprint   string
	KeyValue         []byte
	ShadowInWest     []string
	Object           string
	ObjectMetadata   map[string]string
}

func snapshot(t *testing.T, srv *testenv.Server, bucket string) trailSnapshot {
	t.Helper()
	ctx := t.Context()
	ct := srv.CloudTrail(accountA, usEast1)
	name := aws.String("durable")
	var s trailSnapshot
	got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: name})
	must(t, err, "GetTrail")
	s.Trail = *got.Trail
	status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
	must(t, err, "GetTrailStatus")
	s.IsLogging = aws.ToBool(status.IsLogging)
	s.StartLoggingTime = aws.ToTime(status.StartLoggingTime)
	s.StopLoggingTime = status.StopLoggingTime
	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name})
	must(t, err, "GetEventSelectors")
	s.EventSelectors, s.Advanced = sel.EventSelectors, sel.AdvancedEventSelectors
	ins, err := ct.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: name})
	must(t, err, "GetInsightSelectors")
	s.Insights = ins.InsightSelectors
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{trailARN(usEast1, accountA, "durable")}})
	must(t, err, "ListTags")
	s.Tags = renderTags(tags.ResourceTagList[0].TagsList)
	keys, err := ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
	must(t, err, "ListPublicKeys")
	if len(keys.PublicKeyList) != 1 {
		t.Fatalf("ListPublicKeys = %+v", keys.PublicKeyList)
	}
	s.KeyFingerprint, s.KeyValue = aws.ToString(keys.PublicKeyList[0].Fingerprint), keys.PublicKeyList[0].Value
	west, err := srv.CloudTrail(accountA, usWest2).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails us-west-2")
	s.ShadowInWest = trailNames(west.TrailList, func(tr types.Trail) *string { return tr.TrailARN })
	obj, err := srv.S3(accountA, usEast1).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("kept/object.json")})
	must(t, err, "GetObject")
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	s.Object, s.ObjectMetadata = string(body), obj.Metadata
	return s
}

func TestRestart_StatePersists(t *testing.T) {
	t.Parallel()
	f := newTrailFixture(t)
	ctx := t.Context()
	_, err := f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String("durable"), S3BucketName: aws.String(f.bucket), S3KeyPrefix: aws.String("p"),
		SnsTopicName: aws.String("topic"), IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
		TagsList: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b")}},
	})
	must(t, err, "CreateTrail")
	_, err = f.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("durable"), AdvancedEventSelectors: []types.AdvancedEventSelector{
		{Name: aws.String("mgmt"), FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}},
		{Name: aws.String("s3 data"), FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
			{Field: aws.String("resources.ARN"), StartsWith: []string{"arn:aws:s3:::" + f.bucket + "/"}},
		}},
	}})
	must(t, err, "PutEventSelectors")
	_, err = f.ct.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("durable"),
		InsightSelectors: []types.InsightSelector{{InsightType: types.InsightTypeApiErrorRateInsight}}})
	must(t, err, "PutInsightSelectors")
	_, err = f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("durable")})
	must(t, err, "StartLogging")
	_, err = f.ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("durable")})
	must(t, err, "StopLogging")
	_, err = f.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("durable")})
	must(t, err, "StartLogging again")
	_, err = f.srv.S3(accountA, usEast1).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(f.bucket), Key: aws.String("kept/object.json"),
		Body: strings.NewReader(`{"kept":true}`), Metadata: map[string]string{"origin": "before-restart"},
	})
	must(t, err, "PutObject")

	before := snapshot(t, f.srv, f.bucket)
	if !before.IsLogging || before.StopLoggingTime == nil || len(before.Advanced) != 2 || len(before.Insights) != 1 {
		t.Fatalf("setup did not take: %+v", before)
	}
	dir := f.srv.Config.DataDir
	f.srv.Stop()

	restarted := testenv.Start(t, testenv.WithDataDir(dir))
	after := snapshot(t, restarted, f.bucket)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("state changed across a restart:\nbefore %+v\nafter  %+v", before, after)
	}
	if !bytes.Equal(before.KeyValue, after.KeyValue) {
		t.Errorf("the signing key changed across a restart")
	}
	// The restarted server still enforces uniqueness against stored trails.
	_, err = restarted.CloudTrail(accountA, euWest1).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("durable"), S3BucketName: aws.String(f.bucket)})
	checkAPIError(t, err, "TrailAlreadyExistsException", 400)
}

func TestReset_ClearsTrailsAndBuckets(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/moto-api/reset", "/_cairn/reset"} {
		t.Run(path, func(t *testing.T) {
			f := newTrailFixture(t)
			ctx := t.Context()
			createTrail(t, f.ct, "reset-me", f.bucket, true)
			_, err := f.srv.S3(accountA, usEast1).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(f.bucket), Key: aws.String("k"), Body: strings.NewReader("x")})
			must(t, err, "PutObject")

			if status := postAdmin(t, f.srv, path); status != 200 {
				t.Fatalf("POST %s = %d, want 200", path, status)
			}
			out, err := f.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			must(t, err, "DescribeTrails")
			if len(out.TrailList) != 0 {
				t.Errorf("trails survived the reset: %+v", out.TrailList)
			}
			west, err := f.srv.CloudTrail(accountA, usWest2).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			must(t, err, "DescribeTrails us-west-2")
			if len(west.TrailList) != 0 {
				t.Errorf("shadows survived the reset: %+v", west.TrailList)
			}
			buckets, err := f.srv.S3(accountA, usEast1).ListBuckets(ctx, &s3.ListBucketsInput{})
			must(t, err, "ListBuckets")
			if len(buckets.Buckets) != 0 {
				t.Errorf("buckets survived the reset: %+v", buckets.Buckets)
			}
			_, err = f.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("reset-me"), S3BucketName: aws.String(f.bucket)})
			checkAPIError(t, err, "S3BucketDoesNotExistException", 404)

			// The server works normally afterwards.
			createBucket(t, f.srv, accountA, f.bucket)
			createTrail(t, f.ct, "reset-me", f.bucket, false)
		})
	}
}

func TestReset_ForbiddenInSigV4Mode(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, testenv.WithSigV4(credentialsYAML))
	ctx := t.Context()
	s3c := s3.NewFromConfig(srv.AWSConfig(aliceKey, aliceSecret, usEast1), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sigv4-bucket")})
	must(t, err, "CreateBucket")
	ct := cloudtrail.NewFromConfig(srv.AWSConfig(aliceKey, aliceSecret, usEast1))
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("kept"), S3BucketName: aws.String("sigv4-bucket")})
	must(t, err, "CreateTrail")

	for _, path := range []string{"/moto-api/reset", "/_cairn/reset"} {
		if status := postAdmin(t, srv, path); status != 403 {
			t.Errorf("POST %s in sigv4 mode = %d, want 403", path, status)
		}
	}
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("kept")})
	must(t, err, "GetTrail after a refused reset")
}
