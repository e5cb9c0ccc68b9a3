package sigv4

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// canonicalURIs returns the canonical URI forms worth trying, the most
// likely first. S3 signs the path as sent; clients that did not encode it
// strictly are covered by also trying the strict single encoding. Other
// services encode the already-encoded path a second time; clients disagree
// on whether dot segments and repeated slashes are removed first, so both
// forms are tried when they differ.
func canonicalURIs(r *http.Request, service string) []string {
	sent := requestPath(r)
	var candidates []string
	if service == "s3" {
		candidates = append(candidates, sent)
		if decoded, err := url.PathUnescape(sent); err == nil {
			candidates = append(candidates, uriEncode(decoded, false))
		}
	} else {
		candidates = append(candidates, uriEncode(removeDotSegments(sent), false), uriEncode(sent, false))
	}
	return unique(candidates)
}

// requestPath is the escaped path exactly as the client sent it.
func requestPath(r *http.Request) string {
	path := ""
	if uri := r.RequestURI; uri != "" && uri != "*" {
		path, _, _ = strings.Cut(uri, "?")
		if rest, ok := strings.CutPrefix(path, "http://"); ok {
			path = rest[strings.IndexByte(rest+"/", '/'):]
		} else if rest, ok := strings.CutPrefix(path, "https://"); ok {
			path = rest[strings.IndexByte(rest+"/", '/'):]
		}
	} else if r.URL != nil {
		path = r.URL.EscapedPath()
	}
	if path == "" {
		return "/"
	}
	return path
}

// removeDotSegments drops "." and ".." segments and empty segments the way
// AWS services other than S3 normalise paths before signing.
func removeDotSegments(path string) string {
	var kept []string
	for segment := range strings.SplitSeq(path, "/") {
		switch segment {
		case "", ".":
		case "..":
			if len(kept) > 0 {
				kept = kept[:len(kept)-1]
			}
		default:
			kept = append(kept, segment)
		}
	}
	normalised := "/" + strings.Join(kept, "/")
	if strings.HasSuffix(path, "/") && len(kept) > 0 {
		normalised += "/"
	}
	return normalised
}

// canonicalQueries returns the canonical query strings worth trying. A
// literal '+' is ambiguous (RFC 3986 says plus, HTML forms say space), so
// when one is present both readings are tried.
func canonicalQueries(rawQuery string, presigned bool) []string {
	candidates := []string{canonicalQuery(rawQuery, presigned, false)}
	if strings.Contains(rawQuery, "+") {
		candidates = append(candidates, canonicalQuery(rawQuery, presigned, true))
	}
	return unique(candidates)
}

func canonicalQuery(rawQuery string, presigned, plusIsSpace bool) string {
	type parameter struct{ key, value string }
	var params []parameter
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		key, value, _ := strings.Cut(part, "=")
		key = uriEncode(queryUnescape(key, plusIsSpace), true)
		if presigned && key == "X-Amz-Signature" {
			continue
		}
		params = append(params, parameter{key, uriEncode(queryUnescape(value, plusIsSpace), true)})
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].key != params[j].key {
			return params[i].key < params[j].key
		}
		return params[i].value < params[j].value
	})
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// queryUnescape percent-decodes s; text that is not valid percent-encoding
// is kept literally, as the client must have signed it that way.
func queryUnescape(s string, plusIsSpace bool) string {
	if plusIsSpace {
		s = strings.ReplaceAll(s, "+", " ")
	}
	decoded, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return decoded
}

// uriEncode percent-encodes every byte except RFC 3986 unreserved
// characters, and except '/' unless encodeSlash is set.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalHeaders builds the "name:value\n" block for the signed headers.
// Go's server lifts Host and Transfer-Encoding out of r.Header, and requests
// built in-process keep Content-Length only in r.ContentLength; those are read
// back from r.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	return b.String()
}

func canonicalHeaderValue(r *http.Request, name string) string {
	values := r.Header.Values(name)
	if len(values) == 0 {
		switch name {
		case "host":
			if r.Host != "" {
				return trimAll(r.Host)
			}
			if r.URL != nil {
				return trimAll(r.URL.Host)
			}
		case "content-length":
			if r.ContentLength > 0 {
				return strconv.FormatInt(r.ContentLength, 10)
			}
		case "transfer-encoding":
			return strings.Join(r.TransferEncoding, ",")
		}
		return ""
	}
	if len(values) == 1 {
		return trimAll(values[0])
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = trimAll(v)
	}
	return strings.Join(trimmed, ",")
}

// trimAll trims surrounding whitespace and collapses runs of spaces.
func trimAll(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	previousSpace := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if previousSpace {
				continue
			}
			previousSpace = true
		} else {
			previousSpace = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func buildCanonicalRequest(method, uri, query, headers string, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.Grow(len(method) + len(uri) + len(query) + len(headers) + len(payloadHash) + 64)
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	b.WriteString(headers)
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func unique(values []string) []string {
	out := values[:0]
	for _, v := range values {
		seen := false
		for _, o := range out {
			if o == v {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, v)
		}
	}
	return out
}
