package lakequery

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/fsutil"
	"github.com/cairnhq/cairn/internal/lakesql"
	"github.com/cairnhq/cairn/internal/queryresults"
)

var (
	errShutdown  = errors.New("Cairn is shutting down")
	errCancelled = errors.New("cancelled by CancelQuery")
)

func (s *Service) worker() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case r := <-s.queue:
			s.execute(r)
		}
	}
}

// execute runs one query to its end and records how it ended.
func (s *Service) execute(r *run) {
	defer s.forget(r)
	ctx := context.Background()
	if r.ctx.Err() != nil { // cancelled while queued
		s.finish(ctx, r, statusCancelled, "", 0, nil)
		return
	}
	started := s.now().UTC()
	if err := s.update(ctx, r.account, r.region, r.id, func(q *queryRecord) {
		q.Status = statusRunning
		q.Started = &started
	}); err != nil {
		s.finish(ctx, r, statusFailed, "Cairn could not record that the query started: "+err.Error(), 0, nil)
		return
	}
	runCtx, cancel := context.WithTimeout(r.ctx, s.cfg.Timeout)
	defer cancel()
	rows, columns, stats, err := s.stream(runCtx, r)
	status, message := statusFinished, ""
	switch {
	case err == nil:
	case errors.Is(context.Cause(r.ctx), errCancelled):
		status = statusCancelled
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		status, message = statusTimedOut, fmt.Sprintf("The query ran longer than %s and was stopped; the results produced until then can be read.", s.cfg.Timeout)
	case errors.Is(context.Cause(r.ctx), errShutdown):
		status, message = statusFailed, "The query was interrupted: Cairn stopped while it was running. Start it again."
	default:
		status, message = statusFailed, queryFailure(err)
	}
	exec := s.now().UTC().Sub(started)
	if status != statusFinished {
		stats = scanStats{}
	}
	s.finish(ctx, r, status, message, rows, func(q *queryRecord) {
		q.ExecMillis = exec.Milliseconds()
		q.EventsScanned, q.BytesScanned = stats.events, stats.bytes
	})
	if status == statusFinished && r.delivery != "" {
		s.deliver(ctx, r, columns)
	}
}

func (s *Service) finish(ctx context.Context, r *run, status, message string, rows int64, more func(*queryRecord)) {
	now := s.now().UTC()
	_ = s.update(ctx, r.account, r.region, r.id, func(q *queryRecord) {
		q.Status = status
		q.Error = message
		q.Finished = &now
		q.Rows = rows
		if q.DeliveryURI != "" && status != statusFinished {
			// Only finished queries' results are delivered.
			q.DeliveryStatus = string(cloudtrail.DeliveryStatusCancelled)
		}
		if more != nil {
			more(q)
		}
	})
}

// queryFailure phrases a run-time error for ErrorMessage (4-1000 chars).
func queryFailure(err error) string {
	msg := err.Error()
	if len(msg) > 1000 {
		msg = msg[:997] + "..."
	}
	if len(msg) < 4 {
		msg = "Query failed: " + msg
	}
	return msg
}

// scanStats are the events, and the bytes of their records, in the
// stores a query read.
type scanStats struct{ events, bytes int64 }

// stream runs the query and writes its rows to the results file as they
// come, flushing every so often so that GetQueryResults sees a running
// query's rows; the file is synced before the query counts as finished.
// Over the same events it then counts what the query scanned; a failure
// of that count leaves the statistics zero and the query finished.
func (s *Service) stream(ctx context.Context, r *run) (int64, []string, scanStats, error) {
	var stats scanStats
	f, err := os.OpenFile(s.resultsPath(r.id), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, nil, stats, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	var n int64
	var columns []string
	streamed := false
	err = s.cfg.Engine.QueryEach(ctx, []func(string) string{r.build, r.statsBuild}, func(i int, rows *sql.Rows) error {
		if i == 1 {
			for rows.Next() {
				var events, bytes sql.NullInt64
				if rows.Scan(&events, &bytes) == nil {
					stats = scanStats{events.Int64, bytes.Int64}
				}
			}
			return nil
		}
		var err error
		if columns, err = rows.Columns(); err != nil {
			return err
		}
		types, err := rows.ColumnTypes()
		if err != nil {
			return err
		}
		render := make([]func(any) *string, len(types))
		for i, t := range types {
			render[i] = lakesql.Renderer(t.DatabaseTypeName())
		}
		header, _ := json.Marshal(columns)
		w.Write(header)
		w.WriteByte('\n')
		vals := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		out := make([]*string, len(columns))
		lastFlush := time.Now()
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for i, v := range vals {
				out[i] = render[i](v)
			}
			line, err := json.Marshal(out)
			if err != nil {
				return err
			}
			w.Write(line)
			w.WriteByte('\n')
			n++
			if time.Since(lastFlush) > 200*time.Millisecond {
				if err := w.Flush(); err != nil {
					return err
				}
				s.setRows(r, n)
				lastFlush = time.Now()
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		streamed = true
		return nil
	})
	if err != nil && streamed {
		err, stats = nil, scanStats{} // only the count failed
	}
	if ferr := w.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		if mapped := r.translated.MapDuckDBError(err); mapped != nil && ctx.Err() == nil {
			err = mapped
		}
		return n, columns, stats, err
	}
	if err := f.Sync(); err != nil {
		return n, columns, stats, err
	}
	if err := fsutil.SyncDir(s.cfg.Dir); err != nil {
		return n, columns, stats, err
	}
	return n, columns, stats, nil
}

// setRows records how many rows a running query has produced so far.
func (s *Service) setRows(r *run, n int64) {
	_ = s.update(context.Background(), r.account, r.region, r.id, func(q *queryRecord) { q.Rows = n })
}

// statsBuild makes the query that counts the events, and the bytes of
// their records, in the stores the query read.
func (r *run) statsBuild(events string) string {
	var parts []string
	for _, rel := range r.relations {
		parts = append(parts, "SELECT n, b FROM "+rel.StatsSQL(events))
	}
	return "SELECT sum(n), sum(b) FROM (" + strings.Join(parts, " UNION ALL ") + ")"
}

// deliver writes the results to DeliveryS3Uri and records the outcome.
func (s *Service) deliver(ctx context.Context, r *run, columns []string) {
	status := cloudtrail.DeliveryStatusSuccess
	_, err := queryresults.Deliver(ctx, s.cfg.Objects, s.cfg.Signer, queryresults.Delivery{
		URI: r.delivery, Account: r.account, Region: r.region, QueryID: r.id,
		Completed: s.now().UTC(), Columns: columns, Rows: s.resultRows(r.id),
	})
	if err != nil {
		status = cloudtrail.DeliveryStatusFailed
		var signErr *queryresults.SigningError
		if errors.As(err, &signErr) {
			status = cloudtrail.DeliveryStatusFailedSigningFile
		}
	}
	_ = s.update(ctx, r.account, r.region, r.id, func(q *queryRecord) { q.DeliveryStatus = string(status) })
}

// resultRows reads a query's results file row by row.
func (s *Service) resultRows(id string) iter.Seq2[[]*string, error] {
	return func(yield func([]*string, error) bool) {
		f, err := os.Open(s.resultsPath(id))
		if err != nil {
			yield(nil, err)
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for first := true; sc.Scan(); first = false {
			if first { // the column names
				continue
			}
			var row []*string
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				yield(nil, err)
				return
			}
			if !yield(row, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(nil, err)
		}
	}
}
