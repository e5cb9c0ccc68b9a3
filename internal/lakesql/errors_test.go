package lakesql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestMapDuckDBError runs statements DuckDB rejects and checks the errors
// are the user's, in the user's terms and at the user's positions.
func TestMapDuckDBError(t *testing.T) {
	for stmt, want := range map[string]string{
		"SELECT nosuch FROM eds1": "line 1:8: Column 'nosuch' cannot be resolved",
		"SELECT element_at(requestParameters, 'x'), transform(ARRAY[1], x -> x), nosuch FROM eds1":     "line 1:73: Column 'nosuch' cannot be resolved",
		"SELECT eventName\nFROM eds1\nWHERE eventTime > '2023-01-01'\n  AND userIdentity.nosuch = 'x'": "line 4:7: Column 'userIdentity.nosuch' cannot be resolved",
		"SELECT eventName, count(*) FROM eds1":                                                         "line 1:8: 'eventName' must be an aggregate expression or appear in GROUP BY clause",
		"SELECT filter(eventName, x -> x = 'a') FROM eds1":                                             "line 1:8: Unexpected parameters for function filter: expected an array",
		"SELECT eventName FROM eds1 WHERE any_match(eventName, x -> x = 'a')":                          "line 1:34: Unexpected parameters for function any_match: expected an array",
		"SELECT eventName AS x, x FROM eds1":                                                           "line 1:24: Column 'x' cannot be resolved",
		"  -- leading\n  SELECT nosuch FROM eds1":                                                      "line 2:10: Column 'nosuch' cannot be resolved",
		"SELECT x.eventName FROM eds1":                                                                 "line 1:8: Column 'x.eventName' cannot be resolved",
		"SELECT eventName FROM eds1 e JOIN eds2 f ON e.eventID = f.eventID":                            "line 1:8: Column 'eventName' is ambiguous",
		"SELECT * FROM eds1 WHERE requestParameters LIKE '%x%'":                                        "line 1:44: Left side of LIKE expression must evaluate to a varchar (actual: map(varchar, varchar))",
		"SELECT eventname, count(*) FROM eds1 GROUP BY eventname HAVING eventsource = 'x'":             "line 1:64: 'eventsource' must be an aggregate expression or appear in GROUP BY clause",
		"SELECT count(*) FROM eds1 GROUP BY 1":                                                         "line 1:8: GROUP BY clause cannot contain aggregations or window functions",
		"SELECT array_distinct(eventName) FROM eds1":                                                   "line 1:8: Unexpected parameters for function array_distinct: expected an array",
		"SELECT json_extract_scalar(123, '$.a')":                                                       "Unexpected parameters (integer) for function json_extract_scalar",
		"SELECT abs(eventName) FROM eds1":                                                              "line 1:8: Unexpected parameters (varchar) for function abs",
		"SELECT eventName FROM eds1 WHERE regexp_count(readOnly, 'x') > 0":                             "line 1:34: Unexpected parameters (boolean, varchar) for function regexp_count",
		"SELECT eventName FROM eds1 WHERE eventTime > 'yesterday'":                                     "line 1:46: invalid timestamp field format: \"yesterday\"",
		"SELECT r.nosuch FROM eds1, UNNEST(resources) AS r":                                            "line 1:8: Column 'r.nosuch' cannot be resolved",
		"SELECT CAST(eventName AS bigint) FROM eds1":                                                   "line 1:8: Could not convert string 'ConsoleLogin' to INT64",
		"SELECT regexp_like(eventName, '(?<=a)b') FROM eds1":                                           "invalid perl operator: (?<",
	} {
		q := translate(t, stmt)
		_, err := run(t, q)
		if err == nil {
			t.Errorf("%s: ran", stmt)
			continue
		}
		e := q.MapDuckDBError(err)
		if e == nil || !strings.HasPrefix(e.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %s\n(DuckDB: %v)", stmt, e, want, err)
		}
	}
}

func TestMapDuckDBErrorKinds(t *testing.T) {
	q := translate(t, "SELECT eventName FROM eds1")
	for _, c := range []struct {
		err  error
		want string // "" for nil
	}{
		{&duckdb.Error{Type: duckdb.ErrorTypeIO, Msg: "IO Error: disk full"}, ""},
		{&duckdb.Error{Type: duckdb.ErrorTypeInterrupt, Msg: "INTERRUPT Error: Interrupted!"}, ""},
		{&duckdb.Error{Type: duckdb.ErrorTypeCatalog, Msg: "Catalog Error: Table with name events does not exist!"}, ""},
		{&duckdb.Error{Type: duckdb.ErrorTypeInternal, Msg: "INTERNAL Error: oops"}, ""},
		{context.Canceled, ""},
		{nil, ""},
		{fmt.Errorf("wrapped: %w", &duckdb.Error{Type: duckdb.ErrorTypeDivideByZero, Msg: "Divide by Zero Error: Integer division by zero"}), "Integer division by zero"},
		{&duckdb.Error{Type: duckdb.ErrorTypeOutOfMemory, Msg: "Out of Memory Error: failed to allocate"}, "Query exhausted resources at this scale factor"},
		{errors.New("database/sql/driver: API error: empty name"), "A ROW value without field names cannot be returned as a result column; CAST it to a ROW type with field names"},
	} {
		e := q.MapDuckDBError(c.err)
		if (e == nil) != (c.want == "") || e != nil && e.Error() != c.want {
			t.Errorf("%v: %v, want %q", c.err, e, c.want)
		}
	}
}

// TestErrorPositionLongLine checks positions DuckDB shows in a window of a
// long line.
func TestErrorPositionLongLine(t *testing.T) {
	stmt := "SELECT " + strings.Repeat("eventName, ", 30) + "nosuch FROM eds1"
	q := translate(t, stmt)
	_, err := run(t, q)
	e := q.MapDuckDBError(err)
	if want := fmt.Sprintf("line 1:%d: Column 'nosuch' cannot be resolved", strings.Index(stmt, "nosuch")+1); e == nil || e.Error() != want {
		t.Errorf("got %v, want %s (DuckDB: %v)", e, want, err)
	}
}
