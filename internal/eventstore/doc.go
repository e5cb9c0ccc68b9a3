// Package eventstore is Cairn's event store: every event, stored once, in
// one embedded DuckDB database (FileName in the store's directory), with
// the typed columns of CloudTrail Lake's event schema plus the original
// record (eventJson). Event history (Lookup), consumers with durable
// cursors (ReadFrom) and, later, Lake queries read from it. The lookup
// index, in files of its own (IndexDirName), is derived data: Open
// rebuilds whatever of it is missing from the tables.
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
//     exactly one table at every moment. Compaction competes with
//     appends for the CPU, so it
//     waits for a pause in appends unless Options.CompactionBacklog
//     segments are waiting: a burst is absorbed by the log at the append
//     rate, and the partitions catch up afterwards.
//
// The database is attached with 2048-row row groups: zone maps then prune
// sequence ranges finely and a checkpoint rewrites at most 2048 rows of a
// segment. Every table, partition or log segment, has an ART index on seq
// (<table>_seq), through which Lookup fetches single events: a scan, even
// one pruned to the right row group by its zone map, reads and decodes the
// whole 2048-row vector of every column it returns (about 3 MB of
// eventJson for one event, when the block is not in DuckDB's cache),
// while a fetch through the index reads the one block holding the event.
// Maintaining the indexes costs appends and compaction no measurable
// time: sequence numbers arrive in order. eventJson is stored uncompressed
// in partitions: a fetch then copies one string out of its block, where a
// compressed segment would decode more, and compressing every record
// would cost the compactor CPU that appends need.
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
// retention at tens of tables. DropBefore drops whole partitions (with
// their seq indexes); events older than the cut in the partition that contains
// it stay until their month goes, so readers bound time themselves
// (Lookup's Start). DROP TABLE returns the table's blocks to DuckDB's free
// list, where later writes reuse them; neither DROP nor DELETE shrinks the
// file, but under steady retention it stops growing. DELETE is never used:
// it would leave every row group partly deleted.
//
// # Lookup
//
// Event history asks for the newest events of one account and region
// (and history kind), optionally with one attribute value, a page at a
// time. The lookup index answers that without DuckDB: for every event it
// holds one entry per value the event can be looked up by (its event ID,
// name, source, username, access key, read-only flag, each resource type
// and name, and "any" for the lookup without an attribute: about eight
// entries of 24 bytes), keyed by a 64-bit hash of account, region, kind,
// attribute and value and ordered newest first (then highest sequence
// first) within a key. A lookup reads the first page-size-plus-one entries
// of its key, then fetches the page's records in one query: seq IN (...)
// per table (the partition of each event's month, or the log segments for
// the newest events, not compacted yet), answered through the tables' seq
// indexes. Each record is then checked against the query (scope, kind,
// attribute), so a hash collision can never show a wrong event. Finding a
// page takes tens of microseconds; the fetch, about 1.5 to 2 ms of DuckDB
// time for 50 events whose blocks are cached, is the rest of a lookup. An
// event whose block is not in DuckDB's cache costs a 256 KB block read; a
// page of 50 such events, matches of a rare value scattered over 90 days,
// costs tens of milliseconds, more when the blocks are not in the OS page
// cache either.
//
// The index is a log-structured merge tree (hindex.go, hrun.go) whose log
// is the store itself:
//
//   - Append computes an event's keys in the caller's goroutine; the
//     committer adds the entries of every group it commits to the
//     memtable, as a chunk covering the group's sequence numbers, before
//     it publishes those numbers. So an event visible to Lookup is always
//     in the index, and a lookup never waits for indexing.
//   - A maintainer goroutine sorts new chunks, merges small ones, and when
//     the memtable holds Options.IndexFlushEntries entries (or is ten
//     minutes old, or at Close) writes it out as a run: an immutable file
//     of sorted entries in 256-entry blocks, whose first entries and a
//     Bloom filter of its keys stay in memory. Runs are merged eight at a
//     time with runs of their size class, up to 96 flushes' worth: a store
//     of ten million events has about ten runs.
//   - A lookup searches the memtable's chunks, then the runs newest first
//     (by their newest event), reading one block of a run only when its
//     Bloom filter admits the key and its time range overlaps the query's,
//     and stops when the runs left hold only events older than the page it
//     has.
//   - Runs and chunks each cover a range of sequence numbers, together
//     everything from 0 to the last commit, without gaps. Runs are written
//     to a temporary file, synced and renamed, and those they replace are
//     removed only after. At Open the runs are chained from 0 (a run left
//     over from an interrupted merge is dropped; a run that is damaged, of
//     another format, or ahead of the store is discarded with what
//     follows it), and the events above the chain are read back from the
//     tables and indexed again: after kill -9, the memtable's; after an
//     upgrade or the loss of the directory, all (about a minute for ten
//     million events). So a lookup finds every stored event, exactly once;
//     TestCrashRecovery checks it after every kill.
//   - Retention: DropBefore raises the index's floor; lookups stop at it,
//     runs wholly below it are emptied and merges leave out entries below
//     it. The index covers every stored event, not only the last 90 days,
//     as Lookup serves any time range.
//
// Index maintenance costs appends about two microseconds of CPU per event
// (hashing, sorting, writing each entry two or three times), and the index
// takes about 190 bytes of disk per event.
//
// # Memory
//
// DuckDB's memory is capped (Options.MemoryLimit, 4 GB by default): left
// to its default of 80% of RAM, its block cache grows with the data
// written and crowds out the rest of the machine.
package eventstore
