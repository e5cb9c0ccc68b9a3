package cloudtraildata

import (
	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// This file is written by hand: a one-pass decoder for the body of
// PutAuditEvents, whose requests (up to 1 MB of events, each a JSON text
// inside a JSON string) are the largest Cairn decodes. encoding/json checks
// the whole body, then decodes it again through reflection; this decoder
// reads it once. It handles well-formed bodies of the expected shape and
// gives up on anything else (a syntax error, a member of the wrong type, a
// key spelled in another case, an escaped key), for which the codec falls
// back to encoding/json and its error messages. FuzzDecodeBody checks that
// the two always agree.

// DecodeBody fills r from a PutAuditEvents body as encoding/json would and
// reports whether it could; when it could not, r is left zero.
func (r *PutAuditEventsRequest) DecodeBody(body []byte) bool {
	d := bodyDecoder{data: body}
	if !d.request(r) {
		*r = PutAuditEventsRequest{}
		return false
	}
	return true
}

type bodyDecoder struct {
	data []byte
}

func (d *bodyDecoder) ws(i int) int { return jsonscan.SkipSpace(d.data, i) }

// object walks the members of the object at i, calling member with each
// key (exactly as written, unescaped keys only) and the index of its value;
// member returns the index after the value.
func (d *bodyDecoder) object(i int, member func(key []byte, at int) (int, bool)) (int, bool) {
	if i >= len(d.data) || d.data[i] != '{' {
		return 0, false
	}
	i = d.ws(i + 1)
	if i < len(d.data) && d.data[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(d.data) || d.data[i] != '"' {
			return 0, false
		}
		end, f, ok := jsonscan.String(d.data, i)
		if !ok || f&jsonscan.Escaped != 0 {
			return 0, false
		}
		key := d.data[i+1 : end-1]
		i = d.ws(end)
		if i >= len(d.data) || d.data[i] != ':' {
			return 0, false
		}
		if i, ok = member(key, d.ws(i+1)); !ok {
			return 0, false
		}
		i = d.ws(i)
		if i >= len(d.data) {
			return 0, false
		}
		switch d.data[i] {
		case ',':
			i = d.ws(i + 1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// skip passes over a value of a member this decoder does not read.
func (d *bodyDecoder) skip(i int) (int, bool) {
	end, _, ok := jsonscan.Skip(d.data, i, jsonscan.MaxDepth-2)
	return end, ok
}

func (d *bodyDecoder) isNull(i int) bool {
	return len(d.data)-i >= 4 && string(d.data[i:i+4]) == "null"
}

// str decodes a string or null value into dst.
func (d *bodyDecoder) str(i int, dst **string) (int, bool) {
	if d.isNull(i) {
		*dst = nil
		return i + 4, true
	}
	if i >= len(d.data) || d.data[i] != '"' {
		return 0, false
	}
	end, f, ok := jsonscan.String(d.data, i)
	if !ok {
		return 0, false
	}
	raw := d.data[i+1 : end-1]
	var s string
	if f&(jsonscan.Escaped|jsonscan.NonASCII) == 0 {
		s = string(raw)
	} else {
		s = jsonscan.Unquote(raw)
	}
	*dst = &s
	return end, true
}

func (d *bodyDecoder) request(r *PutAuditEventsRequest) bool {
	i := d.ws(0)
	if d.isNull(i) {
		return d.ws(i+4) == len(d.data)
	}
	end, ok := d.object(i, func(key []byte, at int) (int, bool) {
		switch {
		case string(key) == "auditEvents":
			return d.events(at, &r.AuditEvents)
		case foldsTo(key, "auditEvents"):
			return 0, false
		}
		return d.skip(at)
	})
	return ok && d.ws(end) == len(d.data)
}

func (d *bodyDecoder) events(i int, dst *[]AuditEvent) (int, bool) {
	if d.isNull(i) {
		*dst = nil
		return i + 4, true
	}
	if i >= len(d.data) || d.data[i] != '[' {
		return 0, false
	}
	out := make([]AuditEvent, 0, 100)
	i = d.ws(i + 1)
	if i < len(d.data) && d.data[i] == ']' {
		*dst = out
		return i + 1, true
	}
	for {
		var e AuditEvent
		var ok bool
		if d.isNull(i) {
			i += 4
		} else if i, ok = d.event(i, &e); !ok {
			return 0, false
		}
		out = append(out, e)
		i = d.ws(i)
		if i >= len(d.data) {
			return 0, false
		}
		switch d.data[i] {
		case ',':
			i = d.ws(i + 1)
		case ']':
			*dst = out
			return i + 1, true
		default:
			return 0, false
		}
	}
}

func (d *bodyDecoder) event(i int, e *AuditEvent) (int, bool) {
	return d.object(i, func(key []byte, at int) (int, bool) {
		switch string(key) {
		case "id":
			return d.str(at, &e.Id)
		case "eventData":
			return d.str(at, &e.EventData)
		case "eventDataChecksum":
			return d.str(at, &e.EventDataChecksum)
		}
		if foldsTo(key, "id") || foldsTo(key, "eventData") || foldsTo(key, "eventDataChecksum") {
			return 0, false
		}
		return d.skip(at)
	})
}

// foldsTo reports whether key equals name ignoring ASCII case (which
// encoding/json also matches, along with rarer Unicode foldings; keys
// outside ASCII make the decoder give up too).
func foldsTo(key []byte, name string) bool {
	if len(key) != len(name) {
		for _, c := range key {
			if c >= 0x80 {
				return true
			}
		}
		return false
	}
	for i := range key {
		a, b := key[i], name[i]
		if a >= 0x80 {
			return true
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
