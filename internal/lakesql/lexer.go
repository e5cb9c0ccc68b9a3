package lakesql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF       tokKind = iota
	tIdent             // unquoted identifier or keyword
	tQuoted            // "double-quoted identifier"
	tString            // 'string literal'
	tNumber            // 12, 1.5, .5, 1e5
	tDigitWord         // 4c18: starts with a digit, continues with letters (only valid in a table name)
	tOp                // operator or punctuation
)

// token is one lexical element. gap is the whitespace and comments before
// it, as they appear in the statement; src[pos:end] is the token itself.
type token struct {
	kind     tokKind
	pos, end int
	gapPos   int
	text     string // the token as written
	val      string // identifiers: the name (unquoted, "" unescaped); strings: the value; keywords: lower case
	name     bool   // set by the parser: rendered as an identifier (quoted when DuckDB reserves the word)
	head     bool   // set by the parser: the first name of a column reference
}

func (t *token) is(op string) bool { return t.kind == tOp && t.text == op }

// kw reports whether the token is the unquoted keyword k (lower case).
func (t *token) kw(k string) bool { return t.kind == tIdent && t.val == k }

func (t *token) describe() string {
	if t.kind == tEOF {
		return "<EOF>"
	}
	return t.text
}

// operators, longest first.
var operators = []string{"<>", "!=", "<=", ">=", "||", "->", "=>", "(", ")", ",", ".", "[", "]", "+", "-", "*", "/", "%", "=", "<", ">", ";", "?"}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

// lex splits a statement into tokens. The last token is always tEOF (its
// gap holds trailing whitespace and comments).
func lex(src string) ([]token, *Error) {
	toks := make([]token, 0, len(src)/4+1)
	i := 0
	for {
		gap := i
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
				i++
				continue
			}
			if c == '-' && i+1 < len(src) && src[i+1] == '-' {
				for i < len(src) && src[i] != '\n' && src[i] != '\r' {
					i++
				}
				continue
			}
			if c == '/' && i+1 < len(src) && src[i+1] == '*' {
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return nil, errAt(src, i, "unterminated comment")
				}
				i += 2 + end + 2
				continue
			}
			break
		}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, pos: i, end: i, gapPos: gap})
			return toks, nil
		}
		t := token{pos: i, gapPos: gap}
		c := src[i]
		switch {
		case c == '\'':
			val, end, ok := scanQuoted(src, i, '\'')
			if !ok {
				return nil, errAt(src, i, "unterminated string literal")
			}
			t.kind, t.val, i = tString, val, end
		case c == '"':
			val, end, ok := scanQuoted(src, i, '"')
			if !ok {
				return nil, errAt(src, i, "unterminated quoted identifier")
			}
			if val == "" {
				return nil, errAt(src, i, "zero-length delimited identifier not allowed")
			}
			t.kind, t.val, i = tQuoted, val, end
		case c == '`':
			return nil, errAt(src, i, "backquoted identifiers are not supported; use double quotes to quote identifiers")
		case isLetter(c) || c == '_':
			j := i + 1
			for j < len(src) && isWord(src[j]) {
				j++
			}
			t.kind, t.val, i = tIdent, strings.ToLower(src[i:j]), j
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			t.kind, i = scanNumber(src, i)
			t.val = strings.ToLower(src[t.pos:i])
		default:
			for _, op := range operators {
				if strings.HasPrefix(src[i:], op) {
					t.kind, i = tOp, i+len(op)
					break
				}
			}
			if t.kind != tOp {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, errAt(src, i, fmt.Sprintf("token recognition error at: '%c'", r))
			}
		}
		t.end = i
		t.text = src[t.pos:t.end]
		toks = append(toks, t)
	}
}

// scanQuoted reads a literal delimited by q, where a doubled q stands for
// one.
func scanQuoted(src string, start int, q byte) (val string, end int, ok bool) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		j := strings.IndexByte(src[i:], q)
		if j < 0 {
			return "", 0, false
		}
		b.WriteString(src[i : i+j])
		i += j + 1
		if i < len(src) && src[i] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i, true
	}
	return "", 0, false
}

// scanNumber reads a numeric literal, or a word that starts with a digit
// (such as a segment of an event data store ID).
func scanNumber(src string, i int) (tokKind, int) {
	start := i
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	plain := true
	if i < len(src) && src[i] == '.' {
		plain = false
		i++
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && isWord(src[j]) && plain && !strings.ContainsAny(src[i:j], "+-") {
				return scanWord(src, start)
			}
			return tNumber, j
		}
	}
	if i < len(src) && isWord(src[i]) && plain {
		return scanWord(src, start)
	}
	return tNumber, i
}

func scanWord(src string, i int) (tokKind, int) {
	for i < len(src) && isWord(src[i]) {
		i++
	}
	return tDigitWord, i
}

// lineCol turns a byte offset into a 1-based line and column (in
// characters).
func lineCol(src string, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, utf8.RuneCountInString(src[start:off]) + 1
}

func errAt(src string, off int, msg string) *Error {
	l, c := lineCol(src, off)
	return &Error{Line: l, Column: c, Message: msg}
}
