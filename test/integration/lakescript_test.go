package integration

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn/internal/testenv"
)

// Lake query scripts (testdata/lake/*.sqltest) load events into an event data
// store, run queries through the real API and compare the rows:
//
//	-- events                  records, one JSON object per line, until the next section;
//	                           "@stratus" loads every record of the Stratus detonation logs
//	-- case: <name>            a query: SQL lines until "-- expect" or "-- error"
//	-- expect [unordered]      the result: a header line of column names, then one
//	                           line per row; cells separated by " | ", exactly as
//	                           GetQueryResults renders them (NULL renders as empty)
//	-- expect columns          only the header line is compared
//	-- error: <code> [text]    StartQuery fails with that code (and message text), or
//	                           the query ends FAILED with that text
//
// $EDS in a query stands for the store's ID. The store holds the script's
// events, those of account 111111111111 that its selectors (management
// events; S3 object data events) select.
type scriptCase struct {
	name, sql, file  string
	line             int
	expect           []string // header then rows
	unordered        bool
	columnsOnly      bool
	errCode, errText string
}

func parseScript(t *testing.T, path string) (events []map[string]any, cases []scriptCase) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	section := ""
	var cur *scriptCase
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		trimmed := strings.TrimSpace(text)
		switch {
		case trimmed == "-- events":
			section = "events"
			continue
		case strings.HasPrefix(trimmed, "-- case:"):
			cases = append(cases, scriptCase{name: strings.TrimSpace(strings.TrimPrefix(trimmed, "-- case:")), file: filepath.Base(path), line: line})
			cur = &cases[len(cases)-1]
			section = "sql"
			continue
		case strings.HasPrefix(trimmed, "-- expect"):
			cur.unordered = strings.Contains(trimmed, "unordered")
			cur.columnsOnly = strings.Contains(trimmed, "columns")
			section = "expect"
			continue
		case strings.HasPrefix(trimmed, "-- error:"):
			fields := strings.SplitN(strings.TrimSpace(strings.TrimPrefix(trimmed, "-- error:")), " ", 2)
			cur.errCode = fields[0]
			if len(fields) == 2 {
				cur.errText = fields[1]
			}
			section = ""
			continue
		case strings.HasPrefix(trimmed, "#") && section != "sql":
			continue
		}
		switch section {
		case "events":
			if trimmed == "" {
				continue
			}
			if trimmed == "@stratus" {
				events = append(events, stratusRecords(t)...)
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(trimmed), &rec); err != nil {
				t.Fatalf("%s:%d: event is not JSON: %v", path, line, err)
			}
			events = append(events, rec)
		case "sql":
			cur.sql += text + "\n"
		case "expect":
			if trimmed != "" {
				cur.expect = append(cur.expect, strings.TrimRight(text, " "))
			}
		}
	}
	return events, cases
}

// stratusRecords reads the Stratus detonation logs' records, as account
// 111111111111's.
func stratusRecords(t *testing.T) []map[string]any {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(stratusDir, "*.json"))
	var out []map[string]any
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var records []map[string]any // a bare array, or {"Records": [...]}
		if err := json.Unmarshal(raw, &records); err != nil {
			var doc struct {
				Records []map[string]any `json:"Records"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			records = doc.Records
		}
		for _, r := range records {
			r["recipientAccountId"] = accountA
			if ui, ok := r["userIdentity"].(map[string]any); ok {
				if _, has := ui["accountId"]; has {
					ui["accountId"] = accountA
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func TestLakeQueryScripts(t *testing.T) {
	paths, _ := filepath.Glob("testdata/lake/*.sqltest")
	if len(paths) == 0 {
		t.Fatal("no query scripts")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".sqltest"), func(t *testing.T) {
			t.Parallel()
			events, cases := parseScript(t, path)
			srv := testenv.Start(t)
			ct := srv.CloudTrail(accountA, usEast1)
			store, err := ct.CreateEventDataStore(t.Context(), &cloudtrail.CreateEventDataStoreInput{
				Name: aws.String("script"),
				AdvancedEventSelectors: []types.AdvancedEventSelector{
					{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
						{Field: aws.String("eventName"), NotEquals: []string{"CreateEventDataStore"}}}},
					{FieldSelectors: []types.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
						{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}}}},
				},
			})
			must(t, err, "CreateEventDataStore")
			id := (*store.EventDataStoreArn)[strings.LastIndexByte(*store.EventDataStoreArn, '/')+1:]
			if len(events) > 0 {
				status, answer := postEvents(t, srv, accountA, "secret", recordsBody(t, events...))
				if status != 200 || len(answer.Failed) > 0 {
					t.Fatalf("ingesting the script's events: %d %+v", status, answer)
				}
			}
			// The store holds exactly the script's events: ingestion
			// stops before the queries, whose calls are events too.
			_, err = ct.StopEventDataStoreIngestion(t.Context(), &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: store.EventDataStoreArn})
			must(t, err, "StopEventDataStoreIngestion")
			for _, c := range cases {
				runScriptCase(t, ct, id, c)
			}
		})
	}
}

func runScriptCase(t *testing.T, ct *cloudtrail.Client, storeID string, c scriptCase) {
	t.Helper()
	where := c.file + ":" + strconv.Itoa(c.line) + " " + c.name
	statement := strings.ReplaceAll(c.sql, "$EDS", storeID)
	started, err := ct.StartQuery(t.Context(), &cloudtrail.StartQueryInput{QueryStatement: aws.String(statement)})
	if err != nil {
		var apiErr smithy.APIError
		if c.errCode != "" && errors.As(err, &apiErr) && apiErr.ErrorCode() == c.errCode && strings.Contains(apiErr.ErrorMessage(), c.errText) {
			return
		}
		t.Errorf("%s: StartQuery: %v", where, err)
		return
	}
	d := waitQuery(t, ct, *started.QueryId)
	if c.errCode != "" {
		if d.QueryStatus != types.QueryStatusFailed || !strings.Contains(aws.ToString(d.ErrorMessage), c.errText) {
			t.Errorf("%s: want %s %q, query ended %s %q", where, c.errCode, c.errText, d.QueryStatus, aws.ToString(d.ErrorMessage))
		}
		return
	}
	if d.QueryStatus != types.QueryStatusFinished {
		t.Errorf("%s: query ended %s: %s", where, d.QueryStatus, aws.ToString(d.ErrorMessage))
		return
	}
	got := renderRows(t, ct, *started.QueryId)
	want := c.expect
	if len(want) == 0 {
		t.Errorf("%s: no expectation; got:\n%s", where, strings.Join(got, "\n"))
		return
	}
	if len(got) > 0 && c.unordered {
		slices.Sort(got[1:])
		want = append([]string{want[0]}, slices.Sorted(slices.Values(want[1:]))...)
	}
	if len(got) == 0 { // no rows: GetQueryResults names no columns; compare rows only
		got = []string{want[0]}
	}
	if c.columnsOnly {
		got = got[:1]
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", where, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// renderRows is a query's results as script lines: the header, then rows.
func renderRows(t *testing.T, ct *cloudtrail.Client, id string) []string {
	t.Helper()
	var out []string
	var token *string
	for {
		page, err := ct.GetQueryResults(t.Context(), &cloudtrail.GetQueryResultsInput{QueryId: aws.String(id), NextToken: token})
		must(t, err, "GetQueryResults")
		for _, row := range page.QueryResultRows {
			var names, cells []string
			for _, col := range row {
				for k, v := range col {
					names = append(names, k)
					cells = append(cells, v)
				}
			}
			if len(out) == 0 {
				out = append(out, strings.Join(names, " | "))
			}
			out = append(out, strings.TrimRight(strings.Join(cells, " | "), " "))
		}
		if page.NextToken == nil {
			return out
		}
		token = page.NextToken
	}
}
