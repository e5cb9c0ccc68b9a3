package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairnhq/cairn/internal/events"
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
	raws, err := SplitBody(body, s.maxRecords, s.maxDecompressed)
	if err != nil {
		return nil, err
	}
	res := &Result{Failed: []RecordError{}}
	now := s.now()
	good := make([]events.Record, 0, len(raws))
	accepted := make(map[string]int, len(raws)) // eventID -> index of the stored record
	for i, raw := range raws {
		rec, problems := s.check(raw, account, now)
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
		good = append(good, rec)
	}
	if len(good) == 0 {
		return res, nil
	}
	last, err := s.appender.Append(ctx, good)
	if err != nil {
		return nil, fmt.Errorf("storing %d ingested events: %w", len(good), err)
	}
	res.Accepted = len(good)
	res.LastSequence = last
	res.FirstSequence = last - int64(len(good)) + 1
	return res, nil
}

// check parses and validates one record for account. It returns the record
// (with the EventID at least, when it could be found) and its problems.
func (s *Service) check(raw []byte, account string, now time.Time) (events.Record, []FieldError) {
	rec, err := events.Parse(raw)
	if err != nil {
		return events.Record{EventID: eventIDOf(raw)}, fieldErrors(err)
	}
	var problems []FieldError
	if err := events.Validate(&rec); err != nil {
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
	problems = append(problems, s.scope(&rec, account)...)
	return rec, problems
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
		rec.Raw = appendField(rec.Raw, "recipientAccountId", account)
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

// hasKey reports whether the JSON object raw has the top-level key.
func hasKey(raw []byte, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}

// appendField adds "key":value (a string) as the last member of the
// compacted JSON object raw.
func appendField(raw []byte, key, value string) json.RawMessage {
	out := make([]byte, 0, len(raw)+len(key)+len(value)+6)
	out = append(out, raw[:len(raw)-1]...)
	if len(raw) > 2 {
		out = append(out, ',')
	}
	k, _ := json.Marshal(key)
	v, _ := json.Marshal(value)
	out = append(out, k...)
	out = append(out, ':')
	out = append(out, v...)
	return append(out, '}')
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
