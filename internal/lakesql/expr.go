package lakesql

import (
	"strings"
)

type exprKind uint8

const (
	eOther exprKind = iota
	eString
	eNumber
	eBool
	eNull
	eParen
	eRow
	eLambda
	eRef
)

// expr describes a parsed expression.
type expr struct {
	start int
	kind  exprKind
	name  string   // the output name Trino gives it: a column or field name as written
	ref   []string // a column reference: its path, lower case
	shape shapeFn
	lit   *token // a literal: its token
	lam   *lambda
}

type lambda struct {
	params []string // lower case
	body   *node
}

func (p *parser) other(start int, sh shapeFn) expr {
	if sh == nil {
		sh = unknownShape
	}
	return expr{start: start, shape: sh}
}

func (p *parser) expr() expr {
	p.enter()
	defer p.leave()
	return p.or()
}

func (p *parser) or() expr {
	e := p.and()
	for p.kw("or") {
		p.i++
		p.and()
		e = p.other(e.start, constShape(sBool))
	}
	return e
}

func (p *parser) and() expr {
	e := p.not()
	for p.kw("and") {
		p.i++
		p.not()
		e = p.other(e.start, constShape(sBool))
	}
	return e
}

func (p *parser) not() expr {
	if p.kw("not") {
		start := p.i
		p.i++
		p.not()
		return p.other(start, constShape(sBool))
	}
	return p.predicate()
}

var comparisons = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) predicate() expr {
	e := p.valueExpr()
	t := p.tok()
	switch {
	case t.kind == tOp && comparisons[t.text]:
		p.i++
		if (p.kw("any") || p.kw("all") || p.kw("some")) && p.peek(1).is("(") {
			p.i += 2
			p.query()
			p.expectOp(")")
		} else {
			r := p.valueExpr()
			p.coerceBool(e, r)
			p.coerceBool(r, e)
		}
	case t.kw("not") && (p.peek(1).kw("between") || p.peek(1).kw("in") || p.peek(1).kw("like")):
		p.i++
		p.predicateTail()
	case t.kw("between") || t.kw("in") || t.kw("like"):
		p.predicateTail()
	case t.kw("is"):
		p.i++
		p.acceptKw("not")
		switch {
		case p.acceptKw("null"):
		case p.acceptKw("distinct"):
			p.expectKw("from")
			p.valueExpr()
		default:
			p.expected("'NULL', 'DISTINCT'")
		}
	default:
		return e
	}
	return p.other(e.start, constShape(sBool))
}

func (p *parser) predicateTail() {
	switch {
	case p.acceptKw("between"):
		p.valueExpr()
		p.expectKw("and")
		p.valueExpr()
	case p.acceptKw("in"):
		p.expectOp("(")
		if p.kw("select") || p.kw("with") || p.kw("values") {
			p.query()
		} else {
			p.exprList()
		}
		p.expectOp(")")
	case p.acceptKw("like"):
		p.valueExpr()
		if p.acceptKw("escape") {
			p.valueExpr()
		}
	}
}

// coerceBool turns a boolean literal compared with a text column into
// text: Lake accepts sessionCredentialFromConsole = true, a varchar column
// holding "true".
func (p *parser) coerceBool(lit, other expr) {
	if lit.kind != eBool {
		return
	}
	t := lit.lit
	i := lit.start
	n := &node{start: i, end: i + 1}
	n.render = func(r *renderer) {
		r.gap(i)
		if other.shape() == sStr {
			r.text("'"+t.val+"'", t.pos)
		} else {
			r.text(t.text, t.pos)
		}
	}
	insert(p.root, n)
}

func (p *parser) valueExpr() expr {
	e := p.additive()
	for p.is("||") {
		p.i++
		p.additive()
		l := e.shape
		e = p.other(e.start, func() shape {
			if s := l(); s == sList {
				return sList
			}
			return sStr
		})
	}
	return e
}

func (p *parser) additive() expr {
	e := p.multiplicative()
	for p.is("+") || p.is("-") {
		p.i++
		r := p.multiplicative()
		l, rs := e.shape, r.shape
		e = p.other(e.start, func() shape {
			switch s := l(); s {
			case sTimestamp, sTimestampTZ, sDate, sInterval:
				return s
			}
			switch s := rs(); s {
			case sTimestamp, sTimestampTZ, sDate:
				return s
			}
			return sNum
		})
	}
	return e
}

func (p *parser) multiplicative() expr {
	e := p.unary()
	for p.is("*") || p.is("/") || p.is("%") {
		if p.is("/") {
			// Trino divides integers without a remainder; so does DuckDB's //,
			// which divides other numbers as / does.
			p.replace(p.i, p.i+1, "//")
		}
		p.i++
		p.unary()
		e = p.other(e.start, constShape(sNum))
	}
	return e
}

func (p *parser) unary() expr {
	if p.is("-") || p.is("+") {
		start := p.i
		p.i++
		e := p.unary()
		if e.kind == eNumber {
			e.start = start
			return e
		}
		return p.other(start, e.shape)
	}
	return p.atTimeZone()
}

// atTimeZone handles x AT TIME ZONE z. Trino converts the instant to the
// zone; DuckDB's AT TIME ZONE reads a timestamp as local time of the zone,
// so the output converts explicitly.
func (p *parser) atTimeZone() expr {
	e := p.postfix()
	for p.kw("at") && (p.peek(1).kw("time") && p.peek(2).kw("zone") || p.peek(1).kw("local")) {
		val := p.wrap(e.start)
		p.i++
		var zone *node
		if p.acceptKw("local") {
			zone = nil
		} else {
			p.i += 2
			zs := p.i
			p.postfix()
			zone = p.wrap(zs)
		}
		n := p.wrap(e.start)
		n.render = func(r *renderer) {
			at := r.pos(n)
			r.gap(n.start)
			r.text("timezone(", at)
			if zone == nil {
				r.text("current_setting('TimeZone')", at)
			} else {
				r.bare(zone)
			}
			r.text(", CAST(", at)
			r.bare(val)
			r.text(" AS TIMESTAMPTZ))", at)
		}
		e = p.other(e.start, constShape(sTimestamp))
	}
	return e
}

func (p *parser) postfix() expr {
	e := p.primary()
	for {
		switch {
		case p.is("["):
			base := e
			p.i++
			p.expr()
			p.expectOp("]")
			e = p.other(e.start, unknownShape)
			if base.kind == eRef {
				e.shape = p.refShape(base.ref, true)
			}
		case p.is(".") && (p.peek(1).kind == tIdent || p.peek(1).kind == tQuoted):
			p.i++
			t := p.tok()
			t.name = true
			p.i++
			field := identName(t)
			if e.kind == eRef {
				e.ref = append(append([]string(nil), e.ref...), strings.ToLower(field))
				e.shape = p.refShape(e.ref, false)
				e.name = field
			} else {
				e = expr{start: e.start, name: field, shape: unknownShape}
			}
		default:
			return e
		}
	}
}

func (p *parser) primary() expr {
	t := p.tok()
	start := p.i
	switch t.kind {
	case tNumber:
		p.i++
		return expr{start: start, kind: eNumber, lit: t, shape: constShape(sNum)}
	case tString:
		p.i++
		return expr{start: start, kind: eString, lit: t, shape: constShape(sStr)}
	case tDigitWord:
		p.fail(t.pos, "identifiers must not start with a digit; surround the identifier with double quotes")
	case tOp:
		switch t.text {
		case "(":
			return p.parenthesized()
		case "?":
			p.fail(t.pos, "Query parameters are not supported")
		}
		p.expected("<expression>")
	case tEOF:
		p.expected("<expression>")
	case tIdent:
		if e, ok := p.special(t); ok {
			return e
		}
		if trinoReserved[t.val] {
			p.expected("<expression>")
		}
	}
	if p.peek(1).is("(") {
		return p.call()
	}
	if p.peek(1).is(".") && p.peek(2).kind != tEOF && p.peek(3).is("(") &&
		(p.peek(2).kind == tIdent || p.peek(2).kind == tQuoted) {
		p.fail(t.pos, "Function '%s.%s' not registered", identName(t), identName(p.peek(2)))
	}
	t.name = true
	t.head = true
	p.i++
	name := identName(t)
	path := []string{strings.ToLower(name)}
	e := expr{start: start, kind: eRef, name: name, ref: path}
	if p.isParam(path[0]) {
		e.shape = unknownShape
	} else {
		e.shape = p.refShape(path, false)
	}
	return e
}

func (p *parser) isParam(name string) bool {
	for _, s := range p.params {
		if s[name] {
			return true
		}
	}
	return false
}

func (p *parser) parenthesized() expr {
	start := p.i
	if n := p.peek(1); n.kw("select") || n.kw("with") || n.kw("values") {
		p.i++
		p.query()
		p.expectOp(")")
		return p.other(start, unknownShape)
	}
	p.i++
	e := p.expr()
	if p.acceptOp(",") {
		p.exprList()
		p.expectOp(")")
		return expr{start: start, kind: eRow, shape: constShape(sRow)}
	}
	p.expectOp(")")
	return expr{start: start, kind: eParen, name: e.name, shape: e.shape}
}

func (p *parser) caseExpr() expr {
	start := p.i
	p.i++
	if !p.kw("when") {
		p.expr()
	}
	var sh shapeFn
	if !p.kw("when") {
		p.expected("'WHEN'")
	}
	for p.acceptKw("when") {
		p.expr()
		p.expectKw("then")
		e := p.expr()
		if sh == nil {
			sh = e.shape
		}
	}
	if p.acceptKw("else") {
		p.expr()
	}
	p.expectKw("end")
	return p.other(start, sh)
}

// call parses a function call: name(args) [FILTER (WHERE ...)] [IGNORE
// NULLS] [OVER ...].
func (p *parser) call() expr {
	start := p.i
	nameTok := p.tok()
	c := &call{name: strings.ToLower(identName(nameTok)), written: identName(nameTok), start: start}
	p.i += 2
	switch {
	case p.is(")"):
	case p.is("*") && p.peek(1).is(")"):
		c.star = true
		p.i++
	default:
		if p.acceptKw("distinct") {
			c.distinct = true
		} else {
			p.acceptKw("all")
		}
		for {
			e, n := p.callArg()
			c.args = append(c.args, n)
			c.exprs = append(c.exprs, e)
			if !p.acceptOp(",") {
				break
			}
		}
		if p.kw("order") {
			p.i++
			p.expectKw("by")
			p.sortItems()
			c.orderBy = true
		}
	}
	c.close = p.i
	p.expectOp(")")
	if p.kw("filter") && p.peek(1).is("(") {
		p.i += 2
		p.expectKw("where")
		p.expr()
		p.expectOp(")")
		c.filter = true
	}
	if (p.kw("ignore") || p.kw("respect")) && p.peek(1).kw("nulls") {
		c.nulls = p.i
		p.i += 2
	}
	if p.acceptKw("over") {
		if p.acceptOp("(") {
			p.windowSpec()
			p.expectOp(")")
		} else {
			p.name()
		}
		c.over = true
	}
	c.node = p.wrap(start)
	return p.other(start, p.applyFunction(c))
}

// callArg parses one argument of a function call: an expression or a
// lambda (x -> ..., (x, y) -> ...).
func (p *parser) callArg() (expr, *node) {
	start := p.i
	var params []string
	switch {
	case isIdent(p.tok()) && p.peek(1).is("->"):
		params = []string{p.tok().val}
		p.tok().name = true
		p.i += 2
	case p.is("("):
		j := p.i + 1
		var names []string
		for isIdent(&p.toks[j]) && p.toks[j].kind == tIdent {
			names = append(names, p.toks[j].val)
			j++
			if !p.toks[j].is(",") {
				break
			}
			j++
		}
		if len(names) > 0 && p.toks[j].is(")") && p.toks[j+1].is("->") {
			for k := p.i + 1; k < j; k++ {
				p.toks[k].name = true
			}
			params = names
			p.i = j + 2
		}
	}
	if params == nil {
		e := p.expr()
		return e, p.wrap(start)
	}
	scope := map[string]bool{}
	for _, n := range params {
		scope[n] = true
	}
	p.params = append(p.params, scope)
	bs := p.i
	p.expr()
	body := p.wrap(bs)
	p.params = p.params[:len(p.params)-1]
	n := p.wrap(start)
	lam := &lambda{params: params, body: body}
	n.render = func(r *renderer) {
		at := r.pos(n)
		r.gap(n.start)
		var ps []string
		for _, v := range params {
			if duckReserved[v] {
				v = quoteIdent(v)
			}
			ps = append(ps, v)
		}
		r.text("(lambda "+strings.Join(ps, ", ")+": (", at)
		saved := r.subst
		if len(saved) > 0 {
			r.subst = map[string]string{}
			for k, v := range saved {
				if !scope[k] {
					r.subst[k] = v
				}
			}
		}
		r.bare(body)
		r.subst = saved
		r.text("))", at)
	}
	return expr{start: start, kind: eLambda, lam: lam, shape: unknownShape}, n
}
