package lakesql

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func translate(t *testing.T, stmt string) *Query {
	t.Helper()
	q, err := Translate(stmt, resolve)
	if err != nil {
		t.Fatalf("Translate(%q): %v", stmt, err)
	}
	return q
}

func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		// Table references: IDs with hyphens, quoted, aliased or not.
		{"SELECT * FROM 074365db-2079-4c18-ab83-e753897b74fe",
			`SELECT * FROM activity AS "074365db-2079-4c18-ab83-e753897b74fe"`},
		{`select * from "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE" e where e.eventName = 'x'`,
			`select * from events e where e.eventName = 'x'`},
		{"SELECT a.eventID FROM eds1 AS a LEFT JOIN eds-id b ON a.eventID = b.eventID, EDS3",
			`SELECT a.eventID AS "eventID" FROM events AS a LEFT JOIN events b ON a.eventID = b.eventID, events AS "EDS3"`},
		{"SELECT 1 FROM eds1 CROSS JOIN eds2 NATURAL JOIN eds-id",
			`SELECT 1 AS "_col0" FROM events AS "eds1" CROSS JOIN events AS "eds2" NATURAL JOIN events AS "eds-id"`},
		// Comments and strings are left alone; the trailing comment and ; go.
		{"SELECT 'FROM eds2' /* FROM eds2 */, -- element_at(x, 1)\n\"element_at\" FROM eds1; -- done",
			"SELECT 'FROM eds2' AS \"_col0\" /* FROM eds2 */, -- element_at(x, 1)\n\"element_at\" AS \"element_at\" FROM events AS \"eds1\""},
		{"SELECT 'it''s' x /* a /* b */ FROM eds1",
			`SELECT 'it''s' AS "x"              FROM events AS "eds1"`},
		// Output names.
		{"SELECT eventName, \"eventSource\", userIdentity.principalid, (awsRegion), element_at(resources, 1).arn, eventName || 'x', requestParameters['k'], count(*) n, t.* FROM eds1 t",
			`SELECT eventName AS "eventName", "eventSource" AS "eventSource", userIdentity.principalid AS "principalid", (awsRegion) AS "awsRegion", ((resources)[1]).arn AS "arn", eventName || 'x' AS "_col5", requestParameters['k'] AS "_col6", count(*) AS "n", t.* FROM events t`},
		{"SELECT x AS \"My \"\"Col\"\"\", y AS desc FROM eds1",
			`SELECT x AS "My ""Col""", y AS "desc" FROM events AS "eds1"`},
		// WITH names are not tables; set operations; nesting.
		{"WITH eds1 AS (SELECT eventName FROM eds2) SELECT eventName FROM eds1",
			`WITH eds1 AS (SELECT eventName AS "eventName" FROM events AS "eds2") SELECT eventName AS "eventName" FROM eds1`},
		{"(SELECT eventName FROM eds1) UNION (SELECT eventSource FROM eds2) ORDER BY 1",
			`(SELECT eventName AS "eventName" FROM events AS "eds1") UNION (SELECT eventSource AS "eventSource" FROM events AS "eds2") ORDER BY 1 NULLS LAST`},
		{"SELECT * FROM (SELECT * FROM (SELECT eventName FROM eds1) t) WHERE eventName IN (SELECT eventName FROM eds2 WHERE EXISTS (SELECT 1 FROM eds-id))",
			`SELECT * FROM (SELECT * FROM (SELECT eventName AS "eventName" FROM events AS "eds1") t) WHERE eventName IN (SELECT eventName AS "eventName" FROM events AS "eds2" WHERE EXISTS (SELECT 1 AS "_col0" FROM events AS "eds-id"))`},
		// Operators, keywords, lambdas, literals.
		{"SELECT 7/2, 1%-1, x.order FROM eds1 x", `SELECT 7//2 AS "_col0", 1% -1 AS "_col1", x."order" AS "order" FROM events x`},
		{"SELECT filter(resources, r -> r.type = 'x'), transform(ARRAY[1], (x) -> x + 1) FROM eds1",
			`SELECT list_filter(resources, (lambda r: (r.type = 'x'))) AS "_col0", list_transform(ARRAY[1], (lambda x: (x + 1))) AS "_col1" FROM events AS "eds1"`},
		{"SELECT eventName FROM eds1 WHERE sessionCredentialFromConsole = true AND readOnly = False",
			`SELECT eventName AS "eventName" FROM events AS "eds1" WHERE sessionCredentialFromConsole = 'true' AND readOnly = False`},
		{"SELECT eventTime FROM eds1 WHERE eventTime > timestamp '2024-01-01 00:00:00' OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY",
			`SELECT eventTime AS "eventTime" FROM events AS "eds1" WHERE eventTime > CAST('2024-01-01 00:00:00' AS TIMESTAMP) OFFSET 5  LIMIT 3`},
		{"TABLE eds1", `SELECT * FROM events AS "eds1"`},
		{"VALUES 1, (2)", `VALUES (1), (2)`},
		{"SELECT count(*) FROM eds1 CROSS JOIN UNNEST(resources) WITH ORDINALITY AS r(a, t, arn, p, n)",
			`SELECT count(*) AS "_col0" FROM events AS "eds1" CROSS JOIN (SELECT unnest(resources, max_depth := 2), unnest(range(1, greatest(len(resources)) + 1))) AS r(a, t, arn, p, n)`},
		{"SELECT k FROM eds1, UNNEST(requestParameters) AS p(k, v)",
			`SELECT k AS "k" FROM events AS "eds1", (SELECT unnest(map_entries(requestParameters), max_depth := 2)) AS p(k, v)`},
		{"SELECT CAST(eventTime AS varchar), TRY_CAST(x AS array(row(a varchar, \"B\" bigint))) FROM eds1",
			`SELECT strftime(eventTime, '%Y-%m-%d %H:%M:%S.%g') AS "_col0", TRY_CAST(x AS STRUCT("a" VARCHAR, "B" BIGINT)[]) AS "_col1" FROM events AS "eds1"`},
		{"SELECT lag(x) IGNORE NULLS OVER (PARTITION BY y ORDER BY z DESC NULLS FIRST) FROM eds1",
			`SELECT lag(x IGNORE NULLS) OVER (PARTITION BY y ORDER BY z DESC NULLS FIRST) AS "_col0" FROM events AS "eds1"`},
		{"SELECT eventTime AT TIME ZONE 'America/New_York' FROM eds1",
			`SELECT timezone('America/New_York', CAST(eventTime AS TIMESTAMPTZ)) AS "_col0" FROM events AS "eds1"`},
		{"SELECT x FROM eds1 GROUP BY ALL x, ROLLUP (y, z)", `SELECT x AS "x" FROM events AS "eds1" GROUP BY  x, ROLLUP (y, z)`},
	} {
		q := translate(t, c.in)
		if q.SQL != c.out {
			t.Errorf("%s\n got %s\nwant %s", c.in, q.SQL, c.out)
		}
	}
}

func TestTables(t *testing.T) {
	for _, c := range []struct {
		in     string
		tables []string
	}{
		{"SELECT * FROM eds1 UNION SELECT * FROM eds2 UNION ALL SELECT * FROM eds1", []string{"eds1", "eds2"}},
		{"WITH a AS (SELECT * FROM eds1), b AS (SELECT * FROM a) SELECT * FROM a, b, EDS2", []string{"eds1", "EDS2"}},
		{"WITH eds1 AS (SELECT 1 AS x) SELECT x FROM eds1", nil},
		{"SELECT (SELECT max(eventTime) FROM eds-id) FROM eds1 WHERE 'FROM eds2' <> ''", []string{"eds-id", "eds1"}},
		{"SELECT 1", nil},
	} {
		if q := translate(t, c.in); !slices.Equal(q.Tables, c.tables) {
			t.Errorf("%s: tables %q, want %q", c.in, q.Tables, c.tables)
		}
	}
	// A WITH name is visible only in its query.
	_, err := Translate("SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c), c", resolve)
	if err == nil || err.Error() != "line 1:55: Table 'c' does not exist" {
		t.Errorf("CTE scope: %v", err)
	}
	// The resolver's errors come back as they are.
	boom := errors.New("EventDataStoreNotFoundException")
	_, err = Translate("SELECT * FROM eds1", func(string) (string, bool, error) { return "", false, boom })
	if err != boom {
		t.Errorf("resolver error: %v", err)
	}
}

// TestNames runs queries and checks the result keys.
func TestNames(t *testing.T) {
	for _, c := range []struct {
		in    string
		names []string
	}{
		{"SELECT eventName, \"eventSource\", userIdentity.principalid, useridentity.ARN, (awsRegion), element_at(resources, 1).arn, eventName || 'x', requestParameters['k'], count(*) OVER () n FROM eds1",
			[]string{"eventName", "eventSource", "principalid", "ARN", "awsRegion", "arn", "_col6", "_col7", "n"}},
		{"SELECT e.eventName, e.userIdentity.type FROM eds1 e", []string{"eventName", "type"}},
		{"SELECT eventName, count(*) FROM eds1 GROUP BY 1 UNION ALL SELECT eventSource, 1 FROM eds2", []string{"eventName", "_col1"}},
		{"SELECT * FROM (SELECT eventName, count(*) FROM eds1 GROUP BY 1)", []string{"eventName", "_col1"}},
		{"WITH w AS (SELECT eventName AS Name FROM eds1) SELECT * FROM w", []string{"Name"}},
		{"SELECT a.eventName, b.eventName FROM eds1 a JOIN eds2 b ON a.eventID = b.eventID", []string{"eventName", "eventName"}},
	} {
		if res := query(t, c.in); !slices.Equal(res.cols, c.names) {
			t.Errorf("%s: names %q, want %q", c.in, res.cols, c.names)
		}
	}
}

// TestCoercions covers the implicit conversions Lake accepts (§1.4 of the
// reference).
func TestCoercions(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT count(*) FROM eds1 WHERE eventTime > '2023-01-01' AND eventTime < '2023-01-30T00:00:00Z' AND eventTime >= '2023-01-03 10:00:00.000'", "3"},
		{"SELECT count(*) FROM eds1 WHERE sessionCredentialFromConsole = true", "1"},
		{"SELECT count(*) FROM eds1 WHERE true = sessionCredentialFromConsole OR sessionCredentialFromConsole <> TRUE", "1"},
		{"SELECT count(*) FROM eds1 WHERE readOnly = False AND managementEvent = True", "8"},
		{"SELECT count(*) FROM eds1 WHERE eventTime BETWEEN '2023-01-01' AND '2023-01-05'", "3"},
		{"SELECT count(*) FROM eds1 WHERE date(eventTime) = '2023-01-22'", "1"},
		{"SELECT max(t) FROM (SELECT eventData.eventTime AS t FROM 074365db-2079-4c18-ab83-e753897b74fe UNION SELECT eventTime FROM eds1)", "2024-05-10 09:00:00.000"},
		{"SELECT count(*) FROM eds1 WHERE eventTime > date_add('day', -3650, now())", "14"},
		{"SELECT count(*) FROM eds1 WHERE eventTime > now() - INTERVAL '3650' DAY", "14"},
		{"SELECT CAST(requestParameters AS JSON) LIKE '%aurora%' FROM eds1 WHERE eventName = 'CreateDBInstance'", "true"},
	} {
		res := query(t, c.in)
		if got := res.rows[0][0]; got != c.want {
			t.Errorf("%s: %s, want %s", c.in, got, c.want)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	for stmt, want := range map[string]string{
		"":              "line 1:1: The query statement is empty",
		"SELECT (1":     "line 1:10: mismatched input '<EOF>'. Expecting: ')'",
		"SELECT 1)":     "line 1:9: mismatched input ')'. Expecting: ',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>",
		"SELECT 'abc":   "line 1:8: unterminated string literal",
		"SELECT \"abc":  "line 1:8: unterminated quoted identifier",
		"SELECT 1 /* x": "line 1:10: unterminated comment",
		"SELECT x FROM eds1\nGROUP BY errorCode, errorMessageORDER BY eventCount DESCLIMIT 10": "line 2:39: mismatched input 'BY'. Expecting: ',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>",
		"SELECT x FROM eds1 ORDER BY x DESCLIMIT 10":                                           "line 1:31: mismatched input 'DESCLIMIT'. Expecting: ',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>",
		"SELECT x FROM eds1 WHERE eventTime < = '2023-01-01'":                                  "line 1:38: mismatched input '='. Expecting: <expression>",
		"SELECT x FROM eds1 WHERE WHERE x = 1":                                                 "line 1:26: mismatched input 'WHERE'. Expecting: <expression>",
		"SELECT x FROM eds1 WHERE":                                                             "line 1:25: mismatched input '<EOF>'. Expecting: <expression>",
		"SELECT 4c18 FROM eds1":                                                                "line 1:8: identifiers must not start with a digit; surround the identifier with double quotes",
		"SELECT x::int FROM eds1":                                                              "line 1:9: token recognition error at: ':'",
		"SELECT `x` FROM eds1":                                                                 "line 1:8: backquoted identifiers are not supported; use double quotes to quote identifiers",
		"SELECT ? FROM eds1":                                                                   "line 1:8: Query parameters are not supported",
		"SELECT x, FROM eds1":                                                                  "line 1:11: mismatched input 'FROM'. Expecting: <expression>",
		"SELECT x FROM eds1 JOIN eds2":                                                         "line 1:29: mismatched input '<EOF>'. Expecting: 'ON', 'USING'",
		"SELECT x FROM 'file.csv'":                                                             "line 1:15: mismatched input ''file.csv''. Expecting: table name",
		"SELECT x FROM eds1 LIMIT 1 OFFSET 2":                                                  "line 1:28: mismatched input 'OFFSET'. Expecting: ',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>",
		"SELECT * EXCLUDE (x) FROM eds1":                                                       "line 1:10: mismatched input 'EXCLUDE'. Expecting: ',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>",
		"SELECT x FROM eds1 TABLESAMPLE BERNOULLI (10)":                                        "line 1:20: TABLESAMPLE is not supported",
		"SELECT x FROM nope":                                                                   "line 1:15: Table 'nope' does not exist",
		"SELECT x FROM eds1 JOIN\n  nope-1 ON true":                                            "line 2:3: Table 'nope-1' does not exist",
		"SELECT INTERVAL '7' DAYS":                                                             "line 1:21: mismatched input 'DAYS'. Expecting: 'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'",
		"SELECT x FROM eds1 WHERE x -> 1":                                                      "line 1:28: mismatched input '->'. Expecting: ',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>",
		"SELECT " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300):                  "line 1:207: Statement is too deeply nested",
	} {
		_, err := Translate(stmt, resolve)
		var e *Error
		if !errors.As(err, &e) || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", stmt, err, want)
		}
	}
}

func TestNotSelect(t *testing.T) {
	for _, stmt := range []string{
		"INSERT INTO eds1 VALUES (1)", "CREATE TABLE x (a int)", "DROP TABLE eds1", "COPY eds1 TO '/tmp/x'",
		"ATTACH '/tmp/x.db'", "PRAGMA version", "SET threads = 1", "EXPORT DATABASE '/tmp/x'", "CALL f()",
		"INSTALL httpfs", "LOAD httpfs", "DELETE FROM eds1", "UPDATE eds1 SET x = 1", "EXPLAIN SELECT 1",
		"DESCRIBE eds1", "SHOW TABLES", "use x", "checkpoint", "detach x", "VACUUM",
	} {
		_, err := Translate(stmt, resolve)
		word := strings.Fields(stmt)[0]
		want := "line 1:1: Only SELECT statements are supported by CloudTrail Lake; this statement starts with '" + word + "'"
		if err == nil || err.Error() != want {
			t.Errorf("%q: %v", stmt, err)
		}
	}
	for stmt, want := range map[string]string{
		"  -- hello\n  delete from x":    "line 2:3: Only SELECT statements are supported by CloudTrail Lake; this statement starts with 'delete'",
		"SELECT 1; DROP TABLE eds1":      "line 1:11: Only one statement can be run at a time; remove what follows the ';'",
		"SELECT 1;\nSELECT 2;":           "line 2:1: Only one statement can be run at a time; remove what follows the ';'",
		"SELECT 1 FROM eds1; -- the end": "",
	} {
		_, err := Translate(stmt, resolve)
		if (err == nil) != (want == "") || err != nil && err.Error() != want {
			t.Errorf("%q: %v, want %q", stmt, err, want)
		}
	}
}

// TestQueries runs statements using the rest of Trino's query syntax.
func TestQueries(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT count(*) FROM eds1 a JOIN eds2 b USING (eventID)", "14"},
		{"SELECT count(*) FROM eds1 a RIGHT OUTER JOIN eds2 b ON a.eventID = b.eventID AND a.eventName = 'GetUser'", "14"},
		{"SELECT count(*) FROM eds1 a FULL JOIN (SELECT 'x' AS eventID) b ON a.eventID = b.eventID", "15"},
		{"SELECT count(*) FROM eds1 a, LATERAL (SELECT a.eventName AS n) l WHERE l.n = 'GetUser'", "1"},
		{"SELECT array_agg(g ORDER BY g) FROM (SELECT grouping(eventSource) AS g FROM eds1 GROUP BY GROUPING SETS ((eventSource), ()))", "[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]"},
		{"SELECT count(*) FROM (SELECT eventSource, awsRegion FROM eds1 GROUP BY CUBE (eventSource, awsRegion))", "22"},
		{"SELECT count(*) FROM (SELECT eventSource, awsRegion FROM eds1 GROUP BY ROLLUP (eventSource, awsRegion))", "19"},
		{"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r", "15"},
		{"SELECT count(*) FROM (TABLE eds1)", "14"},
		{"SELECT max(x) FROM (VALUES 1, 5, 3) AS t(x)", "5"},
		{"SELECT eventName FROM eds1 ORDER BY eventTime OFFSET 2 ROWS FETCH NEXT 1 ROW ONLY", "AssumeRole"},
		{"SELECT count(*) FROM (SELECT eventName FROM eds1 INTERSECT SELECT eventName FROM eds2 EXCEPT SELECT 'GetUser')", "13"},
		{"SELECT count(DISTINCT eventSource) FILTER (WHERE readOnly) FROM eds1", "4"},
		{"SELECT eventName FROM eds1 WHERE eventTime = (SELECT max(eventTime) FROM eds2)", "GetUser"},
		{"SELECT n FROM (SELECT eventName AS n, rank() OVER (PARTITION BY eventSource ORDER BY eventTime DESC) AS r FROM eds1) WHERE r = 1 AND n LIKE 'Get%' ORDER BY n LIMIT 1", "GetObject"},
		{"SELECT \"eventName\" FROM \"eds1\" \"t\" WHERE \"t\".\"eventName\" = 'GetUser'", "GetUser"},
		{"SELECT count(*) FROM eds1 WHERE eventName = 'GetUser' -- and more\n-- and more", "1"},
		{"SELECT DISTINCT eventSource FROM eds1 WHERE eventSource LIKE 's%' ORDER BY 1 DESC LIMIT 1", "sts.amazonaws.com"},
		{"SELECT t.desc FROM (SELECT 1 AS desc) t", "1"},
		{"SELECT r.arn FROM eds1 CROSS JOIN UNNEST(resources) AS r WHERE eventName = 'Invoke'", "arn:aws:lambda:us-east-1:123456789012:function:f"},
		{"SELECT u.k || '=' || u.v FROM eds1, UNNEST(requestParameters) AS u(k, v) WHERE eventName = 'CreateDBInstance' ORDER BY 1 LIMIT 1", "dBInstanceClass=db.r5.large"},
		{"SELECT array_agg(x || ':' || CAST(o AS varchar) ORDER BY o) FROM UNNEST(ARRAY['a', 'b']) WITH ORDINALITY AS t(x, o)", "[a:1, b:2]"},
		{"SELECT count(*) FROM eds1 LEFT JOIN UNNEST(resources) AS r ON true", "14"},
		{"SELECT eventData.userIdentity.principalId FROM 074365db-2079-4c18-ab83-e753897b74fe WHERE metadata.channelArn LIKE '%okta'", "jane"},
	} {
		res := query(t, c.in)
		if len(res.rows) != 1 || res.rows[0][0] != c.want {
			t.Errorf("%s: %q, want %s", c.in, res.rows, c.want)
		}
	}
}
