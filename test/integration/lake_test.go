package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

// putAuditEvents sends PutAuditEvents signed for cloudtrail-data with
// aws-sdk-go-v2's signer (the SDK has no CloudTrail Data client).
func putAuditEvents(t *testing.T, srv *testenv.Server, account, region, channel string, externalID *string, events ...map[string]any) rawResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"auditEvents": events})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"channelArn": {channel}}
	if externalID != nil {
		q.Set("externalId", *externalID)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/PutAuditEvents?"+q.Encode(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	creds, _ := srv.AWSConfig(account, "secret", region).Credentials.Retrieve(context.Background())
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "cloudtrail-data", region, nowUTC()); err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func auditEventData(recipient, uid string) string {
	return fmt.Sprintf(`{"version":"1.0","userIdentity":{"type":"CustomUser","principalId":"alice"},"eventSource":"app.example.com","eventName":"Login","eventTime":"2026-03-01T11:00:00Z","UID":%q,"recipientAccountId":%q,"requestParameters":{"page":1}}`, uid, recipient)
}

func auditEvent(id, data string) map[string]any {
	sum := sha256.Sum256([]byte(data))
	return map[string]any{"id": id, "eventData": data, "eventDataChecksum": base64.StdEncoding.EncodeToString(sum[:])}
}

func activityStore(t *testing.T, ct *cloudtrail.Client, name string) string {
	t.Helper()
	out, err := ct.CreateEventDataStore(t.Context(), &cloudtrail.CreateEventDataStoreInput{
		Name: aws.String(name),
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"ActivityAuditLog"}},
		}}},
	})
	must(t, err, "CreateEventDataStore "+name)
	return *out.EventDataStoreArn
}

// storedIDs reads a store's records through the server and returns their
// event IDs.
func storedIDs(t *testing.T, srv *testenv.Server, account, region, store string) []string {
	t.Helper()
	recs, err := srv.EventDataStoreEvents(t.Context(), account, region, store)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range recs {
		var rec struct {
			EventID string `json:"eventID"`
		}
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.EventID)
	}
	return ids
}

func TestSDK_EventDataStoreLifecycle(t *testing.T) {
	dir := t.TempDir() + "/data"
	srv := testenv.Start(t, testenv.WithDataDir(dir))
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()

	created, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit")})
	must(t, err, "CreateEventDataStore")
	if created.Status != types.EventDataStoreStatusCreated || !*created.MultiRegionEnabled || !*created.TerminationProtectionEnabled ||
		*created.RetentionPeriod != 366 || created.BillingMode != types.BillingModeExtendableRetentionPricing ||
		*created.AdvancedEventSelectors[0].Name != "Default management events" || created.CreatedTimestamp == nil {
		t.Fatalf("CreateEventDataStore = %+v", created)
	}
	arn := *created.EventDataStoreArn
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	got, err := ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(id)})
	must(t, err, "GetEventDataStore by ID")
	if got.Status != types.EventDataStoreStatusEnabled || *got.EventDataStoreArn != arn || got.FederationStatus != types.FederationStatusDisabled {
		t.Fatalf("GetEventDataStore = %+v", got)
	}

	_, err = ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit")})
	wantAPIError(t, err, "EventDataStoreAlreadyExistsException", 400)
	_, err = ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("x")})
	wantAPIError(t, err, "InvalidParameterException", 400) // name shorter than 3
	_, err = ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("bad-selectors"),
		AdvancedEventSelectors: []types.AdvancedEventSelector{{FieldSelectors: []types.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
		}}}})
	wantAPIError(t, err, "InvalidEventSelectorsException", 400)
	_, err = ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String("arn:aws:cloudtrail:us-east-1:111111111111:trail/nope")})
	wantAPIError(t, err, "EventDataStoreARNInvalidException", 400)
	_, err = ct.GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String("00000000-0000-4000-8000-000000000000")})
	wantAPIError(t, err, "EventDataStoreNotFoundException", 404)
	_, err = srv.CloudTrail(accountB, usEast1).GetEventDataStore(ctx, &cloudtrail.GetEventDataStoreInput{EventDataStore: aws.String(arn)})
	wantAPIError(t, err, "EventDataStoreNotFoundException", 404)
	_, err = ct.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{MaxResults: aws.Int32(0)})
	wantAPIError(t, err, "InvalidMaxResultsException", 400)

	_, err = ct.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: aws.String(arn)})
	must(t, err, "StopEventDataStoreIngestion")
	_, err = ct.StopEventDataStoreIngestion(ctx, &cloudtrail.StopEventDataStoreIngestionInput{EventDataStore: aws.String(arn)})
	wantAPIError(t, err, "InvalidEventDataStoreStatusException", 400)
	_, err = ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(arn)})
	wantAPIError(t, err, "EventDataStoreTerminationProtectedException", 400)
	updated, err := ct.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{
		EventDataStore: aws.String(arn), TerminationProtectionEnabled: aws.Bool(false), RetentionPeriod: aws.Int32(90),
	})
	must(t, err, "UpdateEventDataStore")
	if *updated.RetentionPeriod != 90 || *updated.TerminationProtectionEnabled || updated.Status != types.EventDataStoreStatusStoppedIngestion {
		t.Fatalf("UpdateEventDataStore = %+v", updated)
	}
	_, err = ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(arn)})
	must(t, err, "DeleteEventDataStore")

	// Everything survives a restart.
	srv.Stop()
	srv = testenv.Start(t, testenv.WithDataDir(dir))
	ct = srv.CloudTrail(accountA, usEast1)
	list, err := ct.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{})
	must(t, err, "ListEventDataStores")
	if len(list.EventDataStores) != 1 || list.EventDataStores[0].Status != types.EventDataStoreStatusPendingDeletion || *list.EventDataStores[0].RetentionPeriod != 90 {
		t.Fatalf("ListEventDataStores after restart = %+v", list.EventDataStores)
	}
	restored, err := ct.RestoreEventDataStore(ctx, &cloudtrail.RestoreEventDataStoreInput{EventDataStore: aws.String(arn)})
	must(t, err, "RestoreEventDataStore")
	if restored.Status != types.EventDataStoreStatusStoppedIngestion {
		t.Fatalf("RestoreEventDataStore Status = %s, want the state before deletion", restored.Status)
	}
}

// An event data store receives the pipeline's events from its creation on:
// Cairn's own API calls and ingested records, in its account.
func TestEventDataStoreReceivesPipelineEvents(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()
	_, err := ct.ListTrails(ctx, &cloudtrail.ListTrailsInput{}) // before the store: not in it
	must(t, err, "ListTrails")
	arn := *must2[*cloudtrail.CreateEventDataStoreOutput](t)(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("all-mgmt")})).EventDataStoreArn
	west := *must2[*cloudtrail.CreateEventDataStoreOutput](t)(srv.CloudTrail(accountA, usWest2).CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{
		Name: aws.String("west-only"), MultiRegionEnabled: aws.Bool(false)})).EventDataStoreArn
	_, err = ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails")
	_, err = srv.CloudTrail(accountA, euWest1).ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	must(t, err, "ListTrails eu-west-1")
	_, err = srv.CloudTrail(accountB, usEast1).ListTrails(ctx, &cloudtrail.ListTrailsInput{})
	must(t, err, "ListTrails account B")
	status, _ := postEvents(t, srv, accountA, "secret", recordsBody(t, ingestRecord(accountA, usWest2, "ingested-1", nil)))
	if status != 200 {
		t.Fatalf("ingest status %d", status)
	}

	names := func(store, region string) []string {
		recs, err := srv.EventDataStoreEvents(ctx, accountA, region, store)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs {
			var rec struct {
				EventName string `json:"eventName"`
				AWSRegion string `json:"awsRegion"`
			}
			_ = json.Unmarshal(r, &rec)
			out = append(out, rec.EventName+"@"+rec.AWSRegion)
		}
		return out
	}
	all := names(arn, usEast1)
	for _, want := range []string{"CreateEventDataStore@us-west-2", "DescribeTrails@us-east-1", "ListTrails@eu-west-1", "DescribeInstances@us-west-2"} {
		if !slices.Contains(all, want) {
			t.Errorf("store lacks %s: %v", want, all)
		}
	}
	if slices.Contains(all, "ListTrails@us-east-1") {
		t.Errorf("store holds an event from before its creation: %v", all)
	}
	// The store's own CreateEventDataStore call is recorded after the
	// store exists, so the store holds it.
	w := names(west, usWest2)
	slices.Sort(w)
	if !slices.Equal(w, []string{"CreateEventDataStore@us-west-2", "DescribeInstances@us-west-2"}) {
		t.Errorf("single-Region store = %v", w)
	}
}

func TestPutAuditEvents_RealRequests(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()
	store := activityStore(t, ct, "activity")
	mgmt := *must2[*cloudtrail.CreateEventDataStoreOutput](t)(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("mgmt")})).EventDataStoreArn
	_, err := ct.CreateChannel(ctx, &cloudtrail.CreateChannelInput{Name: aws.String("bad"), Source: aws.String("Custom"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: aws.String(mgmt)}}})
	wantAPIError(t, err, "InvalidEventDataStoreCategoryException", 400)
	ch, err := ct.CreateChannel(ctx, &cloudtrail.CreateChannelInput{Name: aws.String("app"), Source: aws.String("Custom"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: aws.String(store)}},
		Tags:         []types.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	must(t, err, "CreateChannel")
	channel := *ch.ChannelArn

	good := auditEventData(accountA, "u-1")
	badSum := auditEvent("bad-sum", good)
	badSum["eventDataChecksum"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
	resp := putAuditEvents(t, srv, accountA, usEast1, channel, nil,
		auditEvent("ok-1", good), badSum, auditEvent("not-json", "{"),
		auditEvent("no-uid", strings.Replace(good, `"UID":"u-1",`, "", 1)),
		auditEvent("ok-2", auditEventData(accountA, "u-2")))
	if resp.status != 200 {
		t.Fatalf("PutAuditEvents: %d %s", resp.status, resp.raw)
	}
	var answer struct {
		Successful []struct{ ID, EventID string }                 `json:"successful"`
		Failed     []struct{ ID, ErrorCode, ErrorMessage string } `json:"failed"`
	}
	_ = json.Unmarshal(resp.raw, &answer)
	failed := map[string]string{}
	for _, f := range answer.Failed {
		failed[f.ID] = f.ErrorCode
	}
	if len(answer.Successful) != 2 || answer.Successful[0].ID != "ok-1" || answer.Successful[1].ID != "ok-2" ||
		failed["bad-sum"] != "InvalidChecksum" || failed["not-json"] != "InvalidData" || failed["no-uid"] != "FieldNotFound" {
		t.Fatalf("PutAuditEvents answer: %s", resp.raw)
	}
	ids := storedIDs(t, srv, accountA, usEast1, store)
	if !slices.Equal(ids, []string{answer.Successful[0].EventID, answer.Successful[1].EventID}) {
		t.Fatalf("stored %v, acknowledged %+v", ids, answer.Successful)
	}
	if m := storedIDs(t, srv, accountA, usEast1, mgmt); slices.ContainsFunc(m, func(id string) bool { return slices.Contains(ids, id) }) {
		t.Fatalf("audit events reached the management store: %v", m)
	}
	recs, _ := srv.EventDataStoreEvents(ctx, accountA, usEast1, store)
	var rec map[string]any
	_ = json.Unmarshal(recs[0], &rec)
	meta, _ := rec["metadata"].(map[string]any)
	data, _ := rec["eventData"].(map[string]any)
	if rec["eventCategory"] != "ActivityAuditLog" || rec["eventType"] != "ActivityLog" || rec["awsRegion"] != usEast1 ||
		rec["recipientAccountId"] != accountA || meta["channelARN"] != channel || meta["ingestionTime"] == nil || data["UID"] != "u-1" {
		t.Fatalf("stored record: %s", recs[0])
	}

	// Request-level errors carry X-Amzn-ErrorType.
	for _, c := range []struct {
		channel, code string
		events        []map[string]any
	}{
		{channel, "DuplicatedAuditEventId", []map[string]any{auditEvent("same", good), auditEvent("same", good)}},
		{"arn:aws:cloudtrail:us-east-1:111111111111:channel/00000000-0000-4000-8000-000000000000", "ChannelNotFound", []map[string]any{auditEvent("a", good)}},
		{"arn:aws:cloudtrail:us-east-1:111111111111:trail/t", "InvalidChannelARN", []map[string]any{auditEvent("a", good)}},
	} {
		resp := putAuditEvents(t, srv, accountA, usEast1, c.channel, nil, c.events...)
		if resp.status != 400 || resp.header.Get("X-Amzn-ErrorType") != c.code {
			t.Errorf("%s: got %d %s %s", c.code, resp.status, resp.header.Get("X-Amzn-ErrorType"), resp.raw)
		}
	}
	// By ID instead of ARN.
	if resp := putAuditEvents(t, srv, accountA, usEast1, channel[strings.LastIndexByte(channel, '/')+1:], nil, auditEvent("by-id", good)); resp.status != 200 {
		t.Fatalf("by channel ID: %d %s", resp.status, resp.raw)
	}

	// Cross-account through the channel's resource policy and external ID.
	resp = putAuditEvents(t, srv, accountB, usEast1, channel, nil, auditEvent("b", good))
	if resp.header.Get("X-Amzn-ErrorType") != "ChannelInsufficientPermission" {
		t.Fatalf("account B without a policy: %d %s", resp.status, resp.raw)
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"cloudtrail-data:PutAuditEvents","Resource":%q,"Condition":{"StringEquals":{"cloudtrail:ExternalId":"ext-42"}}}]}`, accountB, channel)
	_, err = ct.PutResourcePolicy(ctx, &cloudtrail.PutResourcePolicyInput{ResourceArn: aws.String(channel), ResourcePolicy: aws.String(policy)})
	must(t, err, "PutResourcePolicy")
	_, err = ct.PutResourcePolicy(ctx, &cloudtrail.PutResourcePolicyInput{ResourceArn: aws.String(channel), ResourcePolicy: aws.String(`{"Version":"2012-10-17"}`)})
	wantAPIError(t, err, "ResourcePolicyNotValidException", 400)
	for _, ext := range []*string{nil, aws.String("wrong")} {
		resp = putAuditEvents(t, srv, accountB, usEast1, channel, ext, auditEvent("b", good))
		if resp.header.Get("X-Amzn-ErrorType") != "ChannelInsufficientPermission" {
			t.Fatalf("account B with external ID %v: %d %s", ext, resp.status, resp.raw)
		}
	}
	resp = putAuditEvents(t, srv, accountB, usEast1, channel, aws.String("ext-42"), auditEvent("b", good))
	if resp.status != 200 || !bytes.Contains(resp.raw, []byte(`"id":"b"`)) {
		t.Fatalf("account B with the external ID: %d %s", resp.status, resp.raw)
	}
	if n := len(storedIDs(t, srv, accountA, usEast1, store)); n != 4 {
		t.Fatalf("store holds %d events, want 4", n)
	}

	gotCh, err := ct.GetChannel(ctx, &cloudtrail.GetChannelInput{Channel: aws.String(channel)})
	must(t, err, "GetChannel")
	if gotCh.IngestionStatus == nil || gotCh.IngestionStatus.LatestIngestionSuccessEventID == nil {
		t.Fatalf("GetChannel IngestionStatus = %+v", gotCh.IngestionStatus)
	}
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{channel, store}})
	must(t, err, "ListTags")
	if len(tags.ResourceTagList) != 2 || len(tags.ResourceTagList[0].TagsList) != 1 {
		t.Fatalf("ListTags = %+v", tags.ResourceTagList)
	}
	_, err = ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(store)})
	wantAPIError(t, err, "EventDataStoreTerminationProtectedException", 400)
}

// A request over 1 MB is refused whole, as AWS documents.
func TestPutAuditEvents_RequestSizeLimit(t *testing.T) {
	srv := testenv.Start(t)
	big := strings.Repeat("x", 11<<10)
	events := make([]map[string]any, 100)
	for i := range events {
		events[i] = map[string]any{"id": fmt.Sprint(i), "eventData": big}
	}
	resp := putAuditEvents(t, srv, accountA, usEast1, "arn:aws:cloudtrail:us-east-1:111111111111:channel/abc", nil, events...)
	if resp.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("1.1 MB request: %d %s", resp.status, resp.raw)
	}
}

func must2[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		must(t, err, "call")
		return v
	}
}

// UpdateChannel renames a channel and moves its later events to another
// store; DeleteChannel removes it, after which its store can be deleted.
func TestSDK_UpdateAndDeleteChannel(t *testing.T) {
	srv := testenv.Start(t)
	ct := srv.CloudTrail(accountA, usEast1)
	ctx := t.Context()
	first := activityStore(t, ct, "first")
	second := activityStore(t, ct, "second")
	ch, err := ct.CreateChannel(ctx, &cloudtrail.CreateChannelInput{Name: aws.String("app"), Source: aws.String("Custom"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: aws.String(first)}}})
	must(t, err, "CreateChannel")
	channel := *ch.ChannelArn
	put := func(id string) string {
		resp := putAuditEvents(t, srv, accountA, usEast1, channel, nil, auditEvent(id, auditEventData(accountA, id)))
		var answer struct {
			Successful []struct{ EventID string } `json:"successful"`
		}
		if json.Unmarshal(resp.raw, &answer) != nil || len(answer.Successful) != 1 {
			t.Fatalf("PutAuditEvents: %d %s", resp.status, resp.raw)
		}
		return answer.Successful[0].EventID
	}
	before := put("before")

	_, err = ct.CreateChannel(ctx, &cloudtrail.CreateChannelInput{Name: aws.String("taken"), Source: aws.String("Custom"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: aws.String(second)}}})
	must(t, err, "CreateChannel taken")
	_, err = ct.UpdateChannel(ctx, &cloudtrail.UpdateChannelInput{Channel: aws.String(channel), Name: aws.String("taken")})
	wantAPIError(t, err, "ChannelAlreadyExistsException", 400)
	up, err := ct.UpdateChannel(ctx, &cloudtrail.UpdateChannelInput{Channel: aws.String(channel), Name: aws.String("renamed"),
		Destinations: []types.Destination{{Type: types.DestinationTypeEventDataStore, Location: aws.String(second)}}})
	must(t, err, "UpdateChannel")
	if *up.Name != "renamed" || len(up.Destinations) != 1 || *up.Destinations[0].Location != second {
		t.Fatalf("UpdateChannel = %+v", up)
	}
	after := put("after")
	if got := storedIDs(t, srv, accountA, usEast1, first); !slices.Equal(got, []string{before}) {
		t.Fatalf("first store holds %v, want %v", got, []string{before})
	}
	if got := storedIDs(t, srv, accountA, usEast1, second); !slices.Equal(got, []string{after}) {
		t.Fatalf("second store holds %v, want %v", got, []string{after})
	}
	got, err := ct.GetChannel(ctx, &cloudtrail.GetChannelInput{Channel: aws.String(channel)})
	must(t, err, "GetChannel")
	if *got.Name != "renamed" {
		t.Fatalf("GetChannel name %s", *got.Name)
	}
	_, err = ct.DeleteChannel(ctx, &cloudtrail.DeleteChannelInput{Channel: aws.String(channel)})
	must(t, err, "DeleteChannel")
	_, err = ct.GetChannel(ctx, &cloudtrail.GetChannelInput{Channel: aws.String(channel)})
	wantAPIError(t, err, "ChannelNotFoundException", 404)
	_, err = ct.DeleteChannel(ctx, &cloudtrail.DeleteChannelInput{Channel: aws.String(channel)})
	wantAPIError(t, err, "ChannelNotFoundException", 404)
	if resp := putAuditEvents(t, srv, accountA, usEast1, channel, nil, auditEvent("gone", auditEventData(accountA, "gone"))); resp.header.Get("X-Amzn-ErrorType") != "ChannelNotFound" {
		t.Fatalf("PutAuditEvents to a deleted channel: %d %s", resp.status, resp.raw)
	}
	list, err := ct.ListChannels(ctx, &cloudtrail.ListChannelsInput{})
	must(t, err, "ListChannels")
	if len(list.Channels) != 1 || *list.Channels[0].Name != "taken" {
		t.Fatalf("ListChannels = %+v", list.Channels)
	}
	// The first store is no channel's destination any more.
	_, err = ct.UpdateEventDataStore(ctx, &cloudtrail.UpdateEventDataStoreInput{EventDataStore: aws.String(first), TerminationProtectionEnabled: aws.Bool(false)})
	must(t, err, "UpdateEventDataStore")
	_, err = ct.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: aws.String(first)})
	must(t, err, "DeleteEventDataStore")
}
