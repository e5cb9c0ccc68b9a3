package trails

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/store/memstore"
	"github.com/cairnhq/cairn/internal/tagging"
)

const (
	acct     = "123456789012"
	otherAcc = "210987654321"
	home     = "us-east-1"
	away     = "eu-west-1"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type fakeBuckets map[string]bool

func (b fakeBuckets) LookupBucket(_ context.Context, name string) (BucketInfo, error) {
	return BucketInfo{Exists: b[name]}, nil
}

type fakeKeys struct {
	keys      []PublicKey
	gotRegion string
}

func (k *fakeKeys) PublicKeys(_ context.Context, region string, start, end time.Time) ([]PublicKey, error) {
	k.gotRegion = region
	if start.After(end) {
		return nil, ErrInvalidTimeRange
	}
	var out []PublicKey
	for _, key := range k.keys {
		if !key.ValidityStart.After(end) && !key.ValidityEnd.Before(start) {
			out = append(out, key)
		}
	}
	return out, nil
}

type manualClock struct{ now time.Time }

func (c *manualClock) Now() time.Time                     { return c.now }
func (c *manualClock) advance(d time.Duration)            { c.now = c.now.Add(d) }
func (c *manualClock) set(t time.Time) time.Time          { c.now = t; return t }
func (c *manualClock) at() *api.Timestamp                 { return api.NewTimestamp(c.now) }
func (c *manualClock) ago(d time.Duration) *api.Timestamp { return api.NewTimestamp(c.now.Add(-d)) }

type harness struct {
	t       *testing.T
	store   store.Store
	clock   *manualClock
	keys    *fakeKeys
	buckets fakeBuckets
	svc     *Service
	h       cloudtrail.Handlers
	tags    cloudtrail.Handlers
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		t:       t,
		store:   memstore.New(),
		clock:   &manualClock{now: t0},
		keys:    &fakeKeys{},
		buckets: fakeBuckets{"trail-bucket": true, "other-bucket": true},
	}
	h.restart()
	return h
}

// restart builds a new Service over the same store, as a process restart
// would.
func (h *harness) restart() {
	h.svc = New(Config{Store: h.store, Now: h.clock.Now, Buckets: h.buckets, Keys: h.keys})
	h.h = cloudtrail.Handlers{}
	h.svc.Register(&h.h)
	h.tags = cloudtrail.Handlers{}
	tagging.New(tagging.Config{
		Store:     h.store,
		Resolvers: map[string]tagging.Resolver{tagging.ResourceTrail: h.svc.TagResolver()},
	}).Register(&h.tags)
}

func callerCtx(account, region string) context.Context {
	return identity.WithCaller(context.Background(), &identity.Caller{
		Principal: identity.Principal{Type: identity.PrincipalRoot, AccountID: account},
		Region:    region,
	})
}

func in(region string) context.Context { return callerCtx(acct, region) }

// create makes a trail with a valid bucket and fails the test on error.
func (h *harness) create(ctx context.Context, name string, multiRegion bool) *cloudtrail.CreateTrailResponse {
	h.t.Helper()
	out, err := h.h.CreateTrail(ctx, &cloudtrail.CreateTrailRequest{
		Name:               &name,
		S3BucketName:       ptr("trail-bucket"),
		IsMultiRegionTrail: &multiRegion,
	})
	if err != nil {
		h.t.Fatalf("CreateTrail %s: %v", name, err)
	}
	return out
}

func (h *harness) get(ctx context.Context, name string) *cloudtrail.Trail {
	h.t.Helper()
	out, err := h.h.GetTrail(ctx, &cloudtrail.GetTrailRequest{Name: &name})
	if err != nil {
		h.t.Fatalf("GetTrail %s: %v", name, err)
	}
	return out.Trail
}

// wantCode fails the test unless err is the AWS error code.
func wantCode(t *testing.T, err error, code string) api.Error {
	t.Helper()
	var e api.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if e.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", e.ErrorCode(), e.ErrorMessage(), code)
	}
	return e
}

// wantMessage fails the test unless err is code with exactly message.
func wantMessage(t *testing.T, err error, code, message string) {
	t.Helper()
	e := wantCode(t, err, code)
	if e.ErrorMessage() != message {
		t.Fatalf("%s message:\n got  %q\n want %q", code, e.ErrorMessage(), message)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
