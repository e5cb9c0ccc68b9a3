package lakesql

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Error is a statement Lake rejects (InvalidQueryStatementException), or
// a query that failed for a reason of its own (a bad cast, a division by
// zero). Line and Column are 1-based positions in the statement as the
// user wrote it, 0 when unknown.
type Error struct {
	Line, Column int
	Message      string
}

// Error formats the error as Trino does: "line 1:8: <message>".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d:%d: %s", e.Line, e.Column, e.Message)
	}
	return e.Message
}

// errorTypes are the DuckDB errors a query causes by itself; others
// (I/O, interrupts, missing catalog entries, internal errors) are the
// service's.
var errorTypes = map[duckdb.ErrorType]bool{
	duckdb.ErrorTypeBinder: true, duckdb.ErrorTypeParser: true, duckdb.ErrorTypeSyntax: true,
	duckdb.ErrorTypeConversion: true, duckdb.ErrorTypeOutOfRange: true, duckdb.ErrorTypeInvalidInput: true,
	duckdb.ErrorTypeDivideByZero: true, duckdb.ErrorTypeMismatchType: true, duckdb.ErrorTypeInvalidType: true,
	duckdb.ErrorTypeExpression: true, duckdb.ErrorTypeNotImplemented: true, duckdb.ErrorTypeDecimal: true,
	duckdb.ErrorTypeInvalid: true, duckdb.ErrorTypeUnknownType: true, duckdb.ErrorTypePlanner: true,
	duckdb.ErrorTypeParameterNotResolved: true,
}

var (
	errPrefix    = regexp.MustCompile(`^[A-Za-z ]*Error: `)
	errLine      = regexp.MustCompile(`(?m)^LINE (\d+): (.*)\n( *)\^`)
	errColumn    = regexp.MustCompile(`^Referenced column "((?:[^"]|"")*)" not found in FROM clause!`)
	errTableCol  = regexp.MustCompile(`^(?:Table|Values list) "((?:[^"]|"")*)" does not have a column named "((?:[^"]|"")*)"`)
	errTable     = regexp.MustCompile(`^Referenced table "((?:[^"]|"")*)" not found!`)
	errAmbiguous = regexp.MustCompile(`^Ambiguous reference to column name "((?:[^"]|"")*)"`)
	errGroup     = regexp.MustCompile(`^column "?((?:[^"]|"")*?)"? must appear in the GROUP BY clause or (?:must be part of|be used in) an aggregate function`)
	errGroupAgg  = regexp.MustCompile(`^GROUP BY clause cannot contain aggregates`)
	errNoMatch   = regexp.MustCompile(`^No function matches the given name and argument types '([^(]+)\((.*)\)'\.`)
	errLambda    = regexp.MustCompile(`\(lambda ([^:]+): \(`)
	errQualified = regexp.MustCompile(`\bmain\.`)
)

// MapDuckDBError turns an error DuckDB returned preparing or running the
// query into an *Error for the user, with names and positions of the
// statement as written; nil when the failure is not the query's (I/O,
// interrupts, the database's own state).
func (q *Query) MapDuckDBError(err error) *Error {
	var de *duckdb.Error
	if !errors.As(err, &de) {
		if err != nil && strings.Contains(err.Error(), "empty name") {
			return &Error{Message: "A ROW value without field names cannot be returned as a result column; CAST it to a ROW type with field names"}
		}
		return nil
	}
	if de.Type == duckdb.ErrorTypeOutOfMemory {
		return &Error{Message: "Query exhausted resources at this scale factor"}
	}
	if !errorTypes[de.Type] {
		return nil
	}
	msg := de.Msg
	out := &Error{}
	at := -1
	if m := errLine.FindStringSubmatchIndex(msg); m != nil {
		line, _ := strconv.Atoi(msg[m[2]:m[3]])
		snippet := msg[m[4]:m[5]]
		caret := (m[7] - m[6]) - len("LINE : ") - (m[3] - m[2])
		if off, ok := q.outOffset(line, snippet, caret); ok {
			at = srcOffset(q.segs, off)
			out.Line, out.Column = lineCol(q.src, at)
		}
		msg = msg[:m[0]]
	}
	msg = errPrefix.ReplaceAllString(strings.TrimSpace(msg), "")
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	out.Message = q.userMessage(msg, at)
	if out.Line == 0 {
		q.locate(out, msg)
	}
	return out
}

// Messages DuckDB gives without a position.
var (
	errSelectRef = regexp.MustCompile(`^Column "((?:[^"]|"")*)" referenced that exists in the SELECT clause`)
	errStructKey = regexp.MustCompile(`^Could not find key "((?:[^"]|"")*)" in struct`)
	errLambdaArg = regexp.MustCompile(`^Invalid LIST argument during lambda function binding`)
)

// locate places an error DuckDB reports without a position, finding in the
// statement what it names (the first reference to a column; the call
// whose array argument is not one), and says it in Trino's words.
func (q *Query) locate(e *Error, msg string) {
	toks, err := lex(q.src)
	if err != nil {
		return
	}
	unq := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, `""`, `"`)) }
	isName := func(t *token, name string) bool {
		return (t.kind == tIdent || t.kind == tQuoted) && strings.ToLower(identName(t)) == name
	}
	at := func(off int, format string, args ...any) {
		e.Line, e.Column = lineCol(q.src, off)
		e.Message = fmt.Sprintf(format, args...)
	}
	switch {
	case errGroup.MatchString(msg), errSelectRef.MatchString(msg):
		m := errGroup.FindStringSubmatch(msg)
		format := "'%s' must be an aggregate expression or appear in GROUP BY clause"
		if m == nil {
			m = errSelectRef.FindStringSubmatch(msg)
			format = "Column '%s' cannot be resolved"
		}
		for i := range toks {
			if isName(&toks[i], unq(m[1])) && (i == 0 || !toks[i-1].is(".") && !toks[i-1].kw("as")) {
				p, _ := dereference(toks, i)
				at(toks[i].pos, format, p)
				return
			}
		}
	case errStructKey.MatchString(msg):
		key := unq(errStructKey.FindStringSubmatch(msg)[1])
		for i := 1; i < len(toks); i++ {
			if isName(&toks[i], key) && toks[i-1].is(".") {
				p, first := dereference(toks, i)
				at(toks[first].pos, "Column '%s' cannot be resolved", p)
				return
			}
		}
	case errLambdaArg.MatchString(msg):
		if len(q.lambdaCalls) > 0 {
			c := q.lambdaCalls[0]
			at(c.pos, "Unexpected parameters for function %s: expected an array", c.name)
		}
	}
}

// dereference is the dotted name (a.b.c) token i is part of, and the
// index of its first token.
func dereference(toks []token, i int) (string, int) {
	word := func(j int) bool { return toks[j].kind == tIdent || toks[j].kind == tQuoted }
	for i >= 2 && toks[i-1].is(".") && word(i-2) {
		i -= 2
	}
	p := identName(&toks[i])
	for j := i + 1; j+1 < len(toks) && toks[j].is(".") && word(j+1); j += 2 {
		p += "." + identName(&toks[j+1])
	}
	return p, i
}

// outOffset finds the offset in the query of the position DuckDB's error
// context shows: a line number, that line (or a window of it, between
// "..."), and a column in what is shown.
func (q *Query) outOffset(line int, snippet string, caret int) (int, bool) {
	lines := strings.SplitAfter(q.SQL, "\n")
	if line < 1 || line > len(lines) {
		return 0, false
	}
	start := 0
	for _, l := range lines[:line-1] {
		start += len(l)
	}
	text := strings.TrimRight(lines[line-1], "\r\n")
	if strings.HasPrefix(snippet, "...") {
		snippet = snippet[3:]
		caret -= 3
	}
	shown := strings.TrimSuffix(snippet, "...")
	i := strings.Index(text, shown)
	if i < 0 || caret < 0 {
		return 0, false
	}
	return start + i + min(caret, len(text)-i), true
}

// userMessage rewrites a DuckDB message in Lake's terms; at is the
// position in the statement DuckDB's error shows (-1 if none).
func (q *Query) userMessage(msg string, at int) string {
	unq := func(s string) string { return strings.ReplaceAll(s, `""`, `"`) }
	// ref is the column reference written at the error's position.
	ref := func(name string) string {
		if at >= 0 {
			if toks, err := lex(q.src); err == nil {
				for i := range toks {
					if toks[i].pos == at && (toks[i].kind == tIdent || toks[i].kind == tQuoted) {
						p, _ := dereference(toks, i)
						return p
					}
				}
			}
		}
		return name
	}
	switch {
	case errColumn.MatchString(msg):
		return fmt.Sprintf("Column '%s' cannot be resolved", ref(unq(errColumn.FindStringSubmatch(msg)[1])))
	case errTableCol.MatchString(msg):
		m := errTableCol.FindStringSubmatch(msg)
		return fmt.Sprintf("Column '%s.%s' cannot be resolved", unq(m[1]), unq(m[2]))
	case errTable.MatchString(msg):
		return fmt.Sprintf("Column '%s' cannot be resolved", ref(unq(errTable.FindStringSubmatch(msg)[1])))
	case errAmbiguous.MatchString(msg):
		return fmt.Sprintf("Column '%s' is ambiguous", unq(errAmbiguous.FindStringSubmatch(msg)[1]))
	case errGroup.MatchString(msg):
		return fmt.Sprintf("'%s' must be an aggregate expression or appear in GROUP BY clause", unq(errGroup.FindStringSubmatch(msg)[1]))
	case errGroupAgg.MatchString(msg):
		return "GROUP BY clause cannot contain aggregations or window functions"
	case errNoMatch.MatchString(msg):
		m := errNoMatch.FindStringSubmatch(msg)
		var types []string
		for _, t := range splitTopLevel(m[2]) {
			types = append(types, trinoType(strings.TrimSpace(t)))
		}
		switch m[1] {
		case "~~", "!~~", "~~*", "!~~*", "like_escape", "not_like_escape":
			return fmt.Sprintf("Left side of LIKE expression must evaluate to a varchar (actual: %s)", types[0])
		}
		return fmt.Sprintf("Unexpected parameters (%s) for function %s", strings.Join(types, ", "), q.names(m[1]))
	}
	return q.names(msg)
}

// splitTopLevel splits a list at the commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

var (
	typeList   = regexp.MustCompile(`^(.*)\[\]$`)
	typeSimple = strings.NewReplacer("string_literal", "varchar", "integer_literal", "integer",
		"timestamp with time zone", "timestamp(3) with time zone", "timestamp_ms", "timestamp(3)",
		"struct(", "row(", "float", "real", "blob", "varbinary", `"`, "")
)

// trinoType spells a DuckDB type as Trino does.
func trinoType(t string) string {
	t = strings.ToLower(t)
	if m := typeList.FindStringSubmatch(t); m != nil {
		return "array(" + trinoType(m[1]) + ")"
	}
	if t == "timestamp" {
		return "timestamp(3)"
	}
	return typeSimple.Replace(t)
}

// names replaces the DuckDB functions the translation introduced by the
// Lake functions the user wrote.
func (q *Query) names(s string) string {
	s = errQualified.ReplaceAllString(s, "")
	s = errLambda.ReplaceAllString(s, "(($1) -> (")
	for duck, lake := range q.funcs {
		if duck == lake || !strings.Contains(s, duck) {
			continue
		}
		s = regexp.MustCompile(`\b`+regexp.QuoteMeta(duck)+`\b`).ReplaceAllString(s, lake)
	}
	return s
}
