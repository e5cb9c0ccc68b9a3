package lake

import (
	"context"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
)

// ingestionBucket holds each channel's latest ingestion status, keyed by
// the channel's ARN.
const ingestionBucket = "channelingestion"

// ingestionFlushInterval is how often changed ingestion statuses are
// written. The status is informational (GetChannel's IngestionStatus);
// writing it once a second instead of with every PutAuditEvents keeps a
// metadata commit off the ingestion path. A crash loses at most the last
// second of status updates, never an event.
const ingestionFlushInterval = time.Second

// ingestionStatus is a channel's latest ingestion, as stored.
type ingestionStatus struct {
	SuccessTime    time.Time `json:"successTime,omitzero"`
	SuccessEventID string    `json:"successEventId,omitempty"`
	AttemptTime    time.Time `json:"attemptTime,omitzero"`
	AttemptEventID string    `json:"attemptEventId,omitempty"`
	ErrorCode      string    `json:"errorCode,omitempty"`
}

// ingestionTracker keeps channels' ingestion statuses in memory and
// writes changed ones to the metadata store in the background.
type ingestionTracker struct {
	store store.Store
	now   func() time.Time

	mu      sync.Mutex
	latest  map[string]ingestionStatus
	dirty   map[string]bool
	removed map[string]bool

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newIngestionTracker(st store.Store, now func() time.Time) *ingestionTracker {
	t := &ingestionTracker{
		store: st, now: now,
		latest: map[string]ingestionStatus{}, dirty: map[string]bool{}, removed: map[string]bool{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go t.loop()
	return t
}

func (t *ingestionTracker) loop() {
	defer close(t.done)
	ticker := time.NewTicker(ingestionFlushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-ticker.C:
			_ = t.flush()
		}
	}
}

func (t *ingestionTracker) close() error {
	t.closeOnce.Do(func() { close(t.stop) })
	<-t.done
	return t.flush()
}

// record notes one PutAuditEvents request's outcome on a channel:
// the last event that succeeded, the last attempted, and the error code of
// the last failure ("" when the request had none).
func (t *ingestionTracker) record(channelARN string, lastSuccess, lastAttempt, errorCode string) {
	now := t.now().UTC()
	loaded := t.current(channelARN)
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.latest[channelARN]
	if !ok {
		st = loaded
	}
	st.AttemptTime, st.AttemptEventID = now, lastAttempt
	if lastSuccess != "" {
		st.SuccessTime, st.SuccessEventID = now, lastSuccess
	}
	st.ErrorCode = errorCode
	t.latest[channelARN] = st
	t.dirty[channelARN] = true
	delete(t.removed, channelARN)
}

// current is a channel's status: from memory, else as last written. It
// takes t.mu only briefly and never while reading the store, because flush
// takes t.mu inside a store transaction.
func (t *ingestionTracker) current(channelARN string) ingestionStatus {
	t.mu.Lock()
	st, ok := t.latest[channelARN]
	t.mu.Unlock()
	if ok {
		return st
	}
	_ = t.store.View(context.Background(), func(tx store.Tx) error {
		rec, err := getJSON[ingestionStatus](tx, ingestionBucket, channelARN)
		if rec != nil {
			st = *rec
		}
		return err
	})
	return st
}

// forget drops a deleted channel's status from memory; DeleteChannel
// deletes the stored one in its own transaction (ingestionBucket).
func (t *ingestionTracker) forget(channelARN string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.latest, channelARN)
	delete(t.dirty, channelARN)
	t.removed[channelARN] = true
}

// status is GetChannel's IngestionStatus; nil before the first ingestion.
func (t *ingestionTracker) status(ctx context.Context, channelARN string) *cloudtrail.IngestionStatus {
	st := t.current(channelARN)
	if st.AttemptTime.IsZero() {
		return nil
	}
	out := &cloudtrail.IngestionStatus{
		LatestIngestionAttemptTime:    api.NewTimestamp(st.AttemptTime),
		LatestIngestionAttemptEventID: ptr(st.AttemptEventID),
	}
	if !st.SuccessTime.IsZero() {
		out.LatestIngestionSuccessTime = api.NewTimestamp(st.SuccessTime)
		out.LatestIngestionSuccessEventID = ptr(st.SuccessEventID)
	}
	if st.ErrorCode != "" {
		out.LatestIngestionErrorCode = ptr(st.ErrorCode)
	}
	return out
}

func (t *ingestionTracker) flush() error {
	t.mu.Lock()
	if len(t.dirty) == 0 {
		t.mu.Unlock()
		return nil
	}
	batch := make(map[string]ingestionStatus, len(t.dirty))
	for arn := range t.dirty {
		batch[arn] = t.latest[arn]
	}
	clear(t.dirty)
	t.mu.Unlock()
	err := t.store.Update(context.Background(), func(tx store.Tx) error {
		for arn, st := range batch {
			t.mu.Lock()
			gone := t.removed[arn]
			t.mu.Unlock()
			if gone {
				continue
			}
			if err := putJSON(tx, ingestionBucket, arn, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.mu.Lock()
		for arn := range batch {
			if !t.removed[arn] {
				t.dirty[arn] = true
			}
		}
		t.mu.Unlock()
	}
	return err
}
