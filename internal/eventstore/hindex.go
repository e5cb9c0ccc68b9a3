package eventstore

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// hindex is the lookup index: for every event, an entry per lookup value
// it can be found by, kept in key order so that a lookup reads the
// newest entries of one key. See doc.go.
//
// It is a small log-structured merge tree whose log is the event store
// itself. The committer adds the entries of every group it commits, before
// it publishes the group's sequence numbers, as a chunk of the memtable;
// the maintainer (a goroutine) sorts chunks, merges them, writes the
// memtable out as a run file when it is large, and merges runs. Chunks and
// runs each cover a range of sequence numbers, together (0, hi] without
// gaps, so that Open knows what to index again: the events above the runs'
// range, read back from the tables.
type hindex struct {
	dir    string
	logger *slog.Logger
	opts   hindexOptions

	// mu guards runs, mem, hi and memN. Readers hold it shared while they
	// read, so that a run is closed only when no reader can use it.
	mu   sync.RWMutex
	runs []*run   // ascending, contiguous ranges
	mem  []*chunk // ascending, contiguous ranges, after the runs
	hi   int64    // the highest sequence number covered
	memN int      // entries in mem

	// floor is the retention floor as an event time (Unix microseconds):
	// entries of older events are dead.
	floor atomic.Int64

	// maintMu serializes maintenance: only its holder replaces chunks or
	// runs (the committer only appends chunks).
	maintMu sync.Mutex

	wake      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	started   bool
	lastFlush time.Time
}

type hindexOptions struct {
	flushEntries int           // memtable size that is written out as a run
	flushAge     time.Duration // a smaller memtable is written out after this
	fanIn        int           // runs merged at once
	maxMerge     int           // runs are not merged into one larger than this
}

// chunk is a part of the memtable: the entries of the events with
// sequence numbers in (lo, hi], sorted or, just committed, not yet.
type chunk struct {
	lo, hi  int64
	entries []entry
	sorted  bool
}

func openHindex(dir string, logger *slog.Logger, opts hindexOptions) (*hindex, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the lookup index directory: %w", err)
	}
	x := &hindex{dir: dir, logger: logger, opts: opts, wake: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{}), lastFlush: time.Now()}
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the lookup index directory: %w", err)
	}
	var runs []*run
	for _, n := range names {
		path := filepath.Join(dir, n.Name())
		if !strings.HasSuffix(n.Name(), runSuffix) {
			os.Remove(path) // a temporary file of an interrupted write
			continue
		}
		r, err := openRun(path)
		if err != nil {
			logger.Warn("discarding a lookup index run", "path", path, "err", err)
			os.Remove(path)
			continue
		}
		runs = append(runs, r)
	}
	// The chain: from 0, at each step the run that reaches furthest. Runs
	// it does not use were merged into another (their removal was cut
	// short) or lie beyond a gap.
	slices.SortFunc(runs, func(a, b *run) int {
		if a.lo != b.lo {
			return cmpInt(a.lo, b.lo)
		}
		return cmpInt(b.hi, a.hi)
	})
	for _, r := range runs {
		if r.lo == x.hi && r.hi > x.hi {
			x.runs = append(x.runs, r)
			x.hi = r.hi
			continue
		}
		r.close()
		os.Remove(r.path)
	}
	return x, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// reset discards every run: the index starts over from sequence 0.
func (x *hindex) reset() {
	for _, r := range x.runs {
		r.close()
		os.Remove(r.path)
	}
	x.runs, x.mem, x.hi, x.memN = nil, nil, 0, 0
}

// add appends the entries of the events in (x.hi, hi]. The committer calls
// it before publishing hi, so a reader that sees a sequence number
// committed finds its entries.
func (x *hindex) add(hi int64, entries []entry) {
	x.mu.Lock()
	if hi > x.hi {
		x.mem = append(x.mem, &chunk{lo: x.hi, hi: hi, entries: entries})
		x.hi = hi
		x.memN += len(entries)
	}
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// start runs the maintainer until close.
func (x *hindex) start() {
	x.started = true
	go func() {
		defer close(x.done)
		tick := time.NewTicker(x.opts.flushAge / 4)
		defer tick.Stop()
		for {
			select {
			case <-x.stop:
				if err := x.maintain(true); err != nil {
					x.logger.Error("writing the lookup index", "err", err)
				}
				return
			case <-x.wake:
			case <-tick.C:
			}
			if err := x.maintain(false); err != nil {
				x.logger.Error("maintaining the lookup index", "err", err)
				select {
				case <-x.stop:
				case <-time.After(time.Second):
				}
			}
		}
	}()
}

// close stops the maintainer, which writes the memtable out first, and
// closes the runs.
func (x *hindex) close() {
	if x.started {
		close(x.stop)
		<-x.done
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, r := range x.runs {
		r.close()
	}
	x.runs, x.mem = nil, nil
}

// maintain does what is due: sorting and merging memtable chunks, writing
// the memtable out, merging runs and dropping dead entries. final writes
// out whatever the memtable holds.
func (x *hindex) maintain(final bool) error {
	x.maintMu.Lock()
	defer x.maintMu.Unlock()
	x.sortChunks()
	x.mergeChunks()
	x.mu.RLock()
	n, age := x.memN, time.Since(x.lastFlush)
	x.mu.RUnlock()
	if n > 0 && (final || n >= x.opts.flushEntries || age >= x.opts.flushAge) {
		if err := x.flush(); err != nil {
			return err
		}
	}
	if final {
		return nil
	}
	return x.mergeRuns()
}

// sortChunks sorts the chunks the committer added, into copies: readers
// may be scanning the originals.
func (x *hindex) sortChunks() {
	x.mu.RLock()
	var todo []*chunk
	for _, c := range x.mem {
		if !c.sorted {
			todo = append(todo, c)
		}
	}
	x.mu.RUnlock()
	for _, c := range todo {
		x.replace(c, c, &chunk{lo: c.lo, hi: c.hi, entries: sortEntries(c.entries), sorted: true})
	}
}

// replace puts with in place of the memtable chunks from first to last.
// Only the maintainer replaces chunks; the committer only appends, so the
// chunks are still there.
func (x *hindex) replace(first, last, with *chunk) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i := slices.Index(x.mem, first)
	j := slices.Index(x.mem, last)
	if i < 0 || j < i {
		panic("eventstore: lookup index chunks replaced under the maintainer")
	}
	x.mem = slices.Replace(x.mem, i, j+1, with)
}

// chunkTarget is the size up to which mergeChunks merges chunks. Larger
// chunks wait for the flush, which merges them all at once.
const chunkTarget = 1 << 16

// mergeChunks merges adjacent small sorted chunks while the newer is at
// least half the size of the older, so that the memtable holds few chunks
// (a reader searches each) and merging costs each entry few copies.
func (x *hindex) mergeChunks() {
	for {
		x.mu.RLock()
		var a, b *chunk
		for i := len(x.mem) - 1; i > 0; i-- {
			p, q := x.mem[i-1], x.mem[i]
			if p.sorted && q.sorted && 2*len(q.entries) >= len(p.entries) && len(p.entries)+len(q.entries) <= chunkTarget {
				a, b = p, q
				break
			}
		}
		x.mu.RUnlock()
		if a == nil {
			return
		}
		m := &chunk{lo: a.lo, hi: b.hi, sorted: true, entries: make([]entry, 0, len(a.entries)+len(b.entries))}
		i, j := 0, 0
		for i < len(a.entries) && j < len(b.entries) {
			if lessEntry(b.entries[j], a.entries[i]) {
				m.entries = append(m.entries, b.entries[j])
				j++
			} else {
				m.entries = append(m.entries, a.entries[i])
				i++
			}
		}
		m.entries = append(append(m.entries, a.entries[i:]...), b.entries[j:]...)
		x.replace(a, b, m)
	}
}

// flush writes the memtable's sorted chunks out as one run, together with
// the newest run when that is small (written by a flush that did not wait
// for a full memtable), so that small runs do not accumulate.
func (x *hindex) flush() error {
	x.mu.RLock()
	var chunks []*chunk
	for _, c := range x.mem {
		if !c.sorted {
			break
		}
		chunks = append(chunks, c)
	}
	var prev *run
	if n := len(x.runs); n > 0 && x.runs[n-1].count < x.opts.flushEntries/2 {
		prev = x.runs[n-1]
	}
	x.mu.RUnlock()
	if len(chunks) == 0 {
		return nil
	}
	lo := chunks[0].lo
	var srcs []entrySource
	if prev != nil {
		lo = prev.lo
		srcs = append(srcs, prev.reader())
	}
	for _, c := range chunks {
		srcs = append(srcs, &sliceSource{entries: c.entries})
	}
	w, err := newRunWriter(x.dir, lo, chunks[len(chunks)-1].hi)
	if err != nil {
		return fmt.Errorf("writing a lookup index run: %w", err)
	}
	if err := mergeInto(w, srcs, x.floor.Load()); err != nil {
		w.abort()
		return err
	}
	r, err := w.finish()
	if err != nil {
		return err
	}
	x.mu.Lock()
	n := 0
	for _, c := range chunks {
		n += len(c.entries)
	}
	if x.mem[0] != chunks[0] || (prev != nil && x.runs[len(x.runs)-1] != prev) {
		panic("eventstore: lookup index replaced under the maintainer")
	}
	x.mem = slices.Delete(x.mem, 0, len(chunks))
	x.memN -= n
	if prev != nil {
		x.runs[len(x.runs)-1] = r
	} else {
		x.runs = append(x.runs, r)
	}
	x.lastFlush = time.Now()
	x.mu.Unlock()
	if prev != nil {
		prev.close()
		os.Remove(prev.path)
	}
	return nil
}

// tier is a run's size class: below half a flush, then up to fanIn
// times as much per class. Merged runs are fanIn times the size of their
// inputs, so classes absorb the variation in flush sizes.
func (x *hindex) tier(r *run) int {
	t := 0
	for n := x.opts.flushEntries / 2; r.count >= n; n *= x.opts.fanIn {
		t++
	}
	return t
}

// mergeRuns merges runs, one group at a time: runs whose events are all
// older than the retention floor are replaced by empty ones, adjacent
// empty runs become one, and fanIn runs of one tier with only smaller runs
// between them become one (dropping dead entries), unless the result would
// be too large.
func (x *hindex) mergeRuns() error {
	for {
		select {
		case <-x.stop:
			return nil
		default:
		}
		x.mu.RLock()
		runs := slices.Clone(x.runs)
		x.mu.RUnlock()
		floor := x.floor.Load()
		i, j := -1, -1
		for k, r := range runs {
			if r.count > 0 && r.maxT < floor {
				i, j = k, k+1
				break
			}
			if k > 0 && r.count == 0 && runs[k-1].count == 0 {
				i, j = k-1, k+1
				break
			}
		}
		if i < 0 {
			i, j = x.pickMerge(runs)
		}
		if i < 0 {
			return nil
		}
		if err := x.mergeRange(runs[i:j], floor); err != nil {
			return err
		}
	}
}

// pickMerge chooses runs to merge, smallest tier first: the newest fanIn
// runs of a tier with only smaller runs between them, which the merge
// absorbs.
func (x *hindex) pickMerge(runs []*run) (int, int) {
	tiers := make([]int, len(runs))
	top := 0
	for k, r := range runs {
		tiers[k] = x.tier(r)
		top = max(top, tiers[k])
	}
	for t := 0; t <= top; t++ {
		found, end, total := 0, -1, 0
		for k := len(runs) - 1; k >= 0; k-- {
			if tiers[k] > t {
				found, end, total = 0, -1, 0
				continue
			}
			if end >= 0 {
				total += runs[k].count
			}
			if tiers[k] < t || runs[k].count == 0 {
				continue
			}
			if end < 0 {
				end, total = k, runs[k].count
			}
			if found++; found == x.opts.fanIn {
				if total <= x.opts.maxMerge {
					return k, end + 1
				}
				found, end, total = 0, -1, 0
			}
		}
	}
	return -1, -1
}

// mergeRange replaces adjacent runs by one.
func (x *hindex) mergeRange(runs []*run, floor int64) error {
	w, err := newRunWriter(x.dir, runs[0].lo, runs[len(runs)-1].hi)
	if err != nil {
		return fmt.Errorf("writing a lookup index run: %w", err)
	}
	var srcs []entrySource
	for _, r := range runs {
		if r.count > 0 && r.maxT >= floor {
			srcs = append(srcs, r.reader())
		}
	}
	if err := mergeInto(w, srcs, floor); err != nil {
		w.abort()
		return err
	}
	merged, err := w.finish()
	if err != nil {
		return err
	}
	x.mu.Lock()
	i := slices.Index(x.runs, runs[0])
	if i < 0 || len(x.runs) < i+len(runs) || x.runs[i+len(runs)-1] != runs[len(runs)-1] {
		x.mu.Unlock()
		panic("eventstore: lookup index runs replaced under the maintainer")
	}
	x.runs = slices.Replace(x.runs, i, i+len(runs), merged)
	x.mu.Unlock()
	// No reader holds the old runs: they took them under mu.
	for _, r := range runs {
		r.close()
		if r.path != merged.path {
			os.Remove(r.path)
		}
	}
	return nil
}

// setFloor records the retention floor and has the maintainer drop the
// entries below it.
func (x *hindex) setFloor(t time.Time) {
	us := t.UnixMicro()
	for {
		old := x.floor.Load()
		if us <= old || x.floor.CompareAndSwap(old, us) {
			break
		}
	}
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// entrySource is a stream of entries in order.
type entrySource interface {
	next() (entry, bool, error)
}

type sliceSource struct {
	entries []entry
}

func (s *sliceSource) next() (entry, bool, error) {
	if len(s.entries) == 0 {
		return entry{}, false, nil
	}
	e := s.entries[0]
	s.entries = s.entries[1:]
	return e, true, nil
}

type mergeItem struct {
	e   entry
	src entrySource
}

// mergeInto writes the entries of srcs, in order, to w, leaving out those
// of events older than floor (Unix microseconds).
func mergeInto(w *runWriter, srcs []entrySource, floor int64) error {
	h := make([]mergeItem, 0, len(srcs))
	for _, s := range srcs {
		e, ok, err := s.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, mergeItem{e, s})
		}
	}
	// A binary min-heap on the entries.
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && lessEntry(h[r].e, h[l].e) {
				l = r
			}
			if !lessEntry(h[l].e, h[i].e) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		if h[0].e.micros() >= floor {
			w.add(h[0].e)
		}
		e, ok, err := h[0].src.next()
		if err != nil {
			return err
		}
		if ok {
			h[0].e = e
		} else {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return nil
}

// findQuery is what a lookup reads of the index.
type findQuery struct {
	keys  []uint64
	start entry  // t and s: the first position wanted (inclusive)
	stopT uint64 // entries with a larger time code are too old
	upTo  int64  // the highest sequence number visible
	n     int
}

// find returns the first n entries of any of q.keys from q.start on, in
// Lookup's order. It reads the memtable, then the runs newest first (by
// their newest event), and stops when the runs left hold only events older
// than the n it has; runs whose Bloom filter rules the keys out, or whose
// events are all outside the time range, are skipped.
func (x *hindex) find(q findQuery) ([]entry, error) {
	if floor := x.floor.Load(); floor != 0 {
		q.stopT = min(q.stopT, timeCode(time.UnixMicro(floor)))
	}
	var out []entry
	settle := func() {
		slices.SortFunc(out, cmpOrder)
		out = slices.CompactFunc(out, func(a, b entry) bool { return a.t == b.t && a.s == b.s })
		if len(out) > q.n {
			out = out[:q.n]
		}
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, c := range x.mem {
		if c.lo >= q.upTo {
			break
		}
		for _, key := range q.keys {
			out = c.collect(entry{key: key, t: q.start.t, s: q.start.s}, q.stopT, q.upTo, q.n, out)
		}
	}
	settle()
	runs := make([]*run, 0, len(x.runs))
	for _, r := range x.runs {
		// Skipped: empty, all older than the range, all newer than its start.
		if r.count > 0 && timeCode(time.UnixMicro(r.maxT)) <= q.stopT && timeCode(time.UnixMicro(r.minT)) >= q.start.t {
			runs = append(runs, r)
		}
	}
	slices.SortFunc(runs, func(a, b *run) int { return cmpInt(b.maxT, a.maxT) })
	for _, r := range runs {
		if len(out) == q.n && out[q.n-1].micros() > r.maxT {
			break
		}
		for _, key := range q.keys {
			if !r.mayHave(key) {
				continue
			}
			var err error
			if out, err = r.collect(entry{key: key, t: q.start.t, s: q.start.s}, q.stopT, q.upTo, q.n, out); err != nil {
				return nil, err
			}
		}
		settle()
	}
	return out, nil
}

// collect is run.collect for a chunk.
func (c *chunk) collect(start entry, stopT uint64, upTo int64, n int, out []entry) []entry {
	if !c.sorted {
		var found []entry
		for _, e := range c.entries {
			if e.key == start.key && cmpEntry(e, start) >= 0 && e.t <= stopT && e.seq() <= upTo {
				found = append(found, e)
			}
		}
		slices.SortFunc(found, cmpEntry)
		return append(out, found[:min(n, len(found))]...)
	}
	got := 0
	for i := sort.Search(len(c.entries), func(i int) bool { return cmpEntry(c.entries[i], start) >= 0 }); i < len(c.entries) && got < n; i++ {
		e := c.entries[i]
		if e.key != start.key || e.t > stopT {
			break
		}
		if e.seq() > upTo {
			continue
		}
		out = append(out, e)
		got++
	}
	return out
}
