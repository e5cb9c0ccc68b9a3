package lakesql

import (
	"fmt"
	"regexp"
	"strings"
)

// cast parses CAST and TRY_CAST, translating the type. Casts to varchar
// of timestamps and JSON, and casts to JSON, follow Trino's rules.
func (p *parser) cast() expr {
	start := p.i
	try := p.kw("try_cast")
	p.i += 2
	vs := p.i
	e := p.expr()
	val := p.wrap(vs)
	p.expectKw("as")
	ts := p.i
	typ := p.parseType()
	p.replace(ts, p.i, typ.duck)
	p.expectOp(")")
	n := p.wrap(start)
	switch typ.shape {
	case sStr:
		n.render = func(r *renderer) {
			at := r.pos(n)
			switch sh := e.shape(); sh {
			case sTimestamp, sTimestampTZ:
				pre, post := textOf(sh)
				r.gap(n.start)
				r.text(pre, at)
				r.bare(val)
				r.text(post, at)
			case sJSON:
				r.gap(n.start)
				r.text("json_extract_string(", at)
				r.bare(val)
				r.text(", '$')", at)
			default:
				r.span(n)
			}
		}
	case sJSON:
		n.render = func(r *renderer) {
			at := r.pos(n)
			r.gap(n.start)
			if try {
				r.text("try(", at)
			}
			r.text("to_json(", at)
			r.bare(val)
			r.text(")", at)
			if try {
				r.text(")", at)
			}
		}
	}
	return p.other(start, constShape(typ.shape))
}

type typeInfo struct {
	duck  string
	shape shape
}

var simpleTypes = map[string]typeInfo{
	"bigint": {"BIGINT", sNum}, "integer": {"INTEGER", sNum}, "int": {"INTEGER", sNum},
	"smallint": {"SMALLINT", sNum}, "tinyint": {"TINYINT", sNum}, "real": {"FLOAT", sNum},
	"double": {"DOUBLE", sNum}, "boolean": {"BOOLEAN", sBool}, "date": {"DATE", sDate},
	"json": {"JSON", sJSON}, "varbinary": {"BLOB", sBlob}, "uuid": {"UUID", sUnknown},
	"varchar": {"VARCHAR", sStr}, "char": {"VARCHAR", sStr},
}

// parseType reads a Trino type and returns its DuckDB spelling.
func (p *parser) parseType() typeInfo {
	t := p.tok()
	if t.kind != tIdent && t.kind != tQuoted {
		p.expected("<type>")
	}
	name := strings.ToLower(identName(t))
	p.i++
	var ti typeInfo
	switch name {
	case "array":
		p.expectOp("(")
		el := p.parseType()
		p.expectOp(")")
		ti = typeInfo{el.duck + "[]", sList}
	case "map":
		p.expectOp("(")
		k := p.parseType()
		p.expectOp(",")
		v := p.parseType()
		p.expectOp(")")
		ti = typeInfo{"MAP(" + k.duck + ", " + v.duck + ")", sMap}
	case "row":
		p.expectOp("(")
		var fields []string
		for i := 0; ; i++ {
			f := fmt.Sprintf("field%d", i)
			if t := p.tok(); (t.kind == tIdent || t.kind == tQuoted) && !p.peek(1).is(",") && !p.peek(1).is(")") && !p.peek(1).is("(") {
				f = identName(t)
				p.i++
			}
			fields = append(fields, quoteIdent(f)+" "+p.parseType().duck)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		ti = typeInfo{"STRUCT(" + strings.Join(fields, ", ") + ")", sRow}
	case "timestamp", "time":
		prec := 3
		if p.acceptOp("(") {
			fmt.Sscan(p.tok().text, &prec)
			p.count()
			p.expectOp(")")
		}
		tz := false
		if p.kw("with") && p.peek(1).kw("time") && p.peek(2).kw("zone") {
			p.i += 3
			tz = true
		} else if p.kw("without") && p.peek(1).kw("time") && p.peek(2).kw("zone") {
			p.i += 3
		}
		switch {
		case name == "time" && tz:
			ti = typeInfo{"TIMETZ", sTime}
		case name == "time":
			ti = typeInfo{"TIME", sTime}
		case tz:
			ti = typeInfo{"TIMESTAMPTZ", sTimestampTZ}
		case prec == 0:
			ti = typeInfo{"TIMESTAMP_S", sTimestamp}
		case prec <= 3:
			ti = typeInfo{"TIMESTAMP_MS", sTimestamp}
		case prec <= 6:
			ti = typeInfo{"TIMESTAMP", sTimestamp}
		default:
			ti = typeInfo{"TIMESTAMP_NS", sTimestamp}
		}
	case "interval":
		for _, u := range []string{"year", "month", "day", "hour", "minute", "second"} {
			if p.acceptKw(u) {
				p.expectKw("to")
				p.i++
				break
			}
		}
		ti = typeInfo{"INTERVAL", sInterval}
	case "decimal":
		prec, scale := "38", "0"
		if p.acceptOp("(") {
			prec = p.tok().text
			p.count()
			if p.acceptOp(",") {
				scale = p.tok().text
				p.count()
			}
			p.expectOp(")")
		}
		ti = typeInfo{"DECIMAL(" + prec + ", " + scale + ")", sNum}
	case "double":
		p.acceptKw("precision")
		ti = simpleTypes[name]
	default:
		var ok bool
		ti, ok = simpleTypes[name]
		if !ok {
			p.fail(t.pos, "Unknown type: %s", identName(t))
		}
		if (name == "varchar" || name == "char") && p.acceptOp("(") {
			p.count()
			p.expectOp(")")
		}
	}
	if p.kw("array") {
		p.i++
		ti = typeInfo{ti.duck + "[]", sList}
	}
	return ti
}

var zoneSuffix = regexp.MustCompile(`\d[ T]\d{1,2}:\d{2}(:\d{2}(\.\d*)?)?\s*([A-Za-z]|[+-]\d)`)

// typedLiteral translates <type> 'text'.
func (p *parser) typedLiteral() expr {
	start := p.i
	t := p.tok()
	lit := p.peek(1)
	p.i += 2
	var text string
	var sh shape
	switch t.val {
	case "x":
		if t.end != lit.pos {
			p.fail(t.pos, "Unknown type: %s", t.text)
		}
		hex := strings.ReplaceAll(lit.val, " ", "")
		if !regexp.MustCompile(`^([0-9A-Fa-f]{2})*$`).MatchString(hex) {
			p.fail(lit.pos, "Binary literal can only contain hexadecimal digits")
		}
		text, sh = "unhex("+quoteString(hex)+")", sBlob
	case "timestamp":
		if zoneSuffix.MatchString(lit.val) {
			text, sh = "CAST("+lit.text+" AS TIMESTAMPTZ)", sTimestampTZ
		} else {
			text, sh = "CAST("+lit.text+" AS TIMESTAMP)", sTimestamp
		}
	case "json":
		text, sh = "json("+lit.text+")", sJSON
	case "decimal":
		digits := strings.TrimLeft(strings.TrimSpace(lit.val), "+-")
		whole, frac, _ := strings.Cut(digits, ".")
		prec := len(whole) + len(frac)
		if prec == 0 || prec > 38 {
			p.fail(lit.pos, "Invalid decimal literal: %s", lit.text)
		}
		text, sh = fmt.Sprintf("CAST(%s AS DECIMAL(%d, %d))", lit.text, prec, len(frac)), sNum
	case "time":
		text, sh = "CAST("+lit.text+" AS TIME)", sTime
	default:
		ti, ok := simpleTypes[t.val]
		if !ok {
			p.fail(t.pos, "Unknown type: %s", t.text)
		}
		text, sh = "CAST("+lit.text+" AS "+ti.duck+")", ti.shape
	}
	p.replace(start, p.i, text)
	return p.other(start, constShape(sh))
}

var intervalUnits = wordSet("year month day hour minute second")

// interval translates INTERVAL 'n' unit [TO unit]; DuckDB has no
// intervals with two units, so those become one string.
func (p *parser) interval() expr {
	start := p.i
	p.i++
	neg := false
	if p.is("-") || p.is("+") {
		neg = p.is("-")
		p.i++
	}
	lit := p.tok()
	p.i++
	from := p.tok()
	if from.kind != tIdent || !intervalUnits[from.val] {
		p.expected("'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'")
	}
	p.i++
	text := "INTERVAL " + lit.text + " " + strings.ToUpper(from.val)
	if p.acceptKw("to") {
		to := p.tok()
		if to.kind != tIdent || !intervalUnits[to.val] {
			p.expected("'MONTH', 'HOUR', 'MINUTE', 'SECOND'")
		}
		p.i++
		s, ok := intervalText(lit.val, from.val, to.val)
		if !ok {
			p.fail(lit.pos, "Invalid INTERVAL %s TO %s value: %s", strings.ToUpper(from.val), strings.ToUpper(to.val), lit.text)
		}
		text = "INTERVAL " + quoteString(s)
	}
	if neg {
		text = "(- " + text + ")"
	}
	p.replace(start, p.i, text)
	return p.other(start, constShape(sInterval))
}

var (
	yearMonth = regexp.MustCompile(`^\s*(-?)(\d+)-(\d+)\s*$`)
	dayTime   = regexp.MustCompile(`^\s*(-?)(?:(\d+) )?(\d+)(?::(\d+))?(?::(\d+(?:\.\d+)?))?\s*$`)
)

func intervalText(v, from, to string) (string, bool) {
	if from == "year" && to == "month" {
		m := yearMonth.FindStringSubmatch(v)
		if m == nil {
			return "", false
		}
		return fmt.Sprintf("%s%s years %s%s months", m[1], m[2], m[1], m[3]), true
	}
	order := map[string]int{"day": 0, "hour": 1, "minute": 2, "second": 3}
	f, okf := order[from]
	l, okt := order[to]
	if !okf || !okt || l <= f {
		return "", false
	}
	m := dayTime.FindStringSubmatch(v)
	if m == nil {
		return "", false
	}
	// Fields in the string, from the first unit to the last.
	var fields []string
	for _, s := range m[2:] {
		if s != "" {
			fields = append(fields, s)
		}
	}
	if len(fields) != l-f+1 {
		return "", false
	}
	vals := []string{"0", "0", "0", "0"}
	copy(vals[f:], fields)
	return fmt.Sprintf("%s%s days %s%s:%s:%s", m[1], vals[0], m[1], vals[1], vals[2], vals[3]), true
}
