package lake

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/selectors"
)

// storeEvents serves the lake service from a real event store.
type storeEvents struct{ s *eventstore.Store }

func (e storeEvents) SyncedSequence(context.Context) (int64, error) { return e.s.LastSequence(), nil }

func (e storeEvents) ReadFrom(ctx context.Context, after int64, limit int) ([]StoredEvent, error) {
	batch, err := e.s.ReadFrom(ctx, after, limit)
	out := make([]StoredEvent, len(batch))
	for i, ev := range batch {
		out[i] = StoredEvent{Seq: ev.Seq, JSON: ev.JSON}
	}
	return out, err
}

// randomRecord is a record with varied selector fields.
func randomRecord(r *rand.Rand, i int, now time.Time) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	account := pick(acct, acct, other)
	region := pick(home, away)
	category := pick("Management", "Management", "Data", "NetworkActivity", "")
	readOnly := pick(`"readOnly":true,`, `"readOnly":false,`, ``)
	mgmt := pick(`"managementEvent":true,`, `"managementEvent":false,`, ``)
	resources := pick(``, `"resources":[],`,
		`"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k1"}],`,
		`"resources":[{"type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"},{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/logs/x"}],`,
		`"resources":[{"type":"AWS::Lambda::Function","ARN":"arn:aws:lambda:us-east-1:123456789012:function:f"}],`)
	cat := ""
	if category != "" {
		cat = fmt.Sprintf(`"eventCategory":%q,`, category)
	}
	return fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","accountId":%q,"arn":%q},"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":%q,"errorCode":%q,%s%s%s"eventType":%q,%s"sessionCredentialFromConsole":%q,"recipientAccountId":%q,"eventID":"r%d"}`,
		account, pick("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:role/ops", ""),
		now.Add(-time.Duration(r.IntN(20*24))*time.Hour).Format(events.TimeFormat),
		pick("s3.amazonaws.com", "kms.amazonaws.com", "ec2.amazonaws.com", "cloudtrail.amazonaws.com"),
		pick("GetObject", "PutObject", "Decrypt", "RunInstances", "DescribeTrails"),
		region, pick("", "", "AccessDenied", "VpceAccessDenied"), readOnly, mgmt, resources,
		pick("AwsApiCall", "AwsServiceEvent", "AwsVpceEvent"), cat, pick("", "true", "false"), account, i)
}

// randomSelectors makes selectors of every shape Match understands,
// without the validation rules (SQL must agree with Match on anything).
func randomSelectors(r *rand.Rand) []selectorrules.Selector {
	values := map[string][]string{
		"eventCategory":                {"Management", "Data", "NetworkActivity"},
		"eventSource":                  {"s3.amazonaws.com", "kms.amazonaws.com", "ec2.", ".com", "cloud"},
		"eventName":                    {"GetObject", "PutObject", "Decrypt", "Get", "Object"},
		"readOnly":                     {"true", "false"},
		"eventType":                    {"AwsApiCall", "AwsVpceEvent"},
		"errorCode":                    {"AccessDenied", "VpceAccessDenied", ""},
		"userIdentity.arn":             {"arn:aws:iam::123456789012:user/alice", "arn:aws:iam::", "/ops"},
		"sessionCredentialFromConsole": {"true"},
		"resources.type":               {"AWS::S3::Object", "AWS::Lambda::Function", "AWS::S3::Bucket"},
		"resources.ARN":                {"arn:aws:s3:::b/k1", "arn:aws:s3:::b/", "x", "arn:aws:lambda"},
	}
	var fields []string
	for f := range values {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var out []selectorrules.Selector
	for range 1 + r.IntN(3) {
		var sel selectorrules.Selector
		for range 1 + r.IntN(3) {
			name := fields[r.IntN(len(fields))]
			vs := values[name]
			some := func() []string {
				n := 1 + r.IntN(2)
				var o []string
				for range n {
					o = append(o, vs[r.IntN(len(vs))])
				}
				return o
			}
			f := selectorrules.Field{Field: name}
			switch r.IntN(6) {
			case 0:
				f.Equals = some()
			case 1:
				f.StartsWith = some()
			case 2:
				f.EndsWith = some()
			case 3:
				f.NotEquals = some()
			case 4:
				f.NotStartsWith = some()
			case 5:
				f.Equals, f.NotEndsWith = some(), some()
			}
			sel.Fields = append(sel.Fields, f)
		}
		out = append(out, sel)
	}
	return out
}

// The SQL of a store's relation selects exactly the events Members finds:
// the two implementations of the membership rules agree.
func TestRelationSQLMatchesMembers(t *testing.T) {
	es, err := eventstore.OpenWithOptions(t.TempDir(), eventstore.Options{SegmentRows: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	now := t0
	for batch := range 4 {
		var recs []events.Record
		for i := range 250 {
			rec, err := events.Parse([]byte(randomRecord(r, batch*1000+i, now)))
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec)
		}
		if _, err := es.Append(ctx, recs); err != nil {
			t.Fatal(err)
		}
	}
	if err := es.Compact(ctx); err != nil { // some events in partitions, the rest appended below stay in the log
		t.Fatal(err)
	}
	var late []events.Record
	for i := range 200 {
		rec, _ := events.Parse([]byte(randomRecord(r, 9000+i, now)))
		late = append(late, rec)
	}
	if _, err := es.Append(ctx, late); err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Store: nil, Sequencer: storeEvents{es}, Events: storeEvents{es}, Now: func() time.Time { return now }})
	defer svc.Close()

	nonEmpty := 0
	for trial := range 200 {
		d := &dataStoreRecord{ID: "x", Account: acct, Region: home, Kind: kindCloudTrail, RetentionDays: 1 + r.IntN(25)}
		var at int64
		for range 1 + r.IntN(3) {
			after := at + int64(r.IntN(400))
			through := after + 1 + int64(r.IntN(800))
			w := window{After: after, Selectors: randomSelectors(r), MultiRegion: r.IntN(2) == 0}
			if r.IntN(4) > 0 {
				w.Through = &through
			}
			d.Windows = append(d.Windows, w)
			if w.Through == nil {
				break
			}
			at = through
		}
		var want []string
		oldest := now.Add(-d.retention())
		for i := range d.Windows {
			m := d.Windows[i].matcher(d)
			all, err := es.ReadFrom(ctx, d.Windows[i].After, 100000)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range all {
				if d.Windows[i].Through != nil && ev.Seq > *d.Windows[i].Through {
					break
				}
				e, _ := selectorsExtract(ev.JSON)
				if m.selects(&e, oldest) {
					want = append(want, string(ev.JSON[len(ev.JSON)-8:]))
				}
			}
		}
		var got []string
		err := es.Query(ctx, func(ev string) string {
			return "SELECT right(eventjson, 8) FROM " + relationSQL(d, ev, oldest) + " ORDER BY eventid"
		}, func(rows *sql.Rows) error {
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				got = append(got, s)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("trial %d: %v\n%s", trial, err, membershipSQL(d, oldest))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: SQL selects %d events, Members %d\nwindows %+v\n%s", trial, len(got), len(want), d.Windows, membershipSQL(d, oldest))
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 50 {
		t.Fatalf("only %d of 200 trials selected any event: the comparison says little", nonEmpty)
	}
}

func selectorsExtract(raw []byte) (selectors.Event, error) { return selectors.Extract(raw) }
