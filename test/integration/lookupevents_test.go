package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/testenv"
)

func lookupAll(t *testing.T, ct *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []types.Event {
	t.Helper()
	var all []types.Event
	p := cloudtrail.NewLookupEventsPaginator(ct, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Events...)
	}
	return all
}

func TestLookupEvents_FindsRecordedCalls(t *testing.T) {
	srv := testenv.Start(t)
	ctx := context.Background()
	const account = "111122223333"
	ct := srv.CloudTrail(account, "us-east-1")
	if _, err := srv.S3(account, "us-east-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lookup-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("lookup-trail"), S3BucketName: aws.String("lookup-bucket")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("lookup-trail")}); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("missing-trail")})

	all := lookupAll(t, ct, &cloudtrail.LookupEventsInput{})
	names := map[string]int{}
	for _, e := range all {
		names[aws.ToString(e.EventName)]++
	}
	if names["CreateTrail"] != 1 || names["GetTrail"] != 4 || names["LookupEvents"] != 0 {
		t.Fatalf("recorded events %v", names)
	}
	for i := 1; i < len(all); i++ {
		if all[i].EventTime.After(*all[i-1].EventTime) {
			t.Fatal("events are not newest first")
		}
	}

	byName := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail")}}})
	if len(byName) != 1 {
		t.Fatalf("EventName filter: %d events", len(byName))
	}
	create := byName[0]
	if aws.ToString(create.ReadOnly) != "false" || aws.ToString(create.Username) != "root" || aws.ToString(create.AccessKeyId) != account {
		t.Fatalf("CreateTrail event %+v", create)
	}
	var record map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(create.CloudTrailEvent)), &record); err != nil {
		t.Fatal(err)
	}
	if record["eventSource"] != "cloudtrail.amazonaws.com" || record["recipientAccountId"] != account || record["eventID"] != aws.ToString(create.EventId) {
		t.Fatalf("CloudTrailEvent %v", record)
	}
	params := record["requestParameters"].(map[string]any)
	if params["name"] != "lookup-trail" || params["s3BucketName"] != "lookup-bucket" {
		t.Fatalf("requestParameters %v", params)
	}
	trailARN := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/lookup-trail"
	attrs := map[types.LookupAttributeKey]string{
		types.LookupAttributeKeyEventId:      aws.ToString(create.EventId),
		types.LookupAttributeKeyReadOnly:     "false",
		types.LookupAttributeKeyUsername:     "root",
		types.LookupAttributeKeyResourceType: "AWS::CloudTrail::Trail",
		types.LookupAttributeKeyResourceName: trailARN,
		types.LookupAttributeKeyEventSource:  "cloudtrail.amazonaws.com",
		types.LookupAttributeKeyAccessKeyId:  account,
	}
	for key, value := range attrs {
		found := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}})
		ok := false
		for _, e := range found {
			if aws.ToString(e.EventId) == aws.ToString(create.EventId) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s=%s does not find the CreateTrail event (%d results)", key, value, len(found))
		}
	}

	failed := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyReadOnly, AttributeValue: aws.String("true")}}})
	sawError := false
	for _, e := range failed {
		if json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &record) == nil && record["errorCode"] == "TrailNotFoundException" {
			sawError = true
		}
	}
	if !sawError {
		t.Error("the failed GetTrail was not recorded with its errorCode")
	}

	page, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(2)})
	if err != nil || len(page.Events) != 2 || page.NextToken == nil {
		t.Fatalf("first page of 2: %v %d", err, len(page.Events))
	}
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: page.NextToken, StartTime: aws.Time(time.Now().Add(-time.Hour))})
	wantAPIError(t, err, "InvalidNextTokenException", 400)

	if other := lookupAll(t, srv.CloudTrail("444455556666", "us-east-1"), &cloudtrail.LookupEventsInput{}); len(other) != 0 {
		t.Errorf("another account sees %d events", len(other))
	}
	if otherRegion := lookupAll(t, srv.CloudTrail(account, "eu-west-1"), &cloudtrail.LookupEventsInput{}); len(otherRegion) != 0 {
		t.Errorf("another region sees %d events", len(otherRegion))
	}
}

func TestLookupEvents_S3BucketCallsAreManagementEvents(t *testing.T) {
	srv := testenv.Start(t)
	ctx := context.Background()
	const account = "111122223333"
	s3c := srv.S3(account, "us-east-1")
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("events-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("events-bucket"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	ct := srv.CloudTrail(account, "us-east-1")
	found := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventSource, AttributeValue: aws.String("s3.amazonaws.com")}}})
	if len(found) != 1 || aws.ToString(found[0].EventName) != "CreateBucket" {
		names := []string{}
		for _, e := range found {
			names = append(names, aws.ToString(e.EventName))
		}
		t.Fatalf("S3 management events in history: %v (PutObject is a data event and must not appear)", names)
	}
	if len(found[0].Resources) == 0 || aws.ToString(found[0].Resources[0].ResourceName) != "events-bucket" {
		t.Fatalf("resources %+v", found[0].Resources)
	}
}

func TestLookupEvents_ThrottledWhenConfigured(t *testing.T) {
	srv := testenv.Start(t, testenv.WithLookupEventsRate(2))
	ct := srv.CloudTrail("111122223333", "us-east-1")
	var throttled bool
	for i := 0; i < 5 && !throttled; i++ {
		_, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{})
		if err != nil {
			wantAPIError(t, err, "ThrottlingException", 429)
			throttled = true
		}
	}
	if !throttled {
		t.Fatal("5 immediate LookupEvents calls at a 2/s limit were all served")
	}
	if _, err := srv.CloudTrail("444455556666", "us-east-1").LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{}); err != nil {
		t.Fatalf("another account shares the limit: %v", err)
	}
}
