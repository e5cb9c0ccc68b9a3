package journal

import (
	"context"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// MarkerName names the marker the mover commits with each batch.
const MarkerName = "journal"

// maxMoveBatch bounds the records one move transaction carries.
const maxMoveBatch = 8192

// Sink stores a batch of records and the marker value in one transaction.
type Sink interface {
	AppendMarked(ctx context.Context, recs []events.Record, marker string, value int64) error
}

// Mover transfers journal entries into the event store: in the background
// every interval, and on demand through Flush (readers that must see every
// acknowledged event flush first).
type Mover struct {
	j    *Journal
	sink Sink

	flushMu sync.Mutex // one move at a time, in index order
	stop    chan struct{}
	done    chan struct{}
	logErr  func(error)
}

// NewMover starts moving j's entries into sink every interval; logErr is
// told about failed background moves (they are retried).
func NewMover(j *Journal, sink Sink, interval time.Duration, logErr func(error)) *Mover {
	m := &Mover{j: j, sink: sink, stop: make(chan struct{}), done: make(chan struct{}), logErr: logErr}
	go m.loop(interval)
	return m
}

func (m *Mover) loop(interval time.Duration) {
	defer close(m.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-ticker.C:
			if err := m.Flush(context.Background()); err != nil && m.logErr != nil {
				m.logErr(err)
			}
		}
	}
}

// Flush moves every entry that was durable when it was called.
func (m *Mover) Flush(ctx context.Context) error {
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	// Entries acknowledged after the call began may be moved too; that is
	// harmless. The batch is read a piece at a time so that a backlog is
	// not copied whole.
	pending := m.j.PendingUpTo(maxMoveBatch)
	if len(pending) == 0 {
		return nil
	}
	target := m.j.lastPending()
	for len(pending) > 0 {
		recs := make([]events.Record, len(pending))
		for i, e := range pending {
			recs[i] = e.Record
		}
		last := pending[len(pending)-1].Index
		if err := m.sink.AppendMarked(ctx, recs, MarkerName, last); err != nil {
			return err
		}
		if err := m.j.Moved(last); err != nil {
			return err
		}
		if last >= target {
			return nil
		}
		pending = m.j.PendingUpTo(maxMoveBatch)
	}
	return nil
}

// Close stops the background loop and moves what is left.
func (m *Mover) Close(ctx context.Context) error {
	close(m.stop)
	<-m.done
	return m.Flush(ctx)
}
