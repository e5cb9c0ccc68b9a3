package eventstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/cairnhq/cairn/internal/fsutil"
)

// A run is an immutable file of index entries in ascending order, holding
// every entry of the events with sequence numbers in (lo, hi]:
//
//	header   64 bytes: magic, format, entries per block, lo, hi, count,
//	         oldest and newest event time (Unix microseconds), Bloom
//	         filter size
//	entries  count × 24 bytes: key, time code, sequence code, big-endian,
//	         so that byte order is entry order
//	blocks   the first entry of every block of runBlock entries
//	bloom    a Bloom filter of the run's keys, 10 bits per key
//	trailer  CRC-32C of header, blocks and filter, block count, end magic
//
// The block list and the filter are read into memory at open, so that
// finding a key costs one read of a few kilobytes per run that may hold
// it. The filter spares a lookup of a rare value (an event ID) a read of
// every run.

const (
	runMagic     = "CAIRNHX1"
	runEndMagic  = "CAIRNHXE"
	runHeader    = 64
	runTrailer   = 16
	entrySize    = 24
	runBlock     = 256 // entries per block
	runBlockSize = runBlock * entrySize
	runSuffix    = ".run"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// run is an open run file.
type run struct {
	lo, hi     int64
	count      int
	minT, maxT int64 // event times, Unix microseconds; 0, 0 when empty
	path       string
	f          *os.File
	blocks     []entry  // first entry of each block
	bloom      []uint64 // a Bloom filter of the keys
}

// Bloom filter parameters: 10 bits per key and 7 probes, about 1% false
// positives.
const (
	bloomBitsPerKey = 10
	bloomProbes     = 7
)

// bloomBits yields the filter bits of a key, which is a hash already.
func bloomBits(key uint64, nbits uint64, f func(bit uint64) bool) bool {
	h2 := key*0x9e3779b97f4a7c15 | 1
	for i := range uint64(bloomProbes) {
		if !f((key + i*h2) % nbits) {
			return false
		}
	}
	return true
}

// mayHave reports whether the run may hold entries of key.
func (r *run) mayHave(key uint64) bool {
	if len(r.bloom) == 0 {
		return r.count > 0
	}
	return bloomBits(key, uint64(len(r.bloom))*64, func(b uint64) bool { return r.bloom[b/64]&(1<<(b%64)) != 0 })
}

func runName(lo, hi int64) string { return fmt.Sprintf("%020d-%020d%s", lo, hi, runSuffix) }

func parseRunName(name string) (lo, hi int64, ok bool) {
	base, found := strings.CutSuffix(name, runSuffix)
	a, b, cut := strings.Cut(base, "-")
	if !found || !cut {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseInt(a, 10, 64)
	hi, err2 := strconv.ParseInt(b, 10, 64)
	return lo, hi, err1 == nil && err2 == nil && lo >= 0 && hi >= lo
}

func putEntry(b []byte, e entry) {
	binary.BigEndian.PutUint64(b, e.key)
	binary.BigEndian.PutUint64(b[8:], e.t)
	binary.BigEndian.PutUint64(b[16:], e.s)
}

func getEntry(b []byte) entry {
	return entry{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:]), binary.BigEndian.Uint64(b[16:])}
}

var errBadRun = errors.New("not a valid index run")

// openRun opens and checks a run file.
func openRun(path string) (*run, error) {
	lo, hi, ok := parseRunName(filepath.Base(path))
	if !ok {
		return nil, errBadRun
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := readRun(f, lo, hi)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.path = path
	return r, nil
}

func readRun(f *os.File, lo, hi int64) (*run, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size < runHeader+runTrailer {
		return nil, errBadRun
	}
	head := make([]byte, runHeader)
	tail := make([]byte, runTrailer)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, err
	}
	if _, err := f.ReadAt(tail, size-runTrailer); err != nil {
		return nil, err
	}
	if string(head[:8]) != runMagic || string(tail[8:]) != runEndMagic ||
		binary.BigEndian.Uint32(head[8:]) != indexFormat || binary.BigEndian.Uint32(head[12:]) != runBlock {
		return nil, errBadRun
	}
	r := &run{
		lo: int64(binary.BigEndian.Uint64(head[16:])), hi: int64(binary.BigEndian.Uint64(head[24:])),
		count: int(binary.BigEndian.Uint64(head[32:])),
		minT:  int64(binary.BigEndian.Uint64(head[40:])), maxT: int64(binary.BigEndian.Uint64(head[48:])),
		f: f,
	}
	nblocks := int(binary.BigEndian.Uint32(tail[4:]))
	words := int64(binary.BigEndian.Uint64(head[56:]))
	if r.lo != lo || r.hi != hi || r.count < 0 || nblocks != (r.count+runBlock-1)/runBlock || words < 0 ||
		size != runHeader+int64(r.count+nblocks)*entrySize+words*8+runTrailer {
		return nil, errBadRun
	}
	idx := make([]byte, int64(nblocks)*entrySize+words*8)
	if _, err := f.ReadAt(idx, runHeader+int64(r.count)*entrySize); err != nil {
		return nil, err
	}
	crc := crc32.Update(crc32.Checksum(head, crcTable), crcTable, idx)
	if crc != binary.BigEndian.Uint32(tail) {
		return nil, errBadRun
	}
	r.blocks = make([]entry, nblocks)
	for i := range r.blocks {
		r.blocks[i] = getEntry(idx[i*entrySize:])
	}
	r.bloom = make([]uint64, words)
	for i := range r.bloom {
		r.bloom[i] = binary.BigEndian.Uint64(idx[nblocks*entrySize+i*8:])
	}
	return r, nil
}

func (r *run) close() {
	if r.f != nil {
		r.f.Close()
	}
}

var blockPool = sync.Pool{New: func() any { b := make([]byte, runBlockSize); return &b }}

// collect appends to out the entries of key from start on (inclusive),
// until one is older than stopT (a time code), skipping events above
// upTo, at most n.
func (r *run) collect(start entry, stopT uint64, upTo int64, n int, out []entry) ([]entry, error) {
	if r.count == 0 || n <= 0 {
		return out, nil
	}
	b := sort.Search(len(r.blocks), func(i int) bool { return cmpEntry(r.blocks[i], start) > 0 }) - 1
	if b < 0 {
		b = 0
	}
	bufp := blockPool.Get().(*[]byte)
	defer blockPool.Put(bufp)
	buf := *bufp
	got := 0
	for ; b < len(r.blocks); b++ {
		if r.blocks[b].key > start.key {
			break
		}
		k := min(runBlock, r.count-b*runBlock)
		if _, err := r.f.ReadAt(buf[:k*entrySize], runHeader+int64(b)*runBlockSize); err != nil {
			return out, fmt.Errorf("reading the lookup index: %w", err)
		}
		i := 0
		if cmpEntry(r.blocks[b], start) < 0 {
			i = sort.Search(k, func(i int) bool { return cmpEntry(getEntry(buf[i*entrySize:]), start) >= 0 })
		}
		for ; i < k; i++ {
			e := getEntry(buf[i*entrySize:])
			if e.key != start.key || e.t > stopT {
				return out, nil
			}
			if e.seq() > upTo {
				continue
			}
			out = append(out, e)
			if got++; got == n {
				return out, nil
			}
		}
	}
	return out, nil
}

// runWriter writes a run file: to a temporary name, then, complete and
// synced, renamed to its own.
type runWriter struct {
	dir        string
	lo, hi     int64
	tmp        *os.File
	w          *bufio.Writer
	count      int
	minT, maxT int64
	blocks     []entry
	keys       []uint64 // distinct, for the Bloom filter
	buf        [entrySize]byte
	err        error
}

func newRunWriter(dir string, lo, hi int64) (*runWriter, error) {
	f, err := os.CreateTemp(dir, "run-*.tmp")
	if err != nil {
		return nil, err
	}
	w := &runWriter{dir: dir, lo: lo, hi: hi, tmp: f, w: bufio.NewWriterSize(f, 1<<18)}
	var head [runHeader]byte
	_, w.err = w.w.Write(head[:])
	return w, nil
}

func (w *runWriter) add(e entry) {
	if w.count%runBlock == 0 {
		w.blocks = append(w.blocks, e)
	}
	if n := len(w.keys); n == 0 || w.keys[n-1] != e.key {
		w.keys = append(w.keys, e.key)
	}
	putEntry(w.buf[:], e)
	if _, err := w.w.Write(w.buf[:]); err != nil && w.err == nil {
		w.err = err
	}
	t := e.micros()
	if w.count == 0 || t < w.minT {
		w.minT = t
	}
	if w.count == 0 || t > w.maxT {
		w.maxT = t
	}
	w.count++
}

func (w *runWriter) abort() {
	w.tmp.Close()
	os.Remove(w.tmp.Name())
}

// finish completes the file, makes it durable under its name and opens it.
func (w *runWriter) finish() (*run, error) {
	fail := func(err error) (*run, error) {
		w.abort()
		return nil, fmt.Errorf("writing a lookup index run: %w", err)
	}
	if w.err != nil {
		return fail(w.err)
	}
	var head [runHeader]byte
	copy(head[:], runMagic)
	binary.BigEndian.PutUint32(head[8:], indexFormat)
	binary.BigEndian.PutUint32(head[12:], runBlock)
	binary.BigEndian.PutUint64(head[16:], uint64(w.lo))
	binary.BigEndian.PutUint64(head[24:], uint64(w.hi))
	binary.BigEndian.PutUint64(head[32:], uint64(w.count))
	binary.BigEndian.PutUint64(head[40:], uint64(w.minT))
	binary.BigEndian.PutUint64(head[48:], uint64(w.maxT))
	var bloom []uint64
	if len(w.keys) > 0 {
		bloom = make([]uint64, (len(w.keys)*bloomBitsPerKey+63)/64)
		nbits := uint64(len(bloom)) * 64
		for _, k := range w.keys {
			bloomBits(k, nbits, func(b uint64) bool { bloom[b/64] |= 1 << (b % 64); return true })
		}
	}
	binary.BigEndian.PutUint64(head[56:], uint64(len(bloom)))
	idx := make([]byte, len(w.blocks)*entrySize+len(bloom)*8)
	for i, e := range w.blocks {
		putEntry(idx[i*entrySize:], e)
	}
	for i, b := range bloom {
		binary.BigEndian.PutUint64(idx[len(w.blocks)*entrySize+i*8:], b)
	}
	var tail [runTrailer]byte
	binary.BigEndian.PutUint32(tail[:], crc32.Update(crc32.Checksum(head[:], crcTable), crcTable, idx))
	binary.BigEndian.PutUint32(tail[4:], uint32(len(w.blocks)))
	copy(tail[8:], runEndMagic)
	if _, err := w.w.Write(idx); err != nil {
		return fail(err)
	}
	if _, err := w.w.Write(tail[:]); err != nil {
		return fail(err)
	}
	if err := w.w.Flush(); err != nil {
		return fail(err)
	}
	if _, err := w.tmp.WriteAt(head[:], 0); err != nil {
		return fail(err)
	}
	if err := w.tmp.Sync(); err != nil {
		return fail(err)
	}
	path := filepath.Join(w.dir, runName(w.lo, w.hi))
	if err := os.Rename(w.tmp.Name(), path); err != nil {
		return fail(err)
	}
	if err := fsutil.SyncDir(w.dir); err != nil {
		w.tmp.Close()
		return nil, err
	}
	r := &run{lo: w.lo, hi: w.hi, count: w.count, minT: w.minT, maxT: w.maxT, path: path, f: w.tmp, blocks: w.blocks, bloom: bloom}
	if w.count == 0 {
		r.minT, r.maxT = 0, 0
	}
	return r, nil
}

// runReader streams a run's entries in order.
type runReader struct {
	r    *bufio.Reader
	left int
	buf  [entrySize]byte
}

func (r *run) reader() *runReader {
	return &runReader{r: bufio.NewReaderSize(io.NewSectionReader(r.f, runHeader, int64(r.count)*entrySize), 1<<18), left: r.count}
}

func (rr *runReader) next() (entry, bool, error) {
	if rr.left == 0 {
		return entry{}, false, nil
	}
	if _, err := io.ReadFull(rr.r, rr.buf[:]); err != nil {
		return entry{}, false, fmt.Errorf("reading the lookup index: %w", err)
	}
	rr.left--
	return getEntry(rr.buf[:]), true, nil
}
