package delivery

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/logcheck"
	"github.com/cairnhq/cairn/internal/selectors"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store/memstore"
	"github.com/cairnhq/cairn/internal/trails"
)

// fakeEvents is an in-memory event store.
type fakeEvents struct {
	mu  sync.Mutex
	evs []Event
}

func (f *fakeEvents) add(now time.Time, account, region, source, name string, readOnly bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := fmt.Sprintf("ev-%06d", len(f.evs)+1)
	js := fmt.Sprintf(`{"eventVersion":"1.11","eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":%q,"eventID":%q,"readOnly":%v,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":%q,"eventCategory":"Management"}`,
		now.UTC().Format(time.RFC3339), source, name, region, id, readOnly, account)
	f.evs = append(f.evs, Event{Seq: int64(len(f.evs) + 1), IngestTime: now, EventTime: now.Truncate(time.Second), Account: account, Region: region, JSON: []byte(js)})
	return id
}

func (f *fakeEvents) ReadFrom(_ context.Context, after int64, limit int) ([]Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Event
	for _, e := range f.evs {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeEvents) LastSeq(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.evs)), nil
}

// fakeObjects is an in-memory bucket store that can be made to fail.
type fakeObjects struct {
	mu      sync.Mutex
	objects map[string]fakeObject // "bucket/key"
	buckets map[string]bool
	failAt  int // fail the failAt-th put from now (1-based); 0: never
	puts    int
}

type fakeObject struct {
	body []byte
	meta map[string]string
}

var errInjected = errors.New("injected failure")

func (f *fakeObjects) PutObject(_ context.Context, bucket, key string, body []byte, _ string, meta map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.buckets[bucket] {
		return &CodedError{Code: "NoSuchBucket", Err: errors.New("no such bucket")}
	}
	f.puts++
	if f.failAt > 0 && f.puts == f.failAt {
		return errInjected
	}
	f.objects[bucket+"/"+key] = fakeObject{body: bytes.Clone(body), meta: meta}
	return nil
}

func (f *fakeObjects) List(_ context.Context, bucket, prefix string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.objects {
		if strings.HasPrefix(k, bucket+"/"+prefix) {
			out = append(out, strings.TrimPrefix(k, bucket+"/"))
		}
	}
	return out, nil
}

func (f *fakeObjects) Get(_ context.Context, bucket, key string) ([]byte, map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[bucket+"/"+key]
	if !ok {
		return nil, nil, logcheck.ErrNotFound
	}
	return o.body, o.meta, nil
}

// logRecords returns the eventIDs of every delivered log file record.
func (f *fakeObjects) logRecords(t *testing.T) []string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for k, o := range f.objects {
		if !strings.Contains(k, "/CloudTrail/") {
			continue
		}
		r, err := gzip.NewReader(bytes.NewReader(o.body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(r)
		var doc struct {
			Records []struct {
				EventID string `json:"eventID"`
			}
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		for _, rec := range doc.Records {
			ids = append(ids, rec.EventID)
		}
	}
	sort.Strings(ids)
	return ids
}

type fakeTrails struct {
	mu   sync.Mutex
	list []trails.DeliveryTrail
}

func (f *fakeTrails) DeliveryTrails(context.Context) ([]trails.DeliveryTrail, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]trails.DeliveryTrail(nil), f.list...), nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type keysAdapter struct{ s *signingkeys.Store }

func (k keysAdapter) PublicKeys(_ context.Context, start, end time.Time) ([]logcheck.PublicKey, error) {
	list, err := k.s.List("us-east-1", start, end)
	var out []logcheck.PublicKey
	for _, p := range list {
		out = append(out, logcheck.PublicKey{Fingerprint: p.Fingerprint, DER: p.PublicDER})
	}
	return out, err
}

type fixture struct {
	clk     *clock
	events  *fakeEvents
	objects *fakeObjects
	trails  *fakeTrails
	keys    *signingkeys.Store
	opts    Options
}

func newFixture(t *testing.T) *fixture {
	clk := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	keys, err := signingkeys.Open(t.TempDir(), signingkeys.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{clk: clk, events: &fakeEvents{}, objects: &fakeObjects{objects: map[string]fakeObject{}, buckets: map[string]bool{"ct-bucket": true}},
		trails: &fakeTrails{}, keys: keys}
	f.opts = Options{Store: memstore.New(), Events: f.events, Trails: f.trails, Objects: f.objects, Keys: keys,
		Interval: time.Minute, DigestInterval: time.Hour, Regions: []string{"us-east-1", "eu-west-1"}, Now: clk.Now, MaxFileEvents: 7}
	return f
}

func (f *fixture) trail(name string, mutate func(*trails.DeliveryTrail)) {
	t := trails.DeliveryTrail{ARN: "arn:aws:cloudtrail:us-east-1:123456789012:trail/" + name, Account: "123456789012", Name: name,
		HomeRegion: "us-east-1", Bucket: "ct-bucket", KeyPrefix: "pfx", IncludeGlobalServiceEvents: true, LogFileValidation: true,
		Logging: true, StartLoggingTime: f.clk.Now(),
		Selectors: selectors.Set{Basic: []selectors.Basic{{ReadWriteType: "All", IncludeManagementEvents: true}}}}
	if mutate != nil {
		mutate(&t)
	}
	f.trails.mu.Lock()
	f.trails.list = append(f.trails.list, t)
	f.trails.mu.Unlock()
}

func (f *fixture) validate(t *testing.T, start, end time.Time) *logcheck.Report {
	t.Helper()
	rep, err := logcheck.Validate(context.Background(), f.objects, keysAdapter{f.keys},
		logcheck.Trail{Account: "123456789012", Name: "main", HomeRegion: "us-east-1", Bucket: "ct-bucket", KeyPrefix: "pfx"}, "us-east-1", start, end)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestDeliveryExactlyOnceWithDigestChain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.clk.Now()
	f.clk.Advance(time.Second)
	f.trail("main", nil)
	m := New(f.opts)
	var want []string
	// Three hours of activity: 20 events a minute, one of them in another
	// Region or account (not delivered), with deliveries every minute.
	for minute := 0; minute < 180; minute++ {
		f.clk.Advance(time.Minute)
		for i := 0; i < 20; i++ {
			switch i {
			case 0:
				f.events.add(f.clk.Now(), "123456789012", "eu-west-1", "ec2.amazonaws.com", "RunInstances", false)
			case 1:
				f.events.add(f.clk.Now(), "210987654321", "us-east-1", "ec2.amazonaws.com", "RunInstances", false)
			default:
				want = append(want, f.events.add(f.clk.Now(), "123456789012", "us-east-1", "cloudtrail.amazonaws.com", "GetTrail", true))
			}
		}
		if err := m.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Advance(time.Hour)
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := f.objects.logRecords(t)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("delivered %d records, want %d", len(got), len(want))
	}
	rep := f.validate(t, start, f.clk.Now())
	dv, dn, lv, ln := rep.Counts()
	t.Logf("%d/%d digests, %d/%d log files valid, %d records", dv, dn, lv, ln, len(got))
	if !rep.OK() || dn < 3 || ln == 0 || dv != dn || lv != ln {
		t.Fatalf("validation: %d/%d digests, %d/%d logs valid: %v", dv, dn, lv, ln, rep.Items)
	}
	// Every delivered log file is listed in some digest.
	listed := map[string]bool{}
	for _, it := range rep.Items {
		if it.Kind == "Log file" {
			listed[it.Key] = true
		}
	}
	keys, _ := f.objects.List(ctx, "ct-bucket", "pfx/AWSLogs/123456789012/CloudTrail/us-east-1/")
	for _, k := range keys {
		if !listed[k] {
			t.Errorf("log file %s is in no digest", k)
		}
	}
	// A multi-Region trail writes digests for eu-west-1 too; this one does not.
	if eu, _ := f.objects.List(ctx, "ct-bucket", "pfx/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1"); len(eu) != 0 {
		t.Errorf("single-Region trail wrote eu-west-1 digests: %v", eu)
	}

	// Tampering is detected.
	var logKey string
	for k := range listed {
		logKey = k
		break
	}
	o := f.objects.objects["ct-bucket/"+logKey]
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(`{"Records":[]}`))
	w.Close()
	f.objects.objects["ct-bucket/"+logKey] = fakeObject{body: buf.Bytes(), meta: o.meta}
	rep = f.validate(t, start, f.clk.Now())
	if rep.OK() {
		t.Fatal("a changed log file validated")
	}
}

func TestDeliveryRetriesAfterFailureWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.clk.Now()
	f.clk.Advance(time.Second)
	f.trail("main", nil)
	var want []string
	for i := 0; i < 30; i++ {
		want = append(want, f.events.add(f.clk.Now().Add(time.Millisecond), "123456789012", "us-east-1", "cloudtrail.amazonaws.com", "CreateTrail", false))
	}
	f.clk.Advance(time.Minute)
	// The third log file's write fails: the first two are already written.
	m := New(f.opts)
	// The first pass finds the trail; its first delivery is one interval later.
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	f.objects.failAt = 3
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := m.TrailDelivery(ctx, "arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "us-east-1")
	if d.LatestDeliveryError != "InternalError" || !d.LatestDeliveryTime.IsZero() {
		t.Fatalf("status after a failed delivery: %+v", d)
	}
	// A restart (a new Manager over the same state) carries out the intent.
	f.objects.failAt = 0
	m = New(f.opts)
	f.clk.Advance(2 * time.Minute)
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := f.objects.logRecords(t)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	d, _ = m.TrailDelivery(ctx, "arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "us-east-1")
	if d.LatestDeliveryError != "" || d.LatestDeliveryTime.IsZero() {
		t.Fatalf("status after recovery: %+v", d)
	}
	// A missing bucket is reported with S3's code and nothing is lost.
	f.objects.buckets["ct-bucket"] = false
	more := f.events.add(f.clk.Now(), "123456789012", "us-east-1", "cloudtrail.amazonaws.com", "StopLogging", false)
	f.clk.Advance(2 * time.Minute)
	m.RunOnce(ctx)
	d, _ = m.TrailDelivery(ctx, "arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "us-east-1")
	if d.LatestDeliveryError != "NoSuchBucket" {
		t.Fatalf("status with the bucket gone: %+v", d)
	}
	f.objects.buckets["ct-bucket"] = true
	f.clk.Advance(2 * time.Minute)
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got = f.objects.logRecords(t)
	if len(got) != len(want)+1 || !contains(got, more) {
		t.Fatalf("after the bucket came back: %d records", len(got))
	}
	f.clk.Advance(time.Hour)
	m.RunOnce(ctx)
	if rep := f.validate(t, start, f.clk.Now()); !rep.OK() {
		t.Fatalf("chain invalid: %v", rep.Items)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestStopLoggingAndMultiRegion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clk.Advance(time.Second)
	f.trail("main", func(tr *trails.DeliveryTrail) { tr.MultiRegion = true })
	m := New(f.opts)
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	a := f.events.add(f.clk.Now(), "123456789012", "eu-west-1", "ec2.amazonaws.com", "RunInstances", false)
	b := f.events.add(f.clk.Now(), "123456789012", "us-east-1", "ec2.amazonaws.com", "RunInstances", false)
	// Logging stops; an event after the stop is not delivered.
	f.clk.Advance(time.Second)
	f.trails.list[0].Logging = false
	f.trails.list[0].StopLoggingTime = f.clk.Now()
	f.clk.Advance(time.Second)
	f.events.add(f.clk.Now(), "123456789012", "us-east-1", "ec2.amazonaws.com", "TerminateInstances", false)
	f.clk.Advance(time.Hour)
	if err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := f.objects.logRecords(t)
	if strings.Join(got, ",") != strings.Join([]string{a, b}, ",") {
		t.Fatalf("delivered %v", got)
	}
	eu, _ := f.objects.List(ctx, "ct-bucket", "pfx/AWSLogs/123456789012/CloudTrail/eu-west-1/")
	if len(eu) != 1 {
		t.Fatalf("eu-west-1 log files: %v", eu)
	}
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		if d, _ := f.objects.List(ctx, "ct-bucket", "pfx/AWSLogs/123456789012/CloudTrail-Digest/"+r+"/"); len(d) != 1 {
			t.Fatalf("%s digests: %v", r, d)
		}
	}
	// The chain was closed by the stop: no more digests.
	f.clk.Advance(3 * time.Hour)
	m.RunOnce(ctx)
	if d, _ := f.objects.List(ctx, "ct-bucket", "pfx/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/"); len(d) != 1 {
		t.Fatalf("digests after the stop: %v", d)
	}
	// Logging again starts a new chain whose first digest has no predecessor.
	f.trails.list[0].Logging = true
	f.trails.list[0].StartLoggingTime = f.clk.Now()
	m.RunOnce(ctx)
	f.clk.Advance(time.Hour)
	m.RunOnce(ctx)
	keys, _ := f.objects.List(ctx, "ct-bucket", "pfx/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/")
	sort.Strings(keys)
	if len(keys) != 2 {
		t.Fatalf("digests: %v", keys)
	}
	body, _, _ := f.objects.Get(ctx, "ct-bucket", keys[1])
	r, _ := gzip.NewReader(bytes.NewReader(body))
	raw, _ := io.ReadAll(r)
	if !bytes.Contains(raw, []byte(`"previousDigestS3Object":null`)) || !bytes.Contains(raw, []byte(`"logFiles":[]`)) {
		t.Fatalf("restarted chain's first digest: %s", raw)
	}
}
