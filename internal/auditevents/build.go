package auditevents

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// Entry is one element of PutAuditEvents' auditEvents list.
type Entry struct {
	ID        string  // the caller's id (already checked by the model: 1-128, ^[-_A-Za-z0-9]+$)
	EventData string  // the JSON text the caller sent
	Checksum  *string // eventDataChecksum, optional: base64 of SHA-256 of EventData's UTF-8 bytes
}

// Channel is the context the event arrives in.
type Channel struct {
	ARN          string // the channel's ARN
	OwnerAccount string // account that owns the channel
	Region       string // Region of the PutAuditEvents call
}

// Failure is a per-event failure as PutAuditEvents reports it in `failed`.
type Failure struct {
	Code    string // one of the Code constants; 1-128 characters
	Message string // 1-1024 characters; names the field and the rule
}

// Per-event error codes of PutAuditEvents that Build reports.
const (
	CodeFieldNotFound    = events.CodeFieldNotFound
	CodeFieldTooLong     = events.CodeFieldTooLong
	CodeInvalidData      = events.CodeInvalidData
	CodeInvalidChecksum  = "InvalidChecksum"
	CodeInvalidRecipient = "InvalidRecipient"
	// CodeInternalFailure reports a record Build could not make, which is
	// a bug in Build.
	CodeInternalFailure = "InternalFailure"
)

// The header of every stored record, as CloudTrail Lake fills it in for
// events from outside AWS.
const (
	EventVersion  = "1.0"
	EventCategory = "ActivityAuditLog"
	EventType     = "ActivityLog"
)

// Build validates one entry and returns the stored record, or the failure.
// eventID is the Cairn-assigned event ID; now is the ingestion time.
func Build(e Entry, ch Channel, eventID string, now time.Time) (events.Record, *Failure) {
	b := getBuilder(e.EventData)
	defer b.release()

	if e.Checksum != nil {
		if f := checkChecksum(b.data, *e.Checksum); f != nil {
			return events.Record{}, f
		}
	}
	if f := b.validate(ch); f != nil {
		return events.Record{}, f
	}

	out := b.out[:0]
	out = append(out, `{"eventVersion":"`+EventVersion+`","eventCategory":"`+EventCategory+
		`","eventType":"`+EventType+`","eventID":`...)
	out = api.AppendJSONString(out, eventID)
	out = append(out, `,"eventTime":"`...)
	out = append(out, b.eventTime...)
	out = append(out, `","awsRegion":`...)
	out = api.AppendJSONString(out, ch.Region)
	out = append(out, `,"recipientAccountId":`...)
	out = api.AppendJSONString(out, ch.OwnerAccount)
	out = append(out, `,"metadata":{"ingestionTime":"`...)
	out = appendTime(out, now.UTC())
	out = append(out, `","channelARN":`...)
	out = api.AppendJSONString(out, ch.ARN)
	out = append(out, `},"eventData":`...)
	if b.flags&jsonscan.Space != 0 {
		out = jsonscan.Compact(out, b.data)
	} else {
		out = append(out, b.data...)
	}
	out = append(out, '}')
	b.out = out

	rec := events.Record{
		EventVersion: EventVersion, EventCategory: EventCategory, EventType: EventType, EventID: eventID,
		EventTime: b.eventTimeValue, AWSRegion: ch.Region, RecipientAccountID: ch.OwnerAccount,
	}
	// The record is valid, compact JSON in valid UTF-8 by construction:
	// the header's strings are escaped, and eventData was checked and
	// compacted (checkRecord and FuzzBuild parse it back).
	rec.SetEncodedRaw(bytes.Clone(out))
	return rec, nil
}

// builder holds the buffers of one Build call, reused across calls.
type builder struct {
	src  string // the entry's eventData
	data []byte // a copy of src, at the same offsets
	out  []byte // the record's JSON, copied into the record
	tmp  []byte // unescaped keys and values

	flags jsonscan.Flags
	vals  [numFields]value
	// eventTime is the record's eventTime, normalized, and eventTimeValue
	// the time it stands for.
	eventTime      []byte
	eventTimeValue time.Time
}

// Buffers that grew past this are dropped rather than kept in the pool.
const maxPooledBuffer = 64 << 10

var builders = sync.Pool{New: func() any { return new(builder) }}

func getBuilder(eventData string) *builder {
	b := builders.Get().(*builder)
	b.src = eventData
	b.data = append(b.data[:0], eventData...)
	b.flags = 0
	b.vals = [numFields]value{}
	b.eventTime = b.eventTime[:0]
	b.eventTimeValue = time.Time{}
	return b
}

func (b *builder) release() {
	if cap(b.data) > maxPooledBuffer || cap(b.out) > maxPooledBuffer || cap(b.tmp) > maxPooledBuffer {
		return
	}
	b.src = ""
	builders.Put(b)
}

// checkChecksum compares the caller's checksum with the standard, padded
// base64 encoding of data's SHA-256 digest, which is what AWS's documented
// command (openssl dgst -binary -sha256 | base64) prints.
func checkChecksum(data []byte, checksum string) *Failure {
	sum := sha256.Sum256(data)
	var want [44]byte
	base64.StdEncoding.Encode(want[:], sum[:])
	if string(want[:]) == checksum {
		return nil
	}
	return checksumFailure(sum, string(want[:]), checksum)
}

// appendTime appends t, which must be in UTC, in events.TimeFormat.
func appendTime(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	if year >= 0 && year <= 9999 {
		dst = append(dst, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
	} else {
		dst = strconv.AppendInt(dst, int64(year), 10)
	}
	dst = appendTwo(append(dst, '-'), int(month))
	dst = appendTwo(append(dst, '-'), day)
	dst = appendTwo(append(dst, 'T'), hour)
	dst = appendTwo(append(dst, ':'), min)
	dst = appendTwo(append(dst, ':'), sec)
	return append(dst, 'Z')
}

func appendTwo(dst []byte, n int) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }
