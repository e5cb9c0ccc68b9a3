package lakesql

import (
	"regexp"
	"strings"
)

// special parses the expressions that start with a keyword.
func (p *parser) special(t *token) (expr, bool) {
	start := p.i
	next := p.peek(1)
	switch t.val {
	case "null":
		p.i++
		return expr{start: start, kind: eNull, shape: unknownShape}, true
	case "true", "false":
		p.i++
		return expr{start: start, kind: eBool, lit: t, shape: constShape(sBool)}, true
	case "case":
		return p.caseExpr(), true
	case "cast", "try_cast":
		if next.is("(") {
			return p.cast(), true
		}
	case "exists":
		if next.is("(") {
			p.i += 2
			p.query()
			p.expectOp(")")
			return p.other(start, constShape(sBool)), true
		}
	case "array":
		if next.is("[") {
			p.i += 2
			if !p.is("]") {
				p.exprList()
			}
			p.expectOp("]")
			return p.other(start, constShape(sList)), true
		}
	case "row":
		if next.is("(") {
			p.i += 2
			p.exprList()
			p.expectOp(")")
			return expr{start: start, kind: eRow, shape: constShape(sRow)}, true
		}
	case "interval":
		if next.kind == tString || (next.is("+") || next.is("-")) && p.peek(2).kind == tString {
			return p.interval(), true
		}
	case "current_date":
		p.i++
		return p.other(start, constShape(sDate)), true
	case "current_timestamp", "localtimestamp", "current_time", "localtime":
		p.i++
		if p.is("(") {
			p.i++
			p.count()
			p.expectOp(")")
		}
		rep := map[string]string{
			"current_timestamp": "current_timestamp", "localtimestamp": "current_localtimestamp()",
			"current_time": "get_current_time()", "localtime": "current_localtime()",
		}[t.val]
		p.replace(start, p.i, rep)
		sh := map[string]shape{"current_timestamp": sTimestampTZ, "localtimestamp": sTimestamp}[t.val]
		if sh == sUnknown {
			sh = sTime
		}
		return p.other(start, constShape(sh)), true
	case "current_user", "current_catalog", "current_schema", "current_path", "current_role":
		p.fail(t.pos, "%s is not supported by Cairn", strings.ToUpper(t.text))
	case "extract":
		if next.is("(") {
			return p.extract(), true
		}
	case "position":
		if next.is("(") {
			return p.position(), true
		}
	case "substring":
		if next.is("(") && p.topLevelKw("from") {
			return p.substringFrom(), true
		}
	case "trim":
		if next.is("(") {
			return p.trim(), true
		}
	case "normalize":
		if next.is("(") {
			return p.normalize(), true
		}
	case "listagg":
		if next.is("(") {
			return p.listagg(), true
		}
	case "json_exists", "json_value", "json_query":
		if next.is("(") {
			return p.jsonPathFunc(), true
		}
	case "json_object", "json_array", "json_table":
		p.fail(t.pos, "%s is not supported by Cairn; use json_parse or json_format", strings.ToUpper(t.text))
	case "grouping":
		if next.is("(") {
			p.i += 2
			p.exprList()
			p.expectOp(")")
			return p.other(start, constShape(sNum)), true
		}
	}
	if next.kind == tString && t.kind == tIdent {
		return p.typedLiteral(), true
	}
	if t.val == "double" && next.kw("precision") && p.peek(2).kind == tString {
		p.i += 2
		lit := p.tok()
		p.i++
		p.replace(start, p.i, "CAST("+lit.text+" AS DOUBLE)")
		return p.other(start, constShape(sNum)), true
	}
	return expr{}, false
}

// topLevelKw reports whether keyword k appears inside the parentheses
// that start at the next token, outside nested ones.
func (p *parser) topLevelKw(k string) bool {
	depth := 0
	for j := p.i + 1; j < len(p.toks); j++ {
		t := &p.toks[j]
		switch {
		case t.is("(") || t.is("["):
			depth++
		case t.is(")") || t.is("]"):
			depth--
			if depth == 0 {
				return false
			}
		case depth == 1 && t.kw(k):
			return true
		case t.kind == tEOF:
			return false
		}
	}
	return false
}

var extractFields = map[string]string{
	"year": "year", "quarter": "quarter", "month": "month", "week": "week", "day": "day",
	"day_of_month": "day", "day_of_week": "isodow", "dow": "isodow", "day_of_year": "dayofyear",
	"doy": "dayofyear", "year_of_week": "isoyear", "yow": "isoyear", "hour": "hour",
	"minute": "minute", "second": "second", "timezone_hour": "timezone_hour",
	"timezone_minute": "timezone_minute",
}

func (p *parser) extract() expr {
	start := p.i
	p.i += 2
	f := p.tok()
	fn, ok := extractFields[f.val]
	if f.kind != tIdent || !ok {
		p.fail(f.pos, "Invalid EXTRACT field: %s", f.text)
	}
	p.i++
	p.expectKw("from")
	vs := p.i
	p.expr()
	val := p.wrap(vs)
	p.expectOp(")")
	n := p.wrap(start)
	n.render = func(r *renderer) {
		at := r.pos(n)
		r.gap(n.start)
		r.text(fn+"(", at)
		r.bare(val)
		r.text(")", at)
	}
	p.q.funcs[fn] = "extract"
	return p.other(start, constShape(sNum))
}

func (p *parser) position() expr {
	start := p.i
	p.i += 2
	ns := p.i
	p.valueExpr()
	needle := p.wrap(ns)
	p.expectKw("in")
	hs := p.i
	p.valueExpr()
	hay := p.wrap(hs)
	p.expectOp(")")
	n := p.wrap(start)
	n.render = func(r *renderer) {
		at := r.pos(n)
		r.gap(n.start)
		r.text("strpos(", at)
		r.bare(hay)
		r.text(", ", at)
		r.bare(needle)
		r.text(")", at)
	}
	p.q.funcs["strpos"] = "position"
	return p.other(start, constShape(sNum))
}

// substringFrom handles SUBSTRING(s FROM start [FOR length]).
func (p *parser) substringFrom() expr {
	start := p.i
	p.i += 2
	p.valueExpr()
	p.replace(p.i, p.i+1, ",")
	p.expectKw("from")
	p.valueExpr()
	if p.kw("for") {
		p.replace(p.i, p.i+1, ",")
		p.i++
		p.valueExpr()
	}
	p.expectOp(")")
	return p.other(start, constShape(sStr))
}

// trim handles TRIM(s), TRIM(s, chars) and TRIM([BOTH|LEADING|TRAILING]
// [chars] FROM s), which DuckDB reads alike.
func (p *parser) trim() expr {
	start := p.i
	p.i += 2
	spec := p.acceptKw("both") || p.acceptKw("leading") || p.acceptKw("trailing")
	if p.acceptKw("from") {
		p.valueExpr()
	} else {
		p.valueExpr()
		switch {
		case p.acceptKw("from"):
			p.valueExpr()
		case spec:
			p.expected("'FROM'")
		case p.acceptOp(","):
			p.valueExpr()
		}
	}
	p.expectOp(")")
	return p.other(start, constShape(sStr))
}

func (p *parser) normalize() expr {
	start := p.i
	p.i += 2
	vs := p.i
	p.valueExpr()
	val := p.wrap(vs)
	if p.acceptOp(",") {
		f := p.tok()
		if !f.kw("nfc") {
			p.fail(f.pos, "normalize with form %s is not supported; only NFC is", f.text)
		}
		p.i++
	}
	p.expectOp(")")
	n := p.wrap(start)
	n.render = func(r *renderer) {
		r.gap(n.start)
		r.text("nfc_normalize(", r.pos(n))
		r.bare(val)
		r.text(")", r.pos(n))
	}
	p.q.funcs["nfc_normalize"] = "normalize"
	return p.other(start, constShape(sStr))
}

// listagg translates LISTAGG(x [, sep]) WITHIN GROUP (ORDER BY ...) into
// string_agg.
func (p *parser) listagg() expr {
	start := p.i
	p.i += 2
	distinct := p.acceptKw("distinct")
	if !distinct {
		p.acceptKw("all")
	}
	vs := p.i
	p.expr()
	val := p.wrap(vs)
	var sep *node
	if p.acceptOp(",") {
		ss := p.i
		p.expr()
		sep = p.wrap(ss)
	}
	if p.kw("on") && p.peek(1).kw("overflow") {
		p.i += 2
		if !p.acceptKw("error") {
			p.fail(p.tok().pos, "LISTAGG ... ON OVERFLOW TRUNCATE is not supported")
		}
	}
	p.expectOp(")")
	var order *node
	if p.acceptKw("within") {
		p.expectKw("group")
		p.expectOp("(")
		p.expectKw("order")
		p.expectKw("by")
		os := p.i
		p.sortItems()
		order = p.wrap(os)
		p.expectOp(")")
	}
	tail := p.i
	if p.kw("filter") {
		p.i++
		p.expectOp("(")
		p.expectKw("where")
		p.expr()
		p.expectOp(")")
	}
	if p.kw("over") {
		p.fail(p.tok().pos, "LISTAGG as a window function is not supported")
	}
	n := p.wrap(start)
	n.render = func(r *renderer) {
		at := r.pos(n)
		r.gap(n.start)
		r.text("string_agg(", at)
		if distinct {
			r.text("DISTINCT ", at)
		}
		r.bare(val)
		r.text(", ", at)
		if sep != nil {
			r.bare(sep)
		} else {
			r.text("''", at)
		}
		if order != nil {
			r.text(" ORDER BY ", at)
			r.bare(order)
		}
		r.text(")", at)
		r.rangeOf(n, tail, n.end)
	}
	p.q.funcs["string_agg"] = "listagg"
	return p.other(start, constShape(sStr))
}

// jsonPathFunc handles the simple forms of the SQL/JSON functions:
// JSON_EXISTS, JSON_VALUE and JSON_QUERY with a literal path.
func (p *parser) jsonPathFunc() expr {
	start := p.i
	fn := p.tok().val
	p.i += 2
	vs := p.i
	p.expr()
	val := p.wrap(vs)
	if p.kw("format") {
		p.i++
		p.expectKw("json")
	}
	p.expectOp(",")
	path := p.tok()
	if path.kind != tString {
		p.expected("<JSON path string>")
	}
	p.i++
	if !p.is(")") {
		p.fail(p.tok().pos, "%s with PASSING, RETURNING, wrapper or ON EMPTY/ON ERROR clauses is not supported", strings.ToUpper(fn))
	}
	p.i++
	jp := strings.TrimSpace(path.val)
	for _, mode := range []string{"lax ", "strict "} {
		if strings.HasPrefix(strings.ToLower(jp), mode) {
			jp = strings.TrimSpace(jp[len(mode):])
		}
	}
	jp = duckPath(jp)
	var tmpl string
	var sh shape
	switch fn {
	case "json_exists":
		tmpl, sh = "(lake_json_extract(%s, %s) IS NOT NULL)", sBool
	case "json_value":
		tmpl, sh = "lake_json_extract_scalar(%s, %s)", sStr
	default:
		tmpl, sh = "lake_json_extract(%s, %s)", sJSON
	}
	n := p.wrap(start)
	n.render = func(r *renderer) {
		at := r.pos(n)
		r.gap(n.start)
		pre, post, _ := strings.Cut(tmpl, "%s")
		r.text(pre, at)
		r.bare(val)
		r.text(strings.Replace(post, "%s", quoteString(jp), 1), at)
	}
	return p.other(start, constShape(sh))
}

var bracketKey = regexp.MustCompile(`\[\s*"((?:[^"\\]|\\.)*)"\s*\]`)

// duckPath rewrites the bracketed member names of a Trino JSON path
// ($["a b"]) the way DuckDB reads them ($."a b").
func duckPath(path string) string {
	return bracketKey.ReplaceAllString(path, `."$1"`)
}
