package eventstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/framelog"
)

// The archive: compacted log segments kept for event history. A page of
// Lookup fetched from the partitions costs DuckDB a block read of 256 KB
// per event (about 12 MB for 50 events scattered over months); from a log
// segment it costs two small reads. So a compacted segment is not removed
// but archived: its file stays, with an index file (NNNNNNNNN.idx) of its
// frames' offsets written beside it, until every event in it is older than
// Options.ArchiveWindow (event history's 90 days by default). The archive
// is a copy: a segment whose index is missing or damaged is removed at
// Open, and Lookup fetches what the archive lacks from the partitions.

// idxMagic starts an index file; idxHeader is the header's size: magic,
// first sequence number, event count, end of the frames, newest event
// time (Unix nanoseconds).
const (
	idxMagic  = "cairnidx"
	idxHeader = 40
)

// archived is a compacted log segment kept for Lookup's fetches.
type archived struct {
	num         int
	first, last int64
	end         int64 // where its frames end
	newest      time.Time
	log, idx    *os.File
}

func idxPath(dir string, num int) string {
	return strings.TrimSuffix(segmentPath(dir, num), ".log") + ".idx"
}

// writeIndex writes the index file of segment num. It is not synced: the
// archive is a copy, and Open discards an index that does not hold.
func writeIndex(dir string, num int, st segState, newest time.Time) error {
	b := make([]byte, 0, idxHeader+8*len(st.offsets))
	b = append(b, idxMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(st.first))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(st.offsets)))
	b = binary.LittleEndian.AppendUint64(b, uint64(st.end))
	b = binary.LittleEndian.AppendUint64(b, uint64(newest.UnixNano()))
	for _, off := range st.offsets {
		b = binary.LittleEndian.AppendUint64(b, uint64(off))
	}
	tmp := idxPath(dir, num) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, idxPath(dir, num))
}

var errIndex = errors.New("not a valid segment index")

// openArchived opens an archived segment from its index, checking the
// index against the log file.
func openArchived(dir string, num int) (*archived, error) {
	idx, err := os.Open(idxPath(dir, num))
	if err != nil {
		return nil, err
	}
	a := &archived{num: num, idx: idx}
	fail := func(err error) (*archived, error) {
		a.close()
		return nil, err
	}
	head := make([]byte, idxHeader)
	if _, err := idx.ReadAt(head, 0); err != nil || string(head[:8]) != idxMagic {
		return fail(errIndex)
	}
	a.first = int64(binary.LittleEndian.Uint64(head[8:]))
	count := int64(binary.LittleEndian.Uint64(head[16:]))
	a.last = a.first + count - 1
	a.end = int64(binary.LittleEndian.Uint64(head[24:]))
	a.newest = time.Unix(0, int64(binary.LittleEndian.Uint64(head[32:]))).UTC()
	info, err := idx.Stat()
	if err != nil || count <= 0 || info.Size() != idxHeader+8*count {
		return fail(errIndex)
	}
	if a.log, err = os.Open(segmentPath(dir, num)); err != nil {
		return fail(err)
	}
	if info, err := a.log.Stat(); err != nil || info.Size() < a.end {
		return fail(errIndex)
	}
	return a, nil
}

func (a *archived) close() {
	if a.idx != nil {
		a.idx.Close()
	}
	if a.log != nil {
		a.log.Close()
	}
}

// remove closes and deletes the segment's files.
func (a *archived) remove(dir string) error {
	a.close()
	err := os.Remove(idxPath(dir, a.num))
	if rerr := os.Remove(segmentPath(dir, a.num)); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// read returns the event numbered seq, which the segment holds.
func (a *archived) read(seq int64) (logRow, error) {
	var offs [16]byte
	b := offs[:16]
	if seq == a.last {
		b = offs[:8]
	}
	if _, err := a.idx.ReadAt(b, idxHeader+8*(seq-a.first)); err != nil {
		return logRow{}, fmt.Errorf("reading event log index %s: %w", a.idx.Name(), err)
	}
	off, end := int64(binary.LittleEndian.Uint64(offs[0:])), a.end
	if seq < a.last {
		end = int64(binary.LittleEndian.Uint64(offs[8:]))
	}
	if off < 0 || end <= off || end > a.end {
		return logRow{}, fmt.Errorf("event log index %s: %w", a.idx.Name(), errIndex)
	}
	buf := make([]byte, end-off)
	if _, err := a.log.ReadAt(buf, off); err != nil {
		return logRow{}, fmt.Errorf("reading event log %s: %w", a.log.Name(), err)
	}
	body, _, ok := framelog.Next(buf)
	if !ok {
		return logRow{}, fmt.Errorf("event log %s: damaged frame at offset %d", a.log.Name(), off)
	}
	r, err := decodeEvent(body)
	if err == nil && r.seq != seq {
		err = fmt.Errorf("event log %s: event %d where %d was expected", a.log.Name(), r.seq, seq)
	}
	return r, err
}

// findArchived returns the archived segment holding seq, if any. The
// caller holds s.mu.
func (s *Store) findArchived(seq int64) *archived {
	i, found := slices.BinarySearchFunc(s.archive, seq, func(a *archived, seq int64) int {
		switch {
		case a.last < seq:
			return -1
		case a.first > seq:
			return 1
		}
		return 0
	})
	if !found {
		return nil
	}
	return s.archive[i]
}

// archiveSegment turns compacted segment g into an archived one, or
// removes it when the archive is off or its events are all too old.
// newest is its newest event time.
func (s *Store) archiveSegment(g *segment, st segState, newest time.Time) error {
	if s.opts.ArchiveWindow < 0 || len(st.offsets) == 0 || newest.Before(s.opts.Now().Add(-s.opts.ArchiveWindow)) {
		return g.retire()
	}
	if err := writeIndex(s.logDir, g.num, st, newest); err != nil {
		s.opts.Logger.Warn("archiving a compacted event log segment", "segment", g.num, "err", err)
		return g.retire()
	}
	a, err := openArchived(s.logDir, g.num)
	if err != nil {
		os.Remove(idxPath(s.logDir, g.num))
		return g.retire()
	}
	s.mu.Lock()
	s.archive = append(s.archive, a)
	slices.SortFunc(s.archive, func(x, y *archived) int { return int(x.first - y.first) })
	s.mu.Unlock()
	// The archived segment has files of its own open; the log segment's
	// goes when its last reader lets go.
	g.refMu.Lock()
	defer g.refMu.Unlock()
	g.retired, g.keepFile = true, true
	if g.refs == 0 {
		return g.remove()
	}
	return nil
}

// pruneArchive removes archived segments whose events are all older than
// cut.
func (s *Store) pruneArchive(cut time.Time) error {
	s.mu.Lock()
	var old []*archived
	s.archive = slices.DeleteFunc(s.archive, func(a *archived) bool {
		if a.newest.Before(cut) {
			old = append(old, a)
			return true
		}
		return false
	})
	s.mu.Unlock()
	var err error
	for _, a := range old {
		if rerr := a.remove(s.logDir); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}
