package lakequery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cairnhq/cairn/internal/store"
)

const queryBucket = "queries"

const recordVersion = 1

// Query statuses (the API's QueryStatus values).
const (
	statusQueued    = "QUEUED"
	statusRunning   = "RUNNING"
	statusFinished  = "FINISHED"
	statusFailed    = "FAILED"
	statusCancelled = "CANCELLED"
	statusTimedOut  = "TIMED_OUT"
)

func terminal(status string) bool {
	switch status {
	case statusFinished, statusFailed, statusCancelled, statusTimedOut:
		return true
	}
	return false
}

// queryRecord is a query as stored.
type queryRecord struct {
	Version   int        `json:"version"`
	ID        string     `json:"id"`
	Account   string     `json:"account"`
	Region    string     `json:"region"`
	Owner     string     `json:"owner,omitempty"` // EventDataStoreOwnerAccountId, when given
	Statement string     `json:"statement"`
	Stores    []string   `json:"stores"` // ARNs of the event data stores read
	Status    string     `json:"status"`
	Created   time.Time  `json:"created"`
	Started   *time.Time `json:"started,omitempty"`
	Finished  *time.Time `json:"finished,omitempty"`
	Error     string     `json:"error,omitempty"`

	Rows          int64 `json:"rows"`
	EventsScanned int64 `json:"eventsScanned"`
	BytesScanned  int64 `json:"bytesScanned"`
	ExecMillis    int64 `json:"execMillis"`

	DeliveryURI    string `json:"deliveryUri,omitempty"`
	DeliveryStatus string `json:"deliveryStatus,omitempty"`
}

func recordKey(account, region, id string) string { return account + "/" + region + "/" + id }

func (q *queryRecord) key() string { return recordKey(q.Account, q.Region, q.ID) }

func (s *Service) resultsPath(id string) string { return filepath.Join(s.cfg.Dir, id+".jsonl") }

func (s *Service) put(ctx context.Context, q *queryRecord) error {
	raw, err := json.Marshal(q)
	if err != nil {
		return err
	}
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error { return tx.Put(queryBucket, q.key(), raw) })
}

// update changes a stored query under a transaction.
func (s *Service) update(ctx context.Context, account, region, id string, fn func(q *queryRecord)) error {
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		q, err := getRecord(tx, recordKey(account, region, id))
		if err != nil || q == nil {
			return err
		}
		fn(q)
		raw, err := json.Marshal(q)
		if err != nil {
			return err
		}
		return tx.Put(queryBucket, q.key(), raw)
	})
}

func getRecord(tx store.Tx, key string) (*queryRecord, error) {
	raw, err := tx.Get(queryBucket, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	q := new(queryRecord)
	if err := json.Unmarshal(raw, q); err != nil {
		return nil, fmt.Errorf("lakequery: decoding query %s: %w", key, err)
	}
	return q, nil
}

// failInterrupted ends queries that were queued or running when the last
// process stopped.
func (s *Service) failInterrupted(ctx context.Context) error {
	now := s.now().UTC()
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var stale []*queryRecord
		err := tx.Scan(queryBucket, "", "", func(key string, raw []byte) error {
			q := new(queryRecord)
			if err := json.Unmarshal(raw, q); err != nil {
				return fmt.Errorf("lakequery: decoding query %s: %w", key, err)
			}
			if !terminal(q.Status) {
				stale = append(stale, q)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, q := range stale {
			q.Status = statusFailed
			q.Error = "The query was interrupted: Cairn stopped while it was " + map[bool]string{true: "running", false: "queued"}[q.Started != nil] + ". Start it again."
			q.Finished = &now
			raw, err := json.Marshal(q)
			if err != nil {
				return err
			}
			if err := tx.Put(queryBucket, q.key(), raw); err != nil {
				return err
			}
		}
		return nil
	})
}

// purgeLoop removes queries and results older than resultsKept, hourly.
func (s *Service) purgeLoop() {
	defer s.wg.Done()
	ticker := time.NewTicker(time.Hour)
	defer ticker.Stop()
	for {
		_ = s.purge(context.Background())
		select {
		case <-s.stop:
			return
		case <-ticker.C:
		}
	}
}

func (s *Service) purge(ctx context.Context) error {
	cut := s.now().UTC().Add(-resultsKept)
	var gone []string
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		var keys []string
		err := tx.Scan(queryBucket, "", "", func(key string, raw []byte) error {
			var q queryRecord
			if json.Unmarshal(raw, &q) == nil && terminal(q.Status) && q.Created.Before(cut) {
				keys = append(keys, key)
				gone = append(gone, q.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(queryBucket, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range gone {
		_ = os.Remove(s.resultsPath(id))
	}
	return nil
}
