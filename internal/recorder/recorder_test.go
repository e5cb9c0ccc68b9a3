package recorder

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/journal"
)

// memAppender keeps records, and whether each was acknowledged on the
// disk (Append) or at its write (AppendWritten).
type memAppender struct {
	records []events.Record
	synced  []bool
}

func (m *memAppender) Append(_ context.Context, recs []events.Record) error {
	m.records = append(m.records, recs...)
	for range recs {
		m.synced = append(m.synced, true)
	}
	return nil
}

func (m *memAppender) AppendWritten(_ context.Context, recs []events.Record) error {
	m.records = append(m.records, recs...)
	for range recs {
		m.synced = append(m.synced, false)
	}
	return nil
}

// TestAcknowledgementLevel: calls that change something are acknowledged
// once their record is on the disk; read-only ones once it is written,
// unless syncReads asks for the disk for them too.
func TestAcknowledgementLevel(t *testing.T) {
	calls := []struct {
		call   *gateway.Call
		synced bool
	}{
		{&gateway.Call{Service: "cloudtrail", Operation: "GetTrail", Caller: caller(alice), Input: &cloudtrail.GetTrailRequest{Name: str("a")}}, false},
		{&gateway.Call{Service: "cloudtrail", Operation: "DescribeTrails", Caller: caller(alice), Input: &cloudtrail.DescribeTrailsRequest{}}, false},
		{&gateway.Call{Service: "cloudtrail", Operation: "DeleteTrail", Caller: caller(alice), Input: &cloudtrail.DeleteTrailRequest{Name: str("a")}}, true},
		{&gateway.Call{Service: "cloudtrail", Operation: "CreateTrail", Caller: caller(alice), Input: &cloudtrail.CreateTrailRequest{Name: str("a"), S3BucketName: str("b")},
			Err: cloudtrail.NewS3BucketDoesNotExistException("The S3 bucket b does not exist.")}, true},
	}
	for _, syncReads := range []bool{false, true} {
		m := &memAppender{}
		r := New(m, syncReads)
		for _, c := range calls {
			if err := r.ObserveCall(context.Background(), c.call); err != nil {
				t.Fatal(err)
			}
		}
		s3 := []S3Call{
			{Operation: "GetObject", ReadOnly: true, Caller: caller(alice), Bucket: "b", Key: "k"},
			{Operation: "PutObject", Caller: caller(alice), Bucket: "b", Key: "k"},
		}
		for _, c := range s3 {
			if err := r.RecordS3Call(context.Background(), c); err != nil {
				t.Fatal(err)
			}
		}
		want := []bool{syncReads, syncReads, true, true, syncReads, true}
		if !slices.Equal(m.synced, want) {
			t.Errorf("syncReads %v: acknowledged on the disk %v, want %v", syncReads, m.synced, want)
		}
	}
}

func str(s string) *string { return &s }

func caller(p identity.Principal) *identity.Caller {
	return &identity.Caller{
		Principal: p, Region: "eu-west-1", Service: "cloudtrail", RequestID: "11111111-2222-4333-8444-555555555555",
		SourceIP: "127.0.0.1", UserAgent: "aws-cli/1.45.11", Received: time.Date(2026, 11, 21, 10, 0, 0, 123e6, time.UTC),
	}
}

var alice = identity.Principal{
	Type: identity.PrincipalIAMUser, AccountID: "111122223333", PrincipalID: "AIDAEXAMPLEALICE00001",
	ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice", AccessKeyID: "AKIAALICE",
}

func decode(t *testing.T, rec events.Record) map[string]any {
	t.Helper()
	raw, err := rec.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuild_SuccessfulWrite(t *testing.T) {
	r := New(&memAppender{}, false)
	rec, err := r.Build(&gateway.Call{
		Service: "cloudtrail", Operation: "CreateTrail", Caller: caller(alice),
		Input:  &cloudtrail.CreateTrailRequest{Name: str("audit"), S3BucketName: str("logs"), IsMultiRegionTrail: new(true)},
		Output: &cloudtrail.CreateTrailResponse{Name: str("audit"), TrailARN: str("arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit")},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, rec)
	checks := map[string]any{
		"eventVersion": "1.11", "eventTime": "2026-11-21T10:00:00Z", "eventSource": "cloudtrail.amazonaws.com",
		"eventName": "CreateTrail", "awsRegion": "eu-west-1", "sourceIPAddress": "127.0.0.1",
		"userAgent": "aws-cli/1.45.11", "requestID": "11111111-2222-4333-8444-555555555555",
		"readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": "111122223333", "eventCategory": "Management",
	}
	for k, want := range checks {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	params := m["requestParameters"].(map[string]any)
	if params["name"] != "audit" || params["s3BucketName"] != "logs" || params["isMultiRegionTrail"] != true {
		t.Errorf("requestParameters %v", params)
	}
	elements := m["responseElements"].(map[string]any)
	if elements["trailARN"] != "arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit" {
		t.Errorf("responseElements %v", elements)
	}
	ui := m["userIdentity"].(map[string]any)
	if ui["type"] != "IAMUser" || ui["userName"] != "alice" || ui["accessKeyId"] != "AKIAALICE" || ui["arn"] != alice.ARN {
		t.Errorf("userIdentity %v", ui)
	}
	res := m["resources"].([]any)[0].(map[string]any)
	if res["ARN"] != "arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit" || res["type"] != "AWS::CloudTrail::Trail" || res["accountId"] != "111122223333" {
		t.Errorf("resources %v", res)
	}
	lookup := rec.LookupResourceList()
	if len(lookup) != 2 || lookup[1].Type != "AWS::S3::Bucket" || lookup[1].Name != "logs" {
		t.Errorf("lookup resources %v", lookup)
	}
	if rec.EventID == "" || rec.Username() != "alice" {
		t.Errorf("eventID %q username %q", rec.EventID, rec.Username())
	}
}

func TestBuild_ReadAndFailure(t *testing.T) {
	r := New(&memAppender{}, false)
	rec, _ := r.Build(&gateway.Call{
		Service: "cloudtrail", Operation: "GetTrail", Caller: caller(alice),
		Input:  &cloudtrail.GetTrailRequest{Name: str("audit")},
		Output: &cloudtrail.GetTrailResponse{},
	})
	m := decode(t, rec)
	if m["readOnly"] != true || m["responseElements"] != nil {
		t.Errorf("read: readOnly %v responseElements %v", m["readOnly"], m["responseElements"])
	}
	if _, present := m["responseElements"]; !present {
		t.Error("responseElements must be present as null")
	}
	rec, _ = r.Build(&gateway.Call{
		Service: "cloudtrail", Operation: "DeleteTrail", Caller: caller(alice),
		Input: &cloudtrail.DeleteTrailRequest{Name: str("nope")},
		Err:   cloudtrail.NewTrailNotFoundException("Unknown trail"),
	})
	m = decode(t, rec)
	if m["errorCode"] != "TrailNotFoundException" || m["errorMessage"] != "Unknown trail" || m["responseElements"] != nil {
		t.Errorf("failure record %v", m)
	}
}

func TestBuild_AssumedRole(t *testing.T) {
	role := identity.Principal{
		Type: identity.PrincipalAssumedRole, AccountID: "111122223333", PrincipalID: "AROAEXAMPLEROLE000001:ci",
		ARN: "arn:aws:sts::111122223333:assumed-role/Deployer/ci", RoleName: "Deployer",
		RoleARN: "arn:aws:iam::111122223333:role/Deployer", SessionName: "ci", AccessKeyID: "ASIAROLE",
	}
	rec, _ := New(&memAppender{}, false).Build(&gateway.Call{Service: "cloudtrail", Operation: "ListTrails", Caller: caller(role), Input: &cloudtrail.ListTrailsRequest{}})
	ui := decode(t, rec)["userIdentity"].(map[string]any)
	issuer := ui["sessionContext"].(map[string]any)["sessionIssuer"].(map[string]any)
	if ui["userName"] != nil || issuer["userName"] != "Deployer" || issuer["principalId"] != "AROAEXAMPLEROLE000001" || issuer["type"] != "Role" {
		t.Errorf("assumed role identity %v", ui)
	}
	if rec.Username() != "ci" {
		t.Errorf("username %q, want the session name", rec.Username())
	}
}

func TestObserveCall_SkipsLookupEvents(t *testing.T) {
	a := &memAppender{}
	r := New(a, false)
	_ = r.ObserveCall(context.Background(), &gateway.Call{Service: "cloudtrail", Operation: "LookupEvents", Caller: caller(alice), Input: &cloudtrail.LookupEventsRequest{}})
	_ = r.ObserveCall(context.Background(), &gateway.Call{Service: "cloudtrail", Operation: "ListTrails", Caller: caller(alice), Input: &cloudtrail.ListTrailsRequest{}})
	if len(a.records) != 1 || a.records[0].EventName != "ListTrails" {
		t.Fatalf("recorded %v", a.records)
	}
}

func TestBuildS3_DataAndManagementEvents(t *testing.T) {
	c := caller(alice)
	rec, err := BuildS3(S3Call{Operation: "PutObject", Bucket: "logs", Key: "a/b.txt", Caller: c, BucketOwnerAccountID: "111122223333",
		BucketRegion: "us-east-1", RequestParameters: map[string]any{"bucketName": "logs", "key": "a/b.txt"}, BytesIn: 12})
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, rec)
	if m["eventSource"] != "s3.amazonaws.com" || m["eventCategory"] != "Data" || m["managementEvent"] != false || m["awsRegion"] != "us-east-1" {
		t.Fatalf("PutObject record %v", m)
	}
	res := m["resources"].([]any)
	if res[0].(map[string]any)["ARN"] != "arn:aws:s3:::logs/a/b.txt" || res[1].(map[string]any)["type"] != "AWS::S3::Bucket" {
		t.Fatalf("resources %v", res)
	}
	if m["additionalEventData"].(map[string]any)["bytesTransferredIn"] != float64(12) {
		t.Fatalf("additionalEventData %v", m["additionalEventData"])
	}
	rec, _ = BuildS3(S3Call{Operation: "CreateBucket", Bucket: "logs", Caller: c, ErrorCode: "BucketAlreadyExists", ErrorMessage: "taken"})
	m = decode(t, rec)
	if m["eventCategory"] != "Management" || m["managementEvent"] != true || m["errorCode"] != "BucketAlreadyExists" || m["awsRegion"] != "eu-west-1" {
		t.Fatalf("CreateBucket record %v", m)
	}
}

// BenchmarkBuild_GetTrail is the recorder's share of a GetTrail: the
// record and its JSON, which the journal and the event store keep.
func BenchmarkBuild_GetTrail(b *testing.B) {
	r := New(&memAppender{}, false)
	c := &gateway.Call{Service: "cloudtrail", Operation: "GetTrail", Caller: caller(alice),
		Input: &cloudtrail.GetTrailRequest{Name: str("loadgen-trail")}, Output: &cloudtrail.GetTrailResponse{}}
	b.ReportAllocs()
	for b.Loop() {
		rec, err := r.Build(c)
		if err != nil || len(rec.Raw) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild_CreateTrail records a write, whose response elements are
// encoded too.
func BenchmarkBuild_CreateTrail(b *testing.B) {
	r := New(&memAppender{}, false)
	c := &gateway.Call{Service: "cloudtrail", Operation: "CreateTrail", Caller: caller(alice),
		Input:  &cloudtrail.CreateTrailRequest{Name: str("audit"), S3BucketName: str("logs"), IsMultiRegionTrail: new(true), TagsList: []cloudtrail.Tag{{Key: str("team"), Value: str("core")}}},
		Output: &cloudtrail.CreateTrailResponse{Name: str("audit"), S3BucketName: str("logs"), TrailARN: str("arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit"), IsMultiRegionTrail: new(true)}}
	b.ReportAllocs()
	for b.Loop() {
		rec, err := r.Build(c)
		if err != nil || len(rec.Raw) == 0 {
			b.Fatal(err)
		}
	}
}

// TestLookupResourcesSurviveJournalReplay follows a record from the
// recorder through the journal to what a restart after a crash replays:
// the lookup resources LookupEvents filters on (here the trail's S3
// bucket, which is not among the record's resources) must arrive with it.
func TestLookupResourcesSurviveJournalReplay(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := New(j, false)
	calls := []*gateway.Call{
		{Service: "cloudtrail", Operation: "CreateTrail", Caller: caller(alice),
			Input:  &cloudtrail.CreateTrailRequest{Name: str("audit"), S3BucketName: str("audit-logs")},
			Output: &cloudtrail.CreateTrailResponse{Name: str("audit")}},
	}
	for _, c := range calls {
		if err := r.ObserveCall(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.RecordS3Call(context.Background(), S3Call{Operation: "PutObject", Bucket: "audit-logs", Key: "k", Caller: caller(alice)}); err != nil {
		t.Fatal(err)
	}
	want := j.Pending()
	// A crash leaves the files as they are now; the restart replays them.
	crashed := t.TempDir()
	names, _ := os.ReadDir(dir)
	for _, n := range names {
		data, _ := os.ReadFile(filepath.Join(dir, n.Name()))
		if err := os.WriteFile(filepath.Join(crashed, n.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	replay, err := journal.Open(crashed, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer replay.Close()
	got := replay.Pending()
	if len(got) != len(want) {
		t.Fatalf("replayed %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i].Record.LookupResourceList(), want[i].Record.LookupResourceList()) {
			t.Errorf("entry %d (%s): lookup resources %v after replay, want %v", i, got[i].Record.EventName,
				got[i].Record.LookupResourceList(), want[i].Record.LookupResourceList())
		}
		if !bytes.Equal(got[i].Record.Raw, want[i].Record.Raw) {
			t.Errorf("entry %d: record changed in the journal:\n%s\n%s", i, got[i].Record.Raw, want[i].Record.Raw)
		}
	}
	if lr := got[0].Record.LookupResourceList(); len(lr) != 2 || lr[1] != (events.LookupResource{Type: "AWS::S3::Bucket", Name: "audit-logs"}) {
		t.Errorf("CreateTrail's lookup resources after replay: %v", lr)
	}
}
