package lakesql

import (
	"fmt"
	"strings"
)

// Resolver maps a table reference of a FROM or JOIN clause to the DuckDB
// relation to read instead. name is the reference as written, without
// double quotes: an event data store ID (074365db-2079-4c18-ab83-e753897b74fe,
// EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE) or an identifier (EDS1); parts of
// a qualified name are joined by ".". ok=false means the table does not
// exist; a non-nil err is returned by Translate as it is. It is called
// once per table name, however often the statement names it.
type Resolver func(name string) (relation string, ok bool, err error)

// Query is a Lake statement translated for DuckDB.
type Query struct {
	SQL    string   // the DuckDB statement
	Tables []string // the tables resolved, as written, once each, in order of appearance

	src         string
	segs        []seg
	funcs       map[string]string // DuckDB function names used → the Lake function written
	lambdaCalls []lakeCall        // calls translated into DuckDB lambdas over an array argument
}

// lakeCall is a function call of the statement.
type lakeCall struct {
	name string // as written
	pos  int
}

// maxDepth bounds the nesting of queries and expressions.
const maxDepth = 200

type parser struct {
	src       string
	toks      []token
	i         int
	root      *node
	resolve   Resolver
	q         *Query
	seen      map[string]string // relation of each table resolved, by name
	ctes      []map[string]bool // WITH names in scope
	params    []map[string]bool // lambda parameters in scope
	spec      *specScope        // the query specification being parsed
	fromLimit int               // in UNNEST: the sources of spec it sees; else -1
	depth     int
}

// bail carries an error out of the recursive descent.
type bail struct{ err error }

// Translate checks that statement is one query (SELECT, WITH ... SELECT,
// VALUES, set operations, parenthesized queries) in Lake's dialect
// (Trino SQL), resolves its tables and rewrites it for DuckDB. It returns
// an *Error for a statement Lake would reject, or the error resolve
// returned.
func Translate(statement string, resolve Resolver) (q *Query, err error) {
	toks, lerr := lex(statement)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{
		src: statement, toks: toks, resolve: resolve,
		root: &node{start: 0, end: len(toks)},
		q:    &Query{src: statement, funcs: map[string]string{}},
		seen: map[string]string{},

		fromLimit: -1,
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			q, err = nil, b.err
		}
	}()
	p.statement()
	// What precedes and follows the statement (comments) is dropped: a
	// caller may embed the query in another.
	r := &renderer{src: statement, toks: toks, noGap: true}
	r.rangeOf(p.root, 0, len(toks)-1)
	p.q.SQL = strings.TrimRight(r.b.String(), " \t\r\n")
	p.q.segs = r.segs
	return p.q, nil
}

// ---- token access ----

func (p *parser) tok() *token { return &p.toks[p.i] }

func (p *parser) peek(k int) *token {
	if p.i+k < len(p.toks) {
		return &p.toks[p.i+k]
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) is(op string) bool { return p.tok().is(op) }
func (p *parser) kw(k string) bool  { return p.tok().kw(k) }

func (p *parser) acceptOp(op string) bool {
	if p.is(op) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptKw(k string) bool {
	if p.kw(k) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expectOp(op string) {
	if !p.acceptOp(op) {
		p.expected("'" + op + "'")
	}
}

func (p *parser) expectKw(k string) {
	if !p.acceptKw(k) {
		p.expected("'" + strings.ToUpper(k) + "'")
	}
}

func (p *parser) fail(off int, format string, args ...any) {
	panic(bail{errAt(p.src, off, fmt.Sprintf(format, args...))})
}

// expected reports the current token as a syntax error.
func (p *parser) expected(what string) {
	t := p.tok()
	p.fail(t.pos, "mismatched input '%s'. Expecting: %s", t.describe(), what)
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok().pos, "Statement is too deeply nested")
	}
}

func (p *parser) leave() { p.depth-- }

// isIdent reports whether t can stand for a name.
func isIdent(t *token) bool {
	return t.kind == tQuoted || t.kind == tIdent && !trinoReserved[t.val]
}

// identName is the name a token stands for, as written.
func identName(t *token) string {
	if t.kind == tQuoted {
		return t.val
	}
	return t.text
}

// name consumes an identifier, marking it for quoting in the output.
func (p *parser) name() string {
	t := p.tok()
	if !isIdent(t) {
		p.expected("identifier")
	}
	t.name = true
	p.i++
	return identName(t)
}

// canAlias reports whether the current token names the relation or
// select item before it (an alias without AS).
func (p *parser) canAlias() bool {
	t := p.tok()
	return t.kind == tQuoted || t.kind == tIdent && !trinoReserved[t.val] && !notAlias[t.val]
}

// ---- nodes ----

// wrap makes a node of the tokens from start to the current one, adopting
// the nodes already made among them.
func (p *parser) wrap(start int) *node {
	n := &node{start: start, end: p.i}
	kids := p.root.kids
	k := len(kids)
	for k > 0 && kids[k-1].start >= start {
		k--
	}
	n.kids = append([]*node(nil), kids[k:]...)
	p.root.kids = append(kids[:k], n)
	return n
}

// replace makes the tokens [start, end) render as text.
func (p *parser) replace(start, end int, text string) *node {
	n := &node{start: start, end: end, text: &text}
	insert(p.root, n)
	return n
}

// insert places n among the nodes of parent, inside the one holding it.
func insert(parent *node, n *node) {
	for {
		k := 0
		for k < len(parent.kids) && parent.kids[k].end <= n.start {
			k++
		}
		if k < len(parent.kids) && parent.kids[k].start <= n.start && parent.kids[k].end >= n.end && parent.kids[k].text == nil {
			parent = parent.kids[k]
			continue
		}
		parent.kids = append(parent.kids, nil)
		copy(parent.kids[k+1:], parent.kids[k:])
		parent.kids[k] = n
		return
	}
}

// ---- statements and queries ----

func (p *parser) statement() {
	t := p.tok()
	switch {
	case t.kind == tEOF:
		p.fail(t.pos, "The query statement is empty")
	case t.kind == tIdent && notSelect[t.val]:
		p.fail(t.pos, "Only SELECT statements are supported by CloudTrail Lake; this statement starts with '%s'", t.text)
	case !(t.kw("select") || t.kw("with") || t.kw("values") || t.kw("table") || t.is("(")):
		p.expected("'SELECT', 'WITH', 'VALUES', 'TABLE', '('")
	}
	for _, l := range p.query().leaves {
		for _, it := range l {
			it.top = true
		}
	}
	semi := p.is(";")
	if semi {
		p.replace(p.i, p.i+1, "")
		p.i++
	}
	if t := p.tok(); t.kind != tEOF {
		if semi {
			p.fail(t.pos, "Only one statement can be run at a time; remove what follows the ';'")
		}
		p.expected("',', 'EXCEPT', 'FROM', 'GROUP', 'HAVING', 'INTERSECT', 'LIMIT', 'OFFSET', 'ORDER', 'UNION', 'WHERE', 'WINDOW', <EOF>")
	}
}

// item is an expression of a select list.
type item struct {
	idx   int
	star  bool
	e     expr
	node  *node
	set   *setOp
	alias bool
	top   bool // of the statement's result
}

// qres describes a query: the select lists of the query specifications
// that make up its set operations, in order.
type qres struct{ leaves [][]*item }

func (p *parser) query() *qres {
	p.enter()
	defer p.leave()
	pushed := false
	if p.acceptKw("with") {
		recursive := p.acceptKw("recursive")
		scope := map[string]bool{}
		p.ctes = append(p.ctes, scope)
		pushed = true
		for {
			name := strings.ToLower(p.name())
			if recursive {
				scope[name] = true
			}
			if p.is("(") {
				p.columnAliases()
			}
			p.expectKw("as")
			p.expectOp("(")
			p.query()
			p.expectOp(")")
			scope[name] = true
			if !p.acceptOp(",") {
				break
			}
		}
	}
	res := p.queryNoWith()
	if pushed {
		p.ctes = p.ctes[:len(p.ctes)-1]
	}
	return res
}

func (p *parser) columnAliases() {
	p.expectOp("(")
	for {
		p.name()
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
}

func (p *parser) queryNoWith() *qres {
	res := p.queryTerm()
	if p.kw("order") {
		p.i++
		p.expectKw("by")
		p.sortItems()
	}
	if p.acceptKw("offset") {
		p.count()
		if p.kw("row") || p.kw("rows") {
			p.replace(p.i, p.i+1, "")
			p.i++
		}
	}
	switch {
	case p.acceptKw("limit"):
		if !p.acceptKw("all") {
			p.count()
		}
	case p.kw("fetch"):
		start := p.i
		p.i++
		if !p.acceptKw("first") && !p.acceptKw("next") {
			p.expected("'FIRST', 'NEXT'")
		}
		n := "1"
		if p.tok().kind == tNumber {
			n = p.tok().text
			p.count()
		}
		if !p.acceptKw("row") && !p.acceptKw("rows") {
			p.expected("'ROW', 'ROWS'")
		}
		if p.kw("with") {
			p.fail(p.tok().pos, "FETCH FIRST ... WITH TIES is not supported")
		}
		p.expectKw("only")
		p.replace(start, p.i, "LIMIT "+n)
	}
	return res
}

// count reads the row count of LIMIT, OFFSET or FETCH.
func (p *parser) count() {
	t := p.tok()
	if t.kind != tNumber || strings.ContainsAny(t.text, ".eE") {
		p.expected("<integer>")
	}
	p.i++
}

func (p *parser) queryTerm() *qres {
	res := p.intersectTerm()
	setop := false
	for p.kw("union") || p.kw("except") {
		p.i++
		if !p.acceptKw("all") {
			p.acceptKw("distinct")
		}
		res.leaves = append(res.leaves, p.intersectTerm().leaves...)
		setop = true
	}
	if setop {
		p.coerceSetOp(res)
	}
	return res
}

func (p *parser) intersectTerm() *qres {
	res := p.queryPrimary()
	setop := false
	for p.kw("intersect") {
		p.i++
		if !p.acceptKw("all") {
			p.acceptKw("distinct")
		}
		res.leaves = append(res.leaves, p.queryPrimary().leaves...)
		setop = true
	}
	if setop {
		p.coerceSetOp(res)
	}
	return res
}

func (p *parser) queryPrimary() *qres {
	switch {
	case p.kw("select"):
		return p.querySpec()
	case p.is("("):
		p.i++
		res := p.query()
		p.expectOp(")")
		return res
	case p.kw("values"):
		p.values()
		return &qres{}
	case p.kw("table"):
		p.replace(p.i, p.i+1, "SELECT * FROM")
		p.i++
		sc := &specScope{parent: p.spec}
		saved := p.spec
		p.spec = sc
		src := p.tableName()
		src.finish(false)
		sc.sources = append(sc.sources, src)
		p.spec = saved
		return &qres{}
	}
	p.expected("'SELECT', 'VALUES', 'TABLE', '('")
	return nil
}

func (p *parser) values() {
	p.i++
	for {
		start := p.i
		e := p.expr()
		if e.kind != eParen && e.kind != eRow {
			n := p.wrap(start)
			n.render = func(r *renderer) {
				r.gap(n.start)
				r.text("(", r.pos(n))
				r.content(n)
				r.text(")", r.pos(n))
			}
		}
		if !p.acceptOp(",") {
			break
		}
	}
}

func (p *parser) querySpec() *qres {
	sc := &specScope{parent: p.spec}
	saved, savedLimit := p.spec, p.fromLimit
	p.spec, p.fromLimit = sc, -1
	defer func() { p.spec, p.fromLimit = saved, savedLimit }()
	p.i++ // SELECT
	if !p.acceptKw("distinct") {
		p.acceptKw("all")
	}
	var items []*item
	for idx := 0; ; idx++ {
		items = append(items, p.selectItem(idx))
		if !p.acceptOp(",") {
			break
		}
	}
	if p.acceptKw("from") {
		for {
			p.relation()
			if !p.acceptOp(",") {
				break
			}
		}
	}
	if p.acceptKw("where") {
		p.expr()
	}
	if p.kw("group") {
		p.i++
		p.expectKw("by")
		p.groupBy()
	}
	if p.acceptKw("having") {
		p.expr()
	}
	if p.acceptKw("window") {
		for {
			p.name()
			p.expectKw("as")
			p.expectOp("(")
			p.windowSpec()
			p.expectOp(")")
			if !p.acceptOp(",") {
				break
			}
		}
	}
	return &qres{leaves: [][]*item{items}}
}

// selectItem parses one item of a select list. An item without alias gets
// the name Lake gives it: the column or field name as written, else
// _col<position>.
func (p *parser) selectItem(idx int) *item {
	start := p.i
	if p.acceptOp("*") {
		return &item{idx: idx, star: true}
	}
	e := p.expr()
	if p.is(".") && p.peek(1).is("*") {
		p.i += 2
		if p.kw("as") {
			p.fail(p.tok().pos, "Column aliases for '*' are not supported")
		}
		return &item{idx: idx, star: true}
	}
	it := &item{idx: idx, e: e}
	n := p.wrap(start)
	it.node = n
	name := e.name
	if name == "" {
		name = fmt.Sprintf("_col%d", idx)
	}
	explicit := p.acceptKw("as")
	if explicit || p.canAlias() {
		at := p.i
		alias := p.name()
		text := quoteIdent(alias)
		if !explicit {
			text = "AS " + text
		}
		p.replace(at, at+1, text)
		it.alias = true
	}
	n.render = func(r *renderer) {
		pre, post := "", ""
		if it.set != nil && it.set.textual(it.idx) {
			pre, post = textOf(it.e.shape())
		}
		if it.top && it.e.shape() == sJSON {
			// The JSON text as DuckDB has it, rather than the value the
			// driver would decode.
			pre, post = "CAST(", " AS VARCHAR)"
		}
		if pre == "" {
			r.span(n)
		} else {
			r.gap(n.start)
			r.text(pre, r.pos(n))
			r.content(n)
			r.text(post, r.pos(n))
		}
		if !it.alias {
			r.text(" AS "+quoteIdent(name), r.pos(n))
		}
	}
	return it
}

// setOp lets the items of a set operation see each other's shapes.
type setOp struct {
	leaves [][]*item
	memo   map[int]bool
}

// textual reports whether column i of the set operation mixes text and
// timestamps: the timestamps are then turned into text as Lake does.
func (s *setOp) textual(i int) bool {
	if v, ok := s.memo[i]; ok {
		return v
	}
	var str, ts bool
	for _, l := range s.leaves {
		if i < len(l) && !l[i].star {
			switch l[i].e.shape() {
			case sStr:
				str = true
			case sTimestamp, sTimestampTZ:
				ts = true
			}
		}
	}
	s.memo[i] = str && ts
	return str && ts
}

func (p *parser) coerceSetOp(res *qres) {
	s := &setOp{leaves: res.leaves, memo: map[int]bool{}}
	for _, l := range res.leaves {
		for _, it := range l {
			it.set = s
		}
	}
}

// textOf is how a value of shape sh is turned into Trino's text.
func textOf(sh shape) (pre, post string) {
	switch sh {
	case sTimestamp:
		return "strftime(", ", '%Y-%m-%d %H:%M:%S.%g')"
	case sTimestampTZ:
		return "strftime(", ", '%Y-%m-%d %H:%M:%S.%g UTC')"
	}
	return "", ""
}

// ---- GROUP BY, ORDER BY, windows ----

func (p *parser) groupBy() {
	if p.kw("all") {
		p.replace(p.i, p.i+1, "")
		p.i++
	} else if p.kw("distinct") {
		p.fail(p.tok().pos, "GROUP BY DISTINCT is not supported")
	}
	for {
		switch {
		case (p.kw("rollup") || p.kw("cube")) && p.peek(1).is("("):
			p.i += 2
			if !p.is(")") {
				p.exprList()
			}
			p.expectOp(")")
		case p.kw("grouping") && p.peek(1).kw("sets"):
			p.i += 2
			p.expectOp("(")
			for {
				if p.is("(") && p.peek(1).is(")") {
					p.i += 2
				} else {
					p.expr()
				}
				if !p.acceptOp(",") {
					break
				}
			}
			p.expectOp(")")
		default:
			p.expr()
		}
		if !p.acceptOp(",") {
			return
		}
	}
}

func (p *parser) exprList() {
	for {
		p.expr()
		if !p.acceptOp(",") {
			return
		}
	}
}

// sortItems parses ORDER BY items. Trino puts NULLs last in both
// directions; the output says so, whatever DuckDB's default.
func (p *parser) sortItems() {
	for {
		start := p.i
		p.expr()
		if !p.acceptKw("asc") {
			p.acceptKw("desc")
		}
		if p.kw("nulls") {
			p.i++
			if !p.acceptKw("first") && !p.acceptKw("last") {
				p.expected("'FIRST', 'LAST'")
			}
		} else {
			n := p.wrap(start)
			n.render = func(r *renderer) {
				r.span(n)
				r.text(" NULLS LAST", r.pos(n))
			}
		}
		if !p.acceptOp(",") {
			return
		}
	}
}

func (p *parser) windowSpec() {
	if t := p.tok(); isIdent(t) && !t.kw("partition") && !t.kw("order") && !t.kw("rows") && !t.kw("range") && !t.kw("groups") {
		p.name()
	}
	if p.kw("partition") {
		p.i++
		p.expectKw("by")
		p.exprList()
	}
	if p.kw("order") {
		p.i++
		p.expectKw("by")
		p.sortItems()
	}
	if p.kw("rows") || p.kw("range") || p.kw("groups") {
		p.i++
		if p.acceptKw("between") {
			p.frameBound()
			p.expectKw("and")
			p.frameBound()
		} else {
			p.frameBound()
		}
	}
	if p.kw("measures") || p.kw("pattern") {
		p.fail(p.tok().pos, "Row pattern recognition in windows is not supported")
	}
}

func (p *parser) frameBound() {
	switch {
	case p.acceptKw("unbounded"):
		if !p.acceptKw("preceding") && !p.acceptKw("following") {
			p.expected("'PRECEDING', 'FOLLOWING'")
		}
	case p.kw("current") && p.peek(1).kw("row"):
		p.i += 2
	default:
		p.valueExpr()
		if !p.acceptKw("preceding") && !p.acceptKw("following") {
			p.expected("'PRECEDING', 'FOLLOWING'")
		}
	}
}
