package lakequery

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/samplequeries"
	"github.com/cairnhq/cairn/internal/store"
)

// findQuery loads a query of the caller's account and Region.
func (s *Service) findQuery(ctx context.Context, sc scope, id string) (*queryRecord, error) {
	var q *queryRecord
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		q, err = getRecord(tx, recordKey(sc.account, sc.region, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, cloudtrail.NewQueryIdNotFoundException("The query ID %s does not exist or its results have expired.", id)
	}
	return q, nil
}

// DescribeQuery reports a query's status and statistics.
func (s *Service) DescribeQuery(ctx context.Context, req *cloudtrail.DescribeQueryRequest) (*cloudtrail.DescribeQueryResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.QueryId == nil {
		return nil, cloudtrail.NewInvalidParameterException("Specify QueryId. (QueryAlias and RefreshId describe dashboard refreshes, and Cairn has no dashboards yet.)")
	}
	q, err := s.findQuery(ctx, sc, *req.QueryId)
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.DescribeQueryResponse{
		QueryId:     ptr(q.ID),
		QueryString: ptr(q.Statement),
		QueryStatus: cloudtrail.QueryStatus(q.Status),
		QueryStatistics: &cloudtrail.QueryStatisticsForDescribeQuery{
			EventsMatched:         ptr(q.Rows),
			EventsScanned:         ptr(q.EventsScanned),
			BytesScanned:          ptr(q.BytesScanned),
			ExecutionTimeInMillis: ptr(int32(min(q.ExecMillis, 1<<31-1))),
			CreationTime:          api.NewTimestamp(q.Created),
		},
	}
	if q.Status == statusRunning && q.Started != nil {
		out.QueryStatistics.ExecutionTimeInMillis = ptr(int32(min(s.now().UTC().Sub(*q.Started).Milliseconds(), 1<<31-1)))
	}
	if q.Error != "" {
		out.ErrorMessage = ptr(q.Error)
	}
	if q.DeliveryURI != "" {
		out.DeliveryS3Uri = ptr(q.DeliveryURI)
		out.DeliveryStatus = cloudtrail.DeliveryStatus(q.DeliveryStatus)
	}
	if q.Owner != "" {
		out.EventDataStoreOwnerAccountId = ptr(q.Owner)
	}
	return out, nil
}

// defaultResultsPage is GetQueryResults' page size when MaxQueryResults is
// not given.
const defaultResultsPage = 1000

// GetQueryResults returns a page of a query's results; a running query's
// pages grow as it runs.
func (s *Service) GetQueryResults(ctx context.Context, req *cloudtrail.GetQueryResultsRequest) (*cloudtrail.GetQueryResultsResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.findQuery(ctx, sc, deref(req.QueryId))
	if err != nil {
		return nil, err
	}
	limit := defaultResultsPage
	if req.MaxQueryResults != nil {
		limit = int(*req.MaxQueryResults)
	}
	var row, offset int64
	if req.NextToken != nil {
		if row, offset, err = decodeResultsToken(*req.NextToken, q.ID); err != nil {
			return nil, err
		}
	}
	out := &cloudtrail.GetQueryResultsResponse{
		QueryStatus:     cloudtrail.QueryStatus(q.Status),
		QueryResultRows: [][]map[string]string{},
	}
	if q.Error != "" {
		out.ErrorMessage = ptr(q.Error)
	}
	total := q.Rows
	if q.Status != statusQueued {
		rows, next, err := s.readPage(q.ID, offset, limit)
		if err != nil {
			return nil, err
		}
		out.QueryResultRows = rows
		got := row + int64(len(rows))
		// A running query may produce more rows: its pages always lead on.
		// A finished one's lead on while rows remain.
		if !terminal(q.Status) || got < total {
			out.NextToken = ptr(encodeResultsToken(q.ID, got, next))
		}
		if total < got {
			total = got
		}
	}
	out.QueryStatistics = &cloudtrail.QueryStatistics{
		ResultsCount:      ptr(int32(len(out.QueryResultRows))),
		TotalResultsCount: ptr(int32(min(total, 1<<31-1))),
		BytesScanned:      ptr(q.BytesScanned),
	}
	return out, nil
}

// readPage reads up to limit rows from byte offset of a results file and
// returns them with the offset after them. Only complete lines count: a
// running query may be writing the next one.
func (s *Service) readPage(id string, offset int64, limit int) ([][]map[string]string, int64, error) {
	f, err := os.Open(s.resultsPath(id))
	if os.IsNotExist(err) {
		return [][]map[string]string{}, offset, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	header, err := br.ReadBytes('\n')
	if err == io.EOF {
		return [][]map[string]string{}, offset, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var columns []string
	if err := json.Unmarshal(header, &columns); err != nil {
		return nil, 0, fmt.Errorf("lakequery: results of %s: %w", id, err)
	}
	if offset == 0 {
		offset = int64(len(header))
	} else if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, 0, err
	} else {
		br.Reset(f)
	}
	out := [][]map[string]string{}
	for len(out) < limit {
		line, err := br.ReadBytes('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		var vals []*string
		if err := json.Unmarshal(line, &vals); err != nil {
			return nil, 0, fmt.Errorf("lakequery: results of %s: %w", id, err)
		}
		row := make([]map[string]string, len(columns))
		for i, c := range columns {
			v := ""
			if i < len(vals) && vals[i] != nil {
				v = *vals[i]
			}
			row[i] = map[string]string{c: v}
		}
		out = append(out, row)
		offset += int64(len(line))
	}
	return out, offset, nil
}

func encodeResultsToken(id string, row, offset int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("r:%s:%d:%d", id, row, offset)))
}

func decodeResultsToken(token, id string) (row, offset int64, err error) {
	raw, derr := base64.RawURLEncoding.DecodeString(token)
	parts := strings.Split(string(raw), ":")
	if derr == nil && len(parts) == 4 && parts[0] == "r" && parts[1] == id {
		row, e1 := strconv.ParseInt(parts[2], 10, 64)
		offset, e2 := strconv.ParseInt(parts[3], 10, 64)
		if e1 == nil && e2 == nil && row >= 0 && offset >= 0 {
			return row, offset, nil
		}
	}
	return 0, 0, cloudtrail.NewInvalidNextTokenException("The NextToken %s is not valid for query %s.", token, id)
}

// CancelQuery stops a queued or running query.
func (s *Service) CancelQuery(ctx context.Context, req *cloudtrail.CancelQueryRequest) (*cloudtrail.CancelQueryResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.findQuery(ctx, sc, deref(req.QueryId))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	r := s.active[q.ID]
	s.mu.Unlock()
	if terminal(q.Status) || r == nil {
		return nil, cloudtrail.NewInactiveQueryException(
			"The query %s is %s and cannot be cancelled.", q.ID, q.Status)
	}
	r.cancel(errCancelled)
	out := &cloudtrail.CancelQueryResponse{QueryId: ptr(q.ID), QueryStatus: cloudtrail.QueryStatusCancelled}
	if q.Owner != "" {
		out.EventDataStoreOwnerAccountId = ptr(q.Owner)
	}
	return out, nil
}

// defaultListPage is ListQueries' page size when MaxResults is not given.
const defaultListPage = 1000

// ListQueries lists the queries of the last seven days that read an event
// data store, newest first.
func (s *Service) ListQueries(ctx context.Context, req *cloudtrail.ListQueriesRequest) (*cloudtrail.ListQueriesResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.StartTime != nil && req.EndTime != nil && req.StartTime.After(req.EndTime.Time) {
		return nil, cloudtrail.NewInvalidDateRangeException("StartTime must not be after EndTime.")
	}
	storeARN, err := s.cfg.Relations.StoreARN(ctx, deref(req.EventDataStore))
	if err != nil {
		return nil, err
	}
	limit := defaultListPage
	if req.MaxResults != nil {
		limit = int(*req.MaxResults)
	}
	var matches []*queryRecord
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		return tx.Scan(queryBucket, recordKey(sc.account, sc.region, ""), "", func(_ string, raw []byte) error {
			q := new(queryRecord)
			if err := json.Unmarshal(raw, q); err != nil {
				return err
			}
			if !slices.Contains(q.Stores, storeARN) || (req.QueryStatus != "" && q.Status != string(req.QueryStatus)) {
				return nil
			}
			if (req.StartTime != nil && q.Created.Before(req.StartTime.Time)) || (req.EndTime != nil && q.Created.After(req.EndTime.Time)) {
				return nil
			}
			matches = append(matches, q)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(matches, func(i, j int) bool {
		if !matches[i].Created.Equal(matches[j].Created) {
			return matches[i].Created.After(matches[j].Created)
		}
		return matches[i].ID < matches[j].ID
	})
	start := 0
	if req.NextToken != nil {
		start = -1
		raw, err := base64.RawURLEncoding.DecodeString(*req.NextToken)
		if err == nil {
			for i, q := range matches {
				if q.ID == string(raw) {
					start = i + 1
				}
			}
		}
		if start < 0 {
			return nil, cloudtrail.NewInvalidNextTokenException("The NextToken %s is not valid.", *req.NextToken)
		}
	}
	out := &cloudtrail.ListQueriesResponse{Queries: []cloudtrail.Query{}}
	for _, q := range matches[start:] {
		if len(out.Queries) == limit {
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(*out.Queries[len(out.Queries)-1].QueryId)))
			break
		}
		out.Queries = append(out.Queries, cloudtrail.Query{QueryId: ptr(q.ID), QueryStatus: cloudtrail.QueryStatus(q.Status), CreationTime: api.NewTimestamp(q.Created)})
	}
	return out, nil
}

// SearchSampleQueries searches Cairn's sample queries.
func (s *Service) SearchSampleQueries(ctx context.Context, req *cloudtrail.SearchSampleQueriesRequest) (*cloudtrail.SearchSampleQueriesResponse, error) {
	results := samplequeries.Search(deref(req.SearchPhrase))
	limit := 10
	if req.MaxResults != nil {
		limit = int(*req.MaxResults)
	}
	start := 0
	if req.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*req.NextToken)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(raw), "s:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(raw), "s:") || n < 0 || n > len(results) {
			return nil, cloudtrail.NewInvalidParameterException("The NextToken %s is not valid.", *req.NextToken)
		}
		start = n
	}
	out := &cloudtrail.SearchSampleQueriesResponse{SearchResults: []cloudtrail.SearchSampleQueriesSearchResult{}}
	end := min(len(results), start+limit)
	for _, r := range results[start:end] {
		out.SearchResults = append(out.SearchResults, cloudtrail.SearchSampleQueriesSearchResult{
			Name: ptr(r.Name), Description: ptr(r.Description), SQL: ptr(r.SQL), Relevance: ptr(r.Relevance),
		})
	}
	if end < len(results) {
		out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte("s:" + strconv.Itoa(end))))
	}
	return out, nil
}
