package eventstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The lookup index of a partition, cairn_index.idx_YYYYMM, has one row per
// event and indexed attribute value: a 64-bit hash of (account, region,
// attribute, value), the event's sequence number, time and history kind.
// Each batch of partition rows is indexed as a run sorted by hash, and a
// partition's runs are merged into one when there are more than
// maxIndexRuns, so that a lookup reads one row group or two per run, found
// by the zone maps of the hash column.
//
// The index lives in its own database file, IndexFileName, with DuckDB's
// default row groups: a scan costs time for every row group of a table,
// and an index has about six rows per event. DuckDB writes to one database
// per transaction, so the index is derived data, written after the
// partition rows commit and tracked by a high-water mark per partition
// (the highest sequence number indexed). Lookup scans a partition's rows
// above the mark directly, and Open indexes whatever a crash left
// unindexed.
//
// ReadOnly is not indexed: its two values each match a large share of all
// events, which the time windows find quickly.

// IndexFileName is the lookup index's database file in the store's
// directory. It can be deleted while the store is closed; Open rebuilds it.
const IndexFileName = "events-index.duckdb"

// indexCatalog is the name the index database is attached under.
const indexCatalog = "cairn_index"

// Attribute codes hashed into the index.
var attrCodes = map[string]int{
	AttrEventID:      1,
	AttrEventName:    2,
	AttrEventSource:  3,
	AttrUsername:     4,
	AttrAccessKeyID:  5,
	AttrResourceType: 6,
	AttrResourceName: 7,
}

var indexColumns = []column{
	{"h", "UBIGINT NOT NULL"},
	{"seq", "BIGINT NOT NULL"},
	{"eventTime", "TIMESTAMP NOT NULL"},
	{"historyKind", "UTINYINT NOT NULL"},
}

// maxIndexRuns is how many sorted runs a partition's index may hold before
// it is rewritten as one.
const maxIndexRuns = 4

func indexTable(m int) string { return fmt.Sprintf("idx_%06d", m) }

func indexName(m int) string { return indexCatalog + "." + indexTable(m) }

func runsKey(m int) string { return fmt.Sprintf("runs:%06d", m) }

func markKey(m int) string { return fmt.Sprintf("indexed:%06d", m) }

// indexSQL selects the index rows of the events of src matching where,
// sorted by hash. src is a log segment or a partition: both have the
// columns it reads.
func indexSQL(src, where string) string {
	single := func(code int, col string) string {
		return fmt.Sprintf(`SELECT hash(scopeAccount, scopeRegion, %d, %s) AS h, seq, eventTime, historyKind
			FROM %s WHERE (%s) AND %s IS NOT NULL`, code, col, src, where, col)
	}
	multi := func(code int, col string) string {
		return fmt.Sprintf(`SELECT hash(scopeAccount, scopeRegion, %d, v) AS h, seq, eventTime, historyKind
			FROM (SELECT scopeAccount, scopeRegion, seq, eventTime, historyKind, unnest(string_split(%s, chr(10))) AS v
			FROM %s WHERE (%s) AND %s IS NOT NULL) WHERE v <> ''`, code, col, src, where, col)
	}
	parts := []string{
		single(attrCodes[AttrEventID], "eventID"),
		single(attrCodes[AttrEventName], "eventName"),
		single(attrCodes[AttrEventSource], "eventSource"),
		single(attrCodes[AttrUsername], "lookupUsername"),
		single(attrCodes[AttrAccessKeyID], "lookupAccessKeyId"),
		multi(attrCodes[AttrResourceType], "lookupResourceTypes"),
		multi(attrCodes[AttrResourceName], "lookupResourceNames"),
	}
	return "SELECT * FROM (" + strings.Join(parts, " UNION ALL ") + ") ORDER BY h"
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func setIndexMeta(ctx context.Context, tx execer, name string, value int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+indexCatalog+`.index_meta WHERE name = ?`, name); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+indexCatalog+`.index_meta VALUES (?, ?)`, name, value)
	return err
}

func indexMeta(ctx context.Context, q queryer, name string) (int64, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT max(value) FROM `+indexCatalog+`.index_meta WHERE name = ?`, name).Scan(&v)
	return v.Int64, err
}

// hashProbe is a value whose hash the index records, to notice a DuckDB
// whose hash function differs from the one that built it (an upgrade may
// change it).
const hashProbe = `hash('123456789012', 'us-east-1', 1, 'cairn')`

// openIndex brings the index up to date at Open: it starts over when the
// hash function changed, drops the indexes of partitions that are gone,
// and indexes what a crash left unindexed. The caller holds no lock; the
// store is not serving yet.
func (s *Store) openIndex(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+indexCatalog+`.index_meta (name VARCHAR NOT NULL, value BIGINT NOT NULL)`); err != nil {
		return err
	}
	var probe uint64
	if err := conn.QueryRowContext(ctx, "SELECT "+hashProbe).Scan(&probe); err != nil {
		return err
	}
	stored, err := indexMeta(ctx, conn, "hashProbe")
	if err != nil {
		return err
	}
	tables, err := s.listTablesIn(ctx, indexCatalog, "idx_")
	if err != nil {
		return err
	}
	if uint64(stored) != probe {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, m := range tables {
			if _, err := tx.ExecContext(ctx, "DROP TABLE "+indexName(m)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+indexCatalog+`.index_meta`); err != nil {
			return err
		}
		if err := setIndexMeta(ctx, tx, "hashProbe", int64(probe)); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		tables = nil
	}
	for _, m := range tables {
		if !slices.Contains(s.partitions, m) {
			if err := s.dropIndex(ctx, conn, m); err != nil {
				return err
			}
		}
	}
	s.indexed = map[int]int64{}
	for _, m := range s.partitions {
		if s.indexed[m], err = indexMeta(ctx, conn, markKey(m)); err != nil {
			return err
		}
		if err := s.indexPartition(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

// indexPartition indexes partition m's rows above its high-water mark, as
// one more sorted run, then merges the runs if there are too many. The
// caller holds s.maintMu (or is Open).
func (s *Store) indexPartition(ctx context.Context, conn *sql.Conn, m int) error {
	s.mu.RLock()
	mark := s.indexed[m]
	s.mu.RUnlock()
	var top sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT max(seq) FROM `+tableName(m)+` WHERE seq > ?`, mark).Scan(&top); err != nil {
		return err
	}
	if !top.Valid {
		return nil
	}
	runs, err := indexMeta(ctx, conn, runsKey(m))
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, createTableSQL(indexName(m), indexColumns)); err != nil {
		return err
	}
	where := fmt.Sprintf("seq > %d AND seq <= %d", mark, top.Int64)
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+indexName(m)+" "+indexSQL(tableName(m), where)); err != nil {
		return fmt.Errorf("indexing %s: %w", tableName(m), err)
	}
	if err := setIndexMeta(ctx, tx, markKey(m), top.Int64); err != nil {
		return err
	}
	if err := setIndexMeta(ctx, tx, runsKey(m), runs+1); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.mu.Lock()
	s.indexed[m] = top.Int64
	s.mu.Unlock()
	if runs+1 > maxIndexRuns {
		return s.mergeIndex(ctx, conn, m)
	}
	return nil
}

// mergeIndex rewrites partition m's index as one sorted run.
func (s *Store) mergeIndex(ctx context.Context, conn *sql.Conn, m int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tmp := indexTable(m) + "_merge"
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+indexCatalog+"."+tmp); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, createTableSQL(indexCatalog+"."+tmp, indexColumns)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+indexCatalog+"."+tmp+" SELECT * FROM "+indexName(m)+" ORDER BY h"); err != nil {
		return fmt.Errorf("merging %s: %w", indexName(m), err)
	}
	if err := setIndexMeta(ctx, tx, runsKey(m), 1); err != nil {
		return err
	}
	// Readers must not start on the index while it is swapped.
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := tx.ExecContext(ctx, "DROP TABLE "+indexName(m)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "ALTER TABLE "+indexCatalog+"."+tmp+" RENAME TO "+indexTable(m)); err != nil {
		return err
	}
	return tx.Commit()
}

// dropIndex removes partition m's index. The caller holds s.maintMu and
// not s.mu.
func (s *Store) dropIndex(ctx context.Context, conn *sql.Conn, m int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+indexCatalog+`.index_meta WHERE name IN (?, ?)`, runsKey(m), markKey(m)); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+indexName(m)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	delete(s.indexed, m)
	return nil
}

// listTablesIn lists the numbered tables of a database with a prefix.
func (s *Store) listTablesIn(ctx context.Context, database, prefix string) ([]int, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' AND starts_with(table_name, ?)`,
		database, prefix)
	if err != nil {
		return nil, fmt.Errorf("listing event store tables: %w", err)
	}
	defer rows.Close()
	var nums []int
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(name, prefix)); err == nil {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	return nums, rows.Err()
}
