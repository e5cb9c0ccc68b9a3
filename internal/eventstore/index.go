package eventstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// IndexDirName is the lookup index's directory in the store's directory.
// It holds derived data only: it can be deleted while the store is closed,
// and Open rebuilds it from the tables.
const IndexDirName = "lookup-index"

// legacyIndexFile is the DuckDB database of an earlier lookup index,
// removed at Open.
const legacyIndexFile = "events-index.duckdb"

// reindexWindow is how many sequence numbers Open reads back at a time
// when it indexes events again.
const reindexWindow = 200_000

// seqIndexName is the name of the ART index on a table's seq column,
// through which Lookup fetches single events. Partitions and log segments
// have one.
func seqIndexName(table string) string { return table + "_seq" }

func createSeqIndexSQL(table string) string {
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (seq)", seqIndexName(table), table)
}

// openIndex opens the lookup index at Open, before the committer starts:
// it gives every table its seq index, removes an index of an earlier
// format, and indexes the events up to last that the index's runs do not
// cover (those of the memtable when the store stopped, and all of them
// when the index is new).
func (s *Store) openIndex(ctx context.Context, last int64) error {
	for _, name := range []string{legacyIndexFile, legacyIndexFile + ".wal"} {
		if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	have := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database()`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		have[name] = true
	}
	rows.Close()
	for _, t := range s.tablesLocked() {
		if !have[seqIndexName(t)] {
			if _, err := s.db.ExecContext(ctx, createSeqIndexSQL(t)); err != nil {
				return fmt.Errorf("indexing %s: %w", t, err)
			}
		}
	}

	x, err := openHindex(filepath.Join(s.dir, IndexDirName), s.opts.Logger, hindexOptions{
		flushEntries: s.opts.IndexFlushEntries,
		flushAge:     10 * time.Minute,
		fanIn:        8,
		maxMerge:     96 * s.opts.IndexFlushEntries,
	})
	if err != nil {
		return err
	}
	if x.hi > last {
		// Not this store's index.
		s.opts.Logger.Warn("discarding a lookup index that is ahead of the event store", "indexed", x.hi, "stored", last)
		x.reset()
	}
	if s.floorMonth > 0 {
		x.setFloor(monthStart(s.floorMonth))
	}
	s.index = x
	if x.hi < last {
		start := time.Now()
		from := x.hi
		if err := s.reindex(ctx, from, last); err != nil {
			return err
		}
		if last-from > reindexWindow {
			s.opts.Logger.Info("rebuilt the lookup index", "events", last-from, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// reindex adds the index entries of the events in (from, to], read from
// the partitions and the log, writing runs out as the memtable fills.
func (s *Store) reindex(ctx context.Context, from, to int64) error {
	x := s.index
	for lo := from; lo < to; lo += reindexWindow {
		hi := min(lo+reindexWindow, to)
		var entries []entry
		if lo < s.compacted && len(s.partitions) > 0 {
			var parts []string
			for _, t := range s.tablesLocked() {
				parts = append(parts, `SELECT seq, eventTime, scopeAccount, scopeRegion, historyKind, eventID, eventName, eventSource,
				readOnly, lookupUsername, lookupAccessKeyId, lookupResourceTypes, lookupResourceNames FROM `+t+
					` WHERE seq > `+strconv.FormatInt(lo, 10)+` AND seq <= `+strconv.FormatInt(min(hi, s.compacted), 10))
			}
			var err error
			if entries, err = s.indexRows(ctx, strings.Join(parts, " UNION ALL ")); err != nil {
				return fmt.Errorf("indexing events: %w", err)
			}
		}
		var keys []uint64
		for _, g := range s.segs {
			st := g.state()
			first, last := max(lo+1, st.first), min(hi, st.last())
			if first > last {
				continue
			}
			rows, err := g.readRows(st, first, last)
			if err != nil {
				return fmt.Errorf("indexing events: %w", err)
			}
			for i := range rows {
				keys = rows[i].v.keys(keys[:0])
				tc, sc := timeCode(rows[i].eventTime), seqCode(rows[i].seq)
				for _, k := range keys {
					entries = append(entries, entry{key: k, t: tc, s: sc})
				}
			}
		}
		x.add(hi, entries)
		if x.memN >= s.opts.IndexFlushEntries || hi == to {
			x.sortChunks()
			x.mergeChunks()
			if err := x.flush(); err != nil {
				return err
			}
		}
	}
	return nil // the maintainer merges the runs
}

// indexRows returns the index entries of the events a query selects.
func (s *Store) indexRows(ctx context.Context, query string) ([]entry, error) {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var entries []entry
	var keys []uint64
	for rows.Next() {
		var seq int64
		var t time.Time
		var v lookupValues
		var id, name, source, user, key, types, names sql.NullString
		var readOnly sql.NullBool
		if err := rows.Scan(&seq, &t, &v.account, &v.region, &v.kind, &id, &name, &source, &readOnly, &user, &key, &types, &names); err != nil {
			return nil, err
		}
		v.eventID, v.eventName, v.eventSource = id.String, name.String, source.String
		v.username, v.accessKeyID, v.types, v.names = user.String, key.String, types.String, names.String
		v.readOnly = -1
		if readOnly.Valid {
			v.readOnly = 0
			if readOnly.Bool {
				v.readOnly = 1
			}
		}
		keys = v.keys(keys[:0])
		tc, sc := timeCode(t), seqCode(seq)
		for _, k := range keys {
			entries = append(entries, entry{key: k, t: tc, s: sc})
		}
	}
	return entries, rows.Err()
}
