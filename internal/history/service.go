package history

import (
	"context"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
)

// Retention is how far back event history reaches.
const Retention = 90 * 24 * time.Hour

// Source finds stored events for event history. The event store
// implements it (adapted by the composition root).
type Source interface {
	Lookup(ctx context.Context, q SourceQuery) (Page, error)
}

// SourceQuery selects one page of one account's and region's events,
// newest first.
type SourceQuery struct {
	Account, Region string
	Attribute       *Attribute
	// Start and End bound event time, inclusive.
	Start, End time.Time
	// Insights selects Insights events; otherwise management events.
	Insights bool
	Limit    int
	// After is the Position a previous page ended at, or empty.
	After string
}

// Page is one page of events and where it ended ("" when nothing follows).
type Page struct {
	Events []Event
	Next   string
}

// Event is a stored event as LookupEvents reports it.
type Event struct {
	EventID, EventName, EventSource string
	EventTime                       time.Time
	ReadOnly                        *bool
	Username, AccessKeyID           string
	Resources                       []Resource
	// JSON is the whole record, LookupEvents' CloudTrailEvent.
	JSON []byte
}

// Resource is a resource as LookupEvents reports it.
type Resource struct {
	Type, Name string
}

// ErrInvalidPosition is what a Source returns for an After it did not
// produce.
var ErrInvalidPosition = errInvalidPosition{}

type errInvalidPosition struct{}

func (errInvalidPosition) Error() string { return "history: invalid position" }

// Config wires a Service.
type Config struct {
	Source Source
	Now    func() time.Time
	// RequestsPerSecond, when positive, throttles LookupEvents per account
	// and region as AWS does (AWS: 2), answering ThrottlingException.
	RequestsPerSecond float64
}

// Service answers LookupEvents from the event store: management events
// (or Insights events) of the caller's account and region for the last 90
// days, newest first.
type Service struct {
	source Source
	now    func() time.Time
	rate   float64

	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{source: cfg.Source, now: cfg.Now, rate: cfg.RequestsPerSecond, buckets: map[string]*tokenBucket{}}
}

// Register installs LookupEvents in h.
func (s *Service) Register(h *cloudtrail.Handlers) {
	h.LookupEvents = s.LookupEvents
}

// LookupEvents answers one page of event history.
func (s *Service) LookupEvents(ctx context.Context, req *cloudtrail.LookupEventsRequest) (*cloudtrail.LookupEventsResponse, error) {
	q, err := ValidateLookup(req)
	if err != nil {
		return nil, err
	}
	caller := identity.FromContext(ctx)
	if caller == nil {
		return nil, api.ErrInternalFailure()
	}
	if !s.allow(caller.Principal.AccountID+"/"+caller.Region, s.now()) {
		return nil, cloudtrail.NewThrottlingException("Rate exceeded")
	}
	oldest := s.now().Add(-Retention)
	start := q.Start
	if start.Before(oldest) {
		start = oldest
	}
	sq := SourceQuery{
		Account: caller.Principal.AccountID, Region: caller.Region,
		Attribute: q.Attribute, Start: start, End: q.End,
		Insights: q.Insights, Limit: q.MaxResults,
	}
	if q.After != nil {
		sq.After = q.After.Position
	}
	page, err := s.source.Lookup(ctx, sq)
	if err == ErrInvalidPosition {
		return nil, cloudtrail.NewInvalidNextTokenException("Invalid NextToken: %s", *req.NextToken)
	}
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.LookupEventsResponse{Events: make([]cloudtrail.Event, 0, len(page.Events))}
	for _, e := range page.Events {
		out.Events = append(out.Events, toAPI(e))
	}
	if page.Next != "" {
		token := NextToken(q, Cursor{Position: page.Next})
		out.NextToken = &token
	}
	return out, nil
}

func toAPI(e Event) cloudtrail.Event {
	ev := cloudtrail.Event{
		EventId:         strPtr(e.EventID),
		EventName:       strPtr(e.EventName),
		EventSource:     strPtr(e.EventSource),
		EventTime:       api.NewTimestamp(e.EventTime),
		CloudTrailEvent: strPtr(string(e.JSON)),
		Resources:       []cloudtrail.Resource{},
	}
	if e.ReadOnly != nil {
		ro := "false"
		if *e.ReadOnly {
			ro = "true"
		}
		ev.ReadOnly = &ro
	}
	if e.Username != "" {
		ev.Username = strPtr(e.Username)
	}
	if e.AccessKeyID != "" {
		ev.AccessKeyId = strPtr(e.AccessKeyID)
	}
	for _, r := range e.Resources {
		res := cloudtrail.Resource{ResourceName: strPtr(r.Name)}
		if r.Type != "" {
			res.ResourceType = strPtr(r.Type)
		}
		ev.Resources = append(ev.Resources, res)
	}
	return ev
}

func strPtr(s string) *string { return &s }

// tokenBucket allows rate requests per second with a burst of the same.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func (s *Service) allow(key string, now time.Time) bool {
	if s.rate <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[key]
	if b == nil {
		b = &tokenBucket{tokens: s.rate, last: now}
		s.buckets[key] = b
	}
	b.tokens = min(s.rate, b.tokens+now.Sub(b.last).Seconds()*s.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
