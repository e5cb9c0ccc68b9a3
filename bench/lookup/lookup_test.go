package lookup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/eventgen"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/testenv"
)

// Command (the default is the CI size, 20,000 events in a temporary
// directory; CAIRN_BENCH_LOOKUP_DIR keeps the data directory, filled with
// CAIRN_BENCH_LOOKUP_EVENTS events when it has no event store yet, for
// later runs; a data directory made by bench/lakequery,
// CAIRN_BENCH_LAKE_DIR, can be reused too: it has the same layout):
//
//	CAIRN_BENCH_LOOKUP_DIR=/tmp/lookup10m CAIRN_BENCH_LOOKUP_EVENTS=10000000 CAIRN_BENCH_LOOKUP_MS=3000 go test ./bench/lookup -run TestMeasureLookupEvents -v -timeout 2h

// fill generates n events (eventgen's pool, the last 60 days) into a new
// data directory's event store.
func fill(t *testing.T, dir string, n int64) {
	es, err := eventstore.Open(filepath.Join(dir, "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	p := eventgen.NewPool(11, 4000)
	step := 60 * 24 * time.Hour / time.Duration(n)
	start := time.Now().Add(-60 * 24 * time.Hour)
	for b := int64(0); b < n; b += 8192 {
		size := min(8192, int(n-b))
		if _, err := es.Append(context.Background(), p.Batch(b, size, start.Add(time.Duration(b)*step), step)); err != nil {
			t.Fatal(err)
		}
	}
	// Measure a store at rest, not one still compacting.
	if err := es.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestMeasureLookupEvents(t *testing.T) {
	dir := os.Getenv("CAIRN_BENCH_LOOKUP_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if _, err := os.Stat(filepath.Join(dir, "events")); os.IsNotExist(err) {
		n := int64(testenv.EnvInt("CAIRN_BENCH_LOOKUP_EVENTS", 20000))
		start := time.Now()
		fill(t, dir, n)
		t.Logf("filled a new store with %d events in %v", n, time.Since(start).Round(time.Second))
	}
	perAttribute := time.Duration(testenv.EnvInt("CAIRN_BENCH_LOOKUP_MS", 300)) * time.Millisecond
	srv := testenv.Start(t, testenv.WithDataDir(dir))
	ct := srv.CloudTrail("123456789012", "us-east-1")
	attrs := []struct {
		key    types.LookupAttributeKey
		values []string
	}{
		{"", nil},
		{types.LookupAttributeKeyEventId, eventIDs()},
		{types.LookupAttributeKeyEventName, []string{"DescribeTrails", "ListTags", "StopLogging", "PutEventSelectors"}},
		{types.LookupAttributeKeyReadOnly, []string{"true", "false"}},
		{types.LookupAttributeKeyUsername, []string{"user-1", "user-42", "user-299"}},
		{types.LookupAttributeKeyResourceType, []string{"AWS::S3::Bucket"}},
		{types.LookupAttributeKeyResourceName, resourceNames()},
		{types.LookupAttributeKeyEventSource, []string{"s3.amazonaws.com", "kms.amazonaws.com"}},
		{types.LookupAttributeKeyAccessKeyId, []string{"AKIA0000000000000005", "AKIA0000000000001001"}},
	}
	for _, a := range attrs {
		var lat []time.Duration
		events := 0
		deadline := time.Now().Add(perAttribute)
		for i := 0; time.Now().Before(deadline) || i == 0; i++ {
			in := &cloudtrail.LookupEventsInput{}
			if a.key != "" {
				in.LookupAttributes = []types.LookupAttribute{{AttributeKey: a.key, AttributeValue: aws.String(a.values[i%len(a.values)])}}
			}
			began := time.Now()
			out, err := ct.LookupEvents(context.Background(), in)
			lat = append(lat, time.Since(began))
			if err != nil {
				t.Fatalf("LookupEvents %s: %v", a.key, err)
			}
			events += len(out.Events)
		}
		slices.Sort(lat)
		name := string(a.key)
		if name == "" {
			name = "(none)"
		}
		t.Logf("%-13s %5d calls  p50 %8s  p99 %8s  max %8s  events/page %.1f", name, len(lat),
			lat[len(lat)/2].Round(10*time.Microsecond), lat[len(lat)*99/100].Round(10*time.Microsecond),
			lat[len(lat)-1].Round(10*time.Microsecond), float64(events)/float64(len(lat)))
	}
}

var idsOnce sync.Once
var ids []string

// eventIDs are IDs eventgen's pool gave to events of the store, spread over
// its whole range.
func eventIDs() []string {
	idsOnce.Do(func() {
		for k := int64(1); k < 10_000_000; k = k*3 + 7 {
			ids = append(ids, eventgen.EventID(k))
		}
	})
	return ids
}

// resourceNames are resource ARNs of the pool the stores were filled from
// (seed 11, as fill and bench/lakequery's first appender use).
func resourceNames() []string {
	var out []string
	for _, r := range eventgen.NewPool(11, 4000).Batch(0, 4000, time.Now(), time.Second) {
		for _, res := range r.Resources {
			if len(out) < 8 && !slices.Contains(out, res.ARN) {
				out = append(out, res.ARN)
			}
		}
	}
	return out
}
