package integration

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/cairnhq/cairn/internal/config"
	"github.com/cairnhq/cairn/internal/testenv"
)

// fastDelivery makes trails deliver every 200 ms with 1 s digests.
func fastDelivery(c *config.Config) {
	c.DeliveryInterval = 200 * time.Millisecond
	c.DigestInterval = time.Second
}

// deliveredRecords reads every log file under prefix and returns the
// records' eventName/eventSource pairs and the log file count.
func deliveredRecords(t *testing.T, client *s3.Client, bucket, prefix string) (records []map[string]any, files int) {
	t.Helper()
	ctx := context.Background()
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("listing %s/%s: %v", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			if !strings.Contains(aws.ToString(obj.Key), "/CloudTrail/") {
				continue
			}
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: obj.Key})
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(out.Body)
			if err != nil {
				t.Fatalf("%s: %v", aws.ToString(obj.Key), err)
			}
			raw, _ := io.ReadAll(zr)
			out.Body.Close()
			var doc struct{ Records []map[string]any }
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("%s: %v", aws.ToString(obj.Key), err)
			}
			records = append(records, doc.Records...)
			files++
		}
	}
	return records, files
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func countEvents(records []map[string]any, source, name string) int {
	n := 0
	for _, r := range records {
		if r["eventSource"] == source && r["eventName"] == name {
			n++
		}
	}
	return n
}

// TestDelivery_ExternalBucket delivers a trail's log files and digests to
// a bucket on another S3-compatible server, configured per bucket.
func TestDelivery_ExternalBucket(t *testing.T) {
	t.Parallel()
	backend := s3mem.New()
	if err := backend.CreateBucket("ext-logs"); err != nil {
		t.Fatal(err)
	}
	fake := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(fake.Close)
	bucketsFile := filepath.Join(t.TempDir(), "buckets.yaml")
	yaml := "buckets:\n  - name: ext-logs\n    endpoint: " + fake.URL + "\n    region: us-east-1\n    access_key_id: ext\n    secret_access_key: ext-secret\n    path_style: true\n"
	if err := os.WriteFile(bucketsFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testenv.Start(t, fastDelivery, func(c *config.Config) { c.ExternalBucketsFile = bucketsFile })
	ctx := context.Background()
	ct := srv.CloudTrail(accountA, usEast1)
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("ext-trail"), S3BucketName: aws.String("ext-logs"),
		EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("ext-trail")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("ext-trail")}); err != nil {
			t.Fatal(err)
		}
	}
	ext := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("ext", "ext-secret", "")})
	waitFor(t, "five GetTrail events in the external bucket", func() bool {
		records, _ := deliveredRecords(t, ext, "ext-logs", "AWSLogs/"+accountA+"/CloudTrail/us-east-1/")
		return countEvents(records, "cloudtrail.amazonaws.com", "GetTrail") == 5
	})
	waitFor(t, "a digest in the external bucket", func() bool {
		out, err := ext.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("ext-logs"), Prefix: aws.String("AWSLogs/" + accountA + "/CloudTrail-Digest/us-east-1/")})
		return err == nil && len(out.Contents) > 0
	})
	// The object becomes visible just before the delivery is committed.
	waitFor(t, "GetTrailStatus to report both deliveries", func() bool {
		status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("ext-trail")})
		return err == nil && status.LatestDeliveryTime != nil && status.LatestDigestDeliveryTime != nil &&
			status.LatestDeliveryError == nil && status.LatestDigestDeliveryError == nil
	})
	records, _ := deliveredRecords(t, ext, "ext-logs", "AWSLogs/")
	if got := countEvents(records, "cloudtrail.amazonaws.com", "GetTrail"); got != 5 {
		t.Fatalf("delivered %d GetTrail events, want exactly 5", got)
	}
}

// TestDelivery_MissingBucketAndDataEvents: a trail whose bucket is gone
// reports NoSuchBucket and loses nothing; once the bucket is back it
// delivers everything, including the S3 data events its selectors choose.
func TestDelivery_MissingBucketAndDataEvents(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, fastDelivery)
	ctx := context.Background()
	ct := srv.CloudTrail(accountA, usEast1)
	s3c := srv.S3(accountA, usEast1)
	for _, b := range []string{"trail-logs", "watched-data", "other-data"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("data-trail"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("data-trail"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
			DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::watched-data/"}}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("data-trail")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"watched-data", "other-data"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k1"), Body: bytes.NewReader([]byte("x"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("k1")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("data-trail")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "LatestDeliveryError NoSuchBucket", func() bool {
		st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("data-trail")})
		return err == nil && aws.ToString(st.LatestDeliveryError) == "NoSuchBucket"
	})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery to resume", func() bool {
		st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("data-trail")})
		return err == nil && st.LatestDeliveryError == nil && st.LatestDeliveryTime != nil
	})
	records, _ := deliveredRecords(t, s3c, "trail-logs", "AWSLogs/")
	var watchedPuts, otherPuts, gets, startLogging, getTrail int
	for _, r := range records {
		params, _ := r["requestParameters"].(map[string]any)
		switch {
		case r["eventName"] == "PutObject" && params["bucketName"] == "watched-data":
			watchedPuts++
		case r["eventName"] == "PutObject":
			otherPuts++
		case r["eventName"] == "GetObject":
			gets++
		case r["eventName"] == "StartLogging":
			startLogging++
		case r["eventName"] == "GetTrail":
			getTrail++
		}
	}
	if watchedPuts != 1 || otherPuts != 0 || gets != 0 || startLogging != 1 || getTrail != 0 {
		t.Fatalf("delivered PutObject watched %d other %d, GetObject %d, StartLogging %d, GetTrail %d; want 1 0 0 1 0",
			watchedPuts, otherPuts, gets, startLogging, getTrail)
	}
}
