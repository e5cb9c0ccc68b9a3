package lakesql

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzTranslate checks that Translate never panics and that what it
// accepts is one DuckDB statement.
func FuzzTranslate(f *testing.F) {
	for _, s := range samples(f) {
		f.Add(s.statement())
	}
	for _, c := range funcCases {
		f.Add(c.stmt)
	}
	for _, s := range []string{
		"SELECT 1; DROP TABLE events", "SELECT '; DROP TABLE x; --' FROM eds1", "SELECT /* ; */ 1 -- ;",
		"SELECT \"a;b\" FROM eds1", "SELECT 1 /* /* */ ; SELECT 2", "SELECT $$x$$", "SELECT e'\\''; SELECT 1",
		"SELECT x FROM eds1 WHERE y = 'a''; DROP'", "WITH a AS (SELECT 1) SELECT * FROM a", "SELECT 1 FROM eds-1-",
	} {
		f.Add(s)
	}
	db := testDB(f)
	f.Fuzz(func(t *testing.T, stmt string) {
		q, err := Translate(stmt, resolve)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: error %T %v", stmt, err, err)
			}
			return
		}
		if n := topLevelSemicolons(q.SQL); n > 0 {
			t.Fatalf("%q: %d statement separators in %q", stmt, n, q.SQL)
		}
		// DuckDB's parser must see one statement, or none it can parse.
		var tree string
		if err := db.QueryRow("SELECT json_serialize_sql($1)", q.SQL).Scan(&tree); err != nil {
			return
		}
		var parsed struct {
			Error      bool              `json:"error"`
			Statements []json.RawMessage `json:"statements"`
		}
		if json.Unmarshal([]byte(tree), &parsed) == nil && !parsed.Error && len(parsed.Statements) != 1 {
			t.Fatalf("%q: %d statements in %q", stmt, len(parsed.Statements), q.SQL)
		}
	})
}

// topLevelSemicolons counts the semicolons DuckDB would read as ends of
// statements: outside strings, quoted names and comments (which nest in
// DuckDB).
func topLevelSemicolons(sql string) int {
	n := 0
	for i := 0; i < len(sql); i++ {
		switch {
		case sql[i] == '\'' || sql[i] == '"':
			q := sql[i]
			for i++; i < len(sql) && sql[i] != q; i++ {
			}
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case strings.HasPrefix(sql[i:], "/*"):
			depth := 0
			for ; i < len(sql); i++ {
				if strings.HasPrefix(sql[i:], "/*") {
					depth++
					i++
				} else if strings.HasPrefix(sql[i:], "*/") {
					depth--
					i++
					if depth == 0 {
						break
					}
				}
			}
		case sql[i] == ';':
			n++
		}
	}
	return n
}

func BenchmarkTranslate(b *testing.B) {
	for _, s := range samples(b) {
		if s.n != 13 {
			continue
		}
		stmt := s.statement()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Translate(stmt, resolve); err != nil {
				b.Fatal(err)
			}
		}
	}
}
