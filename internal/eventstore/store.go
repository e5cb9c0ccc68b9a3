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

// rowGroupSize is the row group size of the database, in rows.
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
	// MaxGroupRows bounds how many events one group commit writes.
	// Default 8192.
	MaxGroupRows int
	// CheckpointThreshold is the write-ahead log size at which DuckDB
	// checkpoints, as DuckDB spells sizes. Default "1GB", so that most log
	// segments are compacted and dropped before a checkpoint writes them
	// into the database file. A larger log takes longer to replay at Open.
	CheckpointThreshold string
	// MemoryLimit caps DuckDB's memory, as DuckDB spells sizes. Default
	// "4GB"; DuckDB's own default, 80% of RAM, lets its block cache crowd
	// out everything else on the machine.
	MemoryLimit string
	// Threads is DuckDB's worker thread count. Default: DuckDB's (one per
	// core). On a small machine one thread is cheaper for appends and
	// compaction: parallel tasks cost coordination and gain nothing when
	// the cores are busy with requests.
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
	// SessionSQL runs on every new database connection (for example
	// CREATE TEMP MACRO statements that queries use).
	SessionSQL []string
}

// Store is the event store. It is safe for concurrent use.
type Store struct {
	dir       string
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

	// queryMu guards queries, the number of running queries.
	queryMu sync.Mutex
	queries int

	// maintMu serializes the compactor and DropBefore, the two writers of
	// partitions; queries hold it for reading, so that the tables they
	// read stay while they run.
	maintMu sync.RWMutex

	// mu guards the table lists. Readers hold it shared for the whole of
	// a query, so that no table they are reading is dropped under them.
	mu         sync.RWMutex
	partitions []int         // months with a partition table, ascending
	logs       []int         // log segment numbers, ascending; the last is current
	logStart   map[int]int64 // per log segment, the lowest sequence number it can hold
	floorMonth int           // months before this were dropped by retention

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
	if opts.CheckpointThreshold == "" {
		opts.CheckpointThreshold = "1GB"
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
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating event store directory: %w", err)
	}
	params := []string{"checkpoint_threshold=" + opts.CheckpointThreshold, "memory_limit=" + opts.MemoryLimit}
	if opts.Threads > 0 {
		params = append(params, "threads="+strconv.Itoa(opts.Threads))
	}
	path := filepath.Join(dir, FileName)
	// The database is attached rather than opened so that it can have
	// small row groups: a row group is the unit of zone-map pruning and of
	// decoding, so 2048-row groups make fetching single events by
	// sequence number and time-window scans cheap, and bound what a
	// checkpoint rewrites of a log segment's last, partial row group.
	quote := func(p string) string { return "'" + strings.ReplaceAll(p, "'", "''") + "'" }
	attach := []string{
		fmt.Sprintf("ATTACH IF NOT EXISTS %s AS %s (ROW_GROUP_SIZE %d)", quote(path), catalog, rowGroupSize),
		"USE " + catalog,
	}
	connector, err := duckdb.NewConnector(":memory:?"+strings.Join(params, "&"), func(ex driver.ExecerContext) error {
		for _, q := range append(attach, opts.SessionSQL...) {
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
		opts:      opts,
		connector: connector,
		db:        sql.OpenDB(connector),
		reqs:      make(chan *appendReq, 1024),
		stop:      make(chan struct{}),
		compactCh: make(chan struct{}, 1),
		runDone:   make(chan struct{}),
	}
	// A new connection costs tens of milliseconds (the attach, and the
	// session's SQL: Lake's macros); database/sql's default of two idle
	// connections would close and reopen them on every burst of readers.
	s.db.SetMaxIdleConns(4 * runtime.GOMAXPROCS(0))
	w, err := s.openWriter()
	if err != nil {
		s.db.Close()
		return nil, err
	}
	s.index.start()
	s.stopped.Add(2)
	go s.run(w)
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
	rows   []row
	keys   []uint64 // the rows' lookup index keys, nkeys[i] of them for row i
	nkeys  []int32
	marker *Marker // recorded in the same transaction as the rows
	last   int64   // set by the committer: the sequence of the last row
	done   chan error
}

// Append stores records durably: when it returns nil, every record is in
// the database's fsync'd write-ahead log and survives a crash of the
// process or the machine. It returns the sequence number of the last
// record; the records have consecutive numbers ending there, in the order
// given.
//
// Concurrent calls are committed together (group commit): one transaction
// and one fsync for all the calls waiting when the previous commit ends.
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

// AppendMarked is Append that also sets marker in the same transaction.
// Only one writer may set a given marker, one call at a time.
func (s *Store) AppendMarked(ctx context.Context, recs []events.Record, marker Marker) (int64, error) {
	return s.append(ctx, recs, &marker)
}

// MarkerValue returns the value last committed for the named marker, or 0.
func (s *Store) MarkerValue(ctx context.Context, name string) (int64, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT max(value) FROM cairn_meta WHERE name = ?`, "marker:"+name).Scan(&v)
	return v.Int64, err
}

func (s *Store) append(ctx context.Context, recs []events.Record, marker *Marker) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if len(recs) == 0 && marker == nil {
		return s.committed.Load(), nil
	}
	now := s.opts.Now().UTC()
	req := &appendReq{rows: make([]row, len(recs)), nkeys: make([]int32, len(recs)), marker: marker, done: make(chan error, 1)}
	req.keys = make([]uint64, 0, 8*len(recs))
	for i := range recs {
		n := len(req.keys)
		r, keys, err := toRow(&recs[i], now, req.keys)
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

// writer is the committer's state. It writes through two connections in
// a pipeline: while one commits a group (mostly waiting for the fsync), the
// other appends the next group in its own transaction. Commits happen in
// the order groups were formed, so events become visible in sequence
// order.
type writer struct {
	conns    [2]*wconn
	segment  int // current log segment
	rows     int // events in it
	nextSeq  int64
	walInode uint64 // used by the commit stage only
}

// wconn is one writing connection and its appender.
type wconn struct {
	conn    driver.Conn
	exec    driver.ExecerContext
	app     *duckdb.Appender
	segment int // the segment app appends to
}

func (s *Store) openWriter() (*writer, error) {
	ctx := context.Background()
	w := &writer{}
	fail := func(err error) (*writer, error) {
		w.close()
		if s.index != nil {
			s.index.close()
		}
		return nil, err
	}
	for i := range w.conns {
		conn, err := s.connector.Connect(ctx)
		if err != nil {
			return fail(fmt.Errorf("connecting to event store: %w", err))
		}
		w.conns[i] = &wconn{conn: conn, exec: conn.(driver.ExecerContext)}
	}
	exec := w.conns[0].exec
	if _, err := exec.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS cairn_meta (name VARCHAR NOT NULL, value BIGINT NOT NULL)`, nil); err != nil {
		return fail(fmt.Errorf("creating event store schema: %w", err))
	}
	var seqFloor int64
	if err := s.db.QueryRowContext(ctx,
		`SELECT coalesce(max(value) FILTER (WHERE name = 'seqFloor'), 0), coalesce(max(value) FILTER (WHERE name = 'floorMonth'), 0) FROM cairn_meta`).
		Scan(&seqFloor, &s.floorMonth); err != nil {
		return fail(fmt.Errorf("reading event store metadata: %w", err))
	}
	var err error
	if s.partitions, err = s.listTables(ctx, "events_"); err != nil {
		return fail(err)
	}
	if s.logs, err = s.listTables(ctx, "log_"); err != nil {
		return fail(err)
	}
	last := seqFloor
	s.logStart = map[int]int64{}
	for _, t := range s.tablesLocked() {
		var lo, hi sql.NullInt64
		if err := s.db.QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM `+t).Scan(&lo, &hi); err != nil {
			return fail(fmt.Errorf("reading event store table %s: %w", t, err))
		}
		last = max(last, hi.Int64)
		if n, err := strconv.Atoi(strings.TrimPrefix(t, "log_")); err == nil && lo.Valid {
			s.logStart[n] = lo.Int64
		}
	}
	w.nextSeq = last + 1
	s.committed.Store(last)
	if len(s.logs) == 0 {
		if err := createLog(ctx, exec, 1); err != nil {
			return fail(fmt.Errorf("creating event log: %w", err))
		}
		s.logs = []int{1}
	}
	for _, n := range s.logs {
		if _, ok := s.logStart[n]; !ok {
			s.logStart[n] = w.nextSeq // empty
		}
	}
	if err := s.openIndex(ctx, last); err != nil {
		return fail(fmt.Errorf("opening the lookup index: %w", err))
	}
	w.segment = s.logs[len(s.logs)-1]
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+logName(w.segment)).Scan(&w.rows); err != nil {
		return fail(fmt.Errorf("reading event log: %w", err))
	}
	for _, wc := range w.conns {
		if err := wc.use(w.segment); err != nil {
			return fail(fmt.Errorf("opening event log: %w", err))
		}
	}
	// Make the database file's and the log's directory entries durable.
	w.walInode = s.walInode()
	if err := fsutil.SyncDir(s.dir); err != nil {
		return fail(err)
	}
	return w, nil
}

// use points the connection's appender at a log segment.
func (wc *wconn) use(segment int) error {
	if wc.app != nil && wc.segment == segment {
		return nil
	}
	if wc.app != nil {
		wc.app.Close()
		wc.app = nil
	}
	app, err := duckdb.NewAppender(wc.conn, "", "", logName(segment))
	if err != nil {
		return err
	}
	wc.app, wc.segment = app, segment
	return nil
}

// reset discards whatever the failed transaction left in the appender and
// ends the transaction.
func (wc *wconn) reset() {
	if wc.app != nil {
		wc.app.Clear()
		wc.app.Close()
		wc.app = nil
	}
	wc.exec.ExecContext(context.Background(), "ROLLBACK", nil)
}

func (w *writer) close() {
	for _, wc := range w.conns {
		if wc == nil {
			continue
		}
		if wc.app != nil {
			wc.app.Close()
		}
		wc.conn.Close()
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

// pending is a group appended in a transaction that is not committed yet.
type pending struct {
	wc      *wconn
	group   []*appendReq
	last    int64
	entries []entry // the group's lookup index entries
}

// run is the committer's first stage: it takes every append request
// waiting, appends them in one transaction on a free connection, and hands
// the transaction to the commit stage.
func (s *Store) run(w *writer) {
	defer s.stopped.Done()
	free := make(chan *wconn, len(w.conns))
	for _, wc := range w.conns {
		free <- wc
	}
	pipe := make(chan pending, len(w.conns))
	commitDone := make(chan struct{})
	go s.commitStage(w, pipe, free, commitDone)
	defer func() {
		close(pipe)
		<-commitDone
		w.close()
		close(s.runDone)
	}()
	for {
		var group []*appendReq
		select {
		case <-s.stop:
			s.failQueued()
			return
		case req := <-s.reqs:
			group = append(group, req)
		}
		wc := <-free
		if group[0].rotate {
			var err error
			if w.rows > 0 {
				other := <-free
				err = s.rotate(w, wc)
				free <- other
			}
			free <- wc
			group[0].done <- err
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
		last, entries, err := s.prepare(w, wc, free, group)
		if err != nil {
			wc.reset()
			for _, req := range group {
				req.done <- fmt.Errorf("appending events: %w", err)
			}
			free <- wc
			continue
		}
		pipe <- pending{wc: wc, group: group, last: last, entries: entries}
	}
}

// prepare appends a group in a new transaction on wc, starting a new log
// segment first when the current one is full, and returns the group's
// last sequence number and lookup index entries.
func (s *Store) prepare(w *writer, wc *wconn, free chan *wconn, group []*appendReq) (int64, []entry, error) {
	if w.rows >= s.opts.SegmentRows {
		// The segment must have no transaction in flight when the
		// compactor takes it: wait for the other connection's commit.
		other := <-free
		err := s.rotate(w, wc)
		free <- other
		if err != nil {
			return 0, nil, err
		}
	}
	if err := wc.use(w.segment); err != nil {
		return 0, nil, err
	}
	if _, err := wc.exec.ExecContext(context.Background(), "BEGIN TRANSACTION", nil); err != nil {
		return 0, nil, err
	}
	n := 0
	for _, req := range group {
		n += len(req.keys)
	}
	entries := make([]entry, 0, n)
	seq := w.nextSeq
	for _, req := range group {
		keys := req.keys
		for i, r := range req.rows {
			r[0] = seq
			if err := wc.app.AppendRow(r...); err != nil {
				return 0, nil, err
			}
			t, sc := timeCode(r[colEventTime].(time.Time)), seqCode(seq)
			for _, k := range keys[:req.nkeys[i]] {
				entries = append(entries, entry{key: k, t: t, s: sc})
			}
			keys = keys[req.nkeys[i]:]
			seq++
		}
		req.last = seq - 1
	}
	if err := wc.app.Flush(); err != nil {
		return 0, nil, err
	}
	for _, req := range group {
		if req.marker == nil {
			continue
		}
		name := driver.NamedValue{Ordinal: 1, Value: "marker:" + req.marker.Name}
		if _, err := wc.exec.ExecContext(context.Background(), `DELETE FROM cairn_meta WHERE name = ?`, []driver.NamedValue{name}); err != nil {
			return 0, nil, err
		}
		value := driver.NamedValue{Ordinal: 2, Value: req.marker.Value}
		if _, err := wc.exec.ExecContext(context.Background(), `INSERT INTO cairn_meta VALUES (?, ?)`, []driver.NamedValue{name, value}); err != nil {
			return 0, nil, err
		}
	}
	// Numbers of a group whose commit fails are skipped, never reused.
	w.rows += int(seq - w.nextSeq)
	w.nextSeq = seq
	return seq - 1, entries, nil
}

// commitStage commits prepared groups in order and answers their callers.
func (s *Store) commitStage(w *writer, pipe <-chan pending, free chan<- *wconn, done chan<- struct{}) {
	defer close(done)
	for p := range pipe {
		_, err := p.wc.exec.ExecContext(context.Background(), "COMMIT", nil)
		if err != nil {
			p.wc.reset()
		} else {
			// The index first: a reader that sees the numbers committed
			// finds their events in it.
			s.index.add(p.last, p.entries)
			s.committed.Store(p.last)
			s.lastCommit.Store(time.Now().UnixNano())
			err = s.syncLogEntry(w)
		}
		if err != nil {
			err = fmt.Errorf("appending events: %w", err)
		}
		for _, req := range p.group {
			req.done <- err
		}
		free <- p.wc
	}
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

// rotate starts the next log segment and wakes the compactor for the full
// one.
func (s *Store) rotate(w *writer, wc *wconn) error {
	next := w.segment + 1
	if err := createLog(context.Background(), wc.exec, next); err != nil {
		return err
	}
	w.segment, w.rows = next, 0
	s.mu.Lock()
	s.logs = append(s.logs, next)
	s.logStart[next] = w.nextSeq
	s.mu.Unlock()
	s.kickCompactor()
	return nil
}

// createLog creates log segment n with its seq index.
func createLog(ctx context.Context, exec driver.ExecerContext, n int) error {
	if _, err := exec.ExecContext(ctx, createTableSQL(logName(n), logColumns), nil); err != nil {
		return err
	}
	_, err := exec.ExecContext(ctx, createSeqIndexSQL(logName(n)), nil)
	return err
}

// walInode identifies the current write-ahead log file (0: none).
func (s *Store) walInode() uint64 {
	fi, err := os.Stat(filepath.Join(s.dir, FileName+".wal"))
	if err != nil {
		return 0
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// syncLogEntry makes the log file's directory entry durable when DuckDB
// has created a new log since the last commit (it removes the log after a
// checkpoint). DuckDB fsyncs the log's contents on every commit, but not
// the directory, and a log that vanished with a power failure would take
// acknowledged commits with it.
func (s *Store) syncLogEntry(w *writer) error {
	ino := s.walInode()
	if ino == w.walInode {
		return nil
	}
	w.walInode = ino
	return fsutil.SyncDir(s.dir)
}

func (s *Store) kickCompactor() {
	select {
	case s.compactCh <- struct{}{}:
	default:
	}
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
			s.mu.RLock()
			var sealed []int
			if len(s.logs) > 1 {
				sealed = slices.Clone(s.logs[:len(s.logs)-1])
			}
			s.mu.RUnlock()
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
			if err := s.compact(context.Background(), sealed[0]); err != nil {
				s.opts.Logger.Error("compacting event log", "segment", sealed[0], "err", err)
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
		s.mu.RLock()
		var sealed []int
		if len(s.logs) > 1 {
			sealed = slices.Clone(s.logs[:len(s.logs)-1])
		}
		s.mu.RUnlock()
		if len(sealed) == 0 {
			return nil
		}
		if err := s.compact(ctx, sealed[0]); err != nil {
			return err
		}
	}
}

// compact moves one log segment into the partitions of its events' months
// and drops it, in one transaction: each event is in exactly one table at
// any moment.
func (s *Store) compact(ctx context.Context, segment int) error {
	if err := s.lockMaintenance(ctx); err != nil {
		return err
	}
	defer s.maintMu.Unlock()
	s.mu.RLock()
	present := slices.Contains(s.logs, segment)
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
	log := logName(segment)
	var months []int
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT year(eventTime) * 100 + month(eventTime) FROM `+log)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m int
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return err
		}
		months = append(months, m)
	}
	rows.Close()
	slices.Sort(months)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var created []int
	for _, m := range months {
		if m < floor {
			continue // dropped by retention while the events waited in the log
		}
		if _, err := tx.ExecContext(ctx, createTableSQL(tableName(m), partitionColumns())); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, createSeqIndexSQL(tableName(m))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, compactSQL(log, m)); err != nil {
			return fmt.Errorf("moving %s into %s: %w", log, tableName(m), err)
		}
		created = append(created, m)
	}
	// Readers must not start on the segment once it is gone.
	err = func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, err := tx.ExecContext(ctx, "DROP TABLE "+log); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		s.logs = slices.DeleteFunc(s.logs, func(n int) bool { return n == segment })
		delete(s.logStart, segment)
		for _, m := range created {
			if !slices.Contains(s.partitions, m) {
				s.partitions = append(s.partitions, m)
			}
		}
		slices.Sort(s.partitions)
		return nil
	}()
	return err
}
