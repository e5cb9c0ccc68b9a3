package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/testenv"
)

const crashAccount = "555566667777"

func crashS3(url string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(crashAccount, "x", ""), HTTPClient: testenv.HTTPClient})
}

// deliveredRequestIDs counts, per request ID, the records in the trail's
// log files.
func deliveredRequestIDs(t *testing.T, client *s3.Client, bucket string) map[string]int {
	t.Helper()
	ctx := context.Background()
	counts := map[string]int{}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("AWSLogs/" + crashAccount + "/CloudTrail/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range page.Contents {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: obj.Key})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(out.Body)
			out.Body.Close()
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", aws.ToString(obj.Key), err)
			}
			raw, _ := io.ReadAll(zr)
			var doc struct {
				Records []struct {
					RequestID string `json:"requestID"`
				}
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("%s: %v", aws.ToString(obj.Key), err)
			}
			for _, r := range doc.Records {
				counts[r.RequestID]++
			}
		}
	}
	return counts
}

// TestCrash_DeliveryExactlyOnceAcrossSIGKILL kills a server that is
// delivering a trail's log files at random moments, restarts it, and checks
// that every answered call is delivered exactly once and the digest chain
// still validates.
func TestCrash_DeliveryExactlyOnceAcrossSIGKILL(t *testing.T) {
	dataDir := t.TempDir() + "/data"
	args := withArgs("--delivery-interval", "100ms", "--digest-interval", "1s")
	start := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	const bucket, trail = "crash-delivery", "crash-trail"
	acknowledged := map[string]bool{}
	for round := 0; round < 3; round++ {
		srv := startServer(t, withDataDir(dataDir), args)
		ct := crashClient(srv.URL)
		ctx := context.Background()
		if round == 0 {
			if _, err := crashS3(srv.URL).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
				t.Fatal(err)
			}
			if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(trail), S3BucketName: aws.String(bucket),
				EnableLogFileValidation: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(trail)}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		cctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for cctx.Err() == nil {
					out, err := ct.GetTrail(cctx, &cloudtrail.GetTrailInput{Name: aws.String(trail)})
					if err != nil {
						return
					}
					if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); ok {
						mu.Lock()
						acknowledged[id] = true
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(800+rand.IntN(1500)) * time.Millisecond)
		srv.kill9()
		cancel()
		wg.Wait()
	}
	srv := startServer(t, withDataDir(dataDir), args)
	client := crashS3(srv.URL)
	deadline := time.Now().Add(30 * time.Second)
	for {
		counts := deliveredRequestIDs(t, client, bucket)
		missing := 0
		for id := range acknowledged {
			if counts[id] == 0 {
				missing++
			}
		}
		for id, n := range counts {
			if n > 1 {
				t.Fatalf("request %s delivered %d times", id, n)
			}
		}
		if missing == 0 {
			t.Logf("%d acknowledged calls, %d delivered records, each once", len(acknowledged), len(counts))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged calls never delivered", missing, len(acknowledged))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Let the last digest cover the last files, then validate the chain.
	time.Sleep(2500 * time.Millisecond)
	stdout, stderr, code := runBinaryEnv(t, []string{"AWS_ACCESS_KEY_ID=" + crashAccount, "AWS_SECRET_ACCESS_KEY=x"}, "validate-logs", "--trail-arn", "arn:aws:cloudtrail:us-east-1:"+crashAccount+":trail/"+trail,
		"--start-time", start.Format(time.RFC3339), "--endpoint", srv.URL)
	if code != 0 || !strings.Contains(stdout, "digest files valid") || strings.Contains(stdout+stderr, "INVALID") {
		t.Fatalf("cairn validate-logs after the crashes:\n%s", describe(stdout, stderr, code))
	}
	t.Logf("validate-logs: %s", strings.TrimSpace(stdout[strings.LastIndex(stdout, "Results found"):]))
}
