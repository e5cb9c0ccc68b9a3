package eventstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// Event is a stored event as consumers read it.
type Event struct {
	Seq        int64
	IngestTime time.Time
	Account    string // the account the event belongs to (recipientAccountId)
	Region     string
	EventTime  time.Time
	// JSON is the record as stored: the original JSON of an ingested
	// record, the encoding of one Cairn produced.
	JSON []byte
}

// Record decodes the event's JSON, keeping it in Raw.
func (e *Event) Record() (events.Record, error) { return events.Parse(e.JSON) }

// ReadFrom returns up to limit events with sequence numbers greater than
// afterSeq, in sequence order. Consumers keep their own cursor (the Seq of
// the last event they processed) and resume from it after a restart:
// sequence numbers are stable and never reused, and an event becomes
// visible only after every event with a smaller number, so a cursor never
// skips an event that commits later. Events dropped by retention are gone;
// a cursor behind them resumes at the oldest remaining event.
func (s *Store) ReadFrom(ctx context.Context, afterSeq int64, limit int) ([]Event, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if limit <= 0 {
		return nil, nil
	}
	upTo := s.committed.Load()
	if afterSeq >= upTo {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Event
	if afterSeq < s.compacted && len(s.partitions) > 0 {
		var parts []string
		for _, t := range s.tablesLocked() {
			parts = append(parts, `SELECT seq, ingestTime, scopeAccount, scopeRegion, eventTime, eventJson FROM `+t+
				` WHERE seq > $1 AND seq <= $2`)
		}
		rows, err := s.db.QueryContext(ctx, strings.Join(parts, " UNION ALL ")+` ORDER BY seq LIMIT $3`, afterSeq, s.compacted, limit)
		if err != nil {
			return nil, fmt.Errorf("reading events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Event
			var js string
			if err := rows.Scan(&e.Seq, &e.IngestTime, &e.Account, &e.Region, &e.EventTime, &js); err != nil {
				return nil, fmt.Errorf("reading events: %w", err)
			}
			e.JSON = []byte(js)
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading events: %w", err)
		}
	}
	for _, g := range s.segs {
		if len(out) >= limit {
			break
		}
		st := g.state()
		from := max(afterSeq+1, st.first)
		to := min(st.last(), upTo, from+int64(limit-len(out))-1)
		if from > to {
			continue
		}
		rows, err := g.readRows(st, from, to)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, Event{Seq: r.seq, IngestTime: r.ingest, Account: r.v.account, Region: r.v.region,
				EventTime: r.eventTime, JSON: r.json})
		}
	}
	return out, nil
}

// DropBefore removes every partition whose events are all older than t
// and returns how many it removed. Partitions are calendar months (UTC) of
// event time, so events older than t remain until their whole month is; a
// reader that must not see them filters by time, as Lookup's Start does.
// Events of dropped months still waiting in the log are discarded when
// their segment is compacted. Dropping a table frees its blocks for reuse by later
// writes; the database file does not shrink.
func (s *Store) DropBefore(ctx context.Context, t time.Time) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if err := s.lockMaintenance(ctx); err != nil {
		return 0, err
	}
	defer s.maintMu.Unlock()
	s.partMu.Lock()
	defer s.partMu.Unlock()
	floor := monthOf(t) // months before t's month end before t
	s.mu.RLock()
	var victims []int
	for _, m := range s.partitions {
		if m < floor {
			victims = append(victims, m)
		}
	}
	changed := floor > s.floorMonth
	s.mu.RUnlock()
	if !changed && len(victims) == 0 {
		return 0, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("dropping event partitions: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("dropping event partitions: %w", err)
	}
	defer tx.Rollback()
	// Sequence numbers must never be reused, even when every table that
	// held the highest one is gone.
	if err := setMeta(ctx, tx, "seqFloor", s.committed.Load()); err != nil {
		return 0, fmt.Errorf("dropping event partitions: %w", err)
	}
	if err := setMeta(ctx, tx, "floorMonth", int64(max(floor, s.floorMonth))); err != nil {
		return 0, fmt.Errorf("dropping event partitions: %w", err)
	}
	err = func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, m := range victims {
			if _, err := tx.ExecContext(ctx, "DROP TABLE "+tableName(m)); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.floorMonth = max(floor, s.floorMonth)
		s.partitions = slices.DeleteFunc(s.partitions, func(m int) bool { return slices.Contains(victims, m) })
		return nil
	}()
	if err != nil {
		return 0, fmt.Errorf("dropping event partitions: %w", err)
	}
	// Lookups skip index entries below the floor from now on; the
	// maintainer drops them.
	s.index.setFloor(monthStart(max(floor, s.floorMonth)))
	if err := s.pruneArchive(t); err != nil {
		return len(victims), fmt.Errorf("dropping archived events: %w", err)
	}
	return len(victims), nil
}

// unionSQL is a query over every partition, for tests and diagnostics;
// it does not hold s.mu.
func (s *Store) unionSQL(cols string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var parts []string
	for _, t := range s.tablesLocked() {
		parts = append(parts, "SELECT "+cols+" FROM "+t)
	}
	return strings.Join(parts, " UNION ALL BY NAME ")
}

// tablesLocked lists the partition tables. The caller holds s.mu.
func (s *Store) tablesLocked() []string {
	var out []string
	for _, m := range s.partitions {
		out = append(out, tableName(m))
	}
	return out
}

// Partitions returns the first instant of each partition's month, oldest
// first.
func (s *Store) Partitions() []time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]time.Time, len(s.partitions))
	for i, m := range s.partitions {
		out[i] = monthStart(m)
	}
	return out
}
