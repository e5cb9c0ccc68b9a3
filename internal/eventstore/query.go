package eventstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Query runs a read-only SQL query over every stored event. build gets
// the SQL of a relation (a parenthesized query) holding every event with
// the columns of a partition: the internal columns (seq, ingestTime,
// scopeAccount, scopeRegion, historyKind, ...) and CloudTrail Lake's
// columns (eventVersion, userIdentity, ..., eventJson), whether the event
// is still in the log or already in a partition; it returns the query to
// run. fn reads the rows. The query sees the events committed when it
// starts: those still in the log are first copied into a temporary table
// of the query's connection.
func (s *Store) Query(ctx context.Context, build func(events string) string, fn func(rows *sql.Rows) error) error {
	return s.QueryEach(ctx, []func(string) string{build}, func(_ int, rows *sql.Rows) error { return fn(rows) })
}

// QueryEach is Query for several queries, run one after the other over the
// same events (the log is staged once, on one connection); fn reads the
// rows of the i-th. It stops at the first error.
func (s *Store) QueryEach(ctx context.Context, builds []func(events string) string, fn func(i int, rows *sql.Rows) error) error {
	return s.onRelation(ctx, true, func(conn *sql.Conn, relation string) error {
		for i, build := range builds {
			if err := queryOn(ctx, conn, build(relation), func(rows *sql.Rows) error { return fn(i, rows) }); err != nil {
				return err
			}
		}
		return nil
	})
}

func queryOn(ctx context.Context, conn *sql.Conn, query string, fn func(rows *sql.Rows) error) error {
	rows, err := conn.QueryContext(ctx, query)
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
	return s.onRelation(ctx, false, func(conn *sql.Conn, relation string) error {
		stmt, err := conn.PrepareContext(ctx, build(relation))
		if err != nil {
			return err
		}
		return stmt.Close()
	})
}

// onRelation runs fn on a connection with the SQL of the relation of every
// event (with the log's events staged when withLog is set; an empty stage
// otherwise, which binds the same). Retention waits until fn returns.
func (s *Store) onRelation(ctx context.Context, withLog bool, fn func(conn *sql.Conn, relation string) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if err := s.waitShared(ctx); err != nil {
		return err
	}
	s.maintMu.RLock()
	defer s.maintMu.RUnlock()
	if withLog {
		s.beginQuery(ctx)
		defer s.endQuery()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	upTo := s.committed.Load()
	s.mu.RLock()
	// Events up to compacted come from the partitions, later ones from
	// the log as it is now: a compaction that ends while the query runs
	// adds rows the query leaves out.
	compacted := s.compacted
	var parts []string
	for _, m := range s.partitions {
		parts = append(parts, fmt.Sprintf("SELECT * FROM %s WHERE seq <= %d", tableName(m), compacted))
	}
	var segs []*segment
	if withLog {
		segs = slices.Clone(s.segs)
		for _, g := range segs {
			g.acquire()
		}
	}
	s.mu.RUnlock()
	_, _, err = s.stage(ctx, conn, segs, upTo)
	for _, g := range segs {
		g.release()
	}
	if err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stageTable)
	parts = append(parts, segmentSelectSQL(stageTable))
	return fn(conn, "("+strings.Join(parts, " UNION ALL ")+")")
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
