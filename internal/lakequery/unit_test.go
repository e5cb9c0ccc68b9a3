package lakequery

import (
	"errors"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/samplequeries"
)

func code(err error) string {
	var e api.Error
	if errors.As(err, &e) {
		return e.ErrorCode()
	}
	return ""
}

func TestResultsTokens(t *testing.T) {
	tok := encodeResultsToken("q1", 42, 1234)
	row, off, err := decodeResultsToken(tok, "q1")
	if err != nil || row != 42 || off != 1234 {
		t.Fatalf("round trip: %d %d %v", row, off, err)
	}
	for _, bad := range []string{"", "bogus", encodeResultsToken("q2", 1, 1)} {
		if _, _, err := decodeResultsToken(bad, "q1"); code(err) != "InvalidNextTokenException" {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestStatementOf(t *testing.T) {
	sample := samplequeries.All()[0]
	cases := []struct {
		req  cloudtrail.StartQueryRequest
		want string // statement, or error code
	}{
		{cloudtrail.StartQueryRequest{QueryStatement: ptr("SELECT 1")}, "SELECT 1"},
		{cloudtrail.StartQueryRequest{}, "InvalidParameterException"},
		{cloudtrail.StartQueryRequest{QueryStatement: ptr("SELECT 1"), QueryAlias: ptr(sample.Alias)}, "InvalidParameterException"},
		{cloudtrail.StartQueryRequest{QueryStatement: ptr("SELECT 1"), QueryParameters: []string{"x"}}, "InvalidParameterException"},
		{cloudtrail.StartQueryRequest{QueryAlias: ptr(sample.Alias)}, "InvalidParameterException"},
		{cloudtrail.StartQueryRequest{QueryAlias: ptr("nope"), QueryParameters: []string{"eds"}}, "InvalidParameterException"},
		{cloudtrail.StartQueryRequest{QueryAlias: ptr(sample.Alias), QueryParameters: []string{"eds", "extra"}}, "InvalidParameterException"},
	}
	for i, c := range cases {
		got, err := statementOf(&c.req)
		if err != nil {
			got = code(err)
		}
		if got != c.want {
			t.Errorf("case %d: %q, want %q", i, got, c.want)
		}
	}
	got, err := statementOf(&cloudtrail.StartQueryRequest{QueryAlias: ptr(sample.Alias), QueryParameters: []string{"my-store"}})
	if err != nil || !strings.Contains(got, "FROM my-store") || strings.Contains(got, "$EDS_ID") {
		t.Fatalf("alias: %q %v", got, err)
	}
}

func TestMapViolations(t *testing.T) {
	s := &Service{}
	for path, want := range map[string]string{
		"maxQueryResults": "InvalidMaxResultsException",
		"nextToken":       "InvalidNextTokenException",
		"queryStatement":  "InvalidQueryStatementException",
		"queryStatus":     "InvalidQueryStatusException",
		"eventDataStore":  "EventDataStoreARNInvalidException",
		"deliveryS3Uri":   "InvalidS3BucketNameException",
		"queryId":         "QueryIdNotFoundException",
		"searchPhrase":    "InvalidParameterException",
	} {
		err := s.MapViolations("ListQueries", []api.Violation{{Path: path, Member: path, Value: "'x'", Constraint: "c"}})
		if code(err) != want {
			t.Errorf("%s: %v, want %s", path, err, want)
		}
	}
	if err := s.MapViolations("CreateTrail", []api.Violation{{Path: "name"}}); err != nil {
		t.Errorf("another service's operation was mapped: %v", err)
	}
}
