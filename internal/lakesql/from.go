package lakesql

import "strings"

// specScope is what a query specification reads from, for the shapes of
// its column references.
type specScope struct {
	parent  *specScope
	sources []*source
}

type source struct {
	alias string // lower case
	table bool   // an event data store (its columns are Lake's)
	node  *node  // the table reference, replaced by the relation
	rel   string
	name  string
}

// finish renders a table reference, adding an alias when it has none.
func (s *source) finish(aliased bool) {
	if s.node == nil {
		return
	}
	text := s.rel
	if !aliased {
		text += " AS " + quoteIdent(s.name)
	}
	s.node.text = &text
}

func (p *parser) relation() {
	p.aliasedRelation()
	for {
		switch {
		case p.kw("cross"):
			p.i++
			p.expectKw("join")
			p.aliasedRelation()
		case p.kw("natural"):
			p.i++
			p.joinType()
			p.expectKw("join")
			p.aliasedRelation()
		case p.kw("join") || p.kw("inner") || p.kw("left") || p.kw("right") || p.kw("full"):
			p.joinType()
			p.expectKw("join")
			p.aliasedRelation()
			switch {
			case p.acceptKw("on"):
				p.expr()
			case p.acceptKw("using"):
				p.usingColumns()
			default:
				p.expected("'ON', 'USING'")
			}
		default:
			return
		}
	}
}

func (p *parser) usingColumns() {
	if !p.is("(") {
		p.expected("'('")
	}
	p.columnAliases()
}

func (p *parser) joinType() {
	switch {
	case p.acceptKw("inner"):
	case p.acceptKw("left"), p.acceptKw("right"), p.acceptKw("full"):
		p.acceptKw("outer")
	}
}

func (p *parser) aliasedRelation() {
	src := p.relationPrimary()
	aliased := false
	explicit := p.acceptKw("as")
	if explicit || p.canAlias() {
		src.alias = strings.ToLower(p.name())
		aliased = true
		if p.is("(") {
			p.columnAliases()
		}
	}
	if p.kw("tablesample") || p.kw("match_recognize") {
		p.fail(p.tok().pos, "%s is not supported", strings.ToUpper(p.tok().text))
	}
	src.finish(aliased)
	p.spec.sources = append(p.spec.sources, src)
}

func (p *parser) relationPrimary() *source {
	switch {
	case p.is("("):
		j := p.i
		for p.toks[j].is("(") {
			j++
		}
		if t := &p.toks[j]; t.kw("select") || t.kw("with") || t.kw("values") || t.kw("table") {
			p.i++
			p.query()
			p.expectOp(")")
			return &source{}
		}
		p.i++
		p.relation()
		p.expectOp(")")
		return &source{}
	case p.kw("unnest") && p.peek(1).is("("):
		p.unnest()
		return &source{}
	case p.kw("lateral") && p.peek(1).is("("):
		p.i += 2
		p.query()
		p.expectOp(")")
		return &source{}
	case p.kw("table") && p.peek(1).is("("):
		p.fail(p.tok().pos, "Table functions are not supported")
	}
	return p.tableName()
}

// hyphenRun is the end of a run of words joined by hyphens starting at i:
// how an event data store ID is written unquoted.
func hyphenRun(src string, i int) int {
	for {
		j := i
		for j < len(src) && isWord(src[j]) {
			j++
		}
		if j == i {
			return i - 1
		}
		if j+1 < len(src) && src[j] == '-' && isWord(src[j+1]) {
			i = j + 1
			continue
		}
		return j
	}
}

// tableName reads a table reference and resolves it, unless it names a
// query of the statement's WITH clause.
func (p *parser) tableName() *source {
	start := p.i
	first := p.tok()
	var parts []string
	for {
		t := p.tok()
		switch t.kind {
		case tQuoted:
			parts = append(parts, t.val)
			p.i++
		case tIdent, tNumber, tDigitWord:
			end := hyphenRun(p.src, t.pos)
			if end <= t.pos {
				p.expected("table name")
			}
			word := p.src[t.pos:end]
			if !strings.Contains(word, "-") && (t.kind == tIdent && trinoReserved[t.val] || t.kind == tNumber) {
				p.expected("table name")
			}
			for p.tok().kind != tEOF && p.tok().pos < end {
				if p.tok().end > end {
					p.expected("table name")
				}
				p.i++
			}
			parts = append(parts, word)
		default:
			p.expected("table name")
		}
		if p.is(".") {
			if n := p.peek(1); n.kind == tQuoted || n.kind == tIdent || n.kind == tNumber || n.kind == tDigitWord {
				p.i++
				continue
			}
		}
		break
	}
	if p.is("(") {
		p.expected("'AS', 'CROSS', 'JOIN', 'WHERE', ',', ...")
	}
	name := strings.Join(parts, ".")
	last := parts[len(parts)-1]
	if len(parts) == 1 && p.i == start+1 {
		for _, scope := range p.ctes {
			if scope[strings.ToLower(name)] {
				first.name = true
				return &source{alias: strings.ToLower(name)}
			}
		}
	}
	rel, seen := p.seen[name]
	if !seen {
		var ok bool
		var err error
		rel, ok, err = p.resolve(name)
		if err != nil {
			panic(bail{err})
		}
		if !ok {
			p.fail(first.pos, "Table '%s' does not exist", name)
		}
		p.seen[name] = rel
		p.q.Tables = append(p.q.Tables, name)
	}
	n := p.replace(start, p.i, rel)
	return &source{alias: strings.ToLower(last), table: true, node: n, rel: rel, name: last}
}

// unnest rewrites UNNEST(a, ...) [WITH ORDINALITY] into a subquery of
// DuckDB's unnest, which like Trino's expands arrays of rows into one
// column per field and zips several arrays.
func (p *parser) unnest() {
	start := p.i
	p.i += 2
	saved := p.fromLimit
	p.fromLimit = len(p.spec.sources)
	defer func() { p.fromLimit = saved }()
	var args []*node
	var exprs []expr
	for {
		s := p.i
		exprs = append(exprs, p.expr())
		args = append(args, p.wrap(s))
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	ord := false
	if p.kw("with") && p.peek(1).kw("ordinality") {
		p.i += 2
		ord = true
	}
	n := p.wrap(start)
	n.render = func(r *renderer) {
		at := r.pos(n)
		r.gap(n.start)
		r.text("(SELECT ", at)
		var lens []func()
		for i, a := range args {
			if i > 0 {
				r.text(", ", at)
			}
			if exprs[i].shape() == sMap {
				r.text("unnest(map_entries(", at)
				r.bare(a)
				r.text("), max_depth := 2)", at)
				lens = append(lens, func() { r.text("cardinality(", at); r.bare(a); r.text(")", at) })
			} else {
				r.text("unnest(", at)
				r.bare(a)
				r.text(", max_depth := 2)", at)
				lens = append(lens, func() { r.text("len(", at); r.bare(a); r.text(")", at) })
			}
		}
		if ord {
			r.text(", unnest(range(1, greatest(", at)
			for i, l := range lens {
				if i > 0 {
					r.text(", ", at)
				}
				l()
			}
			r.text(") + 1))", at)
		}
		r.text(")", at)
	}
}
