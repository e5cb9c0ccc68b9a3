// Package journal is the durable front of the event pipeline: an
// append-only log of event records in the data directory. A call's event
// is acknowledged once its journal entry is written (read-only calls) or
// on disk (every other call; one fdatasync shared by every call waiting,
// group commit); see AppendWritten and Append. A mover then transfers
// entries into the event store in large batches, exactly once: each batch
// is committed together with a marker naming the last journal index it
// holds, and entries at or below the marker are never moved again. After a
// crash, Open returns the entries above the marker so they are moved on
// the next flush.
//
// Entry frame: uint32 length of what follows the CRC, uint32 CRC-32C of it,
// uint64 journal index, then the payload. The payload is versioned by its
// first byte:
//
//   - '{' (version 1, written before lookup resources were journaled): the
//     record's JSON alone;
//   - 0x02 (version 2): the record's lookup resources (the ResourceType and
//     ResourceName values LookupEvents filters on, which are not part of
//     the record's JSON) as a uvarint count plus one (0 when the record has
//     none of its own and its resources stand for them), then for each the
//     uvarint length and bytes of its type and of its name; then the
//     record's JSON.
//
// An unknown version fails Open rather than being skipped.
//
// Appends are acknowledged at one of two levels. Append returns once the
// entries are on the disk (fdatasync): they survive a power loss.
// AppendWritten returns once they are written to the file, in the
// kernel's page cache: they survive the process's crash or kill -9 at
// once, and a power loss from SyncWindow later, when the syncer syncs them
// (sooner if an Append or a segment change syncs the file first). An
// fdatasync makes every earlier write of the file durable too, so what
// survives a power loss is always a prefix of the acknowledged entries.
//
// Segment files are allocated to their full size before entries go into
// them, so that an append neither grows the file nor allocates blocks and
// its fdatasync writes the data alone, not the inode: a background
// goroutine writes a spare file of zeros (spare.zeroed) ahead of time, and
// a new segment is that file renamed. Without a spare (the first segment
// of a new journal, or when appends outrun the zeroing) a segment is
// preallocated with fallocate, which saves growing the file though not
// converting the blocks on first write. Frames end at the first header that
// does not hold (zeros, in the allocated space). A torn or corrupt frame at
// the end of the last segment is the remains of an append that was never
// acknowledged; it is cut off at Open, with the allocated space after it.
package journal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cairnhq/cairn/internal/events"

	"github.com/cairnhq/cairn/internal/fsutil"

	"github.com/cairnhq/cairn/internal/framelog"
)

// segmentBytes is the size of a segment file: appends go to a new segment
// when they would not fit. Tests make it smaller.
var segmentBytes int64 = 8 << 20

// The spare segment: zeros, written by prepareSpare. A file being written
// has the temporary name.
const (
	spareName     = "spare.zeroed"
	spareTempName = "spare.tmp"
)

// Payload versions: the first byte of an entry's payload.
const (
	payloadV1 = '{'  // the record's JSON alone
	payloadV2 = 0x02 // lookup resources, then the record's JSON
)

// SyncWindow is how long entries acknowledged by AppendWritten may wait
// for their fdatasync.
var SyncWindow = 5 * time.Millisecond

// ErrClosed is returned after Close.
var ErrClosed = errors.New("journal: closed")

// Entry is one journaled record with its index.
type Entry struct {
	Index  int64
	Record events.Record
}

// Journal is safe for concurrent use.
type Journal struct {
	dir string

	stop       chan struct{}
	syncerDone chan struct{}

	// Appends write their frames themselves, one at a time, under
	// writeMu, which guards these; file changes only under syncMu too.
	writeMu   sync.Mutex
	file      *os.File
	fileStart int64 // index of the first entry of the current segment
	fileSize  int64 // where the current segment's entries end
	zeroed    bool  // the current segment was a spare
	next      int64
	buf       []byte
	closing   bool

	// The syncer: an Append that wrote its frames queues itself in
	// toSync, and any write marks the file dirty; the syncer syncs when
	// appends wait (kick) or SyncWindow after the file became dirty
	// (syncTimer). Every append queued before an fdatasync starts is
	// answered when it ends, however many (group commit). Whoever syncs
	// holds syncMu, so that a segment can change between syncs.
	syncMu    sync.Mutex
	sm        sync.Mutex // guards toSync, dirty, broken
	toSync    []chan error
	dirty     bool
	kick      chan struct{}
	syncTimer *time.Timer
	// broken is the error of a failed write or fdatasync: what the file
	// holds is then unknown (a sync's data may be lost in a power loss,
	// entries acknowledged at their write included), so every later
	// append fails with it until the journal is reopened, as the event
	// store's log does.
	broken error

	// The spare segment: spareReady is set once spare.zeroed is complete
	// and durable; preparing while prepareSpare runs (under writeMu).
	spareReady atomic.Bool
	preparing  bool
	spareDone  chan struct{} // closed when prepareSpare returns
	// zeroChunk is the zero buffer prepareSpare writes.
	zeroChunk []byte

	// Statistics (Stats).
	writes, entries, syncs, syncNanos atomic.Int64

	mu      sync.Mutex
	pending []Entry // acknowledged, not yet moved
	// pendingBytes is the size of the pending entries' records; appends
	// wait while it is over MaxPendingBytes, until the mover frees room
	// (room is closed then).
	pendingBytes int64
	room         chan struct{}
	closed       bool
}

// MaxPendingBytes bounds the records held in memory between their
// acknowledgement and their move into the event store. When appends
// outpace the event store for long, they wait for room: memory stays
// bounded, and the acknowledged rate falls to what the store absorbs.
var MaxPendingBytes int64 = 32 << 20

// syncedPool recycles the channels on which Append waits for its sync.
var syncedPool = sync.Pool{New: func() any { return make(chan error, 1) }}

// Open opens (creating) the journal in dir. Entries with an index above
// moved are returned as pending: they are durable but not yet in the event
// store.
func Open(dir string, moved int64) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	j := &Journal{dir: dir, stop: make(chan struct{}), syncerDone: make(chan struct{}), kick: make(chan struct{}, 1), next: moved + 1}
	starts, err := j.segments()
	if err != nil {
		return nil, err
	}
	for i, start := range starts {
		last := i == len(starts)-1
		entries, end, err := readSegment(j.segmentPath(start))
		if err != nil {
			return nil, err
		}
		if last {
			// Cut off a torn tail (it was never acknowledged) and the
			// preallocated space: appends continue in a new segment, or
			// in this one, preallocated again, if it holds no entries.
			if err := os.Truncate(j.segmentPath(start), end); err != nil {
				return nil, err
			}
		}
		for _, e := range entries {
			if e.Index > moved {
				j.pending = append(j.pending, e)
				j.pendingBytes += int64(len(e.Record.Raw))
			}
			if e.Index >= j.next {
				j.next = e.Index + 1
			}
		}
	}
	if err := j.removeMoved(moved); err != nil {
		return nil, err
	}
	// A spare left by an earlier run is complete (it is renamed into
	// place only then); a temporary one is not.
	if err := os.Remove(filepath.Join(dir, spareTempName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if info, err := os.Stat(filepath.Join(dir, spareName)); err == nil && info.Size() == segmentBytes {
		j.spareReady.Store(true)
	}
	if err := j.startSegment(); err != nil {
		return nil, err
	}
	j.syncTimer = time.NewTimer(time.Hour)
	j.syncTimer.Stop()
	go j.runSyncer()
	return j, nil
}

func (j *Journal) segmentPath(start int64) string {
	return filepath.Join(j.dir, fmt.Sprintf("%020d.journal", start))
}

// segments lists the first indexes of the segment files, ascending.
func (j *Journal) segments() ([]int64, error) { return framelog.List(j.dir, ".journal") }

// readSegment returns the segment's intact entries and the offset where
// they end.
func readSegment(path string) ([]Entry, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	r := framelog.NewReader(f, info.Size())
	var entries []Entry
	for {
		offset := r.Offset
		body, ok := r.Next()
		if !ok || len(body) < 8 {
			return entries, offset, nil
		}
		// decodePayload copies what it keeps: the reader reuses its buffer.
		rec, err := decodePayload(body[8:])
		if err != nil {
			return nil, 0, fmt.Errorf("journal %s: entry at offset %d: %w", path, offset, err)
		}
		entries = append(entries, Entry{Index: int64(binary.LittleEndian.Uint64(body[0:8])), Record: rec})
	}
}

// appendPayload appends the version 2 payload of rec, whose JSON is raw.
func appendPayload(b []byte, rec *events.Record, raw []byte) []byte {
	b = append(b, payloadV2)
	if rec.LookupResources == nil {
		b = binary.AppendUvarint(b, 0)
	} else {
		b = binary.AppendUvarint(b, uint64(len(rec.LookupResources))+1)
		for _, lr := range rec.LookupResources {
			b = binary.AppendUvarint(b, uint64(len(lr.Type)))
			b = append(b, lr.Type...)
			b = binary.AppendUvarint(b, uint64(len(lr.Name)))
			b = append(b, lr.Name...)
		}
	}
	return append(b, raw...)
}

var errPayload = errors.New("malformed lookup resources")

// decodePayload reads an entry's payload of either version.
func decodePayload(p []byte) (events.Record, error) {
	if len(p) == 0 {
		return events.Record{}, errors.New("empty entry")
	}
	switch p[0] {
	case payloadV1:
		return events.Parse(p)
	case payloadV2:
	default:
		return events.Record{}, fmt.Errorf("unknown entry format %#x (written by a newer Cairn?)", p[0])
	}
	p = p[1:]
	count, n := binary.Uvarint(p)
	if n <= 0 || count > uint64(len(p)) {
		return events.Record{}, errPayload
	}
	p = p[n:]
	var lookup []events.LookupResource
	if count > 0 {
		lookup = make([]events.LookupResource, count-1)
		for i := range lookup {
			var typ, name string
			var ok bool
			if typ, p, ok = readString(p); !ok {
				return events.Record{}, errPayload
			}
			if name, p, ok = readString(p); !ok {
				return events.Record{}, errPayload
			}
			lookup[i] = events.LookupResource{Type: typ, Name: name}
		}
	}
	rec, err := events.Parse(p)
	if err != nil {
		return events.Record{}, err
	}
	rec.LookupResources = lookup
	return rec, nil
}

func readString(p []byte) (string, []byte, bool) {
	l, n := binary.Uvarint(p)
	if n <= 0 || l > uint64(len(p)-n) {
		return "", nil, false
	}
	p = p[n:]
	return string(p[:l]), p[l:], true
}

// startSegment makes the segment starting at index j.next the current
// one: the spare renamed, or a new preallocated file. It starts preparing
// the next spare.
func (j *Journal) startSegment() error {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.file != nil {
		// Entries are durable in index order: the old segment's before
		// any of the new one's.
		if err := j.syncLocked(); err != nil {
			return err
		}
		// Give back the space the old segment did not use. If that is
		// lost in a crash, its frames still end at the zeros.
		if err := j.file.Truncate(j.fileSize); err != nil {
			return err
		}
		if err := j.file.Close(); err != nil {
			return err
		}
		j.file = nil
	}
	// A file already named for j.next holds no entry (they would have
	// indexes from j.next on): the last segment at Open, empty after its
	// torn tail was cut, or the spare renamed before a failure. It is
	// replaced or emptied.
	path := j.segmentPath(j.next)
	var f *os.File
	zeroed := j.spareReady.Load()
	if zeroed {
		if err := os.Rename(filepath.Join(j.dir, spareName), path); err != nil {
			return err
		}
		j.spareReady.Store(false)
		var err error
		if f, err = os.OpenFile(path, os.O_WRONLY, 0o600); err != nil {
			return err
		}
	} else {
		var err error
		if f, err = os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600); err != nil {
			return err
		}
		// Preallocate, so that appends do not grow the file. Where the
		// file system cannot, appends grow it as they would without.
		if err := syscall.Fallocate(int(f.Fd()), 0, 0, segmentBytes); err == nil {
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
		}
	}
	j.file, j.fileStart, j.fileSize, j.zeroed = f, j.next, 0, zeroed
	if err := fsutil.SyncDir(j.dir); err != nil {
		return err
	}
	j.startSpare()
	return nil
}

// startSpare starts writing the next spare segment unless one is ready or
// being written.
func (j *Journal) startSpare() {
	if j.preparing {
		select {
		case <-j.spareDone:
			j.preparing = false
		default:
			return
		}
	}
	if j.spareReady.Load() {
		return
	}
	j.preparing = true
	j.spareDone = make(chan struct{})
	go func() {
		defer close(j.spareDone)
		if err := j.prepareSpare(); err == nil {
			j.spareReady.Store(true)
		}
		// On failure the next segment is preallocated instead, and the
		// spare is tried again at the segment after.
	}()
}

// prepareSpare writes spare.zeroed: segmentBytes of zeros, durable, under
// its final name only when complete. It stops early when the journal
// closes.
func (j *Journal) prepareSpare() error {
	temp := filepath.Join(j.dir, spareTempName)
	f, err := os.OpenFile(temp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if j.zeroChunk == nil {
		j.zeroChunk = make([]byte, 1<<20)
	}
	for off := int64(0); off < segmentBytes; off += int64(len(j.zeroChunk)) {
		select {
		case <-j.stop:
			f.Close()
			os.Remove(temp)
			return ErrClosed
		default:
		}
		if _, err := f.Write(j.zeroChunk[:min(int64(len(j.zeroChunk)), segmentBytes-off)]); err != nil {
			f.Close()
			os.Remove(temp)
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(temp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(temp, filepath.Join(j.dir, spareName)); err != nil {
		return err
	}
	return fsutil.SyncDir(j.dir)
}

// Append writes recs durably: when it returns nil they are on the disk and
// survive a power loss. A record's JSON is Raw when set (the recorder sets
// it), else its encoded fields; either way the entries keep it in Raw for
// the mover. While more than MaxPendingBytes of entries wait to be moved,
// Append waits for room.
func (j *Journal) Append(ctx context.Context, recs []events.Record) error {
	return j.append(ctx, recs, true)
}

// AppendWritten is Append acknowledged at the write: when it returns nil
// recs survive the process's crash, and they are synced within SyncWindow.
func (j *Journal) AppendWritten(ctx context.Context, recs []events.Record) error {
	return j.append(ctx, recs, false)
}

func (j *Journal) append(ctx context.Context, recs []events.Record, sync bool) error {
	if len(recs) == 0 {
		return nil
	}
	// Encode before taking the lock, so that under it appends only copy
	// bytes.
	encoded := false
	for i := range recs {
		if len(recs[i].Raw) > 0 {
			continue
		}
		if !encoded {
			recs = slices.Clone(recs) // the caller's records stay as they are
			encoded = true
		}
		raw, err := recs[i].JSON()
		if err != nil {
			return err
		}
		recs[i].SetEncodedRaw(raw)
	}
	if err := j.waitForRoom(ctx); err != nil {
		return err
	}
	var synced chan error
	if sync {
		synced = syncedPool.Get().(chan error)
	}
	if err := j.write(recs, synced); err != nil {
		if synced != nil {
			syncedPool.Put(synced)
		}
		return err
	}
	if !sync {
		return nil
	}
	select {
	case j.kick <- struct{}{}:
	default: // already kicked
	}
	// Always answered: by the syncer, or by Close's last sync.
	err := <-synced
	syncedPool.Put(synced)
	return err
}

// write writes the frames of recs at the end of the current segment and
// makes them pending. With synced set, the append is queued for the next
// sync, which answers on it.
func (j *Journal) write(recs []events.Record, synced chan error) error {
	j.writeMu.Lock()
	defer j.writeMu.Unlock()
	if j.closing {
		return ErrClosed
	}
	j.sm.Lock()
	err := j.broken
	j.sm.Unlock()
	if err != nil {
		return err
	}
	j.buf = j.buf[:0]
	for i := range recs {
		j.buf = appendFrame(j.buf, j.next+int64(i), &recs[i])
	}
	// A new segment when this one is full, and as soon as there is a spare
	// if this one was only preallocated.
	if j.file == nil || j.fileSize > 0 && (j.fileSize+int64(len(j.buf)) > segmentBytes || !j.zeroed && j.spareReady.Load()) {
		if err := j.startSegment(); err != nil {
			return err
		}
	}
	if _, err := j.file.WriteAt(j.buf, j.fileSize); err != nil {
		// Part of it may be in the file: zeros over it, so that its whole
		// frames are not read back as entries, and no appends after it
		// until the journal is reopened, as after a failed sync.
		_, _ = j.file.WriteAt(make([]byte, len(j.buf)), j.fileSize)
		err = fmt.Errorf("journal: %w", err)
		j.sm.Lock()
		j.broken = err
		j.sm.Unlock()
		return err
	}
	j.fileSize += int64(len(j.buf))
	j.mu.Lock()
	for i := range recs {
		j.pending = append(j.pending, Entry{Index: j.next + int64(i), Record: recs[i]})
		j.pendingBytes += int64(len(recs[i].Raw))
	}
	j.mu.Unlock()
	j.next += int64(len(recs))
	j.writes.Add(1)
	j.entries.Add(int64(len(recs)))
	j.sm.Lock()
	if synced != nil {
		j.toSync = append(j.toSync, synced)
	}
	if !j.dirty {
		j.dirty = true
		j.syncTimer.Reset(SyncWindow)
	}
	j.sm.Unlock()
	if cap(j.buf) > 4<<20 {
		j.buf = nil // after an unusually large append
	}
	return nil
}

// waitForRoom blocks while the pending entries exceed MaxPendingBytes.
func (j *Journal) waitForRoom(ctx context.Context) error {
	for {
		j.mu.Lock()
		if j.pendingBytes < MaxPendingBytes || j.closed {
			j.mu.Unlock()
			return nil
		}
		if j.room == nil {
			j.room = make(chan struct{})
		}
		room := j.room
		j.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return ctx.Err()
		case <-j.stop:
			return ErrClosed
		}
	}
}

// runSyncer syncs what appends wrote: at once when appends wait for
// it, else SyncWindow after the first unsynced write.
func (j *Journal) runSyncer() {
	defer close(j.syncerDone)
	for {
		select {
		case <-j.stop:
			return
		case <-j.kick:
		case <-j.syncTimer.C:
		}
		// Let the appends that are running now queue up for this sync:
		// one yield took the calls per sync from 2.5 to 3.3 with eight
		// callers waiting for it, and their rate by a quarter.
		runtime.Gosched()
		j.syncMu.Lock()
		_ = j.syncLocked() // a failure is kept in j.broken
		j.syncMu.Unlock()
	}
}

// appendFrame appends the frame of rec, whose Raw is set.
func appendFrame(buf []byte, index int64, rec *events.Record) []byte {
	buf, start := framelog.Begin(buf)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(index))
	buf = appendPayload(buf, rec, rec.Raw)
	return framelog.Seal(buf, start)
}

// syncLocked, with syncMu held, makes everything written to the current
// segment durable and answers the appends waiting for that. fdatasync:
// the data (and the file size, when an append went past the preallocated
// space), without the inode's other metadata (times), which recovery
// does not need. Only writes finished before it starts count: appends
// queue themselves after writing.
func (j *Journal) syncLocked() error {
	j.sm.Lock()
	waiting, dirty, err := j.toSync, j.dirty, j.broken
	j.toSync, j.dirty = nil, false
	j.sm.Unlock()
	if dirty && err == nil {
		began := time.Now()
		if syncErr := syscall.Fdatasync(int(j.file.Fd())); syncErr != nil {
			err = fmt.Errorf("journal: %w", syncErr)
			j.sm.Lock()
			j.broken = err
			j.sm.Unlock()
		}
		j.syncNanos.Add(int64(time.Since(began)))
		j.syncs.Add(1)
	}
	for _, synced := range waiting {
		synced <- err
	}
	return err
}

// Stats are the journal's writes and syncs since Open.
type Stats struct {
	Writes  int64         // one per append
	Entries int64         // entries they held
	Syncs   int64         // fdatasyncs
	Syncing time.Duration // spent in them
}

// Stats returns the writes and syncs since Open.
func (j *Journal) Stats() Stats {
	return Stats{Writes: j.writes.Load(), Entries: j.entries.Load(), Syncs: j.syncs.Load(), Syncing: time.Duration(j.syncNanos.Load())}
}

// Pending returns the durable entries not yet moved, oldest first.
func (j *Journal) Pending() []Entry { return j.PendingUpTo(-1) }

// lastPending is the index of the newest entry not yet moved, 0 if none.
func (j *Journal) lastPending() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.pending) == 0 {
		return 0
	}
	return j.pending[len(j.pending)-1].Index
}

// PendingUpTo returns at most limit of the oldest durable entries not yet
// moved (all of them when limit is negative).
func (j *Journal) PendingUpTo(limit int) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := len(j.pending)
	if limit >= 0 && limit < n {
		n = limit
	}
	return slices.Clone(j.pending[:n])
}

// Moved tells the journal that every entry up to index is in the event
// store: they leave Pending and whole segments holding only such entries are
// deleted.
func (j *Journal) Moved(index int64) error {
	j.mu.Lock()
	i := 0
	for i < len(j.pending) && j.pending[i].Index <= index {
		j.pendingBytes -= int64(len(j.pending[i].Record.Raw))
		i++
	}
	j.pending = slices.Delete(j.pending, 0, i)
	if j.room != nil && j.pendingBytes < MaxPendingBytes {
		close(j.room)
		j.room = nil
	}
	j.mu.Unlock()
	return j.removeMoved(index)
}

// removeMoved deletes segments every entry of which is at or below moved:
// those followed by a segment starting at or below moved+1.
func (j *Journal) removeMoved(moved int64) error {
	starts, err := j.segments()
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(starts); i++ {
		if starts[i+1] <= moved+1 {
			if err := os.Remove(j.segmentPath(starts[i])); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// Close stops the writer; appends after Close fail.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	close(j.stop)
	// Appends that are writing finish; later ones fail.
	j.writeMu.Lock()
	j.closing = true
	j.writeMu.Unlock()
	<-j.syncerDone
	j.syncTimer.Stop()
	if j.preparing {
		<-j.spareDone
	}
	if j.file == nil { // starting a segment failed
		return nil
	}
	// The last sync answers the appends still waiting for one.
	j.syncMu.Lock()
	syncErr := j.syncLocked()
	j.syncMu.Unlock()
	// Give back the preallocated space; Open would cut it off anyway.
	err := j.file.Truncate(j.fileSize)
	return errors.Join(syncErr, err, j.file.Close())
}
