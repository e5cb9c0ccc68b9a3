package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/events/jsonscan"
	"github.com/cairnhq/cairn/internal/identity"
)

// Appender stores events. Append is durable when it returns nil, and
// returns the sequence number of the last record; the records have
// consecutive numbers ending there (eventstore.Store is one).
type Appender interface {
	Append(ctx context.Context, recs []events.Record) (lastSeq int64, err error)
}

// Config configures a Service.
type Config struct {
	Appender Appender
	// Now is the clock eventTime is checked against. Default time.Now.
	Now func() time.Time
	// MaxRecords bounds the records of one request. Default
	// DefaultMaxRecords.
	MaxRecords int
}

// Per-record error codes this package adds to events' FieldNotFound,
// FieldTooLong and InvalidData.
const (
	// CodeAccessDenied: the record belongs to an account other than the
	// caller's.
	CodeAccessDenied = "AccessDenied"
	// CodeDuplicateEventID: an earlier record of the same request with
	// the same eventID was accepted.
	CodeDuplicateEventID = "DuplicateEventID"
)

// MaxFutureSkew is how far after the server's clock an eventTime may be.
const MaxFutureSkew = time.Hour

// maxRegionLength bounds awsRegion; AWS's longest names are about 20.
const maxRegionLength = 64

// Result is the answer to one ingestion request.
type Result struct {
	// Accepted is how many records were stored.
	Accepted int `json:"accepted"`
	// Failed lists the records that were not stored, in body order; empty
	// when every record was stored.
	Failed []RecordError `json:"failed"`
	// FirstSequence and LastSequence are the event store sequence numbers
	// of the first and last stored record (consecutive); absent when
	// nothing was stored.
	FirstSequence int64 `json:"firstSequence,omitempty"`
	LastSequence  int64 `json:"lastSequence,omitempty"`
}

// RecordError is a record that was not stored, with every problem found.
type RecordError struct {
	// Index is the record's position in the body, from 0, counting every
	// record of every {"Records":[...]} object, array or line in order.
	Index int `json:"index"`
	// EventID is the record's eventID when it has one.
	EventID string       `json:"eventId,omitempty"`
	Errors  []FieldError `json:"errors"`
}

// FieldError is one problem with one record.
type FieldError struct {
	// Field is the JSON path of the field, such as "userIdentity.type";
	// absent for a problem with the record as a whole.
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Service ingests records posted by an authenticated caller.
type Service struct {
	appender        Appender
	now             func() time.Time
	maxRecords      int
	maxDecompressed int64
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{appender: cfg.Appender, now: cfg.Now, maxRecords: cfg.MaxRecords, maxDecompressed: MaxDecompressedBytes}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxRecords <= 0 {
		s.maxRecords = DefaultMaxRecords
	}
	return s
}

// Ingest stores the records of body (see SplitBody for the formats) for the
// caller in ctx and returns a *Result. Records are checked one by one; the
// good ones are stored with one Append, durable before Ingest returns, and
// the bad ones listed in Result.Failed. A body that cannot be read as
// records fails with an api.Error (HTTP 400 or 413); a storage failure
// fails the whole request and stores nothing.
func (s *Service) Ingest(ctx context.Context, body []byte) (any, error) {
	caller := identity.FromContext(ctx)
	if caller == nil || caller.Principal.AccountID == "" {
		return nil, errors.New("ingest: no authenticated caller in the context")
	}
	account := caller.Principal.AccountID
	data, where, err := prepare(body, s.maxDecompressed)
	if err != nil {
		return nil, err
	}
	// Split the body and decode its records in one pass.
	w := walker{data: data, max: s.maxRecords, decode: true}
	if !w.run() {
		// A body the walker cannot read: the error, in encoding/json's
		// words.
		raws, err := splitSlow(data, where, s.maxRecords)
		if err != nil {
			return nil, err
		}
		// (Not reached while the two agree; FuzzWalker checks that.)
		w = walker{recs: make([]events.Record, len(raws))}
		for i, raw := range raws {
			if _, err := events.ParseAt(raw, 0, &w.recs[i]); err != nil {
				w.bad = append(w.bad, badRecord{index: i, raw: raw, err: err})
			}
		}
	}
	res := &Result{Failed: []RecordError{}}
	now := s.now()
	recs := w.recs
	accepted := make(map[string]int, len(recs)) // eventID -> index of the stored record
	good := 0
	for i := range recs {
		var problems []FieldError
		rec := &recs[i]
		if len(w.bad) > 0 && w.bad[0].index == i {
			rec.EventID = eventIDOf(w.bad[0].raw)
			problems = fieldErrors(w.bad[0].err)
			w.bad = w.bad[1:]
		} else {
			problems = s.check(rec, account, now)
		}
		if id := rec.EventID; id != "" {
			if first, dup := accepted[id]; dup {
				problems = append(problems, FieldError{Field: "eventID", Code: CodeDuplicateEventID,
					Message: fmt.Sprintf("record %d of this request has the same eventID %q", first, id)})
			} else if len(problems) == 0 {
				accepted[id] = i
			}
		}
		if len(problems) > 0 {
			res.Failed = append(res.Failed, RecordError{Index: i, EventID: rec.EventID, Errors: problems})
			continue
		}
		// The good records move to the front, in order.
		if good != i {
			recs[good] = *rec
		}
		good++
	}
	if good == 0 {
		return res, nil
	}
	// Drop references to the failed records' data.
	clear(recs[good:])
	last, err := s.appender.Append(ctx, recs[:good])
	if err != nil {
		return nil, fmt.Errorf("storing %d ingested events: %w", good, err)
	}
	res.Accepted = good
	res.LastSequence = last
	res.FirstSequence = last - int64(good) + 1
	return res, nil
}

// check validates one parsed record for account and returns its problems.
func (s *Service) check(rec *events.Record, account string, now time.Time) []FieldError {
	var problems []FieldError
	if err := events.Validate(rec); err != nil {
		problems = fieldErrors(err)
	}
	if t := rec.EventTime; !t.IsZero() {
		switch {
		case t.Before(time.Unix(0, 0)):
			problems = append(problems, FieldError{Field: "eventTime", Code: events.CodeInvalidData,
				Message: fmt.Sprintf("%s is before 1970", t.Format(events.TimeFormat))})
		case t.After(now.Add(MaxFutureSkew)):
			problems = append(problems, FieldError{Field: "eventTime", Code: events.CodeInvalidData,
				Message: fmt.Sprintf("%s is more than %s after the server's clock (%s)",
					t.Format(time.RFC3339Nano), MaxFutureSkew, now.UTC().Format(events.TimeFormat))})
		}
	}
	if rec.AWSRegion != "" && !validRegion(rec.AWSRegion) {
		problems = append(problems, FieldError{Field: "awsRegion", Code: events.CodeInvalidData,
			Message: fmt.Sprintf("%q is not a region name (lowercase letters, digits and hyphens, at most %d)", rec.AWSRegion, maxRegionLength)})
	}
	return append(problems, s.scope(rec, account)...)
}

// scope checks that the record belongs to account, and gives a record that
// names no account the caller's.
func (s *Service) scope(rec *events.Record, account string) []FieldError {
	owner, field := rec.RecipientAccountID, "recipientAccountId"
	if owner == "" && rec.UserIdentity != nil {
		owner, field = rec.UserIdentity.AccountID, "userIdentity.accountId"
	}
	switch {
	case owner == "":
		if hasKey(rec.Raw, "recipientAccountId") {
			return []FieldError{{Field: "recipientAccountId", Code: events.CodeInvalidData,
				Message: "the value is empty; omit the field or give a 12-digit account ID"}}
		}
		rec.RecipientAccountID = account
		rec.AppendRawString("recipientAccountId", account)
	case owner != account:
		if field == "recipientAccountId" && !events.IsAccountID(owner) {
			return nil // reported by Validate
		}
		return []FieldError{{Field: field, Code: CodeAccessDenied,
			Message: fmt.Sprintf("the record belongs to account %q; the caller (account %s) may ingest records of its own account only", owner, account)}}
	}
	return nil
}

func fieldErrors(err error) []FieldError {
	var ve *events.ValidationError
	if !errors.As(err, &ve) {
		return []FieldError{{Code: events.CodeInvalidData, Message: err.Error()}}
	}
	out := make([]FieldError, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = FieldError{Field: f.Field, Code: f.Code, Message: f.Message}
	}
	return out
}

// eventIDOf finds the eventID of a record events.Parse rejected, for the
// error report.
func eventIDOf(raw []byte) string {
	var probe struct {
		EventID any `json:"eventID"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return ""
	}
	id, _ := probe.EventID.(string)
	if len(id) > events.MaxIdentifierFieldSize {
		return ""
	}
	return id
}

// hasKey reports whether the JSON object raw (valid, as a parsed record's
// is) has the top-level key, compared as encoding/json would compare the
// keys of a map: exactly, once unescaped.
func hasKey(raw []byte, key string) bool {
	i := jsonscan.SkipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = jsonscan.SkipSpace(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		end, f, ok := jsonscan.String(raw, i)
		if !ok {
			return false
		}
		k := raw[i+1 : end-1]
		if f&(jsonscan.Escaped|jsonscan.NonASCII) != 0 {
			if jsonscan.Unquote(k) == key {
				return true
			}
		} else if string(k) == key {
			return true
		}
		i = jsonscan.SkipSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = jsonscan.SkipSpace(raw, i+1)
		if i, _, ok = jsonscan.Skip(raw, i, jsonscan.MaxDepth); !ok {
			return false
		}
		i = jsonscan.SkipSpace(raw, i)
		if i >= len(raw) || raw[i] != ',' {
			return false
		}
		i = jsonscan.SkipSpace(raw, i+1)
	}
	return false
}

// validRegion accepts names like us-east-1 and the anonymized ones of
// published logs (ca-northsouth-2r): lowercase letters, digits and inner
// hyphens.
func validRegion(s string) bool {
	if len(s) > maxRegionLength || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
