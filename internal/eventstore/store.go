package eventstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/cairnhq/cairn/internal/events"

	"github.com/cairnhq/cairn/internal/fsutil"
)

// FileName is the store's database file inside its directory. DuckDB keeps
// its write-ahead log beside it, as FileName + ".wal".
const FileName = "events.duckdb"

// catalog is the name the database is attached under.
const catalog = "cairn_events"

// rowGroupSize is the row group size of the database, in rows: small row
// groups keep fetching single events through the seq indexes cheap (larger
// ones made compaction up to a third cheaper and full-page lookups from
// the partitions up to twice as slow).
const rowGroupSize = 2048

// ErrClosed is returned by operations on a closed Store.
var ErrClosed = errors.New("eventstore: store is closed")

// Options tune a Store. The zero value selects the defaults.
type Options struct {
	// SegmentRows is how many events a log segment takes before the
	// committer starts the next one and the compactor moves it into the
	// partitions. Default 122880.
	SegmentRows int
	// CompactionBacklog is how many full log segments may wait while
	// events keep arriving: compaction competes with appends for the CPU,
	// so it waits for a pause in appends (CompactionPause) unless this
	// many segments are waiting. Default 8.
	CompactionBacklog int
	// CompactionPause is how long appends must pause before waiting
	// segments are compacted. Default 200ms.
	CompactionPause time.Duration
	// ArchiveWindow is how long compacted log segments are kept for
	// Lookup's fetches (archive.go): until their newest event is this old.
	// Default 90 days (event history's); negative: not at all.
	ArchiveWindow time.Duration
	// MaxBacklog is how many full log segments may wait for compaction
	// before appends wait for it: a burst longer than the log absorbs is
	// taken at the rate compaction keeps up with, and the log's disk use
	// stays bounded. Default 32 (about four million events).
	MaxBacklog int
	// MaxGroupRows bounds how many events one group commit writes.
	// Default 8192.
	MaxGroupRows int
	// CheckpointThreshold is the write-ahead log size at which DuckDB
	// checkpoints, as DuckDB spells sizes. Default "256MB": only
	// compactions write the database, and large inserts go to the file
	// directly, so the write-ahead log stays small.
	CheckpointThreshold string
	// MemoryLimit caps DuckDB's memory, as DuckDB spells sizes. Default
	// "4GB"; DuckDB's own default, 80% of RAM, lets its block cache crowd
	// out everything else on the machine.
	MemoryLimit string
	// Threads is DuckDB's worker thread count. Default: DuckDB's (one per
	// core). On a small machine one thread is cheaper for compaction:
	// parallel tasks cost coordination and gain little when the cores are
	// busy with requests, and a one-thread compaction runs on the
	// compactor's own, low-priority thread.
	Threads int
	// QueryThreads, when set, is DuckDB's thread count while Query runs
	// (a Lake query scans millions of rows and is faster in parallel);
	// Threads again when no query runs.
	QueryThreads int
	// Now returns the ingestion time stamped on events and the time
	// Lookup's windows start from. Default time.Now.
	Now func() time.Time
	// Logger receives compaction failures. Default slog.Default().
	Logger *slog.Logger
	// IndexFlushEntries is how many lookup index entries (about eight per
	// event) the index keeps in memory before writing them out as a run.
	// Default 1<<20.
	IndexFlushEntries int
	// SharedSQL runs once, in the background after Open, for objects every
	// connection sees: macros created in the in-memory catalog's main
	// schema (memory.main), which is on every connection's search path.
	// Queries wait until it has run; Open does not.
	SharedSQL []string
}

// Store is the event store. It is safe for concurrent use.
type Store struct {
	dir       string
	logDir    string
	opts      Options
	connector *duckdb.Connector
	db        *sql.DB // readers, the compactor and retention

	reqs chan *appendReq
	// runDone is closed when the committer has stopped and answered every
	// request it took.
	runDone   chan struct{}
	stop      chan struct{}
	stopped   sync.WaitGroup
	closeOnce sync.Once
	closed    atomic.Bool
	compactCh chan struct{}

	// committed is the highest sequence number whose events are visible.
	committed atomic.Int64
	// lastCommit is when the last group commit ended, in Unix nanoseconds.
	lastCommit atomic.Int64
	// compactions counts the segments compacted since Open.
	compactions atomic.Int64
	// sharedReady is closed once Options.SharedSQL has run, with
	// sharedErr set if it failed.
	sharedReady chan struct{}
	sharedErr   error

	// Owned by the committer.
	backlogWarned time.Time
	cur           *segment // the segment appends go to
	nextSeq       int64
	buf           []byte
	// broken is set when a log write could not be made durable: what the
	// file holds after a failed fdatasync is unknown, so the store takes
	// no more appends until it is opened again.
	broken error

	// queryMu guards queries, the number of running queries.
	queryMu sync.Mutex
	queries int

	// partMu serializes the compactor and DropBefore, the two writers of
	// partitions.
	partMu sync.Mutex
	// maintMu is held by queries for reading and by DropBefore for
	// writing, so that no partition a query reads is dropped under it.
	maintMu sync.RWMutex
	// compactedCh is signalled after every compaction.
	compactedCh chan struct{}

	// mu guards what follows. Readers hold it shared while they read, so
	// that no segment or partition they read is removed under them.
	mu         sync.RWMutex
	partitions []int       // months with a partition table, ascending
	segs       []*segment  // log segments, ascending; the last is current
	archive    []*archived // compacted segments kept for Lookup (archive.go), ascending
	compacted  int64       // every event numbered up to here is in the partitions
	floorMonth int         // months before this were dropped by retention

	markerMu sync.Mutex
	markers  map[string]int64

	// index is the lookup index (hindex.go).
	index *hindex
}

// Open opens or creates the store in dir.
func Open(dir string) (*Store, error) { return OpenWithOptions(dir, Options{}) }

// OpenWithOptions opens or creates the store in dir with opts.
func OpenWithOptions(dir string, opts Options) (*Store, error) {
	if opts.SegmentRows <= 0 {
		opts.SegmentRows = 122880
	}
	if opts.MaxGroupRows <= 0 {
		opts.MaxGroupRows = 8192
	}
	if opts.CompactionBacklog <= 0 {
		opts.CompactionBacklog = 8
	}
	if opts.CompactionPause <= 0 {
		opts.CompactionPause = 200 * time.Millisecond
	}
	if opts.MaxBacklog <= 0 {
		opts.MaxBacklog = 32
	}
	if opts.ArchiveWindow == 0 {
		opts.ArchiveWindow = 90 * 24 * time.Hour
	}
	opts.MaxBacklog = max(opts.MaxBacklog, opts.CompactionBacklog)
	if opts.CheckpointThreshold == "" {
		opts.CheckpointThreshold = "256MB"
	}
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = "4GB"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.IndexFlushEntries <= 0 {
		opts.IndexFlushEntries = 1 << 20
	}
	logDir := filepath.Join(dir, LogDirName)
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating event store directory: %w", err)
	}
	params := []string{"checkpoint_threshold=" + opts.CheckpointThreshold, "memory_limit=" + opts.MemoryLimit}
	if opts.Threads > 0 {
		params = append(params, "threads="+strconv.Itoa(opts.Threads))
	}
	path := filepath.Join(dir, FileName)
	// The database is attached rather than opened so that its row group
	// size can be chosen (see rowGroupSize).
	quote := func(p string) string { return "'" + strings.ReplaceAll(p, "'", "''") + "'" }
	attach := []string{
		fmt.Sprintf("ATTACH IF NOT EXISTS %s AS %s (ROW_GROUP_SIZE %d)", quote(path), catalog, rowGroupSize),
		"USE " + catalog,
		// Temporary tables (the log staged for a query) spill here when
		// they outgrow MemoryLimit; DuckDB's default is relative to the
		// working directory.
		"SET temp_directory = " + quote(filepath.Join(dir, "tmp")),
		// FSST string compression is most of what compaction costs (about
		// 35 of 47 µs per event) and saves about 1% of the partitions'
		// size over dictionary compression; scans are faster without it.
		"SET disabled_compression_methods = 'fsst'",
		// Objects made by SharedSQL, found without a catalog name.
		"SET search_path = '" + catalog + ".main,memory.main'",
	}
	connector, err := duckdb.NewConnector(":memory:?"+strings.Join(params, "&"), func(ex driver.ExecerContext) error {
		for _, q := range attach {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("opening event store %s: %w", path, err)
	}
	s := &Store{
		dir:       dir,
		logDir:    logDir,
		opts:      opts,
		connector: connector,
		db:        sql.OpenDB(connector),
		reqs:      make(chan *appendReq, 1024),
		stop:      make(chan struct{}),
		compactCh: make(chan struct{}, 1),
		runDone:   make(chan struct{}),

		compactedCh: make(chan struct{}, 1),
		markers:     map[string]int64{},
		sharedReady: make(chan struct{}),
	}
	// A new connection costs milliseconds (the attach); database/sql's
	// default of two idle connections would close and reopen them on
	// every burst of readers.
	s.db.SetMaxIdleConns(4 * runtime.GOMAXPROCS(0))
	if err := s.load(); err != nil {
		s.closeSegments()
		if s.index != nil {
			s.index.close()
		}
		s.db.Close()
		return nil, err
	}
	s.index.start()
	s.stopped.Add(3)
	go s.runSharedSQL()
	go s.run()
	go s.compactor()
	s.kickCompactor()
	return s, nil
}

// Close stops accepting writes, waits for the commit and compaction in
// progress, and closes the database. Appends still queued fail with
// ErrClosed.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.stop)
		s.stopped.Wait()
		s.index.close()
		s.closeSegments()
		err = s.db.Close() // also closes the connector
	})
	return err
}

// Dir is the directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// LastSequence is the sequence number of the newest committed event, or 0
// when nothing was ever appended.
func (s *Store) LastSequence() int64 { return s.committed.Load() }

// appendReq is one Append call waiting for the committer.
type appendReq struct {
	rotate bool // not an append: start a new log segment if the current one has events
	rows   []logRow
	keys   []uint64 // the rows' lookup index keys, nkeys[i] of them for row i
	nkeys  []int32
	marker *Marker // recorded in the same transaction as the rows
	last   int64   // set by the committer: the sequence of the last row
	done   chan error
}

// Append stores records durably: when it returns nil, every record is in
// the fdatasync'd event log and survives a crash of the process or the
// machine. It returns the sequence number of the last
// record; the records have consecutive numbers ending there, in the order
// given.
//
// Concurrent calls are committed together (group commit): one write and
// one fdatasync for all the calls waiting when the previous commit ends.
// Records are not validated here beyond what storage needs (an event time,
// an account); use events.Validate for ingested records.
//
// If ctx ends before the commit, Append returns ctx.Err() and the records
// may or may not be stored.
func (s *Store) Append(ctx context.Context, recs []events.Record) (int64, error) {
	return s.append(ctx, recs, nil)
}

// Marker is a named number committed atomically with an append, so that a
// writer moving events in from elsewhere (the journal) knows exactly which
// of them are stored.
type Marker struct {
	Name  string
	Value int64
}

// AppendMarked is Append that also sets marker, in the same write.
// Only one writer may set a given marker, one call at a time.
func (s *Store) AppendMarked(ctx context.Context, recs []events.Record, marker Marker) (int64, error) {
	return s.append(ctx, recs, &marker)
}

// MarkerValue returns the value last committed for the named marker, or 0.
func (s *Store) MarkerValue(ctx context.Context, name string) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	s.markerMu.Lock()
	defer s.markerMu.Unlock()
	return s.markers[name], nil
}

func (s *Store) append(ctx context.Context, recs []events.Record, marker *Marker) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(recs) == 0 && marker == nil {
		return s.committed.Load(), nil
	}
	now := s.opts.Now().UTC()
	req := &appendReq{rows: make([]logRow, len(recs)), nkeys: make([]int32, len(recs)), marker: marker, done: make(chan error, 1)}
	req.keys = make([]uint64, 0, 8*len(recs))
	for i := range recs {
		n := len(req.keys)
		r, keys, err := toLogRow(&recs[i], now, req.keys)
		if err != nil {
			return 0, err
		}
		req.rows[i], req.keys, req.nkeys[i] = r, keys, int32(len(keys)-n)
	}
	select {
	case s.reqs <- req:
	case <-s.stop:
		return 0, ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case err := <-req.done:
		if err != nil {
			return 0, err
		}
		return req.last, nil
	case <-s.runDone:
		if err := s.answerAfterStop(req); err != nil {
			return 0, err
		}
		return req.last, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// answerAfterStop is a request's answer once the committer has stopped:
// its own, if it got one, else ErrClosed (a request queued as the store
// closed, after the committer drained the queue, is never taken).
func (s *Store) answerAfterStop(req *appendReq) error {
	select {
	case err := <-req.done:
		return err
	default:
		return ErrClosed
	}
}

// load reads the store's state at Open: the database's partitions and
// metadata, then the log segments, and opens the lookup index.
func (s *Store) load() error {
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS cairn_meta (name VARCHAR NOT NULL, value BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("creating event store schema: %w", err)
	}
	var seqFloor int64
	var compacted sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(value) FILTER (WHERE name = 'seqFloor'), 0),
		coalesce(max(value) FILTER (WHERE name = 'floorMonth'), 0) FROM cairn_meta`).
		Scan(&seqFloor, &s.floorMonth); err != nil {
		return fmt.Errorf("reading event store metadata: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name, value FROM cairn_meta WHERE starts_with(name, 'marker:')`)
	if err != nil {
		return fmt.Errorf("reading event store metadata: %w", err)
	}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			rows.Close()
			return err
		}
		s.markers[strings.TrimPrefix(name, "marker:")] = v
	}
	rows.Close()
	if s.partitions, err = s.listTables(ctx, "events_"); err != nil {
		return err
	}
	if err := s.compactLegacyLogs(ctx); err != nil {
		return err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT max(value) FROM cairn_meta WHERE name = 'compacted'`).Scan(&compacted); err != nil {
		return fmt.Errorf("reading event store metadata: %w", err)
	}
	// Every event in the partitions is compacted, whatever the mark says
	// (a store written before the log moved into files has none).
	for _, t := range s.tablesLocked() {
		var hi sql.NullInt64
		if err := s.db.QueryRowContext(ctx, `SELECT max(seq) FROM `+t).Scan(&hi); err != nil {
			return fmt.Errorf("reading event store table %s: %w", t, err)
		}
		compacted.Int64 = max(compacted.Int64, hi.Int64)
	}
	s.compacted = compacted.Int64
	// Numbers are never reused, even those of events retention dropped.
	last := max(s.compacted, seqFloor)
	if err := s.loadSegments(); err != nil {
		return err
	}
	for _, g := range s.segs {
		if len(g.st.offsets) > 0 {
			last = max(last, g.st.last())
		}
	}
	s.nextSeq = last + 1
	s.committed.Store(last)
	if len(s.segs) == 0 {
		num := 1
		if n := len(s.archive); n > 0 {
			num = s.archive[n-1].num + 1
		}
		g, err := s.createSegment(num)
		if err != nil {
			return err
		}
		s.segs = []*segment{g}
	}
	s.cur = s.segs[len(s.segs)-1]
	if s.cur.st.first < 0 {
		s.cur.st.first = s.nextSeq
	}
	if err := s.openIndex(ctx, last); err != nil {
		return fmt.Errorf("opening the lookup index: %w", err)
	}
	return fsutil.SyncDir(s.dir)
}

// loadSegments reads the log segment files: it removes those whose events
// were all compacted, cuts the torn tail of the last one (an append that
// was never acknowledged), and refuses damage anywhere else.
func (s *Store) loadSegments() error {
	nums, err := listSegments(s.logDir)
	if err != nil {
		return fmt.Errorf("reading the event log: %w", err)
	}
	for i, num := range nums {
		path := segmentPath(s.logDir, num)
		if _, err := os.Stat(idxPath(s.logDir, num)); err == nil {
			a, err := openArchived(s.logDir, num)
			if err == nil && a.last <= s.compacted {
				s.archive = append(s.archive, a)
				continue
			}
			if a != nil {
				a.close()
			}
			if err := os.Remove(idxPath(s.logDir, num)); err != nil {
				return err
			}
		}
		var newest time.Time
		g, torn, err := scanSegment(path, num, func(r *logRow) error {
			if r.eventTime.After(newest) {
				newest = r.eventTime
			}
			return nil
		})
		if err != nil {
			return err
		}
		lastFile := i == len(nums)-1
		if torn {
			if !lastFile {
				g.f.Close()
				return fmt.Errorf("event log %s is damaged at offset %d, before the end of the log", path, g.st.end)
			}
			if err := g.f.Truncate(g.st.end); err != nil {
				g.f.Close()
				return err
			}
			if err := g.f.Sync(); err != nil {
				g.f.Close()
				return err
			}
		}
		st := g.st
		if len(st.offsets) > 0 && st.first <= s.compacted {
			if st.last() > s.compacted {
				g.f.Close()
				return fmt.Errorf("event log %s holds events %d to %d, of which those up to %d are in the partitions", path, st.first, st.last(), s.compacted)
			}
			// Compacted, and not archived yet.
			if err := s.archiveSegment(g, st, newest); err != nil {
				return err
			}
			continue
		}
		if len(st.offsets) == 0 && !lastFile {
			// Markers set with no events: keep them in the database, as
			// compaction would have.
			for name, v := range g.markers {
				if err := setMeta(context.Background(), s.db, "marker:"+name, v); err != nil {
					g.f.Close()
					return err
				}
				s.markers[name] = v
			}
			g.f.Close()
			if err := os.Remove(path); err != nil {
				return err
			}
			continue
		}
		if n := len(s.segs); n > 0 && len(st.offsets) > 0 && st.first != s.segs[n-1].st.last()+1 {
			g.f.Close()
			return fmt.Errorf("event log %s starts at event %d, after %d", path, st.first, s.segs[n-1].st.last())
		}
		for name, v := range g.markers {
			s.markers[name] = v
		}
		s.segs = append(s.segs, g)
	}
	if err := s.pruneArchive(s.opts.Now().Add(-s.opts.ArchiveWindow)); err != nil {
		return err
	}
	return fsutil.SyncDir(s.logDir)
}

// createSegment creates log segment num, durably.
func (s *Store) createSegment(num int) (*segment, error) {
	path := segmentPath(s.logDir, num)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating event log: %w", err)
	}
	if err := fsutil.SyncDir(s.logDir); err != nil {
		f.Close()
		return nil, err
	}
	return &segment{num: num, f: f, path: path, st: segState{first: -1}, markers: map[string]int64{}}, nil
}

func (s *Store) closeSegments() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.segs {
		g.f.Close()
	}
	for _, a := range s.archive {
		a.close()
	}
}

func (s *Store) listTables(ctx context.Context, prefix string) ([]int, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND starts_with(table_name, ?)`, prefix)
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

// run is the committer: it takes every append request waiting, writes
// them to the current log segment in one write, makes that durable with
// one fdatasync, and answers them.
func (s *Store) run() {
	defer s.stopped.Done()
	defer close(s.runDone)
	for {
		var group []*appendReq
		select {
		case <-s.stop:
			s.failQueued()
			return
		case req := <-s.reqs:
			group = append(group, req)
		}
		if group[0].rotate {
			group[0].done <- s.rotate()
			continue
		}
		n := len(group[0].rows)
	drain:
		for n < s.opts.MaxGroupRows {
			select {
			case req := <-s.reqs:
				if req.rotate {
					// Keep it for the next round, after this group.
					go func() {
						select {
						case s.reqs <- req:
						case <-s.stop:
							req.done <- ErrClosed
						}
					}()
					break drain
				}
				group = append(group, req)
				n += len(req.rows)
			default:
				break drain
			}
		}
		err := s.commit(group)
		if err != nil {
			err = fmt.Errorf("appending events: %w", err)
		}
		for _, req := range group {
			req.done <- err
		}
	}
}

// segmentBytes is the size past which appends go to a new log segment.
// Tests make it smaller.
var segmentBytes int64 = 256 << 20

// commit writes a group to the log and publishes it.
func (s *Store) commit(group []*appendReq) error {
	if s.broken != nil {
		return s.broken
	}
	g := s.cur
	if g.st.end >= segmentBytes || len(g.st.offsets) >= s.opts.SegmentRows {
		if err := s.rotate(); err != nil {
			return err
		}
		g = s.cur
	}
	rows, nkeys := 0, 0
	for _, req := range group {
		rows += len(req.rows)
		nkeys += len(req.keys)
	}
	b := s.buf[:0]
	offsets := make([]int64, 0, rows)
	entries := make([]entry, 0, nkeys)
	seq := s.nextSeq
	for _, req := range group {
		keys := req.keys
		for i := range req.rows {
			r := &req.rows[i]
			r.seq = seq
			offsets = append(offsets, g.st.end+int64(len(b)))
			b = appendFrame(b, r)
			t, sc := timeCode(r.eventTime), seqCode(seq)
			for _, k := range keys[:req.nkeys[i]] {
				entries = append(entries, entry{key: k, t: t, s: sc})
			}
			keys = keys[req.nkeys[i]:]
			seq++
		}
		req.last = seq - 1
	}
	for _, req := range group {
		if req.marker != nil {
			b = appendMarkerFrame(b, *req.marker)
		}
	}
	if cap(b) <= 16<<20 {
		s.buf = b
	} else {
		s.buf = nil
	}
	if _, err := g.f.WriteAt(b, g.st.end); err != nil {
		// Nothing of the group is acknowledged; cut off what reached
		// the file, so that the next group follows the last good frame.
		if terr := g.f.Truncate(g.st.end); terr != nil {
			s.broken = fmt.Errorf("event log %s: %w (and cutting it back: %v)", g.f.Name(), err, terr)
		}
		return err
	}
	if err := syscall.Fdatasync(int(g.f.Fd())); err != nil {
		s.broken = fmt.Errorf("event log %s: fdatasync: %w", g.f.Name(), err)
		return s.broken
	}
	g.mu.Lock()
	g.st.offsets = append(g.st.offsets, offsets...)
	g.st.end += int64(len(b))
	for _, req := range group {
		if req.marker != nil {
			g.markers[req.marker.Name] = req.marker.Value
		}
	}
	g.mu.Unlock()
	for _, req := range group {
		if req.marker != nil {
			s.markerMu.Lock()
			s.markers[req.marker.Name] = req.marker.Value
			s.markerMu.Unlock()
		}
	}
	s.nextSeq = seq
	// The index first: a reader that sees the numbers committed finds
	// their events in it.
	s.index.add(seq-1, entries)
	s.committed.Store(seq - 1)
	s.lastCommit.Store(time.Now().UnixNano())
	return nil
}

func (s *Store) failQueued() {
	for {
		select {
		case req := <-s.reqs:
			req.done <- ErrClosed
		default:
			return
		}
	}
}

// rotate seals the current log segment, if it holds anything, starts the
// next one and wakes the compactor. The committer calls it.
func (s *Store) rotate() error {
	if s.broken != nil {
		return s.broken
	}
	old := s.cur
	if len(old.st.offsets) == 0 && len(old.markers) == 0 {
		return nil
	}
	if err := s.waitForBacklog(); err != nil {
		return err
	}
	g, err := s.createSegment(old.num + 1)
	if err != nil {
		return err
	}
	g.st.first = s.nextSeq
	s.mu.Lock()
	s.segs = append(s.segs, g)
	s.mu.Unlock()
	s.cur = g
	s.kickCompactor()
	return nil
}

// waitForBacklog waits while Options.MaxBacklog segments wait for
// compaction (the current one is about to join them).
func (s *Store) waitForBacklog() error {
	for len(s.sealed())+1 > s.opts.MaxBacklog {
		if time.Since(s.backlogWarned) > time.Minute {
			s.opts.Logger.Warn("appends wait for the event log's compaction", "segments waiting", len(s.sealed()))
			s.backlogWarned = time.Now()
		}
		s.kickCompactor()
		select {
		case <-s.compactedCh:
		case <-s.stop:
			return ErrClosed
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (s *Store) kickCompactor() {
	select {
	case s.compactCh <- struct{}{}:
	default:
	}
}

// sealed returns the log segments waiting for compaction, oldest first.
func (s *Store) sealed() []*segment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.segs) <= 1 {
		return nil
	}
	return slices.Clone(s.segs[:len(s.segs)-1])
}

// compactor moves full log segments into the partitions.
func (s *Store) compactor() {
	defer s.stopped.Done()
	for {
		select {
		case <-s.stop:
			return
		case <-s.compactCh:
		}
		for {
			sealed := s.sealed()
			if len(sealed) == 0 {
				break
			}
			if busy := time.Since(time.Unix(0, s.lastCommit.Load())) < s.opts.CompactionPause; busy && len(sealed) < s.opts.CompactionBacklog {
				select {
				case <-s.stop:
					return
				case <-time.After(s.opts.CompactionPause):
				}
				continue
			}
			if err := s.compactNiced(sealed[0]); err != nil {
				if !errors.Is(err, ErrClosed) {
					s.opts.Logger.Error("compacting event log", "segment", sealed[0].num, "err", err)
				}
				break // retried at the next rotation or restart
			}
			select {
			case <-s.stop:
				return
			default:
			}
		}
	}
}

// Compact moves every event appended so far into the partitions now,
// rather than when its log segment fills.
func (s *Store) Compact(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	req := &appendReq{rotate: true, done: make(chan error, 1)}
	select {
	case s.reqs <- req:
	case <-s.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	var err error
	select {
	case err = <-req.done:
	case <-s.runDone:
		err = s.answerAfterStop(req)
	case <-ctx.Done():
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("starting a log segment: %w", err)
	}
	for {
		sealed := s.sealed()
		if len(sealed) == 0 {
			return nil
		}
		if err := s.compact(ctx, sealed[0]); err != nil {
			return err
		}
	}
}

// stageTable is the temporary table, per connection, into which log
// events are copied for DuckDB: by the compactor, and for queries.
const stageTable = "temp.main.cairn_log"

// stage copies the log events numbered up to upTo of the segments into
// stageTable on conn, replacing what it held, and returns the months of
// their event times and the newest of them.
func (s *Store) stage(ctx context.Context, conn *sql.Conn, segs []*segment, upTo int64) ([]int, time.Time, error) {
	var newest time.Time
	if _, err := conn.ExecContext(ctx, strings.Replace(createTableSQL("cairn_log", logColumns), "CREATE TABLE IF NOT EXISTS", "CREATE OR REPLACE TEMP TABLE", 1)); err != nil {
		return nil, newest, fmt.Errorf("staging log events: %w", err)
	}
	months := map[int]bool{}
	err := conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "cairn_log")
		if err != nil {
			return err
		}
		for _, g := range segs {
			st := g.state()
			for from := st.first; from <= min(st.last(), upTo); from += 4096 {
				rows, err := g.readRows(st, from, min(from+4095, st.last(), upTo))
				if err != nil {
					app.Close()
					return err
				}
				for i := range rows {
					months[monthOf(rows[i].eventTime)] = true
					if rows[i].eventTime.After(newest) {
						newest = rows[i].eventTime
					}
					if err := app.AppendRow(rows[i].values()...); err != nil {
						app.Close()
						return err
					}
				}
			}
			if err := ctx.Err(); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return nil, newest, fmt.Errorf("staging log events: %w", err)
	}
	out := make([]int, 0, len(months))
	for m := range months {
		out = append(out, m)
	}
	slices.Sort(out)
	return out, newest, nil
}

// compact moves one sealed log segment into the partitions of its events'
// months, in one transaction that also records the segment's last number
// as compacted (and its markers); the file is removed after. Readers take
// an event from the log while its number is above compacted, from the
// partitions after, so each event is read from exactly one place. Queries
// do not hold compaction back: one that copied the segment reads the
// partitions only up to the compacted number of its start.
func (s *Store) compact(ctx context.Context, g *segment) error {
	s.partMu.Lock()
	defer s.partMu.Unlock()
	s.mu.RLock()
	present := slices.Contains(s.segs, g) && g != s.segs[len(s.segs)-1]
	floor := s.floorMonth
	s.mu.RUnlock()
	if !present {
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	st := g.state() // sealed: it no longer changes
	months, newest, err := s.stage(ctx, conn, []*segment{g}, st.last())
	if err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+stageTable)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	created, err := moveMonths(ctx, tx, stageTable, months, floor)
	if err != nil {
		return fmt.Errorf("moving log segment %d: %w", g.num, err)
	}
	names := []string{"compacted"}
	values := []int64{st.last()}
	for name, v := range g.markers {
		names, values = append(names, "marker:"+name), append(values, v)
	}
	for i, name := range names {
		if err := setMeta(ctx, tx, name, values[i]); err != nil {
			return err
		}
	}
	err = func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := tx.Commit(); err != nil {
			return err
		}
		s.compacted = max(s.compacted, st.last())
		s.segs = slices.DeleteFunc(s.segs, func(x *segment) bool { return x == g })
		for _, m := range created {
			if !slices.Contains(s.partitions, m) {
				s.partitions = append(s.partitions, m)
			}
		}
		slices.Sort(s.partitions)
		return nil
	}()
	if err != nil {
		return err
	}
	select {
	case s.compactedCh <- struct{}{}:
	default:
	}
	if err := s.archiveSegment(g, st, newest); err != nil {
		return err
	}
	return s.pruneArchive(s.opts.Now().Add(-s.opts.ArchiveWindow))
}

// moveMonths copies the events of each of months from source (a log
// segment's table) into their partitions, creating those, and returns the
// months it filled: those before floor were dropped by retention while
// their events waited in the log.
func moveMonths(ctx context.Context, tx *sql.Tx, source string, months []int, floor int) ([]int, error) {
	var created []int
	for _, m := range months {
		if m < floor {
			continue
		}
		if err := createPartition(ctx, tx, m); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, compactSQL(source, m)); err != nil {
			return nil, fmt.Errorf("moving events into %s: %w", tableName(m), err)
		}
		created = append(created, m)
	}
	return created, nil
}

// createPartition creates partition month m and its seq index if missing.
func createPartition(ctx context.Context, tx *sql.Tx, m int) error {
	if _, err := tx.ExecContext(ctx, createTableSQL(tableName(m), partitionColumns())); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, createSeqIndexSQL(tableName(m)))
	return err
}

// compactLegacyLogs moves the log segment tables of a store written before
// the log moved into files into the partitions, at Open.
func (s *Store) compactLegacyLogs(ctx context.Context) error {
	logs, err := s.listTables(ctx, "log_")
	if err != nil {
		return err
	}
	for _, n := range logs {
		table := fmt.Sprintf("log_%09d", n)
		if err := func() error {
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			rows, err := tx.QueryContext(ctx, `SELECT DISTINCT year(eventTime) * 100 + month(eventTime) FROM `+table)
			if err != nil {
				return err
			}
			var months []int
			for rows.Next() {
				var m int
				if err := rows.Scan(&m); err != nil {
					rows.Close()
					return err
				}
				months = append(months, m)
			}
			rows.Close()
			created, err := moveMonths(ctx, tx, table, months, s.floorMonth)
			if err != nil {
				return err
			}
			for _, m := range created {
				if !slices.Contains(s.partitions, m) {
					s.partitions = append(s.partitions, m)
				}
			}
			if _, err := tx.ExecContext(ctx, "DROP TABLE "+table); err != nil {
				return err
			}
			return tx.Commit()
		}(); err != nil {
			return fmt.Errorf("moving event log table %s into the partitions: %w", table, err)
		}
	}
	slices.Sort(s.partitions)
	return nil
}

// setMeta sets a value of cairn_meta.
func setMeta(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, name string, value int64) error {
	if _, err := ex.ExecContext(ctx, `DELETE FROM cairn_meta WHERE name = ?`, name); err != nil {
		return err
	}
	_, err := ex.ExecContext(ctx, `INSERT INTO cairn_meta VALUES (?, ?)`, name, value)
	return err
}

// compactNiced compacts a segment on an OS thread of its own with low
// scheduling priority (lowPriority): DuckDB runs a one-thread query on the
// calling thread, so the compaction takes the CPU that appends and
// requests leave, and acknowledging events does not wait for it. When
// MaxBacklog segments wait, appends wait for compaction, which then runs
// at normal priority. The thread ends with the compaction: its priority
// cannot always be raised again.
func (s *Store) compactNiced(g *segment) error {
	defer s.compactions.Add(1)
	if len(s.sealed()) >= s.opts.MaxBacklog {
		// Appends wait for this compaction: it goes first.
		return s.compact(context.Background(), g)
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		lowPriority()
		done <- s.compact(context.Background(), g)
	}()
	return <-done
}

// runSharedSQL runs Options.SharedSQL. It is off Open's path because
// Lake's macros take about 17 ms to create, a quarter of a start.
func (s *Store) runSharedSQL() {
	defer s.stopped.Done()
	defer close(s.sharedReady)
	for _, q := range s.opts.SharedSQL {
		if _, err := s.db.ExecContext(context.Background(), q); err != nil {
			s.sharedErr = fmt.Errorf("%s: %w", q, err)
			s.opts.Logger.Error("preparing the event store for queries", "err", s.sharedErr)
			return
		}
	}
}

// waitShared waits until Options.SharedSQL has run.
func (s *Store) waitShared(ctx context.Context) error {
	select {
	case <-s.sharedReady:
		return s.sharedErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Compactions is how many compactions ran since Open: a sign of activity
// for whoever releases memory when the server is idle.
func (s *Store) Compactions() int64 { return s.compactions.Load() }

// releasedMemoryLimit is the memory limit ReleaseMemory lowers DuckDB's to
// for a moment.
const releasedMemoryLimit = "16MB"

// ReleaseMemory gives back the memory DuckDB keeps: the blocks compaction
// and queries read stay in its buffer pool, up to Options.MemoryLimit,
// until it needs the room. It lowers the limit for a moment, which evicts
// them, sets it back, and has the C allocator return what is free. It
// reports whether it did. A history lookup or delivery read that runs in
// that moment has 16 MB to work in; the server calls this only after three
// seconds without requests. It does nothing while a query, a compaction or
// retention runs: they could need more than the lowered limit.
func (s *Store) ReleaseMemory() (bool, error) {
	if s.closed.Load() {
		return false, ErrClosed
	}
	if !s.maintMu.TryLock() {
		return false, nil
	}
	defer s.maintMu.Unlock()
	if !s.partMu.TryLock() {
		return false, nil
	}
	defer s.partMu.Unlock()
	_, lowerErr := s.db.Exec("SET memory_limit = '" + releasedMemoryLimit + "'")
	_, restoreErr := s.db.Exec("SET memory_limit = '" + strings.ReplaceAll(s.opts.MemoryLimit, "'", "''") + "'")
	trimAllocator()
	return true, errors.Join(lowerErr, restoreErr)
}
