package lakesql

import (
	"sort"
	"strings"
)

// node is a range of tokens [start, end) that the output renders
// differently from the statement: replaced by text, or by a function of
// its sub-ranges (kids, ordered and disjoint). Tokens outside every kid
// are copied as written.
type node struct {
	start, end int
	kids       []*node
	text       *string         // replacement text
	render     func(*renderer) // custom rendering (kids rendered through r.node)
}

// seg maps an output offset to the statement offset it came from; copy
// is set when the output there is the statement's text itself.
type seg struct {
	out, src int
	copy     bool
}

type renderer struct {
	src   string
	toks  []token
	b     strings.Builder
	segs  []seg
	noGap bool              // drop the whitespace before the next token
	subst map[string]string // lambda parameters replaced by expressions
}

func (r *renderer) mark(src int, copy bool) {
	if n := len(r.segs); n > 0 && r.segs[n-1].out == r.b.Len() {
		r.segs[n-1] = seg{r.b.Len(), src, copy}
		return
	}
	r.segs = append(r.segs, seg{r.b.Len(), src, copy})
}

// text writes generated text attributed to statement offset src.
func (r *renderer) text(s string, src int) {
	if s == "" {
		return
	}
	r.sep(s[0])
	r.mark(src, false)
	r.b.WriteString(s)
	r.noGap = false
}

const opChars = "+-*/<>=~!@#%^&|`?:"

// sep keeps two tokens apart when DuckDB would read them as one.
func (r *renderer) sep(next byte) {
	if r.b.Len() == 0 {
		return
	}
	last := r.b.String()[r.b.Len()-1]
	if strings.IndexByte(opChars, last) >= 0 && strings.IndexByte(opChars, next) >= 0 ||
		isWord(last) && isWord(next) || last == '\'' && next == '\'' || last == '"' && next == '"' {
		r.b.WriteByte(' ')
	}
}

func (r *renderer) gap(i int) {
	t := &r.toks[i]
	if r.noGap {
		r.noGap = false
		return
	}
	if t.gapPos < t.pos {
		r.mark(t.gapPos, true)
		r.b.WriteString(cleanGap(r.src[t.gapPos:t.pos]))
	}
}

// token writes token i with the whitespace before it.
func (r *renderer) token(i int) {
	r.gap(i)
	t := &r.toks[i]
	if t.kind == tEOF {
		return
	}
	s := t.text
	if t.name && t.kind == tIdent {
		if rep, ok := r.subst[t.val]; ok && t.head {
			s = rep
		} else if duckReserved[t.val] {
			s = quoteIdent(t.text)
		}
	}
	r.sep(s[0])
	r.mark(t.pos, s == t.text)
	r.b.WriteString(s)
}

// node renders n.
func (r *renderer) node(n *node) {
	switch {
	case n.render != nil:
		n.render(r)
	case n.text != nil:
		if n.start < len(r.toks) {
			if n.start < n.end {
				r.gap(n.start)
			}
			r.text(*n.text, r.toks[n.start].pos)
		}
	default:
		r.span(n)
	}
}

// span renders the tokens of n, its kids through node.
func (r *renderer) span(n *node) {
	r.rangeOf(n, n.start, n.end)
}

// rangeOf renders the tokens [from, to) of n.
func (r *renderer) rangeOf(n *node, from, to int) {
	k := sort.Search(len(n.kids), func(k int) bool { return n.kids[k].start >= from })
	for i := from; i < to; {
		if k < len(n.kids) && n.kids[k].start == i {
			kid := n.kids[k]
			r.node(kid)
			k++
			if kid.end > i {
				i = kid.end
			}
			continue
		}
		r.token(i)
		i++
	}
}

// bare renders n without the whitespace before it.
func (r *renderer) bare(n *node) {
	r.noGap = true
	r.node(n)
	r.noGap = false
}

// content renders the tokens of n, ignoring its own rendering, without
// the whitespace before them.
func (r *renderer) content(n *node) {
	r.noGap = true
	r.span(n)
	r.noGap = false
}

// pos is the statement offset of n.
func (r *renderer) pos(n *node) int {
	if n.start < len(r.toks) {
		return r.toks[n.start].pos
	}
	return len(r.src)
}

// cleanGap returns whitespace and comments as written, but for a block
// comment holding "/*", which DuckDB would read as the start of a nested
// comment: that one becomes spaces (its line breaks kept).
func cleanGap(g string) string {
	if !strings.Contains(g, "/*") {
		return g
	}
	var b strings.Builder
	for i := 0; i < len(g); {
		switch {
		case strings.HasPrefix(g[i:], "--"):
			j := strings.IndexAny(g[i:], "\r\n")
			if j < 0 {
				j = len(g) - i
			}
			b.WriteString(g[i : i+j])
			i += j
		case strings.HasPrefix(g[i:], "/*"):
			j := strings.Index(g[i+2:], "*/") + i + 4
			c := g[i:j]
			if strings.Contains(c[2:len(c)-2], "/*") {
				for _, ch := range []byte(c) {
					if ch == '\n' || ch == '\r' {
						b.WriteByte(ch)
					} else {
						b.WriteByte(' ')
					}
				}
			} else {
				b.WriteString(c)
			}
			i = j
		default:
			b.WriteByte(g[i])
			i++
		}
	}
	return b.String()
}

// srcOffset maps an offset in the output back to the statement.
func srcOffset(segs []seg, out int) int {
	k := sort.Search(len(segs), func(k int) bool { return segs[k].out > out }) - 1
	if k < 0 {
		return 0
	}
	if segs[k].copy {
		return segs[k].src + out - segs[k].out
	}
	return segs[k].src
}
