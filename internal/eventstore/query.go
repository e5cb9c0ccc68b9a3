package eventstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Query runs a read-only SQL query over every stored event. build gets
// the SQL of a relation (a parenthesized query) holding every event with
// the columns of a partition: the internal columns (seq, ingestTime,
// scopeAccount, scopeRegion, historyKind, ...) and CloudTrail Lake's
// columns (eventVersion, userIdentity, ..., eventJson), whether the event
// is still in a log segment or already in a partition; it returns the
// query to run. fn reads the rows. Events appended while the query runs
// may or may not be seen; the tables the query reads stay until it ends.
func (s *Store) Query(ctx context.Context, build func(events string) string, fn func(rows *sql.Rows) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.maintMu.RLock()
	defer s.maintMu.RUnlock()
	s.beginQuery(ctx)
	defer s.endQuery()
	rows, err := s.db.QueryContext(ctx, build(s.eventsRelation()))
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	return rows.Err()
}

// Prepare checks that the query build makes would run: DuckDB parses and
// binds it without reading any event.
func (s *Store) Prepare(ctx context.Context, build func(events string) string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.maintMu.RLock()
	defer s.maintMu.RUnlock()
	stmt, err := s.db.PrepareContext(ctx, build(s.eventsRelation()))
	if err != nil {
		return err
	}
	return stmt.Close()
}

// eventsRelation is the union of every table holding events. The caller
// holds maintMu.
func (s *Store) eventsRelation() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var parts []string
	for _, m := range s.partitions {
		parts = append(parts, "SELECT * FROM "+tableName(m))
	}
	for _, n := range s.logs {
		parts = append(parts, segmentSelectSQL(logName(n)))
	}
	if len(parts) == 0 {
		var cols []string
		for _, c := range partitionColumns() {
			typ, _, _ := strings.Cut(c.typ, " NOT NULL")
			cols = append(cols, fmt.Sprintf("CAST(NULL AS %s) AS %q", typ, c.name))
		}
		parts = append(parts, "SELECT "+strings.Join(cols, ", ")+" WHERE false")
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ")"
}

// lockMaintenance takes maintMu for writing without blocking readers: a
// waiting Lock would hold back every new query until the running ones end,
// which can take an hour, so maintenance polls instead and waits for a
// moment without queries.
func (s *Store) lockMaintenance(ctx context.Context) error {
	for !s.maintMu.TryLock() {
		if s.closed.Load() {
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// beginQuery gives DuckDB Options.QueryThreads threads while at least one
// query runs; endQuery takes them back when the last one ends.
func (s *Store) beginQuery(ctx context.Context) {
	if s.opts.QueryThreads <= 0 {
		return
	}
	s.queryMu.Lock()
	defer s.queryMu.Unlock()
	s.queries++
	if s.queries == 1 {
		s.setThreads(s.opts.QueryThreads)
	}
}

func (s *Store) endQuery() {
	if s.opts.QueryThreads <= 0 {
		return
	}
	s.queryMu.Lock()
	defer s.queryMu.Unlock()
	s.queries--
	if s.queries == 0 && s.opts.Threads > 0 {
		s.setThreads(s.opts.Threads)
	}
}

// setThreads changes DuckDB's thread count; a failure leaves the count as
// it was, which costs speed only.
func (s *Store) setThreads(n int) {
	if _, err := s.db.ExecContext(context.Background(), fmt.Sprintf("SET GLOBAL threads = %d", n)); err != nil {
		s.opts.Logger.Warn("changing the event store's thread count", "threads", n, "error", err)
	}
}
