package lake

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/store/memstore"
	"github.com/cairnhq/cairn/internal/tagging"
)

const (
	acct  = "123456789012"
	other = "210987654321"
	home  = "us-east-1"
	away  = "eu-west-1"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// pipeline is an in-memory event store with sequence numbers.
type pipeline struct {
	mu     sync.Mutex
	events []StoredEvent
	fail   error
}

func (p *pipeline) SyncedSequence(context.Context) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return int64(len(p.events)), nil
}

func (p *pipeline) ReadFrom(_ context.Context, after int64, limit int) ([]StoredEvent, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if after >= int64(len(p.events)) {
		return nil, nil
	}
	end := min(int64(len(p.events)), after+int64(limit))
	return append([]StoredEvent(nil), p.events[after:end]...), nil
}

func (p *pipeline) Append(_ context.Context, recs []events.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	for _, r := range recs {
		raw, err := r.JSON()
		if err != nil {
			return err
		}
		p.events = append(p.events, StoredEvent{Seq: int64(len(p.events)) + 1, JSON: raw})
	}
	return nil
}

// add appends a CloudTrail record of the given shape.
func (p *pipeline) add(t *testing.T, account, region, category, source, name string, readOnly bool, at time.Time) {
	t.Helper()
	mgmt := category == "Management"
	raw := fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"Root","accountId":%q,"arn":"arn:aws:iam::%s:root"},"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":%q,"sourceIPAddress":"127.0.0.1","readOnly":%t,"eventType":"AwsApiCall","managementEvent":%t,"recipientAccountId":%q,"eventCategory":%q,"eventID":"e%d"}`,
		account, account, at.UTC().Format(events.TimeFormat), source, name, region, readOnly, mgmt, account, category, len(p.events)+1)
	rec, err := events.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Append(context.Background(), []events.Record{rec}); err != nil {
		t.Fatal(err)
	}
}

type harness struct {
	t     *testing.T
	store store.Store
	pipe  *pipeline
	now   time.Time
	svc   *Service
	h     cloudtrail.Handlers
	ids   int
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, store: memstore.New(), pipe: &pipeline{}, now: t0}
	h.restart()
	return h
}

func (h *harness) restart() {
	if h.svc != nil {
		_ = h.svc.Close()
	}
	h.svc = New(Config{
		Store: h.store, Sequencer: h.pipe, Events: h.pipe, Appender: h.pipe,
		Now: func() time.Time { return h.now },
		NewID: func() string {
			h.ids++
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", h.ids)
		},
	})
	h.t.Cleanup(func() { _ = h.svc.Close() })
	h.h = cloudtrail.Handlers{}
	h.svc.Register(&h.h)
	tagging.New(tagging.Config{Store: h.store, Resolvers: map[string]tagging.Resolver{
		tagging.ResourceEventDataStore: h.svc.DataStoreTagResolver(),
		tagging.ResourceChannel:        h.svc.ChannelTagResolver(),
	}}).Register(&h.h)
}

func callerCtx(account, region string) context.Context {
	return identity.WithCaller(context.Background(), &identity.Caller{
		Principal: identity.Principal{Type: identity.PrincipalRoot, AccountID: account, ARN: "arn:aws:iam::" + account + ":root"},
		Region:    region,
	})
}

func in(region string) context.Context { return callerCtx(acct, region) }

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr api.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), code)
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func (h *harness) createStore(ctx context.Context, name string, sels []cloudtrail.AdvancedEventSelector, mod ...func(*cloudtrail.CreateEventDataStoreRequest)) *cloudtrail.CreateEventDataStoreResponse {
	h.t.Helper()
	req := &cloudtrail.CreateEventDataStoreRequest{Name: ptr(name), AdvancedEventSelectors: sels}
	for _, m := range mod {
		m(req)
	}
	out, err := h.h.CreateEventDataStore(ctx, req)
	if err != nil {
		h.t.Fatalf("CreateEventDataStore %s: %v", name, err)
	}
	return out
}

func activitySelectors() []cloudtrail.AdvancedEventSelector {
	return []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
		{Field: ptr("eventCategory"), Equals: []string{"ActivityAuditLog"}},
	}}}
}

// members lists the event IDs of a store's events.
func (h *harness) members(ctx context.Context, ref string) []string {
	h.t.Helper()
	c := identity.FromContext(ctx)
	var out []string
	err := h.svc.Members(ctx, c.Principal.AccountID, c.Region, ref, func(_ int64, raw []byte) error {
		rec, err := events.Parse(raw)
		if err != nil {
			return err
		}
		out = append(out, rec.EventID)
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}
