// Package jsonscan is a small, allocation-free JSON scanner for the hot
// paths that read CloudTrail records: finding where a value ends while
// checking its syntax, reading strings, and removing whitespace.
//
// It accepts exactly what encoding/json accepts: RFC 8259 JSON, any bytes
// of 0x80 and above inside strings (encoding/json does not check UTF-8;
// Flags report them so that callers can), and at most MaxDepth levels of
// nesting. It reports only whether input is valid, not why: callers that
// need encoding/json's error messages run encoding/json on the (rare)
// invalid input.
package jsonscan

import (
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the nesting encoding/json accepts: a value may hold
// containers up to this many levels deep, itself included.
const MaxDepth = 10000

// Flags describe what a scanned stretch of JSON contains.
type Flags uint8

const (
	// Space: whitespace outside strings (the text is not compact).
	Space Flags = 1 << iota
	// NonASCII: bytes of 0x80 and above inside strings, which may or may
	// not be valid UTF-8.
	NonASCII
	// Escaped: backslash escapes inside strings.
	Escaped
)

// class of each byte inside a string: 0 plain ASCII, 1 ends the fast
// loop ('"', '\\', control characters, bytes >= 0x80).
var strStop = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80
	}
	return t
}()

// IsSpace reports whether c is JSON whitespace.
func IsSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// SkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (len(data) if none).
func SkipSpace(data []byte, i int) int {
	for i < len(data) && IsSpace(data[i]) {
		i++
	}
	return i
}

// String scans the string whose opening quote is at data[i] and returns
// the index just past its closing quote, with NonASCII and Escaped as
// found. ok is false if the string is not valid JSON (unterminated, a
// control character, a bad escape).
func String(data []byte, i int) (end int, f Flags, ok bool) {
	i++ // opening quote
	for {
		// Fast loop over plain ASCII, eight bytes a round.
		for i+8 <= len(data) && plain8(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		for i < len(data) && !strStop[data[i]] {
			i++
		}
		if i >= len(data) {
			return 0, f, false
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, f, true
		case c == '\\':
			f |= Escaped
			if i+1 >= len(data) {
				return 0, f, false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || hex(data[i+2]) < 0 || hex(data[i+3]) < 0 || hex(data[i+4]) < 0 || hex(data[i+5]) < 0 {
					return 0, f, false
				}
				i += 6
			default:
				return 0, f, false
			}
		case c < 0x20:
			return 0, f, false
		default: // >= 0x80
			f |= NonASCII
			i++
		}
	}
}

// plain8 reports whether the eight bytes of w are all plain ASCII string
// contents: none is '"', '\\', a control character or 0x80 and above.
func plain8(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	b := w ^ (ones * '\\')
	return ((q-ones)&^q|(b-ones)&^b|(w-ones*0x20)&^w|w)&highs == 0
}

func hex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// number scans the number that starts at data[i] ('-' or a digit) and
// returns the index just past it.
func number(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
		if i >= len(data) {
			return 0, false
		}
	}
	switch c := data[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i++
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	default:
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			return 0, false
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			return 0, false
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
	}
	return i, true
}

func literal(data []byte, i int, word string) (int, bool) {
	if len(data)-i < len(word) || string(data[i:i+len(word)]) != word {
		return 0, false
	}
	return i + len(word), true
}

// Scalar scans the string, number, true, false or null that starts at
// data[i] and returns the index just past it. ok is false for anything
// else, including '{' and '['.
func Scalar(data []byte, i int) (end int, f Flags, ok bool) {
	if i >= len(data) {
		return 0, 0, false
	}
	switch c := data[i]; {
	case c == '"':
		return String(data, i)
	case c == 't':
		end, ok = literal(data, i, "true")
	case c == 'f':
		end, ok = literal(data, i, "false")
	case c == 'n':
		end, ok = literal(data, i, "null")
	case c == '-' || ('0' <= c && c <= '9'):
		end, ok = number(data, i)
	}
	return end, 0, ok
}

// Skip scans the JSON value that starts at data[i] (not at whitespace) and
// returns the index just past it and what it contains. Containers may nest
// at most depth levels deep, the value itself counting as one. ok is false
// when the value is not valid JSON; what follows the value is not looked
// at.
func Skip(data []byte, i, depth int) (end int, f Flags, ok bool) {
	if i >= len(data) {
		return 0, 0, false
	}
	if c := data[i]; c != '{' && c != '[' {
		return Scalar(data, i)
	}
	// stack holds the open containers: '{' or '['.
	var buf [64]byte
	stack := buf[:0]
	for {
		// A value starts at i.
		if i >= len(data) {
			return 0, f, false
		}
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= depth {
				return 0, f, false
			}
			stack = append(stack, c)
			j := i + 1
			for j < len(data) && IsSpace(data[j]) {
				j++
			}
			if j != i+1 {
				f |= Space
			}
			if j >= len(data) {
				return 0, f, false
			}
			if c == '[' {
				if data[j] == ']' {
					stack = stack[:len(stack)-1]
					i = j + 1
					break // to the end of a value
				}
				i = j
				continue // an element starts at i
			}
			if data[j] == '}' {
				stack = stack[:len(stack)-1]
				i = j + 1
				break
			}
			var ok bool
			if i, ok = skipKey(data, j, &f); !ok {
				return 0, f, false
			}
			continue
		default:
			var sf Flags
			var ok bool
			if i, sf, ok = Scalar(data, i); !ok {
				return 0, f, false
			}
			f |= sf
		}
		// A value ended at i: a separator or the end of containers follow.
		for {
			if len(stack) == 0 {
				return i, f, true
			}
			j := i
			for j < len(data) && IsSpace(data[j]) {
				j++
			}
			if j != i {
				f |= Space
			}
			if j >= len(data) {
				return 0, f, false
			}
			top := stack[len(stack)-1]
			switch c := data[j]; {
			case c == ',':
				j++
				k := j
				for k < len(data) && IsSpace(data[k]) {
					k++
				}
				if k != j {
					f |= Space
				}
				if top == '{' {
					var ok bool
					if i, ok = skipKey(data, k, &f); !ok {
						return 0, f, false
					}
				} else {
					i = k
				}
			case (c == '}' && top == '{') || (c == ']' && top == '['):
				stack = stack[:len(stack)-1]
				i = j + 1
				continue
			default:
				return 0, f, false
			}
			break
		}
	}
}

// skipKey scans `"key" :` and the whitespace after it, from data[i], and
// returns where the value starts.
func skipKey(data []byte, i int, f *Flags) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	end, sf, ok := String(data, i)
	if !ok {
		return 0, false
	}
	*f |= sf
	j := end
	for j < len(data) && IsSpace(data[j]) {
		j++
	}
	if j >= len(data) || data[j] != ':' {
		return 0, false
	}
	j++
	k := j
	for k < len(data) && IsSpace(data[k]) {
		k++
	}
	if k != end+1 {
		*f |= Space
	}
	return k, true
}

// Compact appends src to dst without whitespace outside strings, as
// json.Compact does. src must be valid JSON.
func Compact(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"':
			end, _, ok := String(src, i)
			if !ok {
				end = len(src)
			}
			i = end
		case IsSpace(c):
			dst = append(dst, src[start:i]...)
			for i < len(src) && IsSpace(src[i]) {
				i++
			}
			start = i
		default:
			i++
		}
	}
	return append(dst, src[start:]...)
}

// Unquote returns the contents of a string scanned by String (without its
// quotes) decoded as encoding/json decodes it: escapes resolved, and
// invalid UTF-8 and unpaired surrogates replaced by U+FFFD.
func Unquote(s []byte) string {
	return string(AppendUnquote(make([]byte, 0, len(s)+2*utf8.UTFMax), s))
}

// AppendUnquote is Unquote appending to dst.
func AppendUnquote(dst, s []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			if r+1 >= len(s) {
				return dst
			}
			switch s[r+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := getu4(s[r:])
				if rr < 0 {
					return dst
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(s[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						r += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, s[r+1])
			}
			r += 2
		case c < utf8.RuneSelf:
			// Copy the run of plain ASCII up to the next escape or
			// non-ASCII byte at once.
			j := r + 1
			for j+8 <= len(s) && plainRun8(binary.LittleEndian.Uint64(s[j:])) {
				j += 8
			}
			for j < len(s) && s[j] != '\\' && s[j] < utf8.RuneSelf {
				j++
			}
			dst = append(dst, s[r:j]...)
			r = j
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			dst = utf8.AppendRune(dst, rr)
		}
	}
	return dst
}

// plainRun8 reports whether none of the eight bytes of w is a backslash
// or 0x80 and above.
func plainRun8(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	b := w ^ (ones * '\\')
	return ((b-ones)&^b|w)&highs == 0
}

// getu4 decodes \uXXXX from the beginning of s, returning the hex value,
// or it returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		h := hex(c)
		if h < 0 {
			return -1
		}
		r = r*16 + rune(h)
	}
	return r
}
