package eventstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

const (
	acct   = "123456789012"
	other  = "210987654321"
	region = "us-east-1"
)

var t0 = time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)

func openTest(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	s, err := OpenWithOptions(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rec makes a management event of acct in region at t.
func rec(id string, t time.Time) events.Record {
	return events.Record{
		EventVersion: "1.11",
		UserIdentity: &events.UserIdentity{
			Type: "IAMUser", PrincipalID: "AIDAEXAMPLE", ARN: "arn:aws:iam::" + acct + ":user/alice",
			AccountID: acct, AccessKeyID: "AKIAALICE", UserName: "alice",
		},
		EventTime:          t,
		EventSource:        "cloudtrail.amazonaws.com",
		EventName:          "DescribeTrails",
		AWSRegion:          region,
		SourceIPAddress:    "127.0.0.1",
		UserAgent:          "test",
		RequestParameters:  json.RawMessage(`{"trailNameList":[],"includeShadowTrails":true,"name":"x","n":null}`),
		ResponseElements:   events.Null,
		RequestID:          "req-" + id,
		EventID:            id,
		ReadOnly:           events.Bool(true),
		EventType:          events.TypeAPICall,
		ManagementEvent:    events.Bool(true),
		RecipientAccountID: acct,
		EventCategory:      events.CategoryManagement,
		TLSDetails:         &events.TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "localhost"},
	}
}

func appendAll(t *testing.T, s *Store, recs ...events.Record) int64 {
	t.Helper()
	last, err := s.Append(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	return last
}

func readAll(t *testing.T, s *Store) []Event {
	t.Helper()
	var out []Event
	after := int64(0)
	for {
		page, err := s.ReadFrom(context.Background(), after, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

func TestAppendAndReadFrom(t *testing.T) {
	for _, segment := range []int{0, 4} { // default, and compaction after every few events
		t.Run(fmt.Sprintf("segment=%d", segment), func(t *testing.T) {
			s := openTest(t, "", Options{SegmentRows: segment})
			var want []events.Record
			for b := range 5 {
				var batch []events.Record
				for i := range 3 {
					batch = append(batch, rec(fmt.Sprintf("e%d-%d", b, i), t0.Add(time.Duration(b*3+i)*time.Minute)))
				}
				last := appendAll(t, s, batch...)
				if want := int64(len(want) + 3); last != want {
					t.Fatalf("batch %d: last sequence %d, want %d", b, last, want)
				}
				want = append(want, batch...)
			}
			if err := s.Compact(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := readAll(t, s)
			if len(got) != len(want) {
				t.Fatalf("read %d events, want %d", len(got), len(want))
			}
			for i, e := range got {
				js, _ := want[i].JSON()
				if e.Seq != int64(i+1) || string(e.JSON) != string(js) || e.Account != acct || e.Region != region ||
					!e.EventTime.Equal(want[i].EventTime) {
					t.Fatalf("event %d: got seq %d %s %s at %v\n%s\nwant\n%s", i, e.Seq, e.Account, e.Region, e.EventTime, e.JSON, js)
				}
			}
			// Reading from the middle, and past the end.
			page, err := s.ReadFrom(context.Background(), 10, 100)
			if err != nil || len(page) != 5 || page[0].Seq != 11 {
				t.Fatalf("ReadFrom(10) = %d events, %v", len(page), err)
			}
			if page, _ := s.ReadFrom(context.Background(), 15, 100); len(page) != 0 {
				t.Fatalf("ReadFrom(15) = %d events, want none", len(page))
			}
		})
	}
}

func TestAppendRejectsUnstorableRecords(t *testing.T) {
	s := openTest(t, "", Options{})
	r := rec("a", t0)
	r.EventTime = time.Time{}
	if _, err := s.Append(context.Background(), []events.Record{r}); err == nil {
		t.Error("a record without eventTime was stored")
	}
	r = rec("b", t0)
	r.RecipientAccountID, r.UserIdentity = "", nil
	if _, err := s.Append(context.Background(), []events.Record{r}); err == nil {
		t.Error("a record without an account was stored")
	}
	r = rec("c", t0)
	r.Raw = []byte(`{"eventVersion":`)
	if _, err := s.Append(context.Background(), []events.Record{r}); err == nil {
		t.Error("a record with broken Raw JSON was stored")
	}
	if s.LastSequence() != 0 {
		t.Errorf("LastSequence = %d after rejected appends", s.LastSequence())
	}
}

func TestCompactionFillsLakeColumns(t *testing.T) {
	s := openTest(t, "", Options{SegmentRows: 2})
	r := rec("typed", t0)
	r.UserIdentity = &events.UserIdentity{
		Type: "AssumedRole", PrincipalID: "AROAX:sess", ARN: "arn:aws:sts::" + acct + ":assumed-role/admin/sess",
		AccountID: acct, AccessKeyID: "ASIAX",
		SessionContext: &events.SessionContext{
			SessionIssuer:       &events.SessionIssuer{Type: "Role", UserName: "admin", ARN: "arn:aws:iam::" + acct + ":role/admin"},
			WebIDFederationData: &events.WebIDFederationData{},
			Attributes:          &events.SessionAttributes{CreationDate: "2026-07-15T11:00:00Z", MFAAuthenticated: "false"},
		},
	}
	r.Resources = []events.Resource{{ARN: "arn:aws:s3:::b1", AccountID: acct, Type: "AWS::S3::Bucket"}}
	r.ErrorCode = "AccessDenied"
	appendAll(t, s, r, rec("x1", t0.Add(time.Second)), rec("x2", t0.Add(2*time.Second)))
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(s.Partitions()) != 1 || !s.Partitions()[0].Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("partitions %v", s.Partitions())
	}
	var user, issuer, created, param, incl, nullParam, arn, tls, code, eventTime string
	var readOnly, mgmt bool
	err := s.db.QueryRow(`SELECT userIdentity.type, userIdentity.sessionContext.sessionIssuer.userName,
		userIdentity.sessionContext.attributes.creationDate::VARCHAR,
		requestParameters['name'], requestParameters['includeShadowTrails'], coalesce(requestParameters['n'], 'NULL'),
		resources[1].arn, tlsDetails.tlsVersion, errorCode, eventTime::VARCHAR, readOnly, managementEvent
		FROM `+tableName(202607)+` WHERE eventID = 'typed'`).
		Scan(&user, &issuer, &created, &param, &incl, &nullParam, &arn, &tls, &code, &eventTime, &readOnly, &mgmt)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{user, issuer, created, param, incl, nullParam, arn, tls, code, eventTime, readOnly, mgmt}
	want := []any{"AssumedRole", "admin", "2026-07-15 11:00:00", "x", "true", "NULL", "arn:aws:s3:::b1", "TLSv1.3",
		"AccessDenied", "2026-07-15 12:00:00", true, true}
	if !slices.Equal(got, want) {
		t.Errorf("Lake columns\n got %v\nwant %v", got, want)
	}
	var cols []string
	rows, err := s.db.Query(`SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index`, tableName(202607))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		rows.Scan(&c)
		cols = append(cols, c)
	}
	rows.Close()
	if lake := cols[len(internalColumns):]; !slices.Equal(lake, LakeColumns()) {
		t.Errorf("partition columns %v, want internal columns then %v", cols, LakeColumns())
	}
}

func TestSequencesStableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWithOptions(dir, Options{SegmentRows: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		appendAll(t, s, rec(fmt.Sprint("a", i), t0), rec(fmt.Sprint("b", i), t0))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, Options{SegmentRows: 3})
	if s.LastSequence() != 8 {
		t.Fatalf("LastSequence after reopen = %d, want 8", s.LastSequence())
	}
	if last := appendAll(t, s, rec("c", t0)); last != 9 {
		t.Fatalf("first sequence after reopen = %d, want 9", last)
	}
	if got := readAll(t, s); len(got) != 9 {
		t.Fatalf("read %d events after reopen, want 9", len(got))
	}
	// Retention removing every event must not let numbers be reused.
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	appendAll(t, s, rec("d", t0), rec("e", t0), rec("f", t0))
	appendAll(t, s, rec("g", t0.AddDate(0, 1, 0)))
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DropBefore(context.Background(), t0.AddDate(1, 0, 0)); err != nil || n != 2 {
		t.Fatalf("DropBefore = %d, %v; want 2 partitions", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, Options{SegmentRows: 3})
	if last := appendAll(t, s, rec("h", t0.AddDate(1, 0, 0))); last != 14 {
		t.Fatalf("sequence after dropping everything = %d, want 14", last)
	}
}

func TestConcurrentAppends(t *testing.T) {
	s := openTest(t, "", Options{SegmentRows: 500})
	const writers, batches, size = 8, 40, 10
	var mu sync.Mutex
	var lasts []int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var batch []events.Record
				for i := range size {
					batch = append(batch, rec(fmt.Sprintf("w%d-b%d-i%d", w, b, i), t0.Add(time.Duration(i)*time.Second)))
				}
				last, err := s.Append(context.Background(), batch)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				lasts = append(lasts, last)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	got := readAll(t, s)
	if len(got) != writers*batches*size {
		t.Fatalf("read %d events, want %d", len(got), writers*batches*size)
	}
	// Each batch has consecutive numbers ending at the one Append returned,
	// in the order given.
	bySeq := map[int64]string{}
	for i, e := range got {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has sequence %d", i, e.Seq)
		}
		r, err := e.Record()
		if err != nil {
			t.Fatal(err)
		}
		bySeq[e.Seq] = r.EventID
	}
	for _, last := range lasts {
		var w, b int
		fmt.Sscanf(bySeq[last], "w%d-b%d-i9", &w, &b)
		for i := range size {
			if id := fmt.Sprintf("w%d-b%d-i%d", w, b, i); bySeq[last-size+1+int64(i)] != id {
				t.Fatalf("sequence %d holds %s, want %s", last-size+1+int64(i), bySeq[last-size+1+int64(i)], id)
			}
		}
	}
}

func TestRetention(t *testing.T) {
	s := openTest(t, "", Options{SegmentRows: 2, IndexFlushEntries: 2})
	may, june, july := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC), t0
	// May's index entries in a run of their own.
	appendAll(t, s, rec("may", may))
	if err := s.index.maintain(true); err != nil {
		t.Fatal(err)
	}
	appendAll(t, s, rec("june", june), rec("july", july), rec("july2", july))
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(s.Partitions()); got != 3 {
		t.Fatalf("%d partitions, want 3", got)
	}
	// June 30 is inside June: only May can go.
	n, err := s.DropBefore(context.Background(), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 1 {
		t.Fatalf("DropBefore(June 30) = %d, %v; want 1", n, err)
	}
	// A late May event waiting in the log is discarded when compacted.
	appendAll(t, s, rec("late-may", may), rec("july3", july), rec("july4", july))
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range readAll(t, s) {
		r, _ := e.Record()
		ids = append(ids, r.EventID)
	}
	if want := []string{"june", "july", "july2", "july3", "july4"}; !slices.Equal(ids, want) {
		t.Errorf("events after retention %v, want %v", ids, want)
	}
	res, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region})
	if err != nil || len(res.Events) != 5 {
		t.Errorf("Lookup after retention: %d events, %v", len(res.Events), err)
	}
	if got := s.Partitions(); len(got) != 2 || got[0].Month() != time.June {
		t.Errorf("partitions after retention %v", got)
	}
	// The lookup index drops the entries of dropped months, and holds none
	// after a restart either.
	if err := s.index.maintain(true); err != nil {
		t.Fatal(err)
	}
	if err := s.index.maintain(false); err != nil {
		t.Fatal(err)
	}
	runs, _ := indexState(s)
	if len(runs) < 2 || runs[0].count != 0 {
		t.Errorf("the run of May's events was not emptied: %d runs, the first with %d entries", len(runs), runs[0].count)
	}
	for _, r := range runs {
		if r.count > 0 && r.minT < time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMicro() {
			t.Errorf("index run (%d, %d] holds events from before June", r.lo, r.hi)
		}
	}
	dir := s.Dir()
	s.Close()
	s = openTest(t, dir, Options{})
	res, err = s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region})
	if err != nil || len(res.Events) != 5 {
		t.Errorf("Lookup after retention and a restart: %d events, %v", len(res.Events), err)
	}
}

func TestStore_MarkerCommittedWithAppend(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if v, err := s.MarkerValue(ctx, "journal"); err != nil || v != 0 {
		t.Fatalf("fresh marker %d %v", v, err)
	}
	rec := testRecordForMarker()
	if _, err := s.AppendMarked(ctx, []events.Record{rec}, Marker{Name: "journal", Value: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendMarked(ctx, []events.Record{rec}, Marker{Name: "journal", Value: 9}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.MarkerValue(ctx, "journal"); err != nil || v != 9 {
		t.Fatalf("marker after reopen %d %v, want 9", v, err)
	}
	if got, _ := s.ReadFrom(ctx, 0, 10); len(got) != 2 {
		t.Fatalf("events with the markers: %d, want 2", len(got))
	}
}

func testRecordForMarker() events.Record {
	return events.Record{
		EventVersion: "1.11", EventTime: time.Now().UTC().Truncate(time.Second), EventSource: "cloudtrail.amazonaws.com",
		EventName: "GetTrail", AWSRegion: "us-east-1", EventID: "marker-event", RecipientAccountID: "111122223333",
		EventCategory: events.CategoryManagement, ManagementEvent: events.Bool(true), ReadOnly: events.Bool(true),
	}
}

func TestEventTimeColumn(t *testing.T) {
	if logColumns[colEventTime].name != "eventTime" {
		t.Fatalf("colEventTime is %s", logColumns[colEventTime].name)
	}
}
