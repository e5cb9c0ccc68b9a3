package eventstore

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/framelog"
)

// LogDirName is the directory of the log segment files in the store's
// directory.
const LogDirName = "log"

// Frame kinds: the first byte of a frame's body.
const (
	frameEvent  = 'E'
	frameMarker = 'M'
)

// logRow is one event as the log holds it: what event history, consumers
// and the lookup index need without decoding the record, and the record.
type logRow struct {
	seq       int64
	ingest    time.Time
	eventTime time.Time
	v         lookupValues
	json      []byte
}

// appendFrame appends the frame of an event.
func appendFrame(b []byte, r *logRow) []byte {
	b, start := framelog.Begin(b)
	b = append(b, frameEvent)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.seq))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.ingest.UnixNano()))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.eventTime.UnixNano()))
	b = append(b, r.v.kind, byte(r.v.readOnly))
	for _, s := range [...]string{r.v.account, r.v.region, r.v.username, r.v.accessKeyID, r.v.types, r.v.names,
		r.v.eventID, r.v.eventName, r.v.eventSource} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, r.json...)
	return framelog.Seal(b, start)
}

// appendMarkerFrame appends the frame of a marker.
func appendMarkerFrame(b []byte, m Marker) []byte {
	b, start := framelog.Begin(b)
	b = append(b, frameMarker)
	b = binary.LittleEndian.AppendUint64(b, uint64(m.Value))
	b = append(b, m.Name...)
	return framelog.Seal(b, start)
}

var errFrame = errors.New("malformed log frame")

// decodeEvent decodes an event frame's body. The row's strings are copies;
// its JSON is body's own bytes, so a caller that reuses body's buffer
// copies it.
func decodeEvent(body []byte) (logRow, error) {
	if len(body) < 27 || body[0] != frameEvent {
		return logRow{}, errFrame
	}
	r := logRow{
		seq:       int64(binary.LittleEndian.Uint64(body[1:])),
		ingest:    time.Unix(0, int64(binary.LittleEndian.Uint64(body[9:]))).UTC(),
		eventTime: time.Unix(0, int64(binary.LittleEndian.Uint64(body[17:]))).UTC(),
	}
	r.v.kind, r.v.readOnly = body[25], int8(body[26])
	p := body[27:]
	for _, dst := range [...]*string{&r.v.account, &r.v.region, &r.v.username, &r.v.accessKeyID, &r.v.types, &r.v.names,
		&r.v.eventID, &r.v.eventName, &r.v.eventSource} {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return logRow{}, errFrame
		}
		*dst = string(p[n : n+int(l)])
		p = p[n+int(l):]
	}
	r.json = p[:len(p):len(p)]
	return r, nil
}

func decodeMarker(body []byte) (Marker, error) {
	if len(body) < 9 || body[0] != frameMarker {
		return Marker{}, errFrame
	}
	return Marker{Value: int64(binary.LittleEndian.Uint64(body[1:])), Name: string(body[9:])}, nil
}

// values is the row as a log segment table's columns (logColumns), for
// DuckDB's appender.
func (r *logRow) values() []driver.Value {
	var readOnly any
	if r.v.readOnly >= 0 {
		readOnly = r.v.readOnly == 1
	}
	return []driver.Value{r.seq, r.ingest, r.v.account, r.v.region, r.v.kind, str(r.v.username), str(r.v.accessKeyID),
		str(r.v.types), str(r.v.names), r.eventTime, str(r.v.eventID), str(r.v.eventName), str(r.v.eventSource),
		readOnly, r.json}
}

// segment is one log file: events with consecutive sequence numbers, and
// markers. The committer appends to the current segment; readers work
// from a copy of its state, which appends never invalidate.
type segment struct {
	num int
	f   *os.File

	mu      sync.RWMutex // guards st and markers; the committer writes them
	st      segState
	markers map[string]int64

	// refs counts readers holding the file beyond the store's lock (a
	// query copying the segment); a compacted segment's file is closed and
	// removed when the last of them lets go.
	refMu    sync.Mutex
	refs     int
	retired  bool
	keepFile bool // retired into the archive, which has the file open itself
	path     string
}

// acquire keeps the segment's file open until release.
func (g *segment) acquire() {
	g.refMu.Lock()
	g.refs++
	g.refMu.Unlock()
}

func (g *segment) release() error {
	g.refMu.Lock()
	defer g.refMu.Unlock()
	g.refs--
	if g.refs == 0 && g.retired {
		return g.remove()
	}
	return nil
}

// retire closes and removes the file of a compacted segment, now or when
// its last reader lets go.
func (g *segment) retire() error {
	g.refMu.Lock()
	defer g.refMu.Unlock()
	g.retired = true
	if g.refs == 0 {
		return g.remove()
	}
	return nil
}

func (g *segment) remove() error {
	g.f.Close()
	if g.keepFile {
		return nil
	}
	return os.Remove(g.path)
}

// segState is what a segment holds at one moment.
type segState struct {
	first   int64   // the sequence number of its first event, or the next one while it has none
	offsets []int64 // where each event's frame starts
	end     int64   // where its frames end
}

// last is the sequence number of the last event (first-1 when there is
// none).
func (st segState) last() int64 { return st.first + int64(len(st.offsets)) - 1 }

// state returns the segment's state now.
func (g *segment) state() segState {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.st
}

// readRows returns the events [from, to] of state st of the segment.
func (g *segment) readRows(st segState, from, to int64) ([]logRow, error) {
	off, end := st.offsets[from-st.first], st.end
	if to < st.last() {
		end = st.offsets[to+1-st.first]
	}
	buf := make([]byte, end-off)
	if _, err := g.f.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("reading event log %s: %w", g.f.Name(), err)
	}
	rows := make([]logRow, 0, to-from+1)
	for len(buf) > 0 {
		body, rest, ok := framelog.Next(buf)
		if !ok {
			return nil, fmt.Errorf("event log %s: damaged frame", g.f.Name())
		}
		buf = rest
		if body[0] != frameEvent {
			continue
		}
		r, err := decodeEvent(body)
		if err != nil {
			return nil, fmt.Errorf("event log %s: %w", g.f.Name(), err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func segmentPath(dir string, num int) string {
	return filepath.Join(dir, fmt.Sprintf("%09d.log", num))
}

// listSegments lists the segment numbers in dir, ascending.
func listSegments(dir string) ([]int, error) {
	nums, err := framelog.List(dir, ".log")
	out := make([]int, len(nums))
	for i, n := range nums {
		out[i] = int(n)
	}
	return out, err
}

// scanSegment opens a segment file and reads its frames. fn sees every
// event row. A frame that does not hold ends the segment: the caller cuts
// it off when the segment is the last (a write that was never
// acknowledged) and refuses it otherwise.
func scanSegment(path string, num int, fn func(*logRow) error) (g *segment, torn bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, false, err
	}
	g = &segment{num: num, f: f, path: path, st: segState{first: -1}, markers: map[string]int64{}}
	fail := func(err error) (*segment, bool, error) {
		f.Close()
		return nil, false, fmt.Errorf("event log %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	r := framelog.NewReader(f, info.Size())
	for {
		body, ok := r.Next()
		if !ok {
			break
		}
		switch body[0] {
		case frameEvent:
			row, err := decodeEvent(body)
			if err != nil {
				return fail(err)
			}
			if g.st.first < 0 {
				g.st.first = row.seq
			} else if row.seq != g.st.last()+1 {
				return fail(fmt.Errorf("event %d follows %d", row.seq, g.st.last()))
			}
			g.st.offsets = append(g.st.offsets, g.st.end)
			if fn != nil {
				row.json = slices.Clone(row.json) // the reader reuses its buffer
				if err := fn(&row); err != nil {
					return fail(err)
				}
			}
		case frameMarker:
			m, err := decodeMarker(body)
			if err != nil {
				return fail(err)
			}
			g.markers[m.Name] = m.Value
		default:
			return fail(fmt.Errorf("unknown frame kind %#x (written by a newer Cairn?)", body[0]))
		}
		g.st.end = r.Offset
	}
	torn = r.Torn || g.st.end < info.Size()
	return g, torn, nil
}
