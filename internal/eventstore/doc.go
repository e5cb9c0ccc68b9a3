// Package eventstore is Cairn's event store: every event, stored once.
// New events go to an append-only log of files (LogDirName); a compactor
// moves them into one embedded DuckDB database (FileName) holding the
// typed columns of CloudTrail Lake's event schema plus the original record
// (eventJson). Event history (Lookup), consumers with durable cursors
// (ReadFrom) and Lake queries (Query) read both. The lookup index, in
// files of its own (IndexDirName), is derived data: Open rebuilds whatever
// of it is missing.
//
// # Two tiers
//
// A DuckDB transaction costs too much to pay per append: appending typed
// rows sets nested STRUCT, MAP and LIST values at tens of microseconds per
// event, every commit writes DuckDB's write-ahead log, and its checkpoints
// (which block commits) write everything again. So events go through two
// tiers:
//
//   - The log: segment files (NNNNNNNNN.log) of frames, each a length,
//     a CRC-32C and a body: an event (its sequence number, ingestion and
//     event times, scope, the values event history looks up, and the
//     record's JSON) or a marker (see AppendMarked). A committer writes
//     each group of appends with one write and one fdatasync. Readers
//     find an event's frame through an in-memory table of offsets.
//   - The partitions: one table per calendar month (UTC) of event time,
//     events_YYYYMM, with the Lake columns. When a segment fills
//     (Options.SegmentRows, or 256 MiB), the compactor copies its events
//     into a temporary table and moves them into the partitions of their
//     months in one transaction (INSERT ... SELECT with DuckDB's
//     json_transform decoding each record once into the Lake types), which
//     also records the segment's last sequence number as compacted.
//     Events numbered up to compacted are read from the partitions, later
//     ones from the log, so each is read from exactly one place. The
//     compacted segment's file stays, with an index of its frames'
//     offsets, as the archive Lookup fetches from (archive.go) until its
//     events are older than Options.ArchiveWindow. Compaction competes
//     with appends for the CPU, so it runs on an OS thread of low priority
//     and waits for a pause in appends unless Options.CompactionBacklog
//     segments are waiting: a burst is absorbed by the log at the append
//     rate, and the partitions catch up afterwards. When
//     Options.MaxBacklog segments wait, appends wait for compaction: a
//     load beyond what compaction keeps up with is taken at compaction's
//     rate, and the log's size stays bounded.
//
// A Lake query (Query) copies the log's events into a temporary table of
// its connection first and reads the partitions only up to the compacted
// number of that moment, so it sees every event committed when it starts,
// once, even when a compaction ends while it runs. Compaction therefore
// never waits for queries; retention (DropBefore) does.
//
// Every partition has an ART index on seq (<table>_seq), through which
// Lookup fetches single events: a scan, even one pruned to the right row
// group by its zone map, reads and decodes a whole vector of every column
// it returns, while a fetch through the index reads the one block holding
// the event. eventJson is stored uncompressed in partitions: a fetch then
// copies one string out of its block, where a compressed segment would
// decode more.
//
// # Durability
//
// Append returns only after the fdatasync of the log write holding its
// events. A write that fails is cut off the file and fails its group; a
// failed fdatasync leaves the file's state unknown, so the store refuses
// appends until it is opened again. At Open, frames end at the first one
// whose header or CRC does not hold: in the last segment that is an
// append that was never acknowledged, and is cut off; anywhere else it is
// damage, and Open fails rather than skip acknowledged events. Creating a
// segment fsyncs the log directory before anything is written to it.
// DuckDB's commit of a compaction writes its write-ahead log and fsyncs it
// before the segment's file is removed (and a file whose events are all
// compacted is removed at Open). kill -9 at any moment therefore loses no
// acknowledged event; TestCrashRecovery kills an appending process at
// random moments, repeatedly, and checks every acknowledged batch.
//
// A store written by an earlier Cairn, whose log was DuckDB tables
// (log_NNNNNNNNN), has them moved into the partitions at Open.
//
// # Sequence numbers and cursors
//
// Every event gets a store-wide sequence number, increasing in commit
// order. An event becomes visible to ReadFrom and Lookup only with every
// event numbered before it (the committer publishes the highest committed
// number only after the commit), so a consumer that keeps the number of
// the last event it processed and resumes after it never misses one.
// Numbers survive restarts (the highest is read back from the log and the
// database at Open) and are never reused, even when retention drops every
// table that held the highest (it is recorded in cairn_meta first).
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
// of its key, then fetches the page's records: from the log or the
// archive (two small reads per event), else in one query, seq IN (...)
// per partition of the events' months, answered through the seq indexes.
// Each record is then checked against the query (scope, kind, attribute),
// so a hash collision can never show a wrong event. Finding a
// page takes tens of microseconds. A fetch from the partitions costs
// about 1.5 to 2 ms of DuckDB time for 50 events whose blocks are cached;
// an event whose block is not in DuckDB's cache costs a 256 KB block read,
// so a page of 50 such events, matches of a rare value scattered over 90
// days, costs tens of milliseconds. That is why event history's window is
// archived.
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
//     log and the partitions and indexed again: after kill -9, the
//     memtable's; after an upgrade or the loss of the directory, all
//     (about a minute for ten million events). So a lookup finds every stored event, exactly once;
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
// written and crowds out the rest of the machine. Below the cap it keeps
// what compaction and queries read until it needs the room; ReleaseMemory
// evicts it (lowering the limit to 16 MB for a moment) and returns the C
// allocator's free memory to the system, for a server that has fallen
// idle.
package eventstore
