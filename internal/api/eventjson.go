package api

import (
	"encoding/base64"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// EventJSONAppender is implemented by every generated structure. It appends
// the value as CloudTrail event records carry API parameters
// (requestParameters, responseElements): a JSON object whose member names
// are the model's with a lower-case first letter (S3BucketName becomes
// s3BucketName), members sorted by that name, absent members omitted,
// timestamps as epoch seconds, blobs in base64, map keys as given, and
// members the model marks sensitive replaced by HiddenValue. Strings are
// escaped exactly as encoding/json escapes them.
type EventJSONAppender interface {
	AppendEventJSON(b []byte) []byte
}

// HiddenValue replaces the value of a sensitive member in an event record,
// as CloudTrail writes it.
const HiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS"

// AppendJSONKey appends an object member's key, given already quoted and
// followed by a colon, preceded by a comma unless it is the object's first
// member. It relies on the object having been opened in b: no JSON value
// ends with '{', so a last byte of '{' means nothing was written yet.
func AppendJSONKey(b []byte, quotedKeyColon string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	return append(b, quotedKeyColon...)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it: control characters, quote and backslash, the HTML-sensitive
// <, > and &, U+2028 and U+2029; invalid UTF-8 becomes \ufffd.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendJSONBlob appends v in standard base64 as a JSON string, or null
// for a nil slice, as encoding/json writes a []byte.
func AppendJSONBlob(b []byte, v []byte) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

// AppendJSONFloat appends f as encoding/json writes a float of the given
// bit size (32 or 64). NaN and infinities, which JSON cannot hold, are
// written as null.
func AppendJSONFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// SortedKeys returns m's keys in the order encoding/json writes them.
func SortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
