package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/config"
	"github.com/cairnhq/cairn/internal/delivery"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/journal"
	"github.com/cairnhq/cairn/internal/lake"
	"github.com/cairnhq/cairn/internal/lakequery"
	"github.com/cairnhq/cairn/internal/lakesql"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store/boltstore"
)

// The data directory's entries, all removed by a state reset.
const (
	metadataFile = "metadata.db"
	bucketsDir   = "buckets"
	keysDir      = "keys"
	eventsDir    = "events"
	journalDir   = "journal"
	queriesDir   = "queries"
)

var stateEntries = []string{metadataFile, bucketsDir, keysDir, eventsDir, journalDir, queriesDir}

// eventStoreMemory caps DuckDB's memory (its buffer pool otherwise grows
// to most of the machine's RAM).
const eventStoreMemory = "1GB"

// moveInterval is how often journaled events move into the event store in
// the background; readers that must see every event flush first.
const moveInterval = 100 * time.Millisecond

// storage is everything opened from the data directory.
type storage struct {
	metadata *boltstore.Store
	buckets  *bucketstore.Store
	keys     *signingkeys.Store
	events   *eventstore.Store
	journal  *journal.Journal
	mover    *journal.Mover
	// delivery is started by buildBackend, which owns the trails it reads.
	delivery *delivery.Manager
	// lake and queries are built by buildBackend; storage closes them.
	lake    *lake.Service
	queries *lakequery.Service

	stopRetention chan struct{}
	retentionDone sync.WaitGroup
}

func openStorage(cfg config.Config, opts Options) (*storage, error) {
	st := &storage{}
	var err error
	if st.metadata, err = boltstore.Open(filepath.Join(cfg.DataDir, metadataFile)); err != nil {
		return nil, fmt.Errorf("%w (is another cairn using %s?)", err, cfg.DataDir)
	}
	if st.buckets, err = bucketstore.Open(filepath.Join(cfg.DataDir, bucketsDir)); err != nil {
		_ = st.close()
		return nil, err
	}
	if st.keys, err = signingkeys.Open(filepath.Join(cfg.DataDir, keysDir), signingkeys.Options{RotationPeriod: cfg.KeyRotation, Now: opts.Now}); err != nil {
		_ = st.close()
		return nil, err
	}
	if st.events, err = eventstore.OpenWithOptions(filepath.Join(cfg.DataDir, eventsDir), eventstore.Options{
		Now: opts.Now, Logger: opts.Logger, MemoryLimit: eventStoreMemory, SharedSQL: lakesql.SharedSQL(),
		Threads: 1, QueryThreads: runtime.NumCPU(),
	}); err != nil {
		_ = st.close()
		return nil, err
	}
	moved, err := st.events.MarkerValue(context.Background(), journal.MarkerName)
	if err != nil {
		_ = st.close()
		return nil, fmt.Errorf("reading the journal marker: %w", err)
	}
	if st.journal, err = journal.Open(filepath.Join(cfg.DataDir, journalDir), moved); err != nil {
		_ = st.close()
		return nil, err
	}
	st.mover = journal.NewMover(st.journal, journalSink{st.events}, moveInterval, func(err error) {
		opts.Logger.Error("moving journaled events into the event store", "error", err)
	})
	if err := st.mover.Flush(context.Background()); err != nil {
		_ = st.close()
		return nil, fmt.Errorf("moving journaled events into the event store: %w", err)
	}
	return st, nil
}

func (st *storage) close() error {
	var errs []error
	if st.delivery != nil {
		st.delivery.Close()
	}
	if st.queries != nil {
		errs = append(errs, st.queries.Close())
	}
	if st.lake != nil {
		errs = append(errs, st.lake.Close())
	}
	if st.stopRetention != nil {
		close(st.stopRetention)
		st.retentionDone.Wait()
	}
	if st.mover != nil {
		errs = append(errs, st.mover.Close(context.Background()))
	}
	if st.journal != nil {
		errs = append(errs, st.journal.Close())
	}
	if st.events != nil {
		errs = append(errs, st.events.Close())
	}
	if st.buckets != nil {
		errs = append(errs, st.buckets.Close())
	}
	if st.metadata != nil {
		errs = append(errs, st.metadata.Close())
	}
	return errors.Join(errs...)
}

// historyRetention is how long event history needs events. The event
// store keeps them longer when an event data store's retention period is
// longer; it drops whole monthly partitions once all their events are
// older than both.
const historyRetention = 90 * 24 * time.Hour

// retentionSource tells how long event data stores keep events, and
// removes stores whose pending deletion is over.
type retentionSource interface {
	RetentionHorizon(ctx context.Context) (time.Duration, error)
	PurgeExpired(ctx context.Context) (int, error)
}

// startRetention applies retention now and then hourly.
func (st *storage) startRetention(now func() time.Time, logf func(msg string, args ...any), lakes retentionSource) {
	st.stopRetention = make(chan struct{})
	st.retentionDone.Add(1)
	go func() {
		defer st.retentionDone.Done()
		ticker := time.NewTicker(time.Hour)
		defer ticker.Stop()
		for {
			st.applyRetention(context.Background(), now(), logf, lakes)
			select {
			case <-st.stopRetention:
				return
			case <-ticker.C:
			}
		}
	}()
}

// applyRetention removes event data stores past their pending deletion,
// then drops the event partitions that neither event history nor any
// event data store needs.
func (st *storage) applyRetention(ctx context.Context, now time.Time, logf func(msg string, args ...any), lakes retentionSource) {
	if n, err := lakes.PurgeExpired(ctx); err != nil {
		logf("removing event data stores past pending deletion", "error", err)
	} else if n > 0 {
		logf("removed event data stores past pending deletion", "count", n)
	}
	keep := historyRetention
	horizon, err := lakes.RetentionHorizon(ctx)
	if err != nil {
		logf("reading event data store retention; dropping no events this time", "error", err)
		return
	}
	keep = max(keep, horizon)
	if n, err := st.events.DropBefore(ctx, now.Add(-keep)); err != nil {
		logf("dropping expired event partitions", "error", err)
	} else if n > 0 {
		logf("dropped expired event partitions", "count", n)
	}
}
