package history

import (
	"context"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
)

type fakeSource struct {
	queries []SourceQuery
	page    Page
	err     error
}

func (f *fakeSource) Lookup(_ context.Context, q SourceQuery) (Page, error) {
	f.queries = append(f.queries, q)
	return f.page, f.err
}

func callerCtx() context.Context {
	return identity.WithCaller(context.Background(), &identity.Caller{
		Principal: identity.Principal{AccountID: "111122223333"}, Region: "eu-west-1",
	})
}

var fixedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestLookupEvents_MapsEventsAndPages(t *testing.T) {
	yes := true
	src := &fakeSource{page: Page{
		Events: []Event{{
			EventID: "e-1", EventName: "CreateTrail", EventSource: "cloudtrail.amazonaws.com",
			EventTime: fixedNow.Add(-time.Minute), ReadOnly: new(false), Username: "alice", AccessKeyID: "AKIA1",
			Resources: []Resource{{Type: "AWS::CloudTrail::Trail", Name: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"}},
			JSON:      []byte(`{"eventID":"e-1"}`),
		}, {EventID: "e-2", EventName: "GetTrail", ReadOnly: &yes, JSON: []byte(`{}`)}},
		Next: "pos-2",
	}}
	svc := New(Config{Source: src, Now: func() time.Time { return fixedNow }})
	out, err := svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{MaxResults: new(int32(2))})
	if err != nil {
		t.Fatal(err)
	}
	q := src.queries[0]
	if q.Account != "111122223333" || q.Region != "eu-west-1" || q.Limit != 2 || !q.Start.Equal(fixedNow.Add(-Retention)) {
		t.Fatalf("source query %+v", q)
	}
	e := out.Events[0]
	if *e.EventId != "e-1" || *e.ReadOnly != "false" || *e.Username != "alice" || *e.AccessKeyId != "AKIA1" ||
		*e.CloudTrailEvent != `{"eventID":"e-1"}` || *e.Resources[0].ResourceType != "AWS::CloudTrail::Trail" {
		t.Fatalf("event %+v", e)
	}
	if *out.Events[1].ReadOnly != "true" || out.Events[1].Username != nil || len(out.Events[1].Resources) != 0 {
		t.Fatalf("second event %+v", out.Events[1])
	}
	if out.NextToken == nil {
		t.Fatal("no NextToken")
	}
	_, err = svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{NextToken: out.NextToken})
	if err != nil || src.queries[1].After != "pos-2" {
		t.Fatalf("second page: %v %+v", err, src.queries[1])
	}
	src.err = ErrInvalidPosition
	_, err = svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{NextToken: out.NextToken})
	wantCode(t, err, "InvalidNextTokenException")
}

func TestLookupEvents_StartClampedToRetention(t *testing.T) {
	src := &fakeSource{}
	svc := New(Config{Source: src, Now: func() time.Time { return fixedNow }})
	recent := fixedNow.Add(-time.Hour)
	_, err := svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{StartTime: api.NewTimestamp(recent)})
	if err != nil || !src.queries[0].Start.Equal(recent) {
		t.Fatalf("recent start: %v %+v", err, src.queries[0])
	}
	_, _ = svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{StartTime: api.NewTimestamp(fixedNow.AddDate(-1, 0, 0))})
	if !src.queries[1].Start.Equal(fixedNow.Add(-Retention)) {
		t.Fatalf("old start not clamped: %+v", src.queries[1])
	}
}

func TestLookupEvents_Throttling(t *testing.T) {
	now := fixedNow
	svc := New(Config{Source: &fakeSource{}, Now: func() time.Time { return now }, RequestsPerSecond: 2})
	for i := 0; i < 2; i++ {
		if _, err := svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	_, err := svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{})
	wantCode(t, err, "ThrottlingException")
	now = now.Add(600 * time.Millisecond)
	if _, err := svc.LookupEvents(callerCtx(), &cloudtrail.LookupEventsRequest{}); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	other := identity.WithCaller(context.Background(), &identity.Caller{Principal: identity.Principal{AccountID: "999988887777"}, Region: "eu-west-1"})
	if _, err := svc.LookupEvents(other, &cloudtrail.LookupEventsRequest{}); err != nil {
		t.Fatalf("another account is throttled separately: %v", err)
	}
}
