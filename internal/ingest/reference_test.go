package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/identity"
)

// referenceIngest is Service.Ingest as it was before the one-pass walker:
// the body split by encoding/json's decoder, each record parsed on its
// own, the account found with a map. FuzzIngestMatchesReference holds the
// service to it.
func referenceIngest(s *Service, ctx context.Context, body []byte) (*Result, []events.Record, error) {
	account := identity.FromContext(ctx).Principal.AccountID
	data, where, err := prepare(body, s.maxDecompressed)
	if err != nil {
		return nil, nil, err
	}
	raws, err := splitSlow(data, where, s.maxRecords)
	if err != nil {
		return nil, nil, err
	}
	res := &Result{Failed: []RecordError{}}
	now := s.now()
	var good []events.Record
	accepted := map[string]int{}
	for i, raw := range raws {
		var problems []FieldError
		rec, err := events.Parse(raw)
		if err != nil {
			rec = events.Record{EventID: eventIDOf(raw)}
			problems = fieldErrors(err)
		} else {
			problems = referenceCheck(s, &rec, account, now)
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
		good = append(good, rec)
	}
	if len(good) > 0 {
		res.Accepted = len(good)
		res.LastSequence = int64(len(good)) + 100
		res.FirstSequence = 101
	}
	return res, good, nil
}

// referenceCheck is check with the account found the old way.
func referenceCheck(s *Service, rec *events.Record, account string, now time.Time) []FieldError {
	owner := rec.RecipientAccountID
	if owner == "" && rec.UserIdentity != nil {
		owner = rec.UserIdentity.AccountID
	}
	if owner == "" {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(rec.Raw, &m)
		if _, ok := m["recipientAccountId"]; ok != hasKey(rec.Raw, "recipientAccountId") {
			panic(fmt.Sprintf("hasKey disagrees on %s", rec.Raw))
		}
	}
	return s.check(rec, account, now)
}

func checkAgainstReference(t *testing.T, body []byte) {
	t.Helper()
	s, app := newService(20)
	ref, _ := newService(20)
	ref.maxDecompressed, s.maxDecompressed = 1<<20, 1<<20
	wantRes, wantRecs, wantErr := referenceIngest(ref, callerCtx(acct), body)
	out, err := s.Ingest(callerCtx(acct), body)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%s: error %v, reference %v", short(body), err, wantErr)
	}
	if err != nil {
		var a, b api.Error
		if !errors.As(err, &a) || !errors.As(wantErr, &b) || a.ErrorCode() != b.ErrorCode() || a.ErrorMessage() != b.ErrorMessage() || a.HTTPStatus() != b.HTTPStatus() {
			t.Fatalf("%s: error %v, reference %v", short(body), err, wantErr)
		}
		return
	}
	got, _ := json.Marshal(out)
	want, _ := json.Marshal(wantRes)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s:\n got %s\nwant %s", short(body), got, want)
	}
	if len(app.recs) != len(wantRecs) {
		t.Fatalf("%s: stored %d records, reference %d", short(body), len(app.recs), len(wantRecs))
	}
	for i := range wantRecs {
		if !reflect.DeepEqual(app.recs[i], wantRecs[i]) {
			t.Fatalf("%s: record %d stored as\n%#v\nreference\n%#v", short(body), i, app.recs[i], wantRecs[i])
		}
	}
}

func TestIngestMatchesReference(t *testing.T) {
	good, _ := json.Marshal(record("a", nil))
	noAccount, _ := json.Marshal(record("n", map[string]any{"recipientAccountId": nil, "userIdentity": map[string]any{"type": "AWSService"}}))
	bodies := []string{
		string(good), "[" + string(good) + "," + string(good) + "]",
		`{"Records":[` + string(noAccount) + `,{"eventID":"x","eventVersion":"1.0"},7,"s",null,[]]}`,
		`{"Records":[{"eventID":"d","readOnly":"yes"},{"eventID":5},{"eventID":"` + string(bytes.Repeat([]byte("x"), 300)) + `","userIdentity":1}]}`,
		"[{\"eventID\":\"\xff\"},{\"eventID\":\"ok\",\"eventName\":\"\xfe\"}]",
		`[{"eventID":"dup","userIdentity":{"type":"A"},"userIdentity":{"accountId":"` + acct + `"}},{"EVENTID":"dup"}]`,
		`[{"recipient\u0041ccountId":null,"userIdentity":{"type":"AWSService"},"eventID":"esc"}]`,
		"{\"Records\":[\n  " + string(good) + " ,\n " + string(noAccount) + "\n]}",
		`{"Records":[{"a":1}]`, `[{"a":}]`, ``, `{"records":[]}`,
	}
	for _, b := range bodies {
		checkAgainstReference(t, []byte(b))
		checkAgainstReference(t, gz(t, []byte(b)))
	}
}

// FuzzIngestMatchesReference checks Service.Ingest against the way it
// worked before the one-pass walker, on any body: the same result, the
// same error, the same records stored.
func FuzzIngestMatchesReference(f *testing.F) {
	good, _ := json.Marshal(record("a", nil))
	f.Add([]byte(`{"Records":[` + string(good) + `,{"eventID":"a"},7]}`))
	f.Add([]byte(`[` + string(good) + `,` + string(good) + `]`))
	f.Add([]byte(string(good) + "\n" + `{"eventVersion":"1.0","eventTime":"2020-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"Records":[{"eventID":"d","readOnly":"yes","userIdentity":{"type":"A"},"userIdentity":null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstReference(t, body)
	})
}
