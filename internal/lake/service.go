package lake

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/ids"
	"github.com/cairnhq/cairn/internal/store"
)

// Sequencer tells where the event pipeline stands: once every event
// acknowledged so far has reached the event store, the highest sequence
// number there. Every event acknowledged after the call gets a higher one.
type Sequencer interface {
	SyncedSequence(ctx context.Context) (int64, error)
}

// EventReader reads stored events in sequence order: up to limit events
// numbered above after.
type EventReader interface {
	ReadFrom(ctx context.Context, after int64, limit int) ([]StoredEvent, error)
}

// StoredEvent is one event of the event store.
type StoredEvent struct {
	Seq  int64
	JSON []byte
}

// Appender durably appends events to the pipeline; it returns once they
// are on disk.
type Appender interface {
	Append(ctx context.Context, recs []events.Record) error
}

// Config wires a Service.
type Config struct {
	Store     store.Store
	Sequencer Sequencer
	Events    EventReader
	Appender  Appender
	Now       func() time.Time // defaults to time.Now
	// NewID makes resource and event IDs; defaults to ids.NewUUID.
	NewID func() string
}

// Service answers the event data store, channel and resource policy
// operations of CloudTrail, and PutAuditEvents of CloudTrail Data.
type Service struct {
	store     store.Store
	sequencer Sequencer
	events    EventReader
	appender  Appender
	now       func() time.Time
	newID     func() string

	// windowMu serializes the operations that open or close ingestion
	// windows, so that windows are cut in sequence order.
	windowMu sync.Mutex

	ingestion *ingestionTracker
}

// New returns a Service over cfg. Close stops its background work.
func New(cfg Config) *Service {
	s := &Service{
		store:     cfg.Store,
		sequencer: cfg.Sequencer,
		events:    cfg.Events,
		appender:  cfg.Appender,
		now:       cfg.Now,
		newID:     cfg.NewID,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = ids.NewUUID
	}
	s.ingestion = newIngestionTracker(cfg.Store, s.now)
	return s
}

// Close persists the channels' latest ingestion status and stops the
// background writer.
func (s *Service) Close() error { return s.ingestion.close() }

// Register installs the CloudTrail operations of this package in h.
func (s *Service) Register(h *cloudtrail.Handlers) {
	h.CreateEventDataStore = s.CreateEventDataStore
	h.GetEventDataStore = s.GetEventDataStore
	h.UpdateEventDataStore = s.UpdateEventDataStore
	h.DeleteEventDataStore = s.DeleteEventDataStore
	h.RestoreEventDataStore = s.RestoreEventDataStore
	h.ListEventDataStores = s.ListEventDataStores
	h.StartEventDataStoreIngestion = s.StartEventDataStoreIngestion
	h.StopEventDataStoreIngestion = s.StopEventDataStoreIngestion
	h.CreateChannel = s.CreateChannel
	h.GetChannel = s.GetChannel
	h.UpdateChannel = s.UpdateChannel
	h.DeleteChannel = s.DeleteChannel
	h.ListChannels = s.ListChannels
	h.PutResourcePolicy = s.PutResourcePolicy
	h.GetResourcePolicy = s.GetResourcePolicy
	h.DeleteResourcePolicy = s.DeleteResourcePolicy
}

// RegisterData installs PutAuditEvents in h.
func (s *Service) RegisterData(h *cloudtraildata.Handlers) {
	h.PutAuditEvents = s.PutAuditEvents
}

// updateWindowed runs fn in one metadata transaction, with the position
// of the pipeline after every acknowledged event. Operations that open or
// close ingestion windows go through it one at a time, so that windows
// are cut in sequence order.
func (s *Service) updateWindowed(ctx context.Context, fn func(tx store.Tx, seq int64) error) error {
	s.windowMu.Lock()
	defer s.windowMu.Unlock()
	seq, err := s.sequencer.SyncedSequence(ctx)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx store.Tx) error { return fn(tx, seq) })
}

// scope is the account and Region a request is answered in.
type scope struct {
	account string
	region  string
}

func callerOf(ctx context.Context) (*identity.Caller, scope, error) {
	c := identity.FromContext(ctx)
	if c == nil || c.Principal.AccountID == "" || c.Region == "" {
		return nil, scope{}, api.NewCommonError(api.CodeInternalFailure, http.StatusInternalServerError,
			"The request reached the CloudTrail Lake service without a caller.")
	}
	return c, scope{account: c.Principal.AccountID, region: c.Region}, nil
}

// clock is the current time in UTC at the millisecond the wire keeps.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
