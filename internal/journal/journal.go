// Package journal is the durable front of the event pipeline: an
// append-only, fsync'd log of event records in the data directory. A call's
// event is acknowledged as soon as its journal entry is on disk, which costs
// one small write and one fdatasync shared by every concurrent caller
// (group commit). A mover then transfers entries into the event store in
// large batches, exactly once: each batch is committed together with a
// marker naming the last journal index it holds, and entries at or below
// the marker are never moved again. After a crash, Open returns the entries
// above the marker so they are moved on the next flush.
//
// Entry frame: uint32 length of what follows the CRC, uint32 CRC-32C of it,
// uint64 journal index, then the record's JSON. A torn or corrupt frame at
// the end of the last segment is the remains of an append that was never
// acknowledged; it is cut off at Open.
package journal

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/cairnhq/cairn/internal/events"
)

// segmentBytes is the size after which appends go to a new segment file.
const segmentBytes = 64 << 20

const frameHeader = 4 + 4 + 8

var crcTable = crc32.MakeTable(crc32.Castagnoli)

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

	reqs chan *appendReq
	stop chan struct{}
	done chan struct{}

	// Owned by the writer goroutine.
	file      *os.File
	fileStart int64 // index of the first entry of the current segment
	fileSize  int64
	next      int64

	mu      sync.Mutex
	pending []Entry // durable, not yet moved
	closed  bool
}

type appendReq struct {
	recs []events.Record
	done chan error
}

// Open opens (creating) the journal in dir. Entries with an index above
// moved are returned as pending: they are durable but not yet in the event
// store.
func Open(dir string, moved int64) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	j := &Journal{dir: dir, reqs: make(chan *appendReq, 1024), stop: make(chan struct{}), done: make(chan struct{}), next: moved + 1}
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
			// Cut off a torn tail: it was never acknowledged.
			if err := os.Truncate(j.segmentPath(start), end); err != nil {
				return nil, err
			}
		}
		for _, e := range entries {
			if e.Index > moved {
				j.pending = append(j.pending, e)
			}
			if e.Index >= j.next {
				j.next = e.Index + 1
			}
		}
	}
	if err := j.removeMoved(moved); err != nil {
		return nil, err
	}
	if err := j.startSegment(); err != nil {
		return nil, err
	}
	go j.run()
	return j, nil
}

func (j *Journal) segmentPath(start int64) string {
	return filepath.Join(j.dir, fmt.Sprintf("%020d.journal", start))
}

// segments lists the first indexes of the segment files, ascending.
func (j *Journal) segments() ([]int64, error) {
	names, err := os.ReadDir(j.dir)
	if err != nil {
		return nil, err
	}
	var starts []int64
	for _, n := range names {
		base, ok := strings.CutSuffix(n.Name(), ".journal")
		if !ok {
			continue
		}
		if start, err := strconv.ParseInt(base, 10, 64); err == nil {
			starts = append(starts, start)
		}
	}
	slices.Sort(starts)
	return starts, nil
}

// readSegment returns the segment's intact entries and the offset where
// they end.
func readSegment(path string) ([]Entry, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var entries []Entry
	var offset int64
	header := make([]byte, 8)
	for {
		if _, err := io.ReadFull(r, header); err != nil {
			return entries, offset, nil
		}
		n := binary.LittleEndian.Uint32(header[0:4])
		sum := binary.LittleEndian.Uint32(header[4:8])
		if n < 8 || n > 1<<30 {
			return entries, offset, nil
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil || crc32.Checksum(body, crcTable) != sum {
			return entries, offset, nil
		}
		rec, err := events.Parse(body[8:])
		if err != nil {
			return nil, 0, fmt.Errorf("journal %s: entry at offset %d: %w", path, offset, err)
		}
		entries = append(entries, Entry{Index: int64(binary.LittleEndian.Uint64(body[0:8])), Record: rec})
		offset += 8 + int64(n)
	}
}

func (j *Journal) startSegment() error {
	if j.file != nil {
		if err := j.file.Close(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(j.segmentPath(j.next), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	j.file, j.fileStart, j.fileSize = f, j.next, info.Size()
	return syncDir(j.dir)
}

// Append writes recs durably: when it returns nil they survive a crash.
func (j *Journal) Append(ctx context.Context, recs []events.Record) error {
	if len(recs) == 0 {
		return nil
	}
	req := &appendReq{recs: recs, done: make(chan error, 1)}
	select {
	case j.reqs <- req:
	case <-j.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-j.done:
		return ErrClosed
	}
}

// run is the writer: it takes every waiting append, writes their frames,
// syncs once, and then acknowledges them all.
func (j *Journal) run() {
	defer close(j.done)
	var buf []byte
	for {
		var group []*appendReq
		select {
		case <-j.stop:
			return
		case req := <-j.reqs:
			group = append(group, req)
		}
	drain:
		for len(group) < 4096 {
			select {
			case req := <-j.reqs:
				group = append(group, req)
			default:
				break drain
			}
		}
		buf = buf[:0]
		var written []Entry
		var encodeErr error
		for _, req := range group {
			for _, rec := range req.recs {
				raw, err := rec.JSON()
				if err != nil {
					encodeErr = err
					break
				}
				buf = appendFrame(buf, j.next+int64(len(written)), raw)
				rec.Raw = raw // the mover stores these bytes instead of encoding again
				written = append(written, Entry{Index: j.next + int64(len(written)), Record: rec})
			}
		}
		err := encodeErr
		if err == nil {
			err = j.write(buf)
		}
		if err == nil {
			j.next += int64(len(written))
			j.mu.Lock()
			j.pending = append(j.pending, written...)
			j.mu.Unlock()
		}
		for _, req := range group {
			req.done <- err
		}
	}
}

func appendFrame(buf []byte, index int64, payload []byte) []byte {
	n := 8 + len(payload)
	start := len(buf)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(n))
	buf = binary.LittleEndian.AppendUint32(buf, 0)
	body := len(buf)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(index))
	buf = append(buf, payload...)
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(buf[body:], crcTable))
	return buf
}

func (j *Journal) write(buf []byte) error {
	if j.fileSize >= segmentBytes {
		if err := j.startSegment(); err != nil {
			return err
		}
	}
	if _, err := j.file.Write(buf); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	// fdatasync: the data and the file size, without the inode's other
	// metadata (times), which recovery does not need.
	if err := syscall.Fdatasync(int(j.file.Fd())); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.fileSize += int64(len(buf))
	return nil
}

// Pending returns the durable entries not yet moved, oldest first.
func (j *Journal) Pending() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.pending)
}

// Moved tells the journal that every entry up to index is in the event
// store: they leave Pending and whole segments holding only such entries are
// deleted.
func (j *Journal) Moved(index int64) error {
	j.mu.Lock()
	i := 0
	for i < len(j.pending) && j.pending[i].Index <= index {
		i++
	}
	j.pending = slices.Delete(j.pending, 0, i)
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
	<-j.done
	return j.file.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
