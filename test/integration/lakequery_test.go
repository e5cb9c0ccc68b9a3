package integration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/samplequeries"
	"github.com/cairnhq/cairn/internal/testenv"
)

// runQuery starts a query and waits for it to end; it returns the query ID
// and its final description.
func runQuery(t *testing.T, ct *cloudtrail.Client, statement string) (string, *cloudtrail.DescribeQueryOutput) {
	t.Helper()
	started, err := ct.StartQuery(t.Context(), &cloudtrail.StartQueryInput{QueryStatement: aws.String(statement)})
	must(t, err, "StartQuery "+statement)
	return *started.QueryId, waitQuery(t, ct, *started.QueryId)
}

func waitQuery(t *testing.T, ct *cloudtrail.Client, id string) *cloudtrail.DescribeQueryOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := ct.DescribeQuery(t.Context(), &cloudtrail.DescribeQueryInput{QueryId: aws.String(id)})
		must(t, err, "DescribeQuery")
		switch d.QueryStatus {
		case types.QueryStatusQueued, types.QueryStatusRunning:
		default:
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s still %s after 30 s", id, d.QueryStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// allRows reads every page of a query's results, as "col=value" cells.
func allRows(t *testing.T, ct *cloudtrail.Client, id string, pageSize int32) [][]string {
	t.Helper()
	var out [][]string
	var token *string
	for {
		page, err := ct.GetQueryResults(t.Context(), &cloudtrail.GetQueryResultsInput{QueryId: aws.String(id), NextToken: token, MaxQueryResults: aws.Int32(pageSize)})
		must(t, err, "GetQueryResults")
		if int(*page.QueryStatistics.ResultsCount) != len(page.QueryResultRows) {
			t.Fatalf("ResultsCount %d for a page of %d rows", *page.QueryStatistics.ResultsCount, len(page.QueryResultRows))
		}
		for _, row := range page.QueryResultRows {
			var cells []string
			for _, col := range row {
				if len(col) != 1 {
					t.Fatalf("a result column is not a single-entry map: %v", col)
				}
				for k, v := range col {
					cells = append(cells, k+"="+v)
				}
			}
			out = append(out, cells)
		}
		if page.NextToken == nil {
			return out
		}
		token = page.NextToken
	}
}

func TestLakeQuery_EndToEnd(t *testing.T) {
	dir := t.TempDir() + "/data"
	srv := testenv.Start(t, testenv.WithDataDir(dir))
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()
	store, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("mgmt")})
	must(t, err, "CreateEventDataStore")
	id := (*store.EventDataStoreArn)[strings.LastIndexByte(*store.EventDataStoreArn, '/')+1:]
	for _, name := range []string{"t-one", "t-two", "t-three"} {
		_, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
		wantAPIError(t, err, "TrailNotFoundException", 404)
	}
	_, err = ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	must(t, err, "ListTrails")

	qid, d := runQuery(t, ct, "SELECT eventName, count(*) AS calls, min(errorCode) FROM "+id+" WHERE eventSource = 'cloudtrail.amazonaws.com' GROUP BY eventName ORDER BY eventName")
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("query %s: %s %s", qid, d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	rows := allRows(t, ct, qid, 1)
	want := [][]string{
		{"eventName=CreateEventDataStore", "calls=1", "_col2="}, // recorded after the store exists
		{"eventName=GetTrail", "calls=3", "_col2=TrailNotFoundException"},
		{"eventName=ListTrails", "calls=1", "_col2="},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("rows = %v, want %v", rows, want)
	}
	if *d.QueryStatistics.EventsScanned < 4 || *d.QueryStatistics.BytesScanned <= 0 || d.QueryStatistics.CreationTime == nil {
		t.Errorf("statistics = %+v", d.QueryStatistics)
	}

	// Lake's conveniences: timestamps against string literals, struct
	// dereference, element_at on maps, unaliased expressions.
	qid, d = runQuery(t, ct, `SELECT eventTime, userIdentity.accountId, element_at(requestParameters, 'name') FROM `+id+
		` WHERE eventTime > '2020-01-01 00:00:00' AND eventName = 'GetTrail' ORDER BY element_at(requestParameters, 'name')`)
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("%s: %s", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	rows = allRows(t, ct, qid, 1000)
	if len(rows) != 3 || rows[0][1] != "accountId="+accountA || rows[0][2] != "_col2=t-one" || !strings.HasPrefix(rows[0][0], "eventTime=20") || len(rows[0][0]) != len("eventTime=2026-11-21 10:00:00.000") {
		t.Fatalf("rows = %v", rows)
	}

	// Errors answered at StartQuery.
	for statement, code := range map[string]string{
		"DELETE FROM " + id:                                          "InvalidQueryStatementException",
		"SELECT eventName FROM FROM " + id:                           "InvalidQueryStatementException",
		"SELECT nosuchcolumn FROM " + id:                             "InvalidQueryStatementException",
		"SELECT eventName FROM 00000000-0000-4000-8000-000000000000": "InvalidQueryStatementException",
		"SELECT 1": "InvalidQueryStatementException",
	} {
		_, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(statement)})
		checkAPIError(t, err, code, 400)
	}
	_, err = ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantAPIError(t, err, "QueryIdNotFoundException", 404)
	_, err = ct.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: aws.String(qid), MaxQueryResults: aws.Int32(1001)})
	wantAPIError(t, err, "InvalidMaxResultsException", 400)
	_, err = ct.GetQueryResults(ctx, &cloudtrail.GetQueryResultsInput{QueryId: aws.String(qid), NextToken: aws.String("bogus-token")})
	wantAPIError(t, err, "InvalidNextTokenException", 400)
	_, err = ct.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(qid)})
	wantAPIError(t, err, "InactiveQueryException", 400)
	_, err = srv.CloudTrail(accountB, usEast1).DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String(qid)})
	wantAPIError(t, err, "QueryIdNotFoundException", 404)

	list, err := ct.ListQueries(ctx, &cloudtrail.ListQueriesInput{EventDataStore: store.EventDataStoreArn})
	must(t, err, "ListQueries")
	if len(list.Queries) != 2 || *list.Queries[0].QueryId != qid {
		t.Fatalf("ListQueries = %+v", list.Queries)
	}

	// Results and records survive a restart.
	srv.Stop()
	srv = testenv.Start(t, testenv.WithDataDir(dir))
	ct = srv.CloudTrail(accountA, usEast1)
	if again := allRows(t, ct, qid, 2); len(again) != 3 {
		t.Fatalf("after restart %d rows", len(again))
	}
}

// slowQuery never finishes in a test's time: ten billion rows.
func slowQuery(storeID string) string {
	return "SELECT count(*) FROM " + storeID + ", UNNEST(sequence(1, 100000)) AS a(x), UNNEST(sequence(1, 100000)) AS b(y) WHERE (x * y) % 7 = 3"
}

func lakeQueryServer(t *testing.T, opts ...testenv.Option) (*cloudtrail.Client, string) {
	t.Helper()
	srv := testenv.Start(t, opts...)
	ct := srv.CloudTrail(accountA, usEast1)
	store, err := ct.CreateEventDataStore(t.Context(), &cloudtrail.CreateEventDataStoreInput{Name: aws.String("mgmt")})
	must(t, err, "CreateEventDataStore")
	_, _ = ct.ListTrails(t.Context(), &cloudtrail.ListTrailsInput{})
	return ct, (*store.EventDataStoreArn)[strings.LastIndexByte(*store.EventDataStoreArn, '/')+1:]
}

func TestLakeQuery_Timeout(t *testing.T) {
	ct, id := lakeQueryServer(t, testenv.WithQueryTimeout(time.Second))
	_, d := runQuery(t, ct, slowQuery(id))
	if d.QueryStatus != types.QueryStatusTimedOut || d.ErrorMessage == nil {
		t.Fatalf("slow query ended %s (%s)", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
}

func TestLakeQuery_CancelAndConcurrency(t *testing.T) {
	ct, id := lakeQueryServer(t)
	ctx := t.Context()
	var ids []string
	for range 10 {
		out, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(slowQuery(id))})
		must(t, err, "StartQuery")
		ids = append(ids, *out.QueryId)
	}
	_, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(slowQuery(id))})
	wantAPIError(t, err, "MaxConcurrentQueriesException", 429)
	for _, q := range ids {
		out, err := ct.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(q)})
		must(t, err, "CancelQuery")
		if out.QueryStatus != types.QueryStatusCancelled {
			t.Fatalf("CancelQuery status %s", out.QueryStatus)
		}
	}
	for _, q := range ids {
		if d := waitQuery(t, ct, q); d.QueryStatus != types.QueryStatusCancelled {
			t.Fatalf("cancelled query ended %s", d.QueryStatus)
		}
	}
	_, err = ct.CancelQuery(ctx, &cloudtrail.CancelQueryInput{QueryId: aws.String(ids[0])})
	wantAPIError(t, err, "InactiveQueryException", 400)
	_, d := runQuery(t, ct, "SELECT count(*) AS n FROM "+id)
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("after cancelling: %s", d.QueryStatus)
	}
}

// Stores of Insights and Config events have Lake's schemas for them.
func TestLakeQuery_OtherStoreSchemas(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	for category, column := range map[string]string{"Insight": "insightcontext", "ConfigurationItem": "eventdata.resourcetype", "Evidence": "eventdata.controlname"} {
		out, err := ct.CreateEventDataStore(t.Context(), &cloudtrail.CreateEventDataStoreInput{Name: aws.String(strings.ToLower(category)),
			AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{category}}}}}})
		must(t, err, "CreateEventDataStore "+category)
		id := storeID(*out.EventDataStoreArn)
		qid, d := runQuery(t, ct, "SELECT eventid, "+column+" FROM "+id)
		if d.QueryStatus != types.QueryStatusFinished {
			t.Fatalf("%s: %s %s", category, d.QueryStatus, aws.ToString(d.ErrorMessage))
		}
		if rows := allRows(t, ct, qid, 10); len(rows) != 0 {
			t.Errorf("%s store: %v", category, rows)
		}
		_, err = ct.StartQuery(t.Context(), &cloudtrail.StartQueryInput{QueryStatement: aws.String("SELECT useridentity FROM " + id)})
		checkAPIError(t, err, "InvalidQueryStatementException", 400)
	}
}

// Every sample query SearchSampleQueries offers runs, by its QueryAlias,
// on a store of the kind it is written for.
func TestLakeQuery_SampleQueriesRunByAlias(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	stores := map[string]string{}
	for kind, category := range map[string]string{"cloudtrail": "Management", "activity": "ActivityAuditLog", "insight": "Insight", "config": "ConfigurationItem"} {
		out, err := ct.CreateEventDataStore(t.Context(), &cloudtrail.CreateEventDataStoreInput{Name: aws.String(kind),
			AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
				{Field: aws.String("eventCategory"), Equals: []string{category}}}}}})
		must(t, err, "CreateEventDataStore "+kind)
		stores[kind] = storeID(*out.EventDataStoreArn)
	}
	_, err := ct.StartQuery(t.Context(), &cloudtrail.StartQueryInput{QueryAlias: aws.String("no-such-alias"), QueryParameters: []string{stores["cloudtrail"]}})
	wantAPIError(t, err, "InvalidParameterException", 400)
	for _, q := range samplequeries.All() {
		ran := false
		var lastErr error
		for _, kind := range []string{"cloudtrail", "activity", "insight", "config"} {
			started, err := ct.StartQuery(t.Context(), &cloudtrail.StartQueryInput{QueryAlias: aws.String(q.Alias), QueryParameters: []string{stores[kind]}})
			if err != nil {
				lastErr = err
				continue
			}
			d := waitQuery(t, ct, *started.QueryId)
			if d.QueryStatus != types.QueryStatusFinished {
				t.Errorf("%s (%s) on the %s store: %s %s", q.Name, q.Alias, kind, d.QueryStatus, aws.ToString(d.ErrorMessage))
			}
			if *d.QueryString != strings.ReplaceAll(q.SQL, "$EDS_ID", stores[kind]) {
				t.Errorf("%s: QueryString %q", q.Name, *d.QueryString)
			}
			ran = true
			break
		}
		if !ran {
			t.Errorf("sample %q (%s) runs on no kind of store: %v", q.Name, q.Alias, lastErr)
		}
	}
}

// TestLakeQuery_AfterIdleRelease: a server idle for a few seconds gives
// memory back (DuckDB's limit lowered for a moment, then set back), and
// Lake queries and recording work as before afterwards.
func TestLakeQuery_AfterIdleRelease(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	store, err := ct.CreateEventDataStore(t.Context(), &cloudtrail.CreateEventDataStoreInput{Name: aws.String("mgmt")})
	must(t, err, "CreateEventDataStore")
	id := (*store.EventDataStoreArn)[strings.LastIndexByte(*store.EventDataStoreArn, '/')+1:]
	for range 20 {
		_, err := ct.ListTrails(t.Context(), &cloudtrail.ListTrailsInput{})
		must(t, err, "ListTrails")
	}
	deadline := time.Now().Add(20 * time.Second)
	for srv.IdleReleases() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle server never gave memory back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	qid, d := runQuery(t, ct, "SELECT eventName, count(*) AS n FROM "+id+" WHERE eventName = 'ListTrails' GROUP BY eventName")
	if d.QueryStatus != types.QueryStatusFinished {
		t.Fatalf("query after the release: %s (%v)", d.QueryStatus, aws.ToString(d.ErrorMessage))
	}
	rows := allRows(t, ct, qid, 10)
	if len(rows) != 1 || !slices.Contains(rows[0], "n=20") {
		t.Fatalf("rows after the release: %v, want ListTrails counted 20 times", rows)
	}
}
