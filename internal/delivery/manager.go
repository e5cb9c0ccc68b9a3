package delivery

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/trails"
)

// Event is a stored event as delivery reads it.
type Event struct {
	Seq        int64
	IngestTime time.Time
	EventTime  time.Time
	Account    string
	Region     string
	JSON       []byte
}

// EventSource is the event store as delivery needs it.
type EventSource interface {
	// ReadFrom returns up to limit events with sequence numbers above
	// after, in sequence order.
	ReadFrom(ctx context.Context, after int64, limit int) ([]Event, error)
	// LastSeq is the highest sequence number ReadFrom can return now.
	LastSeq(ctx context.Context) (int64, error)
}

// TrailSource lists the trails to deliver for.
type TrailSource interface {
	DeliveryTrails(ctx context.Context) ([]trails.DeliveryTrail, error)
}

// KeySource gives the current digest signing key of a Region.
type KeySource interface {
	SigningKey(region string) (*signingkeys.Key, error)
}

// Options configure a Manager.
type Options struct {
	Store   store.Store
	Events  EventSource
	Trails  TrailSource
	Objects ObjectStore
	Keys    KeySource
	// Interval is how often a trail's log files are delivered (AWS: about
	// every 5 minutes); DigestInterval how long a digest covers (AWS: 1h).
	Interval       time.Duration
	DigestInterval time.Duration
	// Regions are the Regions a multi-Region trail writes digests for,
	// besides its home Region.
	Regions []string
	// MaxFileEvents and MaxFileBytes bound one log file (uncompressed).
	MaxFileEvents int
	MaxFileBytes  int
	Now           func() time.Time
	Logger        *slog.Logger
}

// Defaults for Options.
const (
	DefaultInterval       = 5 * time.Minute
	DefaultDigestInterval = time.Hour
	DefaultMaxFileEvents  = 10000
	DefaultMaxFileBytes   = 32 << 20
	// planEvents bounds the events one intent covers.
	planEvents = 200000
	readChunk  = 5000
	maxBackoff = time.Minute
)

// Manager runs delivery for every trail. It is also the trails service's
// DeliveryStatus.
type Manager struct {
	o Options

	mu     sync.Mutex
	trails map[string]*trailRun
	// seen records (time, last sequence number) observations, so that a
	// trail that starts logging gets a cursor just before its start.
	seen []observation

	stop chan struct{}
	done chan struct{}
	wake chan struct{}
}

type observation struct {
	at  time.Time
	seq int64
}

// trailRun is a trail's in-memory delivery timing.
type trailRun struct {
	lastLogPass time.Time
	retryAt     time.Time
	backoff     time.Duration
}

// New returns a Manager; Start runs it.
func New(o Options) *Manager {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.DigestInterval <= 0 {
		o.DigestInterval = DefaultDigestInterval
	}
	if o.MaxFileEvents <= 0 {
		o.MaxFileEvents = DefaultMaxFileEvents
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Manager{o: o, trails: map[string]*trailRun{}, wake: make(chan struct{}, 1)}
}

// tick is how often the manager looks for due work.
func (m *Manager) tick() time.Duration {
	t := min(m.o.Interval, m.o.DigestInterval) / 4
	return max(min(t, time.Second), 20*time.Millisecond)
}

// Start runs delivery in the background until Close.
func (m *Manager) Start(ctx context.Context) {
	m.stop = make(chan struct{})
	m.done = make(chan struct{})
	m.observe(ctx)
	go func() {
		defer close(m.done)
		ticker := time.NewTicker(m.tick())
		defer ticker.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-ticker.C:
			case <-m.wake:
			}
			if err := m.RunOnce(ctx); err != nil && !errors.Is(err, context.Canceled) {
				m.o.Logger.Error("delivery pass failed", "error", err)
			}
		}
	}()
}

// Close stops the background delivery and waits for a pass in progress.
func (m *Manager) Close() {
	if m.stop == nil {
		return
	}
	close(m.stop)
	<-m.done
	m.stop = nil
}

func (m *Manager) observe(ctx context.Context) {
	seq, err := m.o.Events.LastSeq(ctx)
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = append(m.seen, observation{at: m.o.Now(), seq: seq})
	// Keep the last few minutes' worth.
	if len(m.seen) > 4096 {
		m.seen = append(m.seen[:0], m.seen[len(m.seen)-2048:]...)
	}
}

// cursorBefore is the last sequence number observed at least a second
// before t, or 0.
func (m *Manager) cursorBefore(t time.Time) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	limit := t.Add(-time.Second)
	for i := len(m.seen) - 1; i >= 0; i-- {
		if m.seen[i].at.Before(limit) {
			return m.seen[i].seq
		}
	}
	return 0
}

// RunOnce does the work due now for every trail.
func (m *Manager) RunOnce(ctx context.Context) error {
	list, err := m.o.Trails.DeliveryTrails(ctx)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	for _, t := range list {
		present[t.ARN] = true
		if err := m.runTrail(ctx, t); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			m.o.Logger.Warn("trail delivery failed", "trail", t.ARN, "error", err)
		}
	}
	m.observe(ctx)
	return m.forgetDeleted(ctx, present)
}

// forgetDeleted removes the state of trails that no longer exist.
func (m *Manager) forgetDeleted(ctx context.Context, present map[string]bool) error {
	var gone []string
	err := m.o.Store.View(ctx, func(tx store.Tx) error {
		return tx.Scan(stateBucket, "", "", func(key string, _ []byte) error {
			if !present[key] {
				gone = append(gone, key)
			}
			return nil
		})
	})
	if err != nil || len(gone) == 0 {
		return err
	}
	m.mu.Lock()
	for _, arn := range gone {
		delete(m.trails, arn)
	}
	m.mu.Unlock()
	return m.o.Store.Update(ctx, func(tx store.Tx) error {
		for _, arn := range gone {
			if err := tx.Delete(stateBucket, arn); err != nil {
				return err
			}
		}
		return nil
	})
}

func (m *Manager) run(arn string) *trailRun {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.trails[arn]
	if r == nil {
		// As on AWS, a trail's first log files come one interval after
		// delivery starts looking at it.
		r = &trailRun{lastLogPass: m.o.Now()}
		m.trails[arn] = r
	}
	return r
}

func (m *Manager) runTrail(ctx context.Context, t trails.DeliveryTrail) error {
	now := m.o.Now()
	run := m.run(t.ARN)
	if now.Before(run.retryAt) {
		return nil
	}
	st, err := m.state(ctx, t)
	if err != nil {
		return err
	}
	err = m.openChains(ctx, t, st, now)
	if err == nil {
		err = m.deliverLogs(ctx, t, st, run, now)
	}
	if err == nil {
		err = m.deliverDigests(ctx, t, st, now)
	}
	if err != nil {
		run.backoff = min(max(2*run.backoff, time.Second), maxBackoff)
		run.retryAt = now.Add(run.backoff)
		return err
	}
	run.backoff = 0
	return nil
}

// state loads a trail's delivery state, creating it the first time.
func (m *Manager) state(ctx context.Context, t trails.DeliveryTrail) (*trailState, error) {
	var st *trailState
	err := m.o.Store.View(ctx, func(tx store.Tx) error {
		var err error
		st, err = loadState(tx, t.ARN)
		return err
	})
	if err != nil || st != nil {
		return st, err
	}
	st = &trailState{}
	if t.Logging && !t.StartLoggingTime.IsZero() {
		st.Cursor = m.cursorBefore(t.StartLoggingTime)
	} else if st.Cursor, err = m.o.Events.LastSeq(ctx); err != nil {
		return nil, err
	}
	return st, m.save(ctx, t.ARN, st)
}

func (m *Manager) save(ctx context.Context, arn string, st *trailState) error {
	return m.o.Store.Update(ctx, func(tx store.Tx) error { return saveState(tx, arn, st) })
}

// TrailDelivery implements trails.DeliveryStatus.
func (m *Manager) TrailDelivery(ctx context.Context, trailARN, _ string) (trails.Delivery, error) {
	var d trails.Delivery
	err := m.o.Store.View(ctx, func(tx store.Tx) error {
		st, err := loadState(tx, trailARN)
		if err != nil || st == nil {
			return err
		}
		d.LatestDeliveryTime = st.LatestDeliveryTime
		d.LatestDeliveryError = st.LatestDeliveryError
		d.LatestDigestDeliveryTime = st.LatestDigestDeliveryTime
		d.LatestDigestDeliveryError = st.LatestDigestDeliveryError
		d.LatestDeliveryAttemptTime = st.LatestDeliveryAttempt
		d.LatestDeliveryAttemptSucceeded = st.LatestDeliveryTime
		return nil
	})
	return d, err
}

// Cursor returns the sequence number of the last event a trail's delivery
// has dealt with (0 before its first pass).
func (m *Manager) Cursor(ctx context.Context, trailARN string) (int64, error) {
	var cursor int64
	err := m.o.Store.View(ctx, func(tx store.Tx) error {
		st, err := loadState(tx, trailARN)
		if st != nil {
			cursor = st.Cursor
		}
		return err
	})
	return cursor, err
}
