package eventstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// lookupFixture is a small history covering every lookup attribute.
func lookupFixture() []events.Record {
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }

	alice := rec("e1-alice-describe", at(1))

	bob := rec("e2-bob-create", at(2))
	bob.EventName, bob.ReadOnly = "CreateTrail", events.Bool(false)
	bob.UserIdentity = &events.UserIdentity{
		Type: "AssumedRole", ARN: "arn:aws:sts::" + acct + ":assumed-role/ops/bob-session",
		AccountID: acct, AccessKeyID: "ASIABOB",
	}
	bob.LookupResources = []events.LookupResource{{Type: "AWS::CloudTrail::Trail", Name: "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/t1"}}

	root := rec("e3-root-policy", at(3))
	root.EventSource, root.EventName, root.ReadOnly = "s3.amazonaws.com", "PutBucketPolicy", events.Bool(false)
	root.UserIdentity = &events.UserIdentity{Type: "Root", ARN: "arn:aws:iam::" + acct + ":root", AccountID: acct, AccessKeyID: "AKIAROOT"}
	root.Resources = []events.Resource{
		{ARN: "arn:aws:s3:::bkt", AccountID: acct, Type: "AWS::S3::Bucket"},
		{ARN: "arn:aws:iam::" + acct + ":role/r", AccountID: acct, Type: "AWS::IAM::Role"},
	}

	data := rec("e4-data", at(4))
	data.EventSource, data.EventName, data.EventCategory = "s3.amazonaws.com", "GetObject", events.CategoryData
	data.ManagementEvent = events.Bool(false)

	foreign := rec("e5-other-account", at(5))
	foreign.RecipientAccountID = other

	elsewhere := rec("e6-other-region", at(6))
	elsewhere.AWSRegion = "eu-west-1"

	insight := events.Record{
		EventVersion: "1.07", EventTime: at(7), AWSRegion: region, EventID: "e7-insight",
		EventType: events.TypeInsight, RecipientAccountID: acct, EventCategory: events.CategoryInsight,
		InsightDetails: []byte(`{"state":"Start","eventSource":"cloudtrail.amazonaws.com","eventName":"CreateTrail","insightType":"ApiCallRateInsight"}`),
	}

	alice2 := rec("e8-alice-lookup", at(8))
	alice2.EventName = "LookupEvents"

	return []events.Record{alice, bob, root, data, foreign, elsewhere, insight, alice2}
}

func ids(res LookupResult) []string {
	var out []string
	for _, e := range res.Events {
		out = append(out, e.EventID)
	}
	return out
}

func TestLookupAttributes(t *testing.T) {
	cases := []struct {
		key, value string
		want       []string
	}{
		{"", "", []string{"e8-alice-lookup", "e3-root-policy", "e2-bob-create", "e1-alice-describe"}},
		{AttrEventID, "e2-bob-create", []string{"e2-bob-create"}},
		{AttrEventID, "e4-data", nil}, // not a management event
		{AttrEventName, "DescribeTrails", []string{"e1-alice-describe"}},
		{AttrReadOnly, "true", []string{"e8-alice-lookup", "e1-alice-describe"}},
		{AttrReadOnly, "false", []string{"e3-root-policy", "e2-bob-create"}},
		{AttrReadOnly, "maybe", nil},
		{AttrUsername, "alice", []string{"e8-alice-lookup", "e1-alice-describe"}},
		{AttrUsername, "bob-session", []string{"e2-bob-create"}},
		{AttrUsername, "root", []string{"e3-root-policy"}},
		{AttrResourceType, "AWS::CloudTrail::Trail", []string{"e2-bob-create"}},
		{AttrResourceType, "AWS::IAM::Role", []string{"e3-root-policy"}},
		{AttrResourceName, "arn:aws:s3:::bkt", []string{"e3-root-policy"}},
		{AttrResourceName, "arn:aws:s3:::bk", nil},
		{AttrEventSource, "s3.amazonaws.com", []string{"e3-root-policy"}},
		{AttrAccessKeyID, "AKIAALICE", []string{"e8-alice-lookup", "e1-alice-describe"}},
		{AttrAccessKeyID, "ASIABOB", []string{"e2-bob-create"}},
	}
	// The same answers whether events are in the log, in partitions (and
	// the archive), or both.
	for _, layout := range []string{"log", "partitions", "archive", "mixed", "merged index"} {
		t.Run(layout, func(t *testing.T) {
			s := openTest(t, "", Options{ArchiveWindow: -1})
			fx := lookupFixture()
			switch layout {
			case "log":
				appendAll(t, s, fx...)
			case "partitions":
				appendAll(t, s, fx...)
				if err := s.Compact(context.Background()); err != nil {
					t.Fatal(err)
				}
			case "archive":
				s.Close()
				s = openTest(t, "", Options{Now: func() time.Time { return t0 }})
				appendAll(t, s, fx...)
				if err := s.Compact(context.Background()); err != nil {
					t.Fatal(err)
				}
				if len(s.archive) != 1 {
					t.Fatalf("%d archived segments, want 1", len(s.archive))
				}
			case "mixed":
				appendAll(t, s, fx[:3]...)
				if err := s.Compact(context.Background()); err != nil {
					t.Fatal(err)
				}
				appendAll(t, s, fx[3:]...)
			case "merged index":
				// Tiny runs, about one per event, merged two at a time.
				s.Close()
				s = openTest(t, "", Options{IndexFlushEntries: 3})
				s.index.maintMu.Lock()
				s.index.opts.fanIn = 2
				s.index.maintMu.Unlock()
				for i, r := range fx {
					appendAll(t, s, r)
					if i%2 == 0 {
						if err := s.Compact(context.Background()); err != nil {
							t.Fatal(err)
						}
					}
					if err := s.index.maintain(false); err != nil {
						t.Fatal(err)
					}
				}
				runs, mem := indexState(s)
				merged := false
				for _, r := range runs {
					merged = merged || r.hi-r.lo > 2
				}
				if len(runs) > 4 || mem != 0 || !merged {
					t.Fatalf("%d runs and %d entries in memory: not merged", len(runs), mem)
				}
			}
			for _, c := range cases {
				q := LookupQuery{Account: acct, Region: region, ManagementOnly: true}
				if c.key != "" {
					q.Attribute = &Attribute{Key: c.key, Value: c.value}
				}
				res, err := s.Lookup(context.Background(), q)
				if err != nil {
					t.Fatalf("%s=%s: %v", c.key, c.value, err)
				}
				if got := ids(res); !slices.Equal(got, c.want) {
					t.Errorf("%s=%s: got %v, want %v", c.key, c.value, got, c.want)
				}
				if res.Next != "" {
					t.Errorf("%s=%s: Next %q on the only page", c.key, c.value, res.Next)
				}
			}

			// What event history shows of an event.
			res, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region,
				Attribute: &Attribute{Key: AttrEventID, Value: "e3-root-policy"}})
			if err != nil || len(res.Events) != 1 {
				t.Fatalf("lookup e3: %v %v", res, err)
			}
			e := res.Events[0]
			js, _ := fx[2].JSON()
			if e.EventName != "PutBucketPolicy" || e.EventSource != "s3.amazonaws.com" || e.Username != "root" ||
				e.AccessKeyID != "AKIAROOT" || e.ReadOnly == nil || *e.ReadOnly || !e.EventTime.Equal(fx[2].EventTime) ||
				string(e.JSON) != string(js) || len(e.Resources) != 2 ||
				e.Resources[1] != (events.LookupResource{Type: "AWS::IAM::Role", Name: "arn:aws:iam::" + acct + ":role/r"}) {
				t.Errorf("lookup e3 = %+v", e)
			}

			// Scope and kind.
			for _, q := range []struct {
				q    LookupQuery
				want []string
			}{
				{LookupQuery{Account: other, Region: region, ManagementOnly: true}, []string{"e5-other-account"}},
				{LookupQuery{Account: acct, Region: "eu-west-1", ManagementOnly: true}, []string{"e6-other-region"}},
				{LookupQuery{Account: acct, Region: region, InsightOnly: true}, []string{"e7-insight"}},
				{LookupQuery{Account: acct, Region: region}, []string{"e8-alice-lookup", "e7-insight", "e4-data", "e3-root-policy", "e2-bob-create", "e1-alice-describe"}},
			} {
				res, err := s.Lookup(context.Background(), q.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(res); !slices.Equal(got, q.want) {
					t.Errorf("%+v: got %v, want %v", q.q, got, q.want)
				}
			}
		})
	}
}

func TestLookupTimeRangeInclusive(t *testing.T) {
	s := openTest(t, "", Options{})
	fx := lookupFixture()
	appendAll(t, s, fx...)
	res, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, ManagementOnly: true,
		Start: fx[1].EventTime, End: fx[2].EventTime})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(res), []string{"e3-root-policy", "e2-bob-create"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	res, _ = s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, ManagementOnly: true,
		Start: fx[7].EventTime.Add(time.Second)})
	if len(res.Events) != 0 {
		t.Errorf("events after the newest: %v", ids(res))
	}
}

func TestLookupPagination(t *testing.T) {
	s := openTest(t, "", Options{})
	// 130 events over three months, three to a second, so pages split
	// ties; some compacted, some still in the log.
	var all []events.Record
	for i := range 130 {
		at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i/3) * 40 * time.Hour)
		all = append(all, rec(fmt.Sprintf("p%03d", i), at))
	}
	for i := 0; i < len(all); i += 10 {
		appendAll(t, s, all[i:i+10]...)
		if i == 90 {
			if err := s.Compact(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	var pos Position
	pages := 0
	for {
		res, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, ManagementOnly: true, Limit: 50, After: pos})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, ids(res)...)
		if res.Next == "" {
			break
		}
		pos = res.Next
	}
	var want []string
	for i := len(all) - 1; i >= 0; i-- {
		want = append(want, all[i].EventID) // newest first; ties by newest sequence
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Errorf("%d pages: %v\nwant %v", pages, got, want)
	}

	_, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, After: "garbage"})
	if !errors.Is(err, ErrInvalidPosition) {
		t.Errorf("bad position: %v", err)
	}
	_, err = s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region,
		Attribute: &Attribute{Key: "Colour", Value: "blue"}})
	if err == nil {
		t.Error("unknown attribute accepted")
	}
}

// indexState is the lookup index's shape, for tests.
func indexState(s *Store) (runs []*run, memEntries int) {
	s.index.mu.RLock()
	defer s.index.mu.RUnlock()
	return slices.Clone(s.index.runs), s.index.memN
}

func TestLookupIndexRebuilt(t *testing.T) {
	q := LookupQuery{Account: acct, Region: region, Attribute: &Attribute{Key: AttrAccessKeyID, Value: "ASIABOB"}}
	want := []string{"e2-bob-create"}
	check := func(s *Store, what string) {
		t.Helper()
		if res, err := s.Lookup(context.Background(), q); err != nil || !slices.Equal(ids(res), want) {
			t.Errorf("%s: %v, %v", what, ids(res), err)
		}
		all, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, ManagementOnly: true})
		if got := ids(all); err != nil || len(got) != 4 {
			t.Errorf("%s: all %v, %v", what, got, err)
		}
	}
	for _, c := range []struct {
		name  string
		spoil func(t *testing.T, dir string, runs []*run)
	}{
		{"index directory lost", func(t *testing.T, dir string, _ []*run) {
			if err := os.RemoveAll(filepath.Join(dir, IndexDirName)); err != nil {
				t.Fatal(err)
			}
		}},
		{"newest run lost", func(t *testing.T, dir string, runs []*run) {
			if err := os.Remove(runs[len(runs)-1].path); err != nil {
				t.Fatal(err)
			}
		}},
		{"run corrupted", func(t *testing.T, dir string, runs []*run) {
			f, err := os.OpenFile(runs[0].path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteAt([]byte{0xff}, runHeader+5) // in the block list's first entry
			f.WriteAt([]byte{9}, 11)             // the format
			f.Close()
		}},
		{"run of another store", func(t *testing.T, dir string, _ []*run) {
			w, err := newRunWriter(filepath.Join(dir, IndexDirName), 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.finish(); err != nil {
				t.Fatal(err)
			}
		}},
		{"merge cut short", func(t *testing.T, dir string, runs []*run) {
			// The merged run is written, the runs it replaces are not
			// removed yet.
			w, err := newRunWriter(filepath.Join(dir, IndexDirName), runs[0].lo, runs[len(runs)-1].hi)
			if err != nil {
				t.Fatal(err)
			}
			var srcs []entrySource
			for _, r := range runs {
				srcs = append(srcs, r.reader())
			}
			if err := mergeInto(w, srcs, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := w.finish(); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openTest(t, dir, Options{IndexFlushEntries: 4})
			fx := lookupFixture()
			appendAll(t, s, fx[:4]...)
			if err := s.index.maintain(true); err != nil {
				t.Fatal(err)
			}
			appendAll(t, s, fx[4:]...)
			if err := s.Compact(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := s.index.maintain(true); err != nil {
				t.Fatal(err)
			}
			check(s, "before")
			runs, _ := indexState(s)
			if len(runs) < 2 {
				t.Fatalf("%d runs", len(runs))
			}
			c.spoil(t, dir, runs)
			s.Close()
			s = openTest(t, dir, Options{IndexFlushEntries: 4})
			check(s, "after")
			runs, mem := indexState(s)
			if mem != 0 || len(runs) == 0 || runs[len(runs)-1].hi != s.LastSequence() {
				t.Errorf("index after Open: %d runs up to %d, %d entries in memory; store at %d", len(runs), runs[len(runs)-1].hi, mem, s.LastSequence())
			}
			for i, r := range runs {
				if (i == 0 && r.lo != 0) || (i > 0 && r.lo != runs[i-1].hi) {
					t.Errorf("run %d covers (%d, %d]", i, r.lo, r.hi)
				}
			}
		})
	}
}

func TestLookupUnindexedTail(t *testing.T) {
	// Events committed but not yet in a run are found in the memtable,
	// sorted or not.
	s := openTest(t, "", Options{})
	fx := lookupFixture()
	appendAll(t, s, fx...)
	s.index.mu.RLock()
	sorted := s.index.mem[0].sorted
	s.index.mu.RUnlock()
	for _, phase := range []string{"just committed", "sorted", "written out"} {
		switch phase {
		case "sorted":
			s.index.maintMu.Lock()
			s.index.sortChunks()
			s.index.mergeChunks()
			s.index.maintMu.Unlock()
		case "written out":
			if err := s.index.maintain(true); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.Lookup(context.Background(), LookupQuery{Account: acct, Region: region, ManagementOnly: true,
			Attribute: &Attribute{Key: AttrUsername, Value: "alice"}})
		if err != nil || !slices.Equal(ids(res), []string{"e8-alice-lookup", "e1-alice-describe"}) {
			t.Errorf("%s (sorted %v): %v, %v", phase, sorted, ids(res), err)
		}
	}
}
