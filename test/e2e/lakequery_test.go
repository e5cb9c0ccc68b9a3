package e2e

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/signingkeys"
)

// lakeTimestamp is how query results render a timestamp: UTC, milliseconds.
const lakeTimestamp = "2006-01-02 15:04:05.000"

var queryIDPattern = regexp.MustCompile(`^` + uuidPattern + `$`)

// resultRows reads the QueryResultRows of a GetQueryResults answer as
// "column=value" cells, requiring every cell to be a single-entry map.
func resultRows(t *testing.T, what string, page obj) [][]string {
	t.Helper()
	var rows [][]string
	for _, raw := range list(t, what, page, "QueryResultRows") {
		cols, ok := raw.([]any)
		if !ok {
			t.Fatalf("%s: a result row is not a list: %s", what, compact(raw))
		}
		var cells []string
		for _, c := range cols {
			cell := object(t, what+" cell", c)
			if len(cell) != 1 {
				t.Fatalf("%s: a result cell is not a single-entry map: %s", what, compact(cell))
			}
			for k, v := range cell {
				cells = append(cells, fmt.Sprintf("%s=%v", k, v))
			}
		}
		rows = append(rows, cells)
	}
	return rows
}

// wantRows requires rows to be want, cell for cell.
func wantRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("%s: rows\n  %q\nwant\n  %q", what, got, want)
	}
}

// pyNumber reads a number the scripts report.
func pyNumber(t *testing.T, what string, got obj, key string) int64 {
	t.Helper()
	n, ok := got[key].(float64)
	if !ok {
		t.Fatalf("%s: %s should be a number, got %s", what, key, compact(got))
	}
	return int64(n)
}

// wantStatistics checks DescribeQuery's QueryStatistics of a finished
// query: EventsMatched is the number of result rows, EventsScanned at
// least minScanned, the bytes scanned more than 100 a scanned event (a
// CloudTrail record is several hundred bytes), a run time, and a creation
// time between start and now. It returns the statistics.
func wantStatistics(t *testing.T, what string, described obj, rows int, minScanned int64, start time.Time) obj {
	t.Helper()
	stats := object(t, what+" QueryStatistics", described["QueryStatistics"])
	if got := pyNumber(t, what, stats, "EventsMatched"); got != int64(rows) {
		t.Errorf("%s: EventsMatched = %d, want the %d result rows", what, got, rows)
	}
	scanned := pyNumber(t, what, stats, "EventsScanned")
	if scanned < minScanned {
		t.Errorf("%s: EventsScanned = %d, want at least the %d events the store holds", what, scanned, minScanned)
	}
	if b := pyNumber(t, what, stats, "BytesScanned"); b <= 100*scanned || b == 0 {
		t.Errorf("%s: BytesScanned = %d for %d events scanned, want more than 100 bytes an event", what, b, scanned)
	}
	if ms := pyNumber(t, what, stats, "ExecutionTimeInMillis"); ms < 0 || ms > 30_000 {
		t.Errorf("%s: ExecutionTimeInMillis = %d", what, ms)
	}
	recent(t, what+" CreationTime", pyTime(t, "CreationTime", stats["CreationTime"]), start)
	return stats
}

// finishedQuery checks a query step of lake_query.py ({id, describe,
// pages}): DescribeQuery reports the query FINISHED without an error, and
// every page agrees on the status, the total and the bytes scanned. It
// returns the query ID, the description and the rows of all pages.
func finishedQuery(t *testing.T, out obj, name string) (string, obj, [][]string) {
	t.Helper()
	q := step(t, out, name)
	id := wantMatch(t, name, q, "id", queryIDPattern)
	described := object(t, name+" describe_query", q["describe"])
	wantFields(t, name+" describe_query", described, obj{"QueryId": id, "QueryStatus": "FINISHED"})
	wantAbsent(t, name+" describe_query", described, "ErrorMessage", "DeliveryS3Uri", "DeliveryStatus")
	bytesScanned := object(t, name+" describe_query QueryStatistics", described["QueryStatistics"])["BytesScanned"]
	pages := list(t, name, q, "pages")
	var rows [][]string
	var pageStats []obj
	for i, raw := range pages {
		what := fmt.Sprintf("%s get_query_results page %d", name, i+1)
		page := object(t, what, raw)
		got := resultRows(t, what, page)
		rows = append(rows, got...)
		stats := object(t, what+" QueryStatistics", page["QueryStatistics"])
		pageStats = append(pageStats, stats)
		wantFields(t, what, page, obj{"QueryStatus": "FINISHED"})
		wantFields(t, what+" QueryStatistics", stats, obj{"ResultsCount": len(got), "BytesScanned": bytesScanned})
		wantAbsent(t, what, page, "ErrorMessage")
	}
	for i, stats := range pageStats {
		wantFields(t, fmt.Sprintf("%s get_query_results page %d QueryStatistics", name, i+1), stats, obj{"TotalResultsCount": len(rows)})
	}
	return id, described, rows
}

// TestBoto3_LakeQuery runs CloudTrail Lake queries with boto3 over a store
// of CloudTrail events and a store fed by a channel: result columns and
// values, pagination, DescribeQuery, ListQueries, the failures of
// StartQuery, DescribeQuery, GetQueryResults and CancelQuery, the limit
// of ten queries at once, SearchSampleQueries and results delivered to a
// bucket with a sign file. The results of a finished query are still
// there after a SIGTERM restart.
func TestBoto3_LakeQuery(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv, dataDir, start := lakeServer(t)
	var out obj
	srv.open(t, lakeOwner).pythonJSON(&out, "lake_query.py", "run")

	stores := step(t, out, "stores")
	wantMatch(t, "create_event_data_store", stores, "trail", lakeARN("eventdatastore", lakeOwner))
	wantMatch(t, "create_event_data_store", stores, "activity", lakeARN("eventdatastore", lakeOwner))
	channel := fmt.Sprint(out["channel"])
	for i, raw := range list(t, "get_trail", out, "get_trail_errors") {
		wantError(t, fmt.Sprintf("get_trail of missing trail %d", i+1), object(t, "get_trail", raw), "TrailNotFoundException", 404)
	}

	// An aggregate, a row a page: an alias keeps its name, an unnamed
	// expression is _col3, SQL NULL is the empty string.
	callsID, described, rows := finishedQuery(t, out, "calls")
	wantFields(t, "calls describe_query", described, obj{"QueryString": out["calls_statement"]})
	callRows := [][]string{
		{"eventSource=cloudtrail.amazonaws.com", "eventName=GetTrail", "calls=2", "_col3=TrailNotFoundException"},
		{"eventSource=cloudtrail.amazonaws.com", "eventName=ListTrails", "calls=1", "_col3="},
		{"eventSource=s3.amazonaws.com", "eventName=CreateBucket", "calls=2", "_col3="},
		{"eventSource=s3.amazonaws.com", "eventName=PutObject", "calls=1", "_col3="},
	}
	wantRows(t, "calls", rows, callRows)
	// The trail store holds at least: two CreateEventDataStore, CreateChannel,
	// two GetTrail, ListTrails, two CreateBucket and PutObject.
	wantStatistics(t, "calls describe_query", described, len(callRows), 9, start)
	// A page of each row (finishedQuery checked ResultsCount and
	// TotalResultsCount); a NextToken on the page with the last row may lead
	// to one empty page, and the last page has none.
	pages := list(t, "calls", step(t, out, "calls"), "pages")
	if len(pages) != len(callRows) && len(pages) != len(callRows)+1 {
		t.Errorf("calls: %d pages of MaxQueryResults=1 for %d rows", len(pages), len(callRows))
	}
	for i, raw := range pages {
		page := object(t, "calls page", raw)
		if n := len(resultRows(t, "calls page", page)); i < len(callRows) && n != 1 {
			t.Errorf("calls page %d holds %d rows, want 1 (MaxQueryResults=1)", i+1, n)
		}
		if _, ok := page["NextToken"]; ok == (i == len(pages)-1) {
			t.Errorf("calls page %d of %d: NextToken present = %v, want it on every page but the last", i+1, len(pages), ok)
		}
	}

	// A dereference is named by its last element.
	derefID, described, rows := finishedQuery(t, out, "deref")
	wantRows(t, "deref", rows, [][]string{{
		"arn=arn:aws:iam::" + lakeOwner + ":root", "type=Root", "eventName=PutObject", "objectKey=notes/a.txt", "readOnly=false",
	}})
	wantStatistics(t, "deref describe_query", described, 1, 9, start)
	aliasID, described, rows := finishedQuery(t, out, "alias")
	wantRows(t, "alias", rows, [][]string{{"eventSource=s3.amazonaws.com", "n=3"}})
	wantStatistics(t, "alias describe_query", described, 1, 9, start)

	// ListQueries of the store: newest first.
	var listed []string
	var last time.Time
	for _, raw := range list(t, "list_queries", step(t, out, "list_trail_store"), "Queries") {
		q := object(t, "list_queries", raw)
		listed = append(listed, str(t, "list_queries", q, "QueryId"))
		wantFields(t, "list_queries", q, obj{"QueryStatus": "FINISHED"})
		created := pyTime(t, "list_queries CreationTime", q["CreationTime"])
		if !last.IsZero() && created.After(last) {
			t.Errorf("list_queries is not newest first: %s", compact(step(t, out, "list_trail_store")))
		}
		last = created
	}
	if want := []string{aliasID, derefID, callsID}; !slices.Equal(listed, want) {
		t.Errorf("list_queries of the trail store = %v, want %v", listed, want)
	}

	// The channel's store: eventData and metadata.
	eventIDs := putResult(t, "put_audit_events", step(t, out, "put"), []string{"e0", "e1", "e2"}, nil)
	byUserID, described, rows := finishedQuery(t, out, "activity_by_user")
	wantRows(t, "activity_by_user", rows, [][]string{{"who=ann", "n=2", "channel=" + channel}, {"who=ben", "n=1", "channel=" + channel}})
	wantStatistics(t, "activity_by_user describe_query", described, 2, 3, start)
	eventsID, described, rows := finishedQuery(t, out, "activity_events")
	wantStatistics(t, "activity_events describe_query", described, 3, 3, start)
	eventTime := fmt.Sprint(out["event_time"])
	sent, err := time.Parse(time.RFC3339, eventTime)
	if err != nil {
		t.Fatalf("event_time %q: %v", eventTime, err)
	}
	var wantEvents [][]string
	for i, name := range []string{"Checkout", "Checkout", "Refund"} {
		wantEvents = append(wantEvents, []string{
			fmt.Sprintf("uid=uid-%d", i), "eventName=" + name, "eventID=" + eventIDs[fmt.Sprintf("e%d", i)],
			"eventTime=" + eventTime, fmt.Sprintf("amount=%d", 10*(i+1)), "storedTime=" + sent.UTC().Format(lakeTimestamp),
		})
	}
	var ingested []string
	for i, row := range rows {
		if len(row) != 7 {
			t.Fatalf("activity_events row %d = %q, want 7 columns", i, row)
		}
		ingested = append(ingested, row[6])
		rows[i] = row[:6]
	}
	wantRows(t, "activity_events", rows, wantEvents)
	for _, cell := range ingested {
		at, err := time.Parse(time.RFC3339, strings.TrimPrefix(cell, "ingestionTime="))
		if !strings.HasPrefix(cell, "ingestionTime=") || err != nil {
			t.Errorf("activity_events: %q, want ingestionTime=<RFC 3339 time>", cell)
			continue
		}
		recent(t, "metadata.ingestionTime", at, start)
	}
	var activityListed []string
	for _, raw := range list(t, "list_queries", step(t, out, "list_activity_store"), "Queries") {
		activityListed = append(activityListed, str(t, "list_queries", object(t, "list_queries", raw), "QueryId"))
	}
	if want := []string{eventsID, byUserID}; !slices.Equal(activityListed, want) {
		t.Errorf("list_queries of the activity store (by ID) = %v, want %v", activityListed, want)
	}

	// Statements StartQuery rejects, and unknown or finished queries.
	for name, wantMsg := range map[string]string{
		"delete": "line 1:1: ", "syntax": "line 1:", "unknown_column": "nosuchcolumn", "unknown_store": "00000000-0000-4000-8000-000000000000",
	} {
		got := step(t, out, name)
		wantError(t, "start_query ("+name+")", got, "InvalidQueryStatementException", 400)
		if msg := fmt.Sprint(got["message"]); !strings.HasPrefix(msg, "line 1:") || !strings.Contains(msg, wantMsg) {
			t.Errorf("start_query (%s): message %q, want one starting with the position (line 1:) and naming %q", name, msg, wantMsg)
		}
	}
	for _, name := range []string{"describe_unknown", "results_unknown", "cancel_unknown"} {
		wantError(t, name, step(t, out, name), "QueryIdNotFoundException", 404)
	}
	wantError(t, "cancel_query of a finished query", step(t, out, "cancel_finished"), "InactiveQueryException", 400)
	wantError(t, "get_query_results MaxQueryResults=1001", step(t, out, "results_too_many"), "InvalidMaxResultsException", 400)
	wantError(t, "get_query_results with a bad NextToken", step(t, out, "results_bad_token"), "InvalidNextTokenException", 400)

	// Ten queries at once, then cancelled.
	wantError(t, "an eleventh start_query", step(t, out, "eleventh"), "MaxConcurrentQueriesException", 429)
	slow := list(t, "slow queries", out, "slow_ids")
	cancels, cancelled := list(t, "cancel_query", out, "cancel"), list(t, "describe_query", out, "cancelled")
	if len(slow) != 10 || len(cancels) != 10 || len(cancelled) != 10 {
		t.Fatalf("want ten slow queries, cancelled: %s", compact(out["cancel"]))
	}
	for i, id := range slow {
		wantFields(t, "cancel_query", object(t, "cancel_query", cancels[i]), obj{"QueryId": id, "QueryStatus": "CANCELLED"})
		wantFields(t, "describe_query after cancel_query", object(t, "describe_query", cancelled[i]), obj{"QueryId": id, "QueryStatus": "CANCELLED"})
	}
	wantError(t, "cancel_query of a cancelled query", step(t, out, "cancel_cancelled"), "InactiveQueryException", 400)
	if got := step(t, out, "after_cancel"); got["code"] != nil {
		t.Errorf("start_query after cancelling the ten: %s", compact(got))
	}

	// Sample queries, most relevant first.
	samples := list(t, "search_sample_queries", step(t, out, "samples"), "SearchResults")
	if len(samples) < 3 {
		t.Fatalf("search_sample_queries(console login) = %s, want the console login samples", compact(samples))
	}
	prev := 1.0
	for i, raw := range samples {
		r := object(t, "search_sample_queries", raw)
		for _, k := range []string{"Name", "Description", "SQL"} {
			if s, _ := r[k].(string); s == "" {
				t.Errorf("search result %d has no %s: %s", i, k, compact(r))
			}
		}
		rel, _ := r["Relevance"].(float64)
		if rel <= 0 || rel > prev {
			t.Errorf("search result %d: Relevance %v, want in (0, %v] (sorted by relevance)", i, r["Relevance"], prev)
		}
		prev = rel
		if i < 3 && !strings.Contains(fmt.Sprint(r["SQL"]), "eventName = 'ConsoleLogin'") {
			t.Errorf("search result %d for console login does not query ConsoleLogin events: %s", i, compact(r))
		}
	}
	wantFields(t, "the best search result", object(t, "search result", samples[0]), obj{"Name": "Console logins", "Relevance": 1})
	paged := list(t, "search_sample_queries pages", out, "samples_paged")
	first, second := object(t, "page 1", paged[0]), object(t, "page 2", paged[1])
	if _, ok := first["NextToken"]; !ok {
		t.Errorf("search_sample_queries MaxResults=2: no NextToken: %s", compact(first))
	}
	if got := append(list(t, "page 1", first, "SearchResults"), list(t, "page 2", second, "SearchResults")...); !jsonEqual(got, samples[:4]) {
		t.Errorf("two pages of two search results = %s, want the first four of %s", compact(got), compact(samples))
	}

	// Results delivered to S3.
	wantError(t, "start_query delivering to a missing bucket", step(t, out, "deliver_missing_bucket"), "S3BucketDoesNotExistException", 404)
	delivered := step(t, out, "delivered")
	deliveredID := wantMatch(t, "delivered", delivered, "id", queryIDPattern)
	wantFields(t, "describe_query of the delivered query", object(t, "describe", delivered["describe"]), obj{
		"QueryId": deliveredID, "QueryStatus": "FINISHED", "DeliveryStatus": "SUCCESS", "DeliveryS3Uri": "s3://py-query-results/lake-out",
	})
	objects := step(t, out, "delivered_objects")
	var signKey string
	for key := range objects {
		if strings.HasSuffix(key, "/result_sign.json") {
			signKey = key
		}
	}
	if signKey == "" {
		t.Fatalf("no result_sign.json among the delivered objects %v", slices.Sorted(maps.Keys(objects)))
	}
	sign := object(t, "result_sign.json", object(t, signKey, objects[signKey])["json"])
	completed, err := time.Parse(time.RFC3339, fmt.Sprint(sign["queryCompleteTime"]))
	if err != nil {
		t.Fatalf("result_sign.json queryCompleteTime %v: %v", sign["queryCompleteTime"], err)
	}
	recent(t, "queryCompleteTime", completed, start)
	dir := fmt.Sprintf("lake-out/AWSLogs/%s/CloudTrail-Lake/Query/%s/%s/", lakeOwner, completed.UTC().Format("2006/01/02"), deliveredID)
	csvKey := dir + "result_1.csv.gz"
	if want := []string{csvKey, dir + "result_sign.json"}; !slices.Equal(slices.Sorted(maps.Keys(objects)), want) {
		t.Fatalf("delivered objects %v, want %v", slices.Sorted(maps.Keys(objects)), want)
	}
	result := object(t, csvKey, objects[csvKey])
	hash := str(t, csvKey, result, "sha256")
	wantFields(t, "result_sign.json", sign, obj{
		"version": "1.0", "region": "us-east-1", "hashAlgorithm": "SHA-256", "signatureAlgorithm": "SHA256withRSA",
		"files": []any{obj{"fileName": "result_1.csv.gz", "fileHashValue": hash}},
	})
	records, err := csv.NewReader(strings.NewReader(str(t, csvKey, result, "csv"))).ReadAll()
	if err != nil {
		t.Fatalf("%s is not CSV: %v", csvKey, err)
	}
	note := `say "hi", ok`
	wantRows(t, "result_1.csv.gz", records, [][]string{
		{"who", "uid", "note"}, {"ann", "uid-0", note}, {"ben", "uid-1", note}, {"ann", "uid-2", note},
	})
	// The signature verifies with the key ListPublicKeys gives for its
	// fingerprint, over the files' hashes joined by spaces.
	sig, err := hex.DecodeString(fmt.Sprint(sign["hashSignature"]))
	if err != nil || len(sig) == 0 {
		t.Errorf("result_sign.json hashSignature %v is not hex", sign["hashSignature"])
	}
	verified := false
	for _, raw := range list(t, "list_public_keys", step(t, out, "public_keys"), "PublicKeyList") {
		key := object(t, "public key", raw)
		if key["Fingerprint"] != sign["publicKeyFingerprint"] {
			continue
		}
		der, err := base64.StdEncoding.DecodeString(fmt.Sprint(object(t, "Value", key["Value"])["$bytes"]))
		if err != nil {
			t.Fatalf("public key Value: %v", err)
		}
		if err := signingkeys.Verify(der, []byte(hash), sig); err != nil {
			t.Errorf("result_sign.json hashSignature does not verify: %v", err)
		}
		verified = true
	}
	if !verified {
		t.Errorf("no public key has the sign file's fingerprint %v: %s", sign["publicKeyFingerprint"], compact(out["public_keys"]))
	}

	// After a SIGTERM restart the finished query's results are still there.
	srv.stop()
	again := startServer(t, withDataDir(dataDir))
	var after obj
	again.open(t, lakeOwner).pythonJSON(&after, "lake_query.py", "results", callsID)
	wantFields(t, "describe_query after the restart", step(t, after, "describe"), obj{
		"QueryId": callsID, "QueryStatus": "FINISHED", "QueryString": out["calls_statement"],
		"QueryStatistics": step(t, step(t, out, "calls"), "describe")["QueryStatistics"],
	})
	var restored [][]string
	for _, raw := range list(t, "get_query_results after the restart", after, "pages") {
		restored = append(restored, resultRows(t, "get_query_results after the restart", object(t, "page", raw))...)
	}
	wantRows(t, "get_query_results after the restart", restored, callRows)
}

// TestJS_LakeQuery runs a query with the AWS SDK for JavaScript v2 and
// checks how values of several types come back, and a rejected statement.
func TestJS_LakeQuery(t *testing.T) {
	t.Parallel()
	node.require(t)
	srv, _, start := lakeServer(t)
	var out obj
	srv.open(t, lakeOwner).node("lake_query.js").decode(t, &out)

	wantMatch(t, "createEventDataStore", step(t, out, "createStore"), "EventDataStoreArn", lakeARN("eventdatastore", lakeOwner))
	wantError(t, "getTrail of a missing trail", step(t, out, "getTrail"), "TrailNotFoundException", 404)
	id := wantMatch(t, "startQuery", step(t, out, "start"), "QueryId", queryIDPattern)
	described := step(t, out, "describe")
	wantFields(t, "describeQuery", described, obj{"QueryId": id, "QueryStatus": "FINISHED", "QueryString": out["statement"]})
	wantStatistics(t, "describeQuery", described, 2, 3, start)

	results := step(t, out, "results")
	wantFields(t, "getQueryResults", results, obj{"QueryStatus": "FINISHED"})
	wantFields(t, "getQueryResults QueryStatistics", object(t, "QueryStatistics", results["QueryStatistics"]),
		obj{"ResultsCount": 2, "TotalResultsCount": 2})
	wantAbsent(t, "getQueryResults", results, "NextToken", "ErrorMessage")
	rows := resultRows(t, "getQueryResults", results)
	if len(rows) != 2 || len(rows[0]) != 7 || len(rows[1]) != 7 {
		t.Fatalf("getQueryResults rows = %q, want two rows of seven columns", rows)
	}
	for i, row := range rows {
		ts, ok := strings.CutPrefix(row[1], "eventTime=")
		at, err := time.Parse(lakeTimestamp, ts)
		if !ok || err != nil || at.Format(lakeTimestamp) != ts {
			t.Errorf("row %d: %q, want eventTime=YYYY-MM-DD HH:MM:SS.000", i, row[1])
		} else {
			recent(t, "eventTime", at, start)
		}
		rows[i] = slices.Delete(row, 1, 2)
	}
	wantRows(t, "getQueryResults", rows, [][]string{
		{"eventName=CreateEventDataStore", "readOnly=false", "managementEvent=true",
			"requestParameters={name=js-queries, terminationProtectionEnabled=false}", "errorCode=", "accountId=" + lakeOwner},
		{"eventName=GetTrail", "readOnly=true", "managementEvent=true",
			"requestParameters={name=js-missing-trail}", "errorCode=TrailNotFoundException", "accountId=" + lakeOwner},
	})

	invalid := step(t, out, "invalid")
	wantError(t, "startQuery of an incomplete statement", invalid, "InvalidQueryStatementException", 400)
	if msg := fmt.Sprint(invalid["message"]); !strings.HasPrefix(msg, "line 1:") {
		t.Errorf("the InvalidQueryStatementException message %q should start with the position (line 1:)", msg)
	}
}

// TestCLI_LakeQuery runs a query with `aws cloudtrail start-query`, polls
// describe-query, reads get-query-results and list-queries, and checks how
// the CLI reports a rejected statement and an unknown query.
func TestCLI_LakeQuery(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv, _, start := lakeServer(t)
	cli := srv.open(t, lakeOwner)

	var out obj
	cli.awsJSON(&out, "cloudtrail", "create-event-data-store", "--name", "cli-queries", "--no-termination-protection-enabled")
	store := wantMatch(t, "create-event-data-store", out, "EventDataStoreArn", lakeARN("eventdatastore", lakeOwner))
	storeID := store[strings.LastIndexByte(store, '/')+1:]
	cli.awsFails("TrailNotFoundException", "cloudtrail", "get-trail", "--name", "cli-missing-trail")

	statement := "SELECT eventName, count(*) AS calls, max(errorCode) FROM " + storeID +
		" WHERE eventName IN ('CreateEventDataStore', 'GetTrail') GROUP BY eventName ORDER BY eventName"
	cli.awsJSON(&out, "cloudtrail", "start-query", "--query-statement", statement)
	id := wantMatch(t, "start-query", out, "QueryId", queryIDPattern)
	deadline := time.Now().Add(30 * time.Second)
	for {
		cli.awsJSON(&out, "cloudtrail", "describe-query", "--query-id", id)
		if s := out["QueryStatus"]; s != "QUEUED" && s != "RUNNING" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("query still %v after 30 s", out["QueryStatus"])
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantFields(t, "describe-query", out, obj{"QueryId": id, "QueryStatus": "FINISHED", "QueryString": statement})
	stats := object(t, "describe-query QueryStatistics", out["QueryStatistics"])
	wantFields(t, "describe-query QueryStatistics", stats, obj{"EventsMatched": 2})
	recent(t, "describe-query CreationTime", epochTime(t, "CreationTime", stats["CreationTime"]), start)

	cli.awsJSON(&out, "cloudtrail", "get-query-results", "--query-id", id)
	wantFields(t, "get-query-results", out, obj{"QueryStatus": "FINISHED"})
	wantFields(t, "get-query-results QueryStatistics", object(t, "QueryStatistics", out["QueryStatistics"]),
		obj{"ResultsCount": 2, "TotalResultsCount": 2})
	wantRows(t, "get-query-results", resultRows(t, "get-query-results", out), [][]string{
		{"eventName=CreateEventDataStore", "calls=1", "_col2="},
		{"eventName=GetTrail", "calls=1", "_col2=TrailNotFoundException"},
	})

	cli.awsJSON(&out, "cloudtrail", "list-queries", "--event-data-store", storeID)
	wantFields(t, "list-queries", only(t, "list-queries", out, "Queries"), obj{"QueryId": id, "QueryStatus": "FINISHED"})

	r := cli.awsFails("InvalidQueryStatementException", "cloudtrail", "start-query", "--query-statement", "DELETE FROM "+storeID)
	if !strings.Contains(r.Stderr, "StartQuery operation: line 1:1: ") {
		t.Errorf("the CLI should name the StartQuery operation and the statement's position:\n%s", r)
	}
	cli.awsFails("QueryIdNotFoundException", "cloudtrail", "describe-query", "--query-id", "00000000-0000-4000-8000-000000000000")
}
