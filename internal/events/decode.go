package events

import (
	"encoding/json"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// This file is the fast path of Parse: a decoder written for Record that
// reads a record in one pass, checking its syntax as it goes, with a few
// allocations per record (one for all its strings, one or two for the
// nested structs). It gives exactly the Record that parseSlow (the
// encoding/json path) gives, or gives up: on anything unusual (a syntax or
// type error, invalid UTF-8, an escaped key, a nested object or list that
// appears twice) the caller runs parseSlow, which also produces the error
// messages. FuzzParse checks the two against each other.

// decoder holds the state of one record's decode. Strings are not
// allocated one by one: their bytes are gathered in sbuf and every string
// field is set, in document order, from one string at the end.
type decoder struct {
	data  []byte
	flags jsonscan.Flags
	sbuf  []byte
	strs  []pendingStr
	// eventTime is the last eventTime value's span, for Record's own
	// handling of it (see Record.UnmarshalJSON).
	timeStart, timeEnd int
	parts              *recordParts
	// resBuf holds a resources list while it is read.
	resBuf []Resource
}

type pendingStr struct {
	dst  *string
	a, b int // in sbuf
}

// recordParts are the nested structs most records have, allocated
// together.
type recordParts struct {
	ui     UserIdentity
	sc     SessionContext
	si     SessionIssuer
	attrs  SessionAttributes
	tls    TLSDetails
	ro, me bool
	used   uint8
}

const (
	usedUI = 1 << iota
	usedSC
	usedSI
	usedAttrs
	usedTLS
	usedRO
	usedME
)

var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

func (d *decoder) reset(data []byte) {
	d.data = data
	d.flags = 0
	d.sbuf = d.sbuf[:0]
	clear(d.strs)
	d.strs = d.strs[:0]
	d.timeStart, d.timeEnd = -1, -1
	d.parts = nil
	clear(d.resBuf[:cap(d.resBuf)])
}

// part returns the slot of recordParts given by bit, allocating the
// parts on first use; false if the slot was used already (a nested
// object that appears twice, which the caller gives up on).
func (d *decoder) part(bit uint8) (*recordParts, bool) {
	if d.parts == nil {
		d.parts = new(recordParts)
	}
	if d.parts.used&bit != 0 {
		return nil, false
	}
	d.parts.used |= bit
	return d.parts, true
}

// parseOwned decodes into r the record that is all of raw, which it
// keeps as the record's JSON (compacted in place if it has whitespace). ok
// is false when the fast path cannot decode it (r is then zero); see
// parseSlow then.
func parseOwned(raw []byte, r *Record) (ok bool) {
	d := decoderPool.Get().(*decoder)
	defer d.release()
	defer func() {
		if !ok {
			*r = Record{}
		}
	}()
	d.reset(raw)
	end, ok := d.record(r, 0)
	if !ok || end != len(raw) {
		return false
	}
	if d.flags&jsonscan.Space != 0 {
		raw = jsonscan.Compact(raw[:0], raw)
		*r = Record{}
		d.reset(raw)
		if end, ok := d.record(r, 0); !ok || end != len(raw) || d.flags&jsonscan.Space != 0 {
			return false
		}
	}
	return d.finish(r, raw[:len(raw):len(raw)])
}

// parseIn decodes into r the record whose JSON object starts at data[off]
// and returns the index just past it. The record's Raw and its JSON-valued
// fields alias data when the object is compact, and are a compacted copy
// otherwise. ok is false when the fast path cannot decode it (r is then
// zero).
func parseIn(data []byte, off int, r *Record) (end int, ok bool) {
	d := decoderPool.Get().(*decoder)
	defer d.release()
	d.reset(data)
	end, ok = d.record(r, off)
	switch {
	case !ok:
	case d.flags&jsonscan.Space != 0:
		*r = Record{}
		ok = parseOwned(jsonscan.Compact(make([]byte, 0, end-off), data[off:end]), r)
	default:
		ok = d.finish(r, data[off:end:end])
	}
	if !ok {
		*r = Record{}
		return 0, false
	}
	return end, true
}

// release returns d to the pool without references to the record.
func (d *decoder) release() {
	if d.data == nil {
		return
	}
	d.reset(nil)
	decoderPool.Put(d)
}

// finish checks the UTF-8 of raw, sets the strings and eventTime, and
// keeps raw as the record's JSON.
func (d *decoder) finish(r *Record, raw []byte) bool {
	if d.flags&jsonscan.NonASCII != 0 && !utf8.Valid(raw) {
		return false
	}
	// eventTime as Record.UnmarshalJSON reads it: a string is parsed, null
	// or absence leaves it zero, anything else is reported by Validate.
	if d.timeStart >= 0 {
		v := d.data[d.timeStart:d.timeEnd]
		switch v[0] {
		case 'n':
		case '"':
			d.strAt(d.timeStart, &r.rawEventTime)
		default:
			r.eventTimeErr = true
		}
	}
	if len(d.strs) > 0 {
		s := string(d.sbuf)
		for _, p := range d.strs {
			*p.dst = s[p.a:p.b]
		}
	}
	if d.timeStart >= 0 && d.data[d.timeStart] == '"' {
		t, err := time.Parse(time.RFC3339Nano, r.rawEventTime)
		if err != nil {
			r.eventTimeErr = true
		} else {
			r.EventTime = t.UTC()
		}
	}
	r.Raw = json.RawMessage(raw)
	r.checked = raw
	return true
}

// ws skips whitespace, noting that there was some.
func (d *decoder) ws(i int) int {
	if i < len(d.data) && jsonscan.IsSpace(d.data[i]) {
		d.flags |= jsonscan.Space
		i = jsonscan.SkipSpace(d.data, i)
	}
	return i
}

// object walks the members of the object at data[i] ('{'), which is at
// nesting depth depth, calling member with each key (unescaped keys only)
// and the index of its value; member returns the index just past the
// value.
func (d *decoder) object(i, depth int, member func(key []byte, i, depth int) (int, bool)) (int, bool) {
	if depth > jsonscan.MaxDepth {
		return 0, false
	}
	data := d.data
	i = d.ws(i + 1)
	if i >= len(data) {
		return 0, false
	}
	if data[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, false
		}
		end, f, ok := jsonscan.String(data, i)
		if !ok || f&jsonscan.Escaped != 0 {
			return 0, false
		}
		d.flags |= f
		key := data[i+1 : end-1]
		i = d.ws(end)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		i = d.ws(i + 1)
		if i >= len(data) {
			return 0, false
		}
		if i, ok = member(key, i, depth); !ok {
			return 0, false
		}
		i = d.ws(i)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = d.ws(i + 1)
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// skip passes over any value, inside an object at depth.
func (d *decoder) skip(i, depth int) (int, bool) {
	end, f, ok := jsonscan.Skip(d.data, i, jsonscan.MaxDepth-depth)
	d.flags |= f
	return end, ok
}

// raw sets a json.RawMessage field to any value.
func (d *decoder) raw(i, depth int, dst *json.RawMessage) (int, bool) {
	end, ok := d.skip(i, depth)
	if ok {
		*dst = json.RawMessage(d.data[i:end:end])
	}
	return end, ok
}

// strAt queues the string at data[i] (scanned already) for dst.
func (d *decoder) strAt(i int, dst *string) {
	end, f, _ := jsonscan.String(d.data, i)
	a := len(d.sbuf)
	if f&jsonscan.Escaped != 0 {
		d.sbuf = jsonscan.AppendUnquote(d.sbuf, d.data[i+1:end-1])
	} else {
		d.sbuf = append(d.sbuf, d.data[i+1:end-1]...)
	}
	d.strs = append(d.strs, pendingStr{dst: dst, a: a, b: len(d.sbuf)})
}

// str decodes a string field: a string sets it, null leaves it as it is
// (as encoding/json does), anything else is a type error.
func (d *decoder) str(i int, dst *string) (int, bool) {
	switch d.data[i] {
	case '"':
		end, f, ok := jsonscan.String(d.data, i)
		if !ok {
			return 0, false
		}
		d.flags |= f
		a := len(d.sbuf)
		if f&jsonscan.Escaped != 0 {
			d.sbuf = jsonscan.AppendUnquote(d.sbuf, d.data[i+1:end-1])
		} else {
			d.sbuf = append(d.sbuf, d.data[i+1:end-1]...)
		}
		d.strs = append(d.strs, pendingStr{dst: dst, a: a, b: len(d.sbuf)})
		return end, true
	case 'n':
		return d.null(i)
	}
	return 0, false
}

// null passes over null; false for anything else.
func (d *decoder) null(i int) (int, bool) {
	if len(d.data)-i >= 4 && string(d.data[i:i+4]) == "null" {
		return i + 4, true
	}
	return 0, false
}

// boolean decodes a *bool field.
func (d *decoder) boolean(i int, dst **bool, bit uint8) (int, bool) {
	var v bool
	switch {
	case len(d.data)-i >= 4 && string(d.data[i:i+4]) == "true":
		v = true
		i += 4
	case len(d.data)-i >= 5 && string(d.data[i:i+5]) == "false":
		i += 5
	case d.data[i] == 'n':
		*dst = nil
		return d.null(i)
	default:
		return 0, false
	}
	if *dst != nil {
		**dst = v
		return i, true
	}
	p, ok := d.part(bit)
	if !ok {
		*dst = new(bool)
	} else if bit == usedRO {
		*dst = &p.ro
	} else {
		*dst = &p.me
	}
	**dst = v
	return i, true
}

// Top-level fields of a record, in Record's order.
const (
	fUnknown = iota
	fEventVersion
	fUserIdentity
	fEventTime
	fEventSource
	fEventName
	fAWSRegion
	fSourceIPAddress
	fUserAgent
	fErrorCode
	fErrorMessage
	fRequestParameters
	fResponseElements
	fAdditionalEventData
	fRequestID
	fEventID
	fReadOnly
	fResources
	fEventType
	fAPIVersion
	fManagementEvent
	fRecipientAccountID
	fServiceEventDetails
	fSharedEventID
	fVPCEndpointID
	fVPCEndpointAccountID
	fAnnotation
	fEventCategory
	fAddendum
	fSessionCredentialFromConsole
	fEdgeDeviceDetails
	fTLSDetails
	fInsightDetails
	fEventContext
)

var recordNames = []string{
	fEventVersion: "eventVersion", fUserIdentity: "userIdentity", fEventTime: "eventTime",
	fEventSource: "eventSource", fEventName: "eventName", fAWSRegion: "awsRegion",
	fSourceIPAddress: "sourceIPAddress", fUserAgent: "userAgent", fErrorCode: "errorCode",
	fErrorMessage: "errorMessage", fRequestParameters: "requestParameters",
	fResponseElements: "responseElements", fAdditionalEventData: "additionalEventData",
	fRequestID: "requestID", fEventID: "eventID", fReadOnly: "readOnly", fResources: "resources",
	fEventType: "eventType", fAPIVersion: "apiVersion", fManagementEvent: "managementEvent",
	fRecipientAccountID: "recipientAccountId", fServiceEventDetails: "serviceEventDetails",
	fSharedEventID: "sharedEventID", fVPCEndpointID: "vpcEndpointId",
	fVPCEndpointAccountID: "vpcEndpointAccountId", fAnnotation: "annotation",
	fEventCategory: "eventCategory", fAddendum: "addendum",
	fSessionCredentialFromConsole: "sessionCredentialFromConsole",
	fEdgeDeviceDetails:            "edgeDeviceDetails", fTLSDetails: "tlsDetails",
	fInsightDetails: "insightDetails", fEventContext: "eventContext",
}

// lookup finds key among names (indexed by field number, 0 unused) as
// encoding/json does: the exact name, else a name equal under Unicode
// case folding.
func lookup(key []byte, names []string) int {
	for n, name := range names {
		if n > 0 && name == string(key) {
			return n
		}
	}
	return foldLookup(key, names)
}

// foldLookup is the case-insensitive half of lookup. The names are ASCII;
// a key that is ASCII too matches one only by ASCII case folding, and
// other keys (rare) are compared the slow way.
func foldLookup(key []byte, names []string) int {
	ascii := true
	for _, c := range key {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	for n, name := range names {
		if n == 0 {
			continue
		}
		if ascii {
			if len(name) == len(key) && equalASCIIFold(key, name) {
				return n
			}
		} else if strings.EqualFold(string(key), name) {
			return n
		}
	}
	return fUnknown
}

func equalASCIIFold(key []byte, name string) bool {
	for i := 0; i < len(key); i++ {
		a, b := key[i], name[i]
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

// recordField is lookup for the record's own members, with the exact
// names found by a switch.
func recordField(key []byte) int {
	switch string(key) {
	case "eventVersion":
		return fEventVersion
	case "userIdentity":
		return fUserIdentity
	case "eventTime":
		return fEventTime
	case "eventSource":
		return fEventSource
	case "eventName":
		return fEventName
	case "awsRegion":
		return fAWSRegion
	case "sourceIPAddress":
		return fSourceIPAddress
	case "userAgent":
		return fUserAgent
	case "errorCode":
		return fErrorCode
	case "errorMessage":
		return fErrorMessage
	case "requestParameters":
		return fRequestParameters
	case "responseElements":
		return fResponseElements
	case "additionalEventData":
		return fAdditionalEventData
	case "requestID":
		return fRequestID
	case "eventID":
		return fEventID
	case "readOnly":
		return fReadOnly
	case "resources":
		return fResources
	case "eventType":
		return fEventType
	case "apiVersion":
		return fAPIVersion
	case "managementEvent":
		return fManagementEvent
	case "recipientAccountId":
		return fRecipientAccountID
	case "serviceEventDetails":
		return fServiceEventDetails
	case "sharedEventID":
		return fSharedEventID
	case "vpcEndpointId":
		return fVPCEndpointID
	case "vpcEndpointAccountId":
		return fVPCEndpointAccountID
	case "annotation":
		return fAnnotation
	case "eventCategory":
		return fEventCategory
	case "addendum":
		return fAddendum
	case "sessionCredentialFromConsole":
		return fSessionCredentialFromConsole
	case "edgeDeviceDetails":
		return fEdgeDeviceDetails
	case "tlsDetails":
		return fTLSDetails
	case "insightDetails":
		return fInsightDetails
	case "eventContext":
		return fEventContext
	}
	return foldLookup(key, recordNames)
}

// record decodes the record object at data[i].
func (d *decoder) record(r *Record, i int) (int, bool) {
	if i >= len(d.data) || d.data[i] != '{' {
		return 0, false
	}
	var seen uint64
	return d.object(i, 1, func(key []byte, i, depth int) (int, bool) {
		f := recordField(key)
		switch f {
		case fUserIdentity, fResources, fTLSDetails:
			if seen&(1<<f) != 0 {
				return 0, false
			}
			seen |= 1 << f
		}
		switch f {
		case fEventVersion:
			return d.str(i, &r.EventVersion)
		case fUserIdentity:
			switch d.data[i] {
			case '{':
				p, ok := d.part(usedUI)
				if !ok {
					return 0, false
				}
				r.UserIdentity = &p.ui
				return d.userIdentity(r.UserIdentity, i, depth+1)
			case 'n':
				return d.null(i)
			}
			return 0, false
		case fEventTime:
			end, ok := d.skip(i, depth)
			d.timeStart, d.timeEnd = i, end
			return end, ok
		case fEventSource:
			return d.str(i, &r.EventSource)
		case fEventName:
			return d.str(i, &r.EventName)
		case fAWSRegion:
			return d.str(i, &r.AWSRegion)
		case fSourceIPAddress:
			return d.str(i, &r.SourceIPAddress)
		case fUserAgent:
			return d.str(i, &r.UserAgent)
		case fErrorCode:
			return d.str(i, &r.ErrorCode)
		case fErrorMessage:
			return d.str(i, &r.ErrorMessage)
		case fRequestParameters:
			return d.raw(i, depth, &r.RequestParameters)
		case fResponseElements:
			return d.raw(i, depth, &r.ResponseElements)
		case fAdditionalEventData:
			return d.raw(i, depth, &r.AdditionalEventData)
		case fRequestID:
			return d.str(i, &r.RequestID)
		case fEventID:
			return d.str(i, &r.EventID)
		case fReadOnly:
			return d.boolean(i, &r.ReadOnly, usedRO)
		case fResources:
			switch d.data[i] {
			case '[':
				return d.resources(r, i, depth+1)
			case 'n':
				return d.null(i)
			}
			return 0, false
		case fEventType:
			return d.str(i, &r.EventType)
		case fAPIVersion:
			return d.str(i, &r.APIVersion)
		case fManagementEvent:
			return d.boolean(i, &r.ManagementEvent, usedME)
		case fRecipientAccountID:
			return d.str(i, &r.RecipientAccountID)
		case fServiceEventDetails:
			return d.raw(i, depth, &r.ServiceEventDetails)
		case fSharedEventID:
			return d.str(i, &r.SharedEventID)
		case fVPCEndpointID:
			return d.str(i, &r.VPCEndpointID)
		case fVPCEndpointAccountID:
			return d.str(i, &r.VPCEndpointAccountID)
		case fAnnotation:
			return d.str(i, &r.Annotation)
		case fEventCategory:
			return d.str(i, &r.EventCategory)
		case fAddendum:
			return d.raw(i, depth, &r.Addendum)
		case fSessionCredentialFromConsole:
			return d.str(i, &r.SessionCredentialFromConsole)
		case fEdgeDeviceDetails:
			return d.raw(i, depth, &r.EdgeDeviceDetails)
		case fTLSDetails:
			switch d.data[i] {
			case '{':
				p, ok := d.part(usedTLS)
				if !ok {
					return 0, false
				}
				r.TLSDetails = &p.tls
				return d.tlsDetails(r.TLSDetails, i, depth+1)
			case 'n':
				return d.null(i)
			}
			return 0, false
		case fInsightDetails:
			return d.raw(i, depth, &r.InsightDetails)
		case fEventContext:
			return d.raw(i, depth, &r.EventContext)
		}
		return d.skip(i, depth)
	})
}

// resources decodes the resources list at data[i] ('['), at depth.
func (d *decoder) resources(r *Record, i, depth int) (int, bool) {
	if depth > jsonscan.MaxDepth {
		return 0, false
	}
	// Strings are queued with pointers into list, which may move as it
	// grows: note which element and field each one is for, and point them
	// into the final slice at the end.
	type ref struct {
		k, n  int
		field uint8
	}
	var refBuf [32]ref
	list, refs := d.resBuf[:0], refBuf[:0]
	defer func() { d.resBuf = list[:0] }()
	i = d.ws(i + 1)
	if i >= len(d.data) {
		return 0, false
	}
	if d.data[i] != ']' {
		for {
			list = append(list, Resource{})
			n := len(list) - 1
			res := &list[n]
			k0 := len(d.strs)
			var ok bool
			switch d.data[i] {
			case '{':
				i, ok = d.resource(res, i, depth+1)
			case 'n':
				i, ok = d.null(i)
			}
			if !ok {
				return 0, false
			}
			for k := k0; k < len(d.strs); k++ {
				switch d.strs[k].dst {
				case &res.ARN:
					refs = append(refs, ref{k, n, 0})
				case &res.ARNPrefix:
					refs = append(refs, ref{k, n, 1})
				case &res.AccountID:
					refs = append(refs, ref{k, n, 2})
				default:
					refs = append(refs, ref{k, n, 3})
				}
			}
			i = d.ws(i)
			if i >= len(d.data) {
				return 0, false
			}
			if d.data[i] == ']' {
				break
			}
			if d.data[i] != ',' {
				return 0, false
			}
			if i = d.ws(i + 1); i >= len(d.data) {
				return 0, false
			}
		}
	}
	out := make([]Resource, len(list))
	for _, ref := range refs {
		res := &out[ref.n]
		dst := [4]*string{&res.ARN, &res.ARNPrefix, &res.AccountID, &res.Type}
		d.strs[ref.k].dst = dst[ref.field]
	}
	r.Resources = out
	return i + 1, true
}

var resourceNames = []string{1: "ARN", 2: "ARNPrefix", 3: "accountId", 4: "type"}

func (d *decoder) resource(res *Resource, i, depth int) (int, bool) {
	return d.object(i, depth, func(key []byte, i, depth int) (int, bool) {
		var f int
		switch string(key) {
		case "ARN":
			f = 1
		case "ARNPrefix":
			f = 2
		case "accountId":
			f = 3
		case "type":
			f = 4
		default:
			f = foldLookup(key, resourceNames)
		}
		switch f {
		case 1:
			return d.str(i, &res.ARN)
		case 2:
			return d.str(i, &res.ARNPrefix)
		case 3:
			return d.str(i, &res.AccountID)
		case 4:
			return d.str(i, &res.Type)
		}
		return d.skip(i, depth)
	})
}

var userIdentityNames = []string{
	1: "type", 2: "principalId", 3: "arn", 4: "accountId", 5: "accessKeyId", 6: "userName",
	7: "sessionContext", 8: "invokedBy", 9: "invokedByDelegate", 10: "onBehalfOf", 11: "inScopeOf",
	12: "credentialId", 13: "identityProvider",
}

func (d *decoder) userIdentity(u *UserIdentity, i, depth int) (int, bool) {
	var seen uint32
	return d.object(i, depth, func(key []byte, i, depth int) (int, bool) {
		var f int
		switch string(key) {
		case "type":
			f = 1
		case "principalId":
			f = 2
		case "arn":
			f = 3
		case "accountId":
			f = 4
		case "accessKeyId":
			f = 5
		case "userName":
			f = 6
		case "sessionContext":
			f = 7
		case "invokedBy":
			f = 8
		default:
			f = lookup(key, userIdentityNames)
		}
		switch f {
		case 7, 9, 10, 11:
			if seen&(1<<f) != 0 {
				return 0, false
			}
			seen |= 1 << f
		}
		switch f {
		case 1:
			return d.str(i, &u.Type)
		case 2:
			return d.str(i, &u.PrincipalID)
		case 3:
			return d.str(i, &u.ARN)
		case 4:
			return d.str(i, &u.AccountID)
		case 5:
			return d.str(i, &u.AccessKeyID)
		case 6:
			return d.str(i, &u.UserName)
		case 7:
			switch d.data[i] {
			case '{':
				p, ok := d.part(usedSC)
				if !ok {
					return 0, false
				}
				u.SessionContext = &p.sc
				return d.sessionContext(u.SessionContext, i, depth+1)
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 8:
			return d.str(i, &u.InvokedBy)
		case 9:
			switch d.data[i] {
			case '{':
				u.InvokedByDelegate = new(InvokedByDelegate)
				return d.flat(i, depth+1, []string{1: "accountId"}, []*string{1: &u.InvokedByDelegate.AccountID})
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 10:
			switch d.data[i] {
			case '{':
				o := new(OnBehalfOf)
				u.OnBehalfOf = o
				return d.flat(i, depth+1, []string{1: "userId", 2: "identityStoreArn"}, []*string{1: &o.UserID, 2: &o.IdentityStoreARN})
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 11:
			switch d.data[i] {
			case '{':
				o := new(InScopeOf)
				u.InScopeOf = o
				return d.flat(i, depth+1, []string{1: "sourceArn", 2: "sourceAccount", 3: "issuerType", 4: "credentialsIssuedTo"},
					[]*string{1: &o.SourceARN, 2: &o.SourceAccount, 3: &o.IssuerType, 4: &o.CredentialsIssuedTo})
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 12:
			return d.str(i, &u.CredentialID)
		case 13:
			return d.str(i, &u.IdentityProvider)
		}
		return d.skip(i, depth)
	})
}

// flat decodes an object of string fields: names and dsts are indexed
// alike, from 1.
func (d *decoder) flat(i, depth int, names []string, dsts []*string) (int, bool) {
	return d.object(i, depth, func(key []byte, i, depth int) (int, bool) {
		if f := lookup(key, names); f != fUnknown {
			return d.str(i, dsts[f])
		}
		return d.skip(i, depth)
	})
}

var sessionContextNames = []string{
	1: "sessionIssuer", 2: "webIdFederationData", 3: "attributes", 4: "sourceIdentity",
	5: "ec2RoleDelivery", 6: "ec2IssuedInVpc", 7: "assumedRoot",
}

func (d *decoder) sessionContext(sc *SessionContext, i, depth int) (int, bool) {
	var seen uint32
	return d.object(i, depth, func(key []byte, i, depth int) (int, bool) {
		f := lookup(key, sessionContextNames)
		switch f {
		case 1, 2, 3:
			if seen&(1<<f) != 0 {
				return 0, false
			}
			seen |= 1 << f
		}
		switch f {
		case 1:
			switch d.data[i] {
			case '{':
				p, ok := d.part(usedSI)
				if !ok {
					return 0, false
				}
				si := &p.si
				sc.SessionIssuer = si
				return d.flat(i, depth+1, sessionIssuerNames, []*string{1: &si.Type, 2: &si.PrincipalID, 3: &si.ARN, 4: &si.AccountID, 5: &si.UserName})
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 2:
			switch d.data[i] {
			case '{':
				w := new(WebIDFederationData)
				sc.WebIDFederationData = w
				return d.webID(w, i, depth+1)
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 3:
			switch d.data[i] {
			case '{':
				p, ok := d.part(usedAttrs)
				if !ok {
					return 0, false
				}
				a := &p.attrs
				sc.Attributes = a
				return d.flat(i, depth+1, []string{1: "creationDate", 2: "mfaAuthenticated"}, []*string{1: &a.CreationDate, 2: &a.MFAAuthenticated})
			case 'n':
				return d.null(i)
			}
			return 0, false
		case 4:
			return d.str(i, &sc.SourceIdentity)
		case 5:
			return d.str(i, &sc.EC2RoleDelivery)
		case 6:
			return d.str(i, &sc.EC2IssuedInVPC)
		case 7:
			return d.str(i, &sc.AssumedRoot)
		}
		return d.skip(i, depth)
	})
}

var sessionIssuerNames = []string{1: "type", 2: "principalId", 3: "arn", 4: "accountId", 5: "userName"}

func (d *decoder) webID(w *WebIDFederationData, i, depth int) (int, bool) {
	var seen bool
	return d.object(i, depth, func(key []byte, i, depth int) (int, bool) {
		switch lookup(key, webIDNames) {
		case 1:
			return d.str(i, &w.FederatedProvider)
		case 2:
			if seen {
				return 0, false
			}
			seen = true
			switch d.data[i] {
			case '{':
				w.Attributes = map[string]string{}
				return d.object(i, depth+1, func(key []byte, i, depth int) (int, bool) {
					// Map entries are set at once, not queued: the map
					// needs its keys now.
					switch d.data[i] {
					case '"':
						end, f, ok := jsonscan.String(d.data, i)
						if !ok {
							return 0, false
						}
						d.flags |= f
						v := string(d.data[i+1 : end-1])
						if f&jsonscan.Escaped != 0 {
							v = jsonscan.Unquote(d.data[i+1 : end-1])
						}
						w.Attributes[string(key)] = v
						return end, true
					case 'n':
						w.Attributes[string(key)] = ""
						return d.null(i)
					}
					return 0, false
				})
			case 'n':
				return d.null(i)
			}
			return 0, false
		}
		return d.skip(i, depth)
	})
}

var webIDNames = []string{1: "federatedProvider", 2: "attributes"}

var tlsNames = []string{1: "tlsVersion", 2: "cipherSuite", 3: "clientProvidedHostHeader"}

func (d *decoder) tlsDetails(t *TLSDetails, i, depth int) (int, bool) {
	return d.flat(i, depth, tlsNames, []*string{1: &t.TLSVersion, 2: &t.CipherSuite, 3: &t.ClientProvidedHostHeader})
}
