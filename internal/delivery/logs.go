package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/selectors"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/trails"
)

// logContentType is the Content-Type of delivered log and digest files.
const logContentType = "application/x-gzip"

// deliverLogs carries out a pending intent, or plans and carries out a new
// one when the trail's interval has passed.
func (m *Manager) deliverLogs(ctx context.Context, t trails.DeliveryTrail, st *trailState, run *trailRun, now time.Time) error {
	if st.Intent != nil {
		if st.Intent.Trail.Bucket != t.Bucket || st.Intent.Trail.KeyPrefix != t.KeyPrefix {
			// The trail moved to another bucket: plan again for the new one.
			st.Intent = nil
		} else {
			return m.execute(ctx, st, now)
		}
	}
	if now.Sub(run.lastLogPass) < m.o.Interval {
		return nil
	}
	last, err := m.o.Events.LastSeq(ctx)
	if err != nil {
		return err
	}
	if last <= st.Cursor {
		run.lastLogPass = now
		return nil
	}
	if !t.Logging && (t.StartLoggingTime.IsZero() || (!run.lastLogPass.IsZero() && t.StopLoggingTime.Before(run.lastLogPass.Add(-time.Second)))) {
		// Nothing after the stop is delivered, and a complete pass has
		// already run since it: skip ahead without reading.
		st.Cursor = last
		run.lastLogPass = now
		return m.save(ctx, t.ARN, st)
	}
	run.lastLogPass = now
	st.Intent = &logIntent{From: st.Cursor, To: min(last, st.Cursor+planEvents), Time: now.UTC(), Trail: snapshotOf(t)}
	if err := m.save(ctx, t.ARN, st); err != nil {
		return err
	}
	if err := m.execute(ctx, st, now); err != nil {
		return err
	}
	if st.Cursor < last {
		// More than one intent's worth is waiting: continue at once.
		run.lastLogPass = time.Time{}
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

type readResult struct {
	events []Event
	err    error
}

// readAhead sends the events of the intent's range in chunks, then closes
// out.
func (m *Manager) readAhead(ctx context.Context, in *logIntent, out chan<- readResult) {
	defer close(out)
	after := in.From
	for after < in.To {
		evs, err := m.o.Events.ReadFrom(ctx, after, min(readChunk, int(in.To-after)))
		if err != nil {
			select {
			case out <- readResult{err: err}:
			case <-ctx.Done():
			}
			return
		}
		if len(evs) == 0 {
			return
		}
		n := len(evs)
		for n > 0 && evs[n-1].Seq > in.To {
			n--
		}
		if n > 0 {
			after = evs[n-1].Seq
			select {
			case out <- readResult{events: evs[:n]}:
			case <-ctx.Done():
				return
			}
		}
		if n < len(evs) {
			return
		}
	}
}

// logFile accumulates one log file's records.
type logFile struct {
	region         string
	index          int
	raw            bytes.Buffer
	count          int
	oldest, newest time.Time
}

func (f *logFile) add(e *Event) {
	if f.count == 0 {
		f.raw.WriteString(`{"Records":[`)
		f.oldest, f.newest = e.EventTime, e.EventTime
	} else {
		f.raw.WriteByte(',')
	}
	f.raw.Write(e.JSON)
	f.count++
	if e.EventTime.Before(f.oldest) {
		f.oldest = e.EventTime
	}
	if e.EventTime.After(f.newest) {
		f.newest = e.EventTime
	}
}

// execute writes the log files of st.Intent and commits it.
func (m *Manager) execute(ctx context.Context, st *trailState, now time.Time) error {
	in := st.Intent
	s := &in.Trail
	open := map[string]*logFile{}
	var order []string
	// Files are compressed and written by up to two goroutines while the
	// next events are read and filtered.
	var (
		mu       sync.Mutex
		written  []logFileEntry
		firstErr error
		writers  sync.WaitGroup
		slots    = make(chan struct{}, 2)
	)
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return firstErr != nil }
	flush := func(f *logFile) {
		f.raw.WriteString("]}")
		open[f.region] = &logFile{region: f.region, index: f.index + 1}
		slots <- struct{}{}
		writers.Add(1)
		go func() {
			defer writers.Done()
			defer func() { <-slots }()
			entry, err := m.writeLogFile(ctx, in, f)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			written = append(written, entry)
		}()
	}
	st.LatestDeliveryAttempt = now.UTC()

	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	chunks := make(chan readResult, 2)
	go m.readAhead(readCtx, in, chunks)
read:
	for chunk := range chunks {
		if chunk.err != nil {
			stopReading()
			writers.Wait()
			return chunk.err
		}
		for i := range chunk.events {
			e := &chunk.events[i]
			if !accepts(s, e) {
				continue
			}
			f := open[e.Region]
			if f == nil {
				f = &logFile{region: e.Region}
				open[e.Region] = f
				order = append(order, e.Region)
			}
			f.add(e)
			if f.count >= m.o.MaxFileEvents || f.raw.Len() >= m.o.MaxFileBytes {
				flush(f)
				if failed() {
					break read
				}
			}
		}
	}
	stopReading()
	if !failed() {
		for _, region := range order {
			if f := open[region]; f.count > 0 {
				flush(f)
			}
		}
	}
	writers.Wait()
	slices.SortFunc(written, func(a, b logFileEntry) int { return strings.Compare(a.Key, b.Key) })
	if firstErr != nil {
		st.LatestDeliveryError = errorCode(firstErr)
		if err := m.save(ctx, s.ARN, st); err != nil {
			return err
		}
		return fmt.Errorf("delivering logs of %s: %w", s.ARN, firstErr)
	}
	return m.o.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := loadState(tx, s.ARN)
		if err != nil {
			return err
		}
		if cur == nil {
			return nil // the trail was deleted meanwhile
		}
		cur.Cursor = in.To
		cur.Intent = nil
		cur.LatestDeliveryAttempt = now.UTC()
		cur.LatestDeliveryError = ""
		if len(written) > 0 {
			cur.LatestDeliveryTime = now.UTC()
		}
		if s.LogFileValidation {
			for _, w := range written {
				c := cur.Chains[w.Region]
				if c == nil || !c.Open {
					if !s.Logging {
						continue
					}
					c = &chain{Open: true, Start: now.UTC().Truncate(time.Second)}
					if cur.Chains == nil {
						cur.Chains = map[string]*chain{}
					}
					cur.Chains[w.Region] = c
				}
				c.Pending = append(c.Pending, w)
			}
		}
		*st = *cur
		return saveState(tx, s.ARN, cur)
	})
}

func (m *Manager) writeLogFile(ctx context.Context, in *logIntent, f *logFile) (logFileEntry, error) {
	s := &in.Trail
	key := logKey(s, f.region, in.Time, uniqueString(s.ARN, f.region, itoa(in.From), itoa(in.To), itoa(int64(f.index))))
	gz, err := gzipBytes(f.raw.Bytes())
	if err != nil {
		return logFileEntry{}, err
	}
	if err := m.o.Objects.PutObject(ctx, s.Bucket, key, gz, logContentType, nil); err != nil {
		return logFileEntry{}, err
	}
	sum := sha256.Sum256(f.raw.Bytes())
	return logFileEntry{Region: f.region, Bucket: s.Bucket, Key: key, Hash: hex.EncodeToString(sum[:]), Newest: f.newest.UTC(), Oldest: f.oldest.UTC()}, nil
}

// accepts decides whether the trail in s receives e.
func accepts(s *snapshot, e *Event) bool {
	if e.Account != s.Account || s.StartLoggingTime.IsZero() || e.IngestTime.Before(s.StartLoggingTime) {
		return false
	}
	if !s.Logging {
		at := e.IngestTime
		if !e.EventTime.IsZero() && e.EventTime.Before(at) {
			at = e.EventTime
		}
		if !at.Before(s.StopLoggingTime) {
			return false
		}
	}
	x, err := selectors.Extract(e.JSON)
	if err != nil {
		return false
	}
	global := isGlobalService(x.EventSource, e.Region)
	if global && !s.IncludeGlobalServiceEvents {
		return false
	}
	if !s.MultiRegion && !global && e.Region != s.HomeRegion {
		return false
	}
	return s.Selectors.Match(&x)
}

// globalServices record their events in us-east-1 for every Region.
var globalServices = map[string]bool{
	"iam.amazonaws.com":           true,
	"cloudfront.amazonaws.com":    true,
	"route53.amazonaws.com":       true,
	"waf.amazonaws.com":           true,
	"organizations.amazonaws.com": true,
	"signin.amazonaws.com":        true,
}

func isGlobalService(source, region string) bool {
	return globalServices[source] || (source == "sts.amazonaws.com" && region == "us-east-1")
}
