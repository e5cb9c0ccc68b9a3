package auditevents

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// The functions here run only for events that fail, so they favour clear
// messages over speed.

func checksumFailure(sum [32]byte, want, got string) *Failure {
	encodings := []struct {
		name   string
		decode func(string) ([]byte, error)
	}{
		{"hex", hex.DecodeString},
		{"unpadded base64", base64.RawStdEncoding.DecodeString},
		{"URL-safe base64", base64.URLEncoding.DecodeString},
		{"unpadded URL-safe base64", base64.RawURLEncoding.DecodeString},
	}
	for _, enc := range encodings {
		if d, err := enc.decode(got); err == nil && bytes.Equal(d, sum[:]) {
			return fail(CodeInvalidChecksum, "eventDataChecksum is the %s encoding of eventData's SHA-256 digest; "+
				"it must be the standard, padded base64 encoding, %s", enc.name, want)
		}
	}
	return fail(CodeInvalidChecksum, "eventDataChecksum %s does not match eventData: it must be the standard, padded "+
		"base64 encoding of the SHA-256 digest of eventData's UTF-8 bytes, which is %s", quote(got), want)
}

// syntaxFailure explains why scan refused data.
func syntaxFailure(data []byte) *Failure {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(CodeInvalidData, "eventData is not valid JSON: %s (at byte offset %d)", se.Error(), se.Offset)
		}
		return fail(CodeInvalidData, "eventData is not valid JSON: %s", err.Error())
	}
	if raw[0] != '{' {
		return fail(CodeInvalidData, "eventData must be a JSON object; found %s", jsonType(raw[0]))
	}
	return fail(CodeInvalidData, "eventData nests more than %d levels deep", MaxDepth)
}

func utf8Failure(data []byte) *Failure {
	off := 0
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		off += size
	}
	return fail(CodeInvalidData, "eventData is not valid UTF-8 (invalid byte at offset %d)", off)
}

func (b *builder) missingFailure(f field) *Failure {
	path := schema[f].path
	v := &b.vals[f]
	switch {
	case v.seen && b.data[v.start] == 'n':
		return fail(CodeFieldNotFound, "required field eventData.%s is null", path)
	case v.seen:
		return fail(CodeFieldNotFound, "required field eventData.%s is an empty string", path)
	}
	obj := b.ws(0)
	if f.inUserIdentity() {
		obj = b.vals[fUserIdentity].start
	}
	if k, ok := b.keyFolding(obj, schema[f].key); ok {
		return fail(CodeFieldNotFound, "required field eventData.%s is missing; found %s instead "+
			"(field names are case-sensitive)", path, quote(k))
	}
	return fail(CodeFieldNotFound, "required field eventData.%s is missing", path)
}

// keyFolding finds a key of the object at data[i], which scan has read, that
// equals name under case folding.
func (b *builder) keyFolding(i int, name string) (string, bool) {
	data := b.data
	i = jsonscan.SkipSpace(data, i+1)
	for i < len(data) && data[i] == '"' {
		end, _, _ := jsonscan.String(data, i)
		key := jsonscan.Unquote(data[i+1 : end-1])
		if strings.EqualFold(key, name) {
			return key, true
		}
		i = jsonscan.SkipSpace(data, end)
		i = jsonscan.SkipSpace(data, i+1)
		i, _, _ = jsonscan.Skip(data, i, jsonscan.MaxDepth)
		i = jsonscan.SkipSpace(data, i)
		if data[i] != ',' {
			break
		}
		i = jsonscan.SkipSpace(data, i+1)
	}
	return "", false
}

// jsonType names the JSON type of the value that starts with c.
func jsonType(c byte) string {
	switch c {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// quote quotes s for a message, shortened to its first maxQuoted
// characters.
func quote(s string) string {
	const maxQuoted = 64
	n := 0
	for i := range s {
		if n == maxQuoted {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}
