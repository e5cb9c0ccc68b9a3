package auditevents

import (
	"fmt"
	"net/netip"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// field is a member of eventData that the schema names. The constants are
// in the order of AWS's schema table, which is the order fields are checked
// in within each step.
type field uint8

const (
	fVersion field = iota
	fUserIdentity
	fType
	fPrincipalID
	fDetails
	fUserAgent
	fEventSource
	fEventName
	fEventTime
	fUID
	fRequestParameters
	fResponseElements
	fErrorCode
	fErrorMessage
	fSourceIPAddress
	fRecipientAccountID
	fAdditionalEventData
	numFields
	fNone = numFields
)

// MaxDepth is how deeply eventData may nest, eventData itself counting as
// one level.
const MaxDepth = 1000

type fieldSpec struct {
	path     string // under eventData
	key      string
	object   bool // a JSON object, else a string
	required bool
	// max is the limit in characters for a string and in bytes of compact
	// JSON for an object; 0 for none.
	max int
}

var schema = [numFields]fieldSpec{
	fVersion:            {path: "version", key: "version", required: true, max: 256},
	fUserIdentity:       {path: "userIdentity", key: "userIdentity", object: true, required: true},
	fType:               {path: "userIdentity.type", key: "type", required: true, max: 128},
	fPrincipalID:        {path: "userIdentity.principalId", key: "principalId", required: true, max: 1024},
	fDetails:            {path: "userIdentity.details", key: "details", object: true},
	fUserAgent:          {path: "userAgent", key: "userAgent", max: 1024},
	fEventSource:        {path: "eventSource", key: "eventSource", required: true, max: 1024},
	fEventName:          {path: "eventName", key: "eventName", required: true, max: 1024},
	fEventTime:          {path: "eventTime", key: "eventTime", required: true},
	fUID:                {path: "UID", key: "UID", required: true, max: 1024},
	fRequestParameters:  {path: "requestParameters", key: "requestParameters", object: true, max: events.MaxParametersSize},
	fResponseElements:   {path: "responseElements", key: "responseElements", object: true, max: events.MaxParametersSize},
	fErrorCode:          {path: "errorCode", key: "errorCode", max: 256},
	fErrorMessage:       {path: "errorMessage", key: "errorMessage", max: 256},
	fSourceIPAddress:    {path: "sourceIPAddress", key: "sourceIPAddress"},
	fRecipientAccountID: {path: "recipientAccountId", key: "recipientAccountId", required: true},
	fAdditionalEventData: {path: "additionalEventData", key: "additionalEventData", object: true,
		max: events.MaxAdditionalDataSize},
}

// inUserIdentity reports whether f is a member of userIdentity.
func (f field) inUserIdentity() bool { return f == fType || f == fPrincipalID || f == fDetails }

func topField(key []byte) field {
	switch string(key) {
	case "version":
		return fVersion
	case "userIdentity":
		return fUserIdentity
	case "userAgent":
		return fUserAgent
	case "eventSource":
		return fEventSource
	case "eventName":
		return fEventName
	case "eventTime":
		return fEventTime
	case "UID":
		return fUID
	case "requestParameters":
		return fRequestParameters
	case "responseElements":
		return fResponseElements
	case "errorCode":
		return fErrorCode
	case "errorMessage":
		return fErrorMessage
	case "sourceIPAddress":
		return fSourceIPAddress
	case "recipientAccountId":
		return fRecipientAccountID
	case "additionalEventData":
		return fAdditionalEventData
	}
	return fNone
}

func userIdentityField(key []byte) field {
	switch string(key) {
	case "type":
		return fType
	case "principalId":
		return fPrincipalID
	case "details":
		return fDetails
	}
	return fNone
}

// value is where a schema field's value is in eventData, as last found.
type value struct {
	start, end int
	flags      jsonscan.Flags
	seen       bool
	dup        bool
}

// first is the first byte of the value, which tells its JSON type.
func (b *builder) first(f field) byte { return b.data[b.vals[f].start] }

// absent reports whether a field counts as missing: not there, null, or
// (for a string field) "".
func (b *builder) absent(f field) bool {
	v := &b.vals[f]
	return !v.seen || b.data[v.start] == 'n' || (!schema[f].object && v.end-v.start == 2 && b.data[v.start] == '"')
}

// str is the decoded value of a string field.
func (b *builder) str(f field) string {
	v := &b.vals[f]
	if v.flags&jsonscan.Escaped == 0 {
		return b.src[v.start+1 : v.end-1]
	}
	return jsonscan.Unquote(b.data[v.start+1 : v.end-1])
}

// validate runs steps 2 to 6 (see the package documentation) and, when
// they pass, sets b.eventTime.
func (b *builder) validate(ch Channel) *Failure {
	// Step 2: a JSON object in valid UTF-8, schema fields at most once.
	if !b.scan() {
		return syntaxFailure(b.data)
	}
	if b.flags&jsonscan.NonASCII != 0 && !utf8.Valid(b.data) {
		return utf8Failure(b.data)
	}
	for f := range numFields {
		if b.vals[f].dup {
			in := "eventData"
			if f.inUserIdentity() {
				in = "eventData.userIdentity"
			}
			return fail(CodeInvalidData, "%s has more than one %q member", in, schema[f].key)
		}
	}

	// Step 3: required fields.
	uiObject := b.vals[fUserIdentity].seen && b.first(fUserIdentity) == '{'
	for f := range numFields {
		if !schema[f].required || (f.inUserIdentity() && !uiObject) {
			continue
		}
		if b.absent(f) {
			return b.missingFailure(f)
		}
	}

	// Step 4: types and formats.
	for f := range numFields {
		v := &b.vals[f]
		if !v.seen || (f.inUserIdentity() && !uiObject) {
			continue
		}
		c := b.data[v.start]
		if c == 'n' {
			continue
		}
		spec := &schema[f]
		if spec.object && c != '{' {
			return fail(CodeInvalidData, "eventData.%s must be a JSON object; found %s", spec.path, jsonType(c))
		}
		if !spec.object && c != '"' {
			return fail(CodeInvalidData, "eventData.%s must be a JSON string; found %s", spec.path, jsonType(c))
		}
		switch f {
		case fEventTime:
			eventTime := b.str(f)
			var reason string
			if b.eventTime, b.eventTimeValue, reason = normalizeTime(b.eventTime[:0], eventTime); reason != "" {
				return fail(CodeInvalidData, "eventData.eventTime %s is not a valid timestamp (%s): expected "+
					"yyyy-MM-ddTHH:mm:ss, optionally with a fraction of a second, then Z or a ±hh:mm offset "+
					"(no suffix means UTC)", quote(eventTime), reason)
			}
		case fSourceIPAddress:
			if b.absent(f) {
				continue
			}
			if s := b.str(f); !isIP(s) {
				return fail(CodeInvalidData, "eventData.sourceIPAddress %s is not an IPv4 or IPv6 address", quote(s))
			}
		}
	}

	// Step 5: lengths.
	for f := range numFields {
		spec := &schema[f]
		v := &b.vals[f]
		if spec.max == 0 || !v.seen || b.data[v.start] == 'n' || (f.inUserIdentity() && !uiObject) {
			continue
		}
		if spec.object {
			// Compacting only shortens, so the span is an upper bound.
			if v.end-v.start <= spec.max {
				continue
			}
			n := v.end - v.start
			if v.flags&jsonscan.Space != 0 {
				b.tmp = jsonscan.Compact(b.tmp[:0], b.data[v.start:v.end])
				n = len(b.tmp)
			}
			if n > spec.max {
				return fail(CodeFieldTooLong, "eventData.%s is %d bytes of JSON; the maximum is %d (%d KiB)",
					spec.path, n, spec.max, spec.max>>10)
			}
			continue
		}
		// Escapes and multi-byte characters only make the text longer than
		// the number of characters it holds.
		raw := b.data[v.start+1 : v.end-1]
		if len(raw) <= spec.max {
			continue
		}
		if v.flags&jsonscan.Escaped != 0 {
			b.tmp = jsonscan.AppendUnquote(b.tmp[:0], raw)
			raw = b.tmp
		}
		if n := utf8.RuneCount(raw); n > spec.max {
			return fail(CodeFieldTooLong, "eventData.%s is %d characters long; the maximum is %d", spec.path, n, spec.max)
		}
	}

	// Step 6: the recipient.
	if got := b.str(fRecipientAccountID); got != ch.OwnerAccount {
		return fail(CodeInvalidRecipient, "eventData.recipientAccountId %s is not %s, the account that owns the channel",
			quote(got), quote(ch.OwnerAccount))
	}
	return nil
}

// scan reads eventData in one pass: it checks the JSON syntax and nesting,
// notes where each schema field's value is, and collects Flags. It reports
// whether eventData is a JSON object within MaxDepth.
func (b *builder) scan() bool {
	i := b.ws(0)
	if i >= len(b.data) || b.data[i] != '{' {
		return false
	}
	end, ok := b.object(i, 1, fNone)
	return ok && b.ws(end) == len(b.data)
}

// ws skips whitespace, noting that there was some.
func (b *builder) ws(i int) int {
	if i < len(b.data) && jsonscan.IsSpace(b.data[i]) {
		b.flags |= jsonscan.Space
		i = jsonscan.SkipSpace(b.data, i)
	}
	return i
}

// object reads the object at data[i] ('{') at nesting level depth: eventData
// itself when in is fNone, userIdentity when in is fUserIdentity. It returns
// the index just past the object.
func (b *builder) object(i, depth int, in field) (int, bool) {
	if depth > MaxDepth {
		return 0, false
	}
	data := b.data
	i = b.ws(i + 1)
	if i < len(data) && data[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, false
		}
		end, kf, ok := jsonscan.String(data, i)
		if !ok {
			return 0, false
		}
		b.flags |= kf
		key := data[i+1 : end-1]
		if kf&jsonscan.Escaped != 0 {
			b.tmp = jsonscan.AppendUnquote(b.tmp[:0], key)
			key = b.tmp
		}
		f := fNone
		if in == fNone {
			f = topField(key)
		} else {
			f = userIdentityField(key)
		}
		i = b.ws(end)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		i = b.ws(i + 1)
		if i >= len(data) {
			return 0, false
		}
		start := i
		var vf jsonscan.Flags
		if f == fUserIdentity && data[i] == '{' {
			i, ok = b.object(i, depth+1, fUserIdentity)
		} else {
			i, vf, ok = jsonscan.Skip(data, i, MaxDepth-depth)
			b.flags |= vf
		}
		if !ok {
			return 0, false
		}
		if f != fNone {
			v := &b.vals[f]
			*v = value{start: start, end: i, flags: vf, seen: true, dup: v.seen}
		}
		i = b.ws(i)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = b.ws(i + 1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// isIP reports whether s is an IPv4 address in dotted decimal or an IPv6
// address (IPv4-mapped forms included) without a zone.
func isIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

func fail(code, format string, args ...any) *Failure {
	return &Failure{Code: code, Message: fmt.Sprintf(format, args...)}
}
