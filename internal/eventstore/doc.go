// Package eventstore is Cairn's event store: every event, stored once, in
// one embedded DuckDB database (FileName in the store's directory), with
// the typed columns of CloudTrail Lake's event schema plus the original
// record (eventJson). Event history (Lookup), consumers with durable
// cursors (ReadFrom) and, later, Lake queries read from it. A second
// database, IndexFileName, holds the lookup index, which is derived data.
//
// # Two tiers
//
// Appending typed rows is slow: setting nested STRUCT, MAP and LIST values
// through the appender costs tens of microseconds per event, and DuckDB
// checkpoints rewrite the last, partial row group of a table on every
// checkpoint. So events go through two tiers:
//
//   - The log: narrow tables log_NNNNNNNNN (segments) holding what event
//     history and consumers need without decoding JSON (sequence number,
//     scope, event time, the lookup values) and eventJson, as a BLOB (a
//     VARCHAR costs a validation and statistics pass over every byte at
//     commit). Append writes here, through the Appender API, in group
//     commits.
//   - The partitions: one table per calendar month (UTC) of event time,
//     events_YYYYMM, with the Lake columns. When a segment fills
//     (Options.SegmentRows), a background compactor moves its events into
//     the partitions of their months in one transaction (INSERT ... SELECT
//     with DuckDB's json_transform decoding each record once into the
//     Lake types, then DROP TABLE of the segment), so an event is in
//     exactly one table at every moment. The new rows are then indexed
//     (see index.go). Compaction competes with appends for the CPU, so it
//     waits for a pause in appends unless Options.CompactionBacklog
//     segments are waiting: a burst is absorbed by the log at the append
//     rate, and the partitions catch up afterwards.
//
// The database is attached with 2048-row row groups: zone maps then prune
// time windows and sequence ranges finely, a checkpoint rewrites at most
// 2048 rows of a segment, and fetching one event decodes little. eventJson
// is stored uncompressed in partitions, trading disk space (roughly twice
// the size) for fetching a page of events scattered over months in a few
// milliseconds instead of hundreds: a compressed string column decodes a
// whole vector to return one value.
//
// # Durability
//
// Append returns only after DuckDB's COMMIT of the transaction holding the
// events, and DuckDB's commit writes the transaction to its write-ahead
// log and fsyncs it before returning (verified with strace: one write and
// one fsync of events.duckdb.wal per commit). DuckDB recreates the log
// after a checkpoint; the store then fsyncs the directory so that the new
// log's name is durable too. kill -9 at any moment therefore loses no
// acknowledged event; TestCrashRecovery kills an appending process at
// random moments, repeatedly, and checks every acknowledged batch.
//
// Group commit: a committer takes every Append call waiting and writes
// them in one transaction. It works through two connections in a
// pipeline, appending the next group on one while the other waits for its
// commit's fsync; commits still happen in group order.
//
// # Sequence numbers and cursors
//
// Every event gets a store-wide sequence number, increasing in commit
// order. An event becomes visible to ReadFrom and Lookup only with every
// event numbered before it (the committer publishes the highest committed
// number only after the commit), so a consumer that keeps the number of
// the last event it processed and resumes after it never misses one.
// Numbers survive restarts (the highest is read back from the tables at
// Open) and are never reused, even when retention drops every table that
// held the highest (it is recorded in cairn_meta first). A failed commit
// leaves a gap; gaps are harmless.
//
// # Partitioning and retention
//
// Partitions are monthly tables in the one database file rather than a
// file per period: DuckDB writes to only one attached database per
// transaction, so per-period files would make the move from log to
// partition non-atomic and cost an fsync per file touched. Months rather
// than days keep event history's 90 days within four partitions, which
// bounds the tables a lookup visits, and keep multi-year event data store
// retention at tens of tables. DropBefore drops whole partitions (and
// their indexes); events older than the cut in the partition that contains
// it stay until their month goes, so readers bound time themselves
// (Lookup's Start). DROP TABLE returns the table's blocks to DuckDB's free
// list, where later writes reuse them; neither DROP nor DELETE shrinks the
// file, but under steady retention it stops growing. DELETE is never used:
// it would leave every row group partly deleted.
//
// # Lookup
//
// See Store.Lookup: a first step finds the page's sequence numbers from
// narrow columns (time windows widening backwards from the newest event,
// or the lookup index for attribute filters), a second fetches the page's
// records by sequence number.
//
// # Memory
//
// DuckDB's memory is capped (Options.MemoryLimit, 4 GB by default): left
// to its default of 80% of RAM, its block cache grows with the data
// written and crowds out the rest of the machine.
package eventstore
