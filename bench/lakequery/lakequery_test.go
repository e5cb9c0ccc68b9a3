package lakequery

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/eventgen"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/lake"
	"github.com/cairnhq/cairn/internal/lakesql"
	"github.com/cairnhq/cairn/internal/store/boltstore"
	"github.com/cairnhq/cairn/internal/testenv"
)

// Commands (the default is the CI size):
//
//	CAIRN_BENCH_LAKE_EVENTS=10000000 CAIRN_BENCH_LAKE_DIR=/tmp/lake10m go test ./bench/lakequery -run TestMeasureLakeQueries -v -timeout 3h
//
// CAIRN_BENCH_LAKE_DIR keeps the generated store for later runs.

const account = "123456789012"

type sequencer struct{ s *eventstore.Store }

func (q sequencer) SyncedSequence(context.Context) (int64, error) { return q.s.LastSequence(), nil }

func (q sequencer) ReadFrom(ctx context.Context, after int64, limit int) ([]lake.StoredEvent, error) {
	batch, err := q.s.ReadFrom(ctx, after, limit)
	out := make([]lake.StoredEvent, len(batch))
	for i, e := range batch {
		out[i] = lake.StoredEvent{Seq: e.Seq, JSON: e.JSON}
	}
	return out, err
}

// query is one measured query: Lake SQL through Cairn, and the same query
// written directly against the event store's tables ({events} is their
// union), limited to the store's account as the store is.
type query struct {
	name, lake, direct string
}

func TestMeasureLakeQueries(t *testing.T) {
	n := testenv.EnvInt("CAIRN_BENCH_LAKE_EVENTS", 20000)
	dir := os.Getenv("CAIRN_BENCH_LAKE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	ctx := identity.WithCaller(context.Background(), &identity.Caller{
		Principal: identity.Principal{Type: identity.PrincipalRoot, AccountID: account, ARN: "arn:aws:iam::" + account + ":root"},
		Region:    "us-east-1",
	})
	es, err := eventstore.OpenWithOptions(filepath.Join(dir, "events"), eventstore.Options{MemoryLimit: "1GB", SharedSQL: lakesql.SharedSQL(), Threads: 1, QueryThreads: runtime.NumCPU()})
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	meta, err := boltstore.Open(filepath.Join(dir, "metadata.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer meta.Close()
	svc := lake.New(lake.Config{Store: meta, Sequencer: sequencer{es}, Events: sequencer{es}})
	defer svc.Close()

	// The stores exist before the events, so that they hold them.
	list, err := svc.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, d := range list.EventDataStores {
		ids[*d.Name] = (*d.EventDataStoreArn)[strings.LastIndexByte(*d.EventDataStoreArn, '/')+1:]
	}
	for name, sels := range map[string][]cloudtrail.AdvancedEventSelector{
		"all": nil,
		"writes": {{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
			{Field: ptr("eventCategory"), Equals: []string{"Management"}}, {Field: ptr("readOnly"), Equals: []string{"false"}}}}},
	} {
		if ids[name] != "" {
			continue
		}
		out, err := svc.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreRequest{Name: ptr(name), AdvancedEventSelectors: sels})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = (*out.EventDataStoreArn)[strings.LastIndexByte(*out.EventDataStoreArn, '/')+1:]
	}
	if have := es.LastSequence(); have < int64(n) {
		generate(t, es, int64(n)-have)
	}
	if err := es.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}

	queries := []query{
		{"group by", `SELECT eventName, count(*) AS calls FROM ` + ids["all"] + ` GROUP BY eventName ORDER BY calls DESC, eventName`,
			`SELECT "eventName", count(*) AS calls FROM {events} WHERE "scopeAccount" = '123456789012' GROUP BY 1 ORDER BY calls DESC, 1`},
		{"userIdentity.arn filter", `SELECT eventID, eventTime FROM ` + ids["all"] + ` WHERE userIdentity.arn = 'arn:aws:iam::123456789012:user/user-42' ORDER BY eventID`,
			`SELECT "eventID", "eventTime" FROM {events} WHERE "scopeAccount" = '123456789012' AND "userIdentity".arn = 'arn:aws:iam::123456789012:user/user-42' ORDER BY 1`},
		{"requestParameters lookup", `SELECT count(*) FROM ` + ids["all"] + ` WHERE element_at(requestParameters, 'bucketName') = 'bucket-4242'`,
			`SELECT count(*) FROM {events} WHERE "scopeAccount" = '123456789012' AND "requestParameters"['bucketName'] = 'bucket-4242'`},
		{"join of two stores", `SELECT count(*) FROM ` + ids["all"] + ` a JOIN ` + ids["writes"] + ` b ON a.eventID = b.eventID`,
			`SELECT count(*) FROM (SELECT * FROM {events} WHERE "scopeAccount" = '123456789012') a JOIN (SELECT * FROM {events} WHERE "scopeAccount" = '123456789012' AND "readOnly" = false) b ON a."eventID" = b."eventID"`},
	}
	rounds := testenv.EnvInt("CAIRN_BENCH_LAKE_ROUNDS", 3)
	t.Logf("machine: %d CPUs, %s; %d events (%d in the store)", runtime.NumCPU(), runtime.Version(), n, es.LastSequence())
	for _, q := range queries {
		var cairnTimes, directTimes []time.Duration
		var cairnRows, directRows [][]string
		for range rounds {
			d, rows := runDirect(t, es, q.direct)
			directTimes, directRows = append(directTimes, d), rows
			c, rows := runCairn(t, ctx, svc, es, q.lake)
			cairnTimes, cairnRows = append(cairnTimes, c), rows
		}
		if !slices.EqualFunc(cairnRows, directRows, slices.Equal) {
			t.Errorf("%s: Cairn and the direct query disagree:\n%v\n%v", q.name, head(cairnRows), head(directRows))
		}
		slices.Sort(cairnTimes)
		slices.Sort(directTimes)
		c, d := cairnTimes[len(cairnTimes)/2], directTimes[len(directTimes)/2]
		t.Logf("%-26s Cairn %9s  direct %9s  ratio %.2fx  (%d rows)", q.name, c.Round(time.Millisecond), d.Round(time.Millisecond), c.Seconds()/d.Seconds(), len(cairnRows))
	}
}

func head(rows [][]string) [][]string { return rows[:min(len(rows), 5)] }

func ptr[T any](v T) *T { return &v }

// generate appends n events spread over the last 60 days, from two
// appenders.
func generate(t *testing.T, es *eventstore.Store, n int64) {
	const batch = 8192
	start := time.Now().Add(-60 * 24 * time.Hour)
	step := 60 * 24 * time.Hour / time.Duration(n)
	began := time.Now()
	var wg sync.WaitGroup
	workers := int64(2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := eventgen.NewPool(uint64(w)+11, 4000)
			for b := w * batch; b < n; b += workers * batch {
				size := min(batch, int(n-b))
				recs := p.Batch(b, size, start.Add(time.Duration(b)*step), step)
				if _, err := es.Append(context.Background(), recs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("generated %d events in %s", n, time.Since(began).Round(time.Second))
}

// runCairn runs a Lake statement as the query service does: translation
// with the stores' relations, the check StartQuery makes, execution, and
// every row rendered and encoded as the results file holds it.
func runCairn(t *testing.T, ctx context.Context, svc *lake.Service, es *eventstore.Store, statement string) (time.Duration, [][]string) {
	began := time.Now()
	const placeholder = "__events__"
	translated, err := lakesql.Translate(statement, func(name string) (string, bool, error) {
		rel, err := svc.QueryRelation(ctx, "", name)
		if err != nil {
			return "", false, err
		}
		return rel.SQL(placeholder), true, nil
	})
	if err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	build := func(events string) string { return strings.ReplaceAll(translated.SQL, placeholder, events) }
	if err := es.Prepare(context.Background(), build); err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	var out [][]string
	err = es.Query(context.Background(), build, func(rows *sql.Rows) error {
		types, _ := rows.ColumnTypes()
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		render := make([]func(any) *string, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
			render[i] = lakesql.Renderer(types[i].DatabaseTypeName())
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := make([]*string, len(vals))
			cells := make([]string, len(vals))
			for i, v := range vals {
				row[i] = render[i](v)
				if row[i] != nil {
					cells[i] = *row[i]
				}
			}
			if _, err := json.Marshal(row); err != nil {
				return err
			}
			out = append(out, cells)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	return time.Since(began), out
}

// runDirect runs SQL straight on the event store's tables.
func runDirect(t *testing.T, es *eventstore.Store, q string) (time.Duration, [][]string) {
	began := time.Now()
	var out [][]string
	err := es.Query(context.Background(), func(events string) string { return strings.ReplaceAll(q, "{events}", events) }, func(rows *sql.Rows) error {
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			cells := make([]string, len(vals))
			for i, v := range vals {
				switch x := v.(type) {
				case time.Time:
					cells[i] = x.UTC().Format("2006-01-02 15:04:05.000")
				default:
					cells[i] = fmt.Sprint(x)
				}
			}
			out = append(out, cells)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return time.Since(began), out
}
