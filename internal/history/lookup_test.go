package history

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func ptr[T any](v T) *T { return &v }

func attr(key, value string) cloudtrail.LookupAttribute {
	return cloudtrail.LookupAttribute{AttributeKey: cloudtrail.LookupAttributeKey(key), AttributeValue: &value}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e api.Error
	if !errors.As(err, &e) || e.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

var (
	t1 = api.NewTimestamp(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	t2 = api.NewTimestamp(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
)

func TestValidateLookup(t *testing.T) {
	tests := []struct {
		name string
		req  cloudtrail.LookupEventsRequest
		code string // empty: valid
	}{
		{"empty", cloudtrail.LookupEventsRequest{}, ""},
		{"every key", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{attr("Username", "root")}}, ""},
		{"time range", cloudtrail.LookupEventsRequest{StartTime: t1, EndTime: t2}, ""},
		{"equal times", cloudtrail.LookupEventsRequest{StartTime: t1, EndTime: t1}, ""},
		{"max results bounds", cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](50)}, ""},
		{"insights by event name", cloudtrail.LookupEventsRequest{EventCategory: "insight",
			LookupAttributes: []cloudtrail.LookupAttribute{attr("EventName", "RunInstances")}}, ""},
		{"value of 2000", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
			attr("ResourceName", strings.Repeat("a", 1000)+strings.Repeat("_", 500))}}, ""},

		{"two attributes", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
			attr("Username", "root"), attr("EventName", "X")}}, "InvalidLookupAttributesException"},
		{"unknown key", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{attr("Region", "x")}},
			"InvalidLookupAttributesException"},
		{"empty value", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{attr("Username", "")}},
			"InvalidLookupAttributesException"},
		{"missing value", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "Username"}}},
			"InvalidLookupAttributesException"},
		{"value over 2000 counting doubles", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
			attr("ResourceName", strings.Repeat("a", 1000)+strings.Repeat(" ", 501))}}, "InvalidLookupAttributesException"},
		{"insights by user name", cloudtrail.LookupEventsRequest{EventCategory: "insight",
			LookupAttributes: []cloudtrail.LookupAttribute{attr("Username", "root")}}, "InvalidLookupAttributesException"},
		{"start after end", cloudtrail.LookupEventsRequest{StartTime: t2, EndTime: t1}, "InvalidTimeRangeException"},
		{"max results zero", cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](0)}, "InvalidMaxResultsException"},
		{"max results 51", cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](51)}, "InvalidMaxResultsException"},
		{"category", cloudtrail.LookupEventsRequest{EventCategory: "management"}, "InvalidEventCategoryException"},
		{"garbage token", cloudtrail.LookupEventsRequest{NextToken: ptr("not a token")}, "InvalidNextTokenException"},
		{"json token of other shape", cloudtrail.LookupEventsRequest{NextToken: ptr("eyJ2IjoyfQ")}, "InvalidNextTokenException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := New(Config{Source: &fakeSource{}})
			out, err := svc.LookupEvents(callerCtx(), &tc.req)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(out)
			if string(raw) != `{"Events":[]}` {
				t.Fatalf("response %s", raw)
			}
		})
	}
}

func TestQueryDefaultsAndNextToken(t *testing.T) {
	req := &cloudtrail.LookupEventsRequest{StartTime: t1, EndTime: t2, MaxResults: ptr[int32](10),
		LookupAttributes: []cloudtrail.LookupAttribute{attr("EventSource", "cloudtrail.amazonaws.com")}}
	q, err := ValidateLookup(req)
	if err != nil {
		t.Fatal(err)
	}
	if q.MaxResults != 10 || !q.Start.Equal(t1.Time) || !q.End.Equal(t2.Time) || q.Attribute.Key != "EventSource" || q.After != nil || q.Insights {
		t.Fatalf("query %+v", q)
	}
	if q, _ := ValidateLookup(&cloudtrail.LookupEventsRequest{}); q.MaxResults != DefaultMaxResults || !q.Start.IsZero() {
		t.Fatalf("defaults %+v", q)
	}

	cursor := Cursor{Position: "p-1"}
	token := NextToken(q, cursor)
	req.NextToken = &token
	// The page size may change between pages.
	req.MaxResults = ptr[int32](20)
	next, err := ValidateLookup(req)
	if err != nil {
		t.Fatal(err)
	}
	if next.After == nil || *next.After != cursor {
		t.Fatalf("cursor %+v", next.After)
	}
	// Other parameters may not.
	req.LookupAttributes = []cloudtrail.LookupAttribute{attr("EventSource", "s3.amazonaws.com")}
	_, err = ValidateLookup(req)
	wantCode(t, err, "InvalidNextTokenException")
}

func TestMapViolations(t *testing.T) {
	svc := New(Config{})
	validate := func(in api.Input) []api.Violation {
		var v api.Validator
		in.ValidateConstraints(&v)
		return v.Violations
	}
	tests := []struct {
		name string
		req  cloudtrail.LookupEventsRequest
		code string
	}{
		{"max results", cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](100)}, "InvalidMaxResultsException"},
		{"category", cloudtrail.LookupEventsRequest{EventCategory: "data"}, "InvalidEventCategoryException"},
		{"attribute key", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{attr("Nope", "x")}},
			"InvalidLookupAttributesException"},
		{"attribute value length", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
			attr("Username", strings.Repeat("x", 2001))}}, "InvalidLookupAttributesException"},
		{"attribute value missing", cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
			{AttributeKey: "Username"}}}, "InvalidLookupAttributesException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs := validate(&tc.req)
			if len(vs) == 0 {
				t.Fatal("no violations")
			}
			wantCode(t, svc.MapViolations("LookupEvents", vs), tc.code)
		})
	}
	if err := svc.MapViolations("GetTrail", []api.Violation{{Path: "maxResults"}}); err != nil {
		t.Fatalf("other operations: %v", err)
	}
}
