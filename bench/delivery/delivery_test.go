package delivery

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/config"
	"github.com/cairnhq/cairn/internal/delivery"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/selectors"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store/memstore"
	"github.com/cairnhq/cairn/internal/testenv"
	"github.com/cairnhq/cairn/internal/trails"
)

// Commands (the defaults are the CI smoke sizes):
//
//	CAIRN_BENCH_DELIVERY_EVENTS=1000000 go test ./bench/delivery -run TestMeasureDeliveryThroughput -v -timeout 30m
//	CAIRN_BENCH_DELIVERY_SAMPLES=40 go test ./bench/delivery -run TestMeasureDeliveryLatency -v

const account = "123456789012"

// record is a ~1.1 KB management event.
func record(i int, at time.Time) events.Record {
	ro := i%3 == 0
	mgmt := true
	params := fmt.Sprintf(`{"instanceIds":["i-%017d"],"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"payments-%d"}]}}]},"padding":%q}`,
		i, i%50, strings.Repeat("x", 600))
	return events.Record{
		EventVersion: "1.11",
		UserIdentity: &events.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE" + strconv.Itoa(i%40), ARN: "arn:aws:iam::" + account + ":user/user" + strconv.Itoa(i%40),
			AccountID: account, AccessKeyID: "AKIAEXAMPLE" + strconv.Itoa(i%40), UserName: "user" + strconv.Itoa(i%40)},
		EventTime: at, EventSource: "ec2.amazonaws.com", EventName: "DescribeInstances", AWSRegion: "us-east-1",
		SourceIPAddress: "198.51.100.7", UserAgent: "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 botocore/2.4.5",
		RequestParameters: json.RawMessage(params), ResponseElements: json.RawMessage("null"),
		RequestID: fmt.Sprintf("req-%012d", i), EventID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		ReadOnly: &ro, EventType: "AwsApiCall", ManagementEvent: &mgmt, RecipientAccountID: account, EventCategory: "Management",
	}
}

type eventSource struct{ s *eventstore.Store }

func (e eventSource) ReadFrom(ctx context.Context, after int64, limit int) ([]delivery.Event, error) {
	evs, err := e.s.ReadFrom(ctx, after, limit)
	out := make([]delivery.Event, len(evs))
	for i, ev := range evs {
		out[i] = delivery.Event{Seq: ev.Seq, IngestTime: ev.IngestTime, EventTime: ev.EventTime, Account: ev.Account, Region: ev.Region, JSON: ev.JSON}
	}
	return out, err
}

func (e eventSource) LastSeq(context.Context) (int64, error) { return e.s.LastSequence(), nil }

type objects struct{ b *bucketstore.Store }

func (o objects) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string, meta map[string]string) error {
	_, err := o.b.PutObjectWithOptions(ctx, bucket, key, bytes.NewReader(body), bucketstore.PutObjectOptions{ContentType: contentType, UserMetadata: meta})
	return err
}

type oneTrail struct{ t trails.DeliveryTrail }

func (o oneTrail) DeliveryTrails(context.Context) ([]trails.DeliveryTrail, error) {
	return []trails.DeliveryTrail{o.t}, nil
}

// TestMeasureDeliveryThroughput fills the event store, then times one
// delivery of the whole backlog into log files in the built-in bucket
// store (with log file validation, so files are hashed and queued for
// digests), and checks that every event was delivered exactly once.
func TestMeasureDeliveryThroughput(t *testing.T) {
	n := testenv.EnvInt("CAIRN_BENCH_DELIVERY_EVENTS", 20000)
	dir := t.TempDir()
	ctx := context.Background()
	es, err := eventstore.OpenWithOptions(dir+"/events", eventstore.Options{MemoryLimit: "1GB", Threads: 1}) // as cairn serve
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	buckets, err := bucketstore.Open(dir + "/buckets")
	if err != nil {
		t.Fatal(err)
	}
	defer buckets.Close()
	if _, err := buckets.CreateBucket(ctx, "bench-logs", account, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	keys, err := signingkeys.Open(dir+"/keys", signingkeys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Minute)
	fillStart := time.Now()
	const batch = 1000
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := 0; i < n; i += batch {
		recs := make([]events.Record, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			recs = append(recs, record(j, time.Now().UTC().Truncate(time.Second)))
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := es.Append(ctx, recs); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	t.Logf("filled %d events in %s", n, time.Since(fillStart).Round(time.Millisecond))
	// Compaction of the filled log into partitions runs first, so that it
	// does not compete with the delivery being measured.
	compactStart := time.Now()
	if err := es.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("compacted in %s", time.Since(compactStart).Round(time.Millisecond))

	trail := trails.DeliveryTrail{ARN: "arn:aws:cloudtrail:us-east-1:" + account + ":trail/bench", Account: account, Name: "bench",
		HomeRegion: "us-east-1", Bucket: "bench-logs", LogFileValidation: true, Logging: true, StartLoggingTime: started,
		Selectors: selectors.Set{Basic: []selectors.Basic{{ReadWriteType: "All", IncludeManagementEvents: true}}}}
	clock := time.Now()
	m := delivery.New(delivery.Options{Store: memstore.New(), Events: eventSource{es}, Trails: oneTrail{trail}, Objects: objects{buckets},
		Keys: keys, Interval: time.Second, DigestInterval: time.Hour, Now: func() time.Time { return clock }})
	// The first pass creates the cursor just before the trail's start.
	begin := time.Now()
	for pass := 0; ; pass++ {
		if err := m.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		d, err := m.TrailDelivery(ctx, trail.ARN, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		if d.LatestDeliveryError != "" {
			t.Fatal(d.LatestDeliveryError)
		}
		cursor, err := m.Cursor(ctx, trail.ARN)
		if err != nil {
			t.Fatal(err)
		}
		if cursor == es.LastSequence() {
			break
		}
		clock = clock.Add(2 * time.Second)
		if pass > 10000 {
			t.Fatal("delivery did not finish")
		}
	}
	elapsed := time.Since(begin)
	count, files := countDelivered(t, buckets, n)
	t.Logf("delivered %d events in %d log files in %s: %.0f events/s", count, files, elapsed.Round(time.Millisecond), float64(count)/elapsed.Seconds())
}

func countDelivered(t *testing.T, b *bucketstore.Store, n int) (count, files int) {
	t.Helper()
	ctx := context.Background()
	seen := make([]bool, n)
	marker := ""
	for {
		res, err := b.ListObjects(ctx, "bench-logs", bucketstore.ListObjectsInput{Prefix: "AWSLogs/" + account + "/CloudTrail/", After: marker, MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Objects {
			obj, err := b.GetObject(ctx, "bench-logs", o.Key, nil)
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(obj.Body)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(zr)
			obj.Body.Close()
			var doc struct {
				Records []struct {
					RequestID string `json:"requestID"`
				}
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			for _, r := range doc.Records {
				i, _ := strconv.Atoi(strings.TrimPrefix(r.RequestID, "req-"))
				if seen[i] {
					t.Fatalf("event %d delivered twice", i)
				}
				seen[i] = true
				count++
			}
			files++
			marker = o.Key
		}
		if !res.IsTruncated {
			break
		}
	}
	if count != n {
		t.Fatalf("delivered %d of %d events", count, n)
	}
	return count, files
}

// TestMeasureDeliveryLatency times an API call's journey into a delivered
// log file with a 1 s delivery interval: the goal is the interval plus
// under a second.
func TestMeasureDeliveryLatency(t *testing.T) {
	samples := testenv.EnvInt("CAIRN_BENCH_DELIVERY_SAMPLES", 4)
	const interval = time.Second
	srv := testenv.Start(t, func(c *config.Config) { c.DeliveryInterval = interval })
	ctx := context.Background()
	ct := srv.CloudTrail(account, "us-east-1")
	s3c := srv.S3(account, "us-east-1")
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("latency-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("latency"), S3BucketName: aws.String("latency-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("latency")}); err != nil {
		t.Fatal(err)
	}
	var latencies []time.Duration
	for i := 0; i < samples; i++ {
		time.Sleep(time.Duration(i%7) * 130 * time.Millisecond) // spread calls over the interval
		callAt := time.Now()
		out, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("latency")})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		for !objectHolds(t, s3c, id) {
			if time.Since(callAt) > 10*time.Second {
				t.Fatalf("request %s not delivered after 10s", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
		latencies = append(latencies, time.Since(callAt))
	}
	slices.Sort(latencies)
	t.Logf("API call to log object visible, %d samples, interval %s: min %s, median %s, max %s",
		len(latencies), interval, latencies[0].Round(time.Millisecond), latencies[len(latencies)/2].Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
}

var seenKeys = map[string]bool{}
var seenIDs = map[string]bool{}

// objectHolds reports whether a delivered log file holds the request ID.
func objectHolds(t *testing.T, c *s3.Client, requestID string) bool {
	t.Helper()
	ctx := context.Background()
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("latency-logs"), Prefix: aws.String("AWSLogs/")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out.Contents {
		key := aws.ToString(o.Key)
		if seenKeys[key] {
			continue
		}
		seenKeys[key] = true
		obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("latency-logs"), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(obj.Body)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		obj.Body.Close()
		var doc struct {
			Records []struct {
				RequestID string `json:"requestID"`
			}
		}
		json.Unmarshal(raw, &doc)
		for _, r := range doc.Records {
			seenIDs[r.RequestID] = true
		}
	}
	return seenIDs[requestID]
}
