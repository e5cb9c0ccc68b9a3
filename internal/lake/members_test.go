package lake

import (
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// Windows: a store holds what arrived while it was ingesting, judged by
// the selectors and scope in force then.
func TestMembersFollowIngestionWindows(t *testing.T) {
	h := newHarness(t)
	p := h.pipe
	p.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Before", false, t0) // e1: before the store
	arn := h.createStore(in(home), "s", nil).EventDataStoreArn
	p.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "In", false, t0)    // e2
	p.add(t, acct, away, "Management", "cloudtrail.amazonaws.com", "Away", true, t0)   // e3: multi-region
	p.add(t, other, home, "Management", "cloudtrail.amazonaws.com", "Other", true, t0) // e4: another account
	p.add(t, acct, home, "Data", "s3.amazonaws.com", "GetObject", true, t0)            // e5: not selected
	must[*cloudtrail.StopEventDataStoreIngestionResponse](t)(h.h.StopEventDataStoreIngestion(in(home), &cloudtrail.StopEventDataStoreIngestionRequest{EventDataStore: arn}))
	p.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Stopped", false, t0) // e6
	must[*cloudtrail.StartEventDataStoreIngestionResponse](t)(h.h.StartEventDataStoreIngestion(in(home), &cloudtrail.StartEventDataStoreIngestionRequest{EventDataStore: arn}))
	p.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Again", false, t0) // e7
	// Only write events, this Region only, from here on.
	must[*cloudtrail.UpdateEventDataStoreResponse](t)(h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{
		EventDataStore: arn, MultiRegionEnabled: ptr(false),
		AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
			{Field: ptr("eventCategory"), Equals: []string{"Management"}},
			{Field: ptr("readOnly"), Equals: []string{"false"}},
		}}},
	}))
	p.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Write", false, t0)     // e8
	p.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Read", true, t0)       // e9: read
	p.add(t, acct, away, "Management", "cloudtrail.amazonaws.com", "AwayWrite", false, t0) // e10: other Region
	got := h.members(in(home), *arn)
	want := []string{"e2", "e3", "e7", "e8"}
	if !slices.Equal(got, want) {
		t.Fatalf("members = %v, want %v", got, want)
	}
	// Restarting changes nothing: windows are stored.
	h.restart()
	if got := h.members(in(home), *arn); !slices.Equal(got, want) {
		t.Fatalf("after restart members = %v, want %v", got, want)
	}
}

func TestMembersRetention(t *testing.T) {
	h := newHarness(t)
	arn := h.createStore(in(home), "s", nil, func(r *cloudtrail.CreateEventDataStoreRequest) { r.RetentionPeriod = ptr(int32(7)) }).EventDataStoreArn
	h.pipe.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Old", false, t0.Add(-8*24*time.Hour))
	h.pipe.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "New", false, t0.Add(-6*24*time.Hour))
	if got := h.members(in(home), *arn); !slices.Equal(got, []string{"e2"}) {
		t.Fatalf("members = %v", got)
	}
	horizon, err := h.svc.RetentionHorizon(in(home))
	if err != nil || horizon != 7*24*time.Hour {
		t.Fatalf("RetentionHorizon = %v, %v", horizon, err)
	}
}

func TestDataSelectorsOnStore(t *testing.T) {
	h := newHarness(t)
	arn := h.createStore(in(home), "s3-data", []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
		{Field: ptr("eventCategory"), Equals: []string{"Data"}},
		{Field: ptr("resources.type"), Equals: []string{"AWS::S3::Object"}},
	}}}).EventDataStoreArn
	h.pipe.add(t, acct, home, "Management", "cloudtrail.amazonaws.com", "Mgmt", false, t0)
	h.pipe.add(t, acct, home, "Data", "s3.amazonaws.com", "GetObject", true, t0) // no resources: not selected
	raw := `{"eventVersion":"1.11","userIdentity":{"type":"Root","accountId":"123456789012"},"eventTime":"2026-03-01T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","awsRegion":"us-east-1","readOnly":false,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data","eventID":"put"}`
	h.pipe.events = append(h.pipe.events, StoredEvent{Seq: int64(len(h.pipe.events)) + 1, JSON: []byte(raw)})
	if got := h.members(in(home), *arn); !slices.Equal(got, []string{"put"}) {
		t.Fatalf("members = %v", got)
	}
}
