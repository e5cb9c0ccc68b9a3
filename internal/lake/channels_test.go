package lake

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
)

func (h *harness) createChannel(name string, destinations ...string) *cloudtrail.CreateChannelResponse {
	h.t.Helper()
	req := &cloudtrail.CreateChannelRequest{Name: ptr(name), Source: ptr("Custom")}
	for _, d := range destinations {
		req.Destinations = append(req.Destinations, cloudtrail.Destination{Type: cloudtrail.DestinationTypeEventDataStore, Location: ptr(d)})
	}
	out, err := h.h.CreateChannel(in(home), req)
	if err != nil {
		h.t.Fatalf("CreateChannel %s: %v", name, err)
	}
	return out
}

func eventData(account, uid string) string {
	return fmt.Sprintf(`{"version":"1.0","userIdentity":{"type":"CustomUser","principalId":"alice","details":{"team":"a"}},"eventSource":"app.example.com","eventName":"Login","eventTime":"2026-03-01T11:00:00Z","UID":%q,"recipientAccountId":%q}`, uid, account)
}

func TestChannelLifecycle(t *testing.T) {
	h := newHarness(t)
	activity := *h.createStore(in(home), "activity", activitySelectors()).EventDataStoreArn
	mgmt := *h.createStore(in(home), "mgmt", nil).EventDataStoreArn
	ch := h.createChannel("app", activity)
	if !strings.HasPrefix(*ch.ChannelArn, "arn:aws:cloudtrail:us-east-1:123456789012:channel/") || *ch.Source != "Custom" ||
		len(ch.Destinations) != 1 || *ch.Destinations[0].Location != activity {
		t.Fatalf("CreateChannel = %+v", ch)
	}
	bad := []struct {
		req  cloudtrail.CreateChannelRequest
		code string
	}{
		{cloudtrail.CreateChannelRequest{Name: ptr("app"), Source: ptr("Custom"), Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: &activity}}}, "ChannelAlreadyExistsException"},
		{cloudtrail.CreateChannelRequest{Name: ptr("c2"), Source: ptr("Nope"), Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: &activity}}}, "InvalidSourceException"},
		{cloudtrail.CreateChannelRequest{Name: ptr("c3"), Source: ptr("Custom"), Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: &mgmt}}}, "InvalidEventDataStoreCategoryException"},
		{cloudtrail.CreateChannelRequest{Name: ptr("c4"), Source: ptr("Custom"), Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: ptr("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/missing")}}}, "EventDataStoreNotFoundException"},
		{cloudtrail.CreateChannelRequest{Name: ptr("c5"), Source: ptr("Custom"), Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: ptr("arn:aws:cloudtrail:us-east-1:123456789012:trail/x")}}}, "EventDataStoreARNInvalidException"},
		{cloudtrail.CreateChannelRequest{Name: ptr("c6"), Source: ptr("Custom"), Destinations: []cloudtrail.Destination{{Type: "AWS_SERVICE", Location: ptr("x")}}}, "InvalidParameterException"},
	}
	for _, b := range bad {
		_, err := h.h.CreateChannel(in(home), &b.req)
		wantCode(t, err, b.code)
	}
	got := must[*cloudtrail.GetChannelResponse](t)(h.h.GetChannel(in(home), &cloudtrail.GetChannelRequest{Channel: ch.ChannelArn}))
	if *got.Name != "app" || got.IngestionStatus != nil {
		t.Fatalf("GetChannel = %+v", got)
	}
	id := idOf(*ch.ChannelArn)
	must[*cloudtrail.GetChannelResponse](t)(h.h.GetChannel(in(home), &cloudtrail.GetChannelRequest{Channel: &id}))
	_, err := h.h.GetChannel(in(home), &cloudtrail.GetChannelRequest{Channel: ptr("arn:aws:cloudtrail:us-east-1:123456789012:trail/x")})
	wantCode(t, err, "ChannelARNInvalidException")
	_, err = h.h.GetChannel(callerCtx(other, home), &cloudtrail.GetChannelRequest{Channel: ch.ChannelArn})
	wantCode(t, err, "ChannelNotFoundException")

	// A store that is a channel's destination cannot be deleted.
	must[*cloudtrail.UpdateEventDataStoreResponse](t)(h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{EventDataStore: &activity, TerminationProtectionEnabled: ptr(false)}))
	_, err = h.h.DeleteEventDataStore(in(home), &cloudtrail.DeleteEventDataStoreRequest{EventDataStore: &activity})
	wantCode(t, err, "ChannelExistsForEDSException")

	up := must[*cloudtrail.UpdateChannelResponse](t)(h.h.UpdateChannel(in(home), &cloudtrail.UpdateChannelRequest{Channel: ch.ChannelArn, Name: ptr("renamed")}))
	if *up.Name != "renamed" || len(up.Destinations) != 1 {
		t.Fatalf("UpdateChannel = %+v", up)
	}
	list := must[*cloudtrail.ListChannelsResponse](t)(h.h.ListChannels(in(home), &cloudtrail.ListChannelsRequest{}))
	if len(list.Channels) != 1 || *list.Channels[0].Name != "renamed" {
		t.Fatalf("ListChannels = %+v", list.Channels)
	}
	must[*cloudtrail.DeleteChannelResponse](t)(h.h.DeleteChannel(in(home), &cloudtrail.DeleteChannelRequest{Channel: ch.ChannelArn}))
	_, err = h.h.GetChannel(in(home), &cloudtrail.GetChannelRequest{Channel: ch.ChannelArn})
	wantCode(t, err, "ChannelNotFoundException")
	must[*cloudtrail.DeleteEventDataStoreResponse](t)(h.h.DeleteEventDataStore(in(home), &cloudtrail.DeleteEventDataStoreRequest{EventDataStore: &activity}))
}

func TestChannelLimit(t *testing.T) {
	h := newHarness(t)
	activity := *h.createStore(in(home), "activity", activitySelectors()).EventDataStoreArn
	for i := range maxChannelsPerRegion {
		h.createChannel(fmt.Sprintf("ch-%02d", i), activity)
	}
	_, err := h.h.CreateChannel(in(home), &cloudtrail.CreateChannelRequest{Name: ptr("one-more"), Source: ptr("Custom"),
		Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: &activity}}})
	wantCode(t, err, "ChannelMaxLimitExceededException")
}

func (h *harness) put(ctxAccount, channel string, externalID *string, entries ...cloudtraildata.AuditEvent) (*cloudtraildata.PutAuditEventsResponse, error) {
	req := &cloudtraildata.PutAuditEventsRequest{ChannelArn: ptr(channel), ExternalId: externalID, AuditEvents: entries}
	return h.svc.PutAuditEvents(callerCtx(ctxAccount, home), req)
}

func entry(id, data string) cloudtraildata.AuditEvent {
	return cloudtraildata.AuditEvent{Id: ptr(id), EventData: ptr(data)}
}

func TestPutAuditEvents(t *testing.T) {
	h := newHarness(t)
	activity := *h.createStore(in(home), "activity", activitySelectors()).EventDataStoreArn
	second := *h.createStore(in(home), "second", activitySelectors()).EventDataStoreArn
	ch := *h.createChannel("app", activity).ChannelArn

	out, err := h.put(acct, ch, nil,
		entry("good-1", eventData(acct, "u1")),
		entry("bad-json", "{not json"),
		entry("bad-recipient", eventData(other, "u2")),
		entry("good-2", eventData(acct, "u3")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || *out.Successful[0].Id != "good-1" || *out.Successful[1].Id != "good-2" {
		t.Fatalf("successful = %+v", out.Successful)
	}
	codes := map[string]string{}
	for _, f := range out.Failed {
		codes[*f.Id] = *f.ErrorCode
	}
	if codes["bad-json"] != "InvalidData" || codes["bad-recipient"] != "InvalidRecipient" || len(codes) != 2 {
		t.Fatalf("failed = %v", codes)
	}
	got := h.members(in(home), activity)
	want := []string{*out.Successful[0].EventID, *out.Successful[1].EventID}
	if !slices.Equal(got, want) {
		t.Fatalf("activity members = %v, want %v", got, want)
	}
	if m := h.members(in(home), second); len(m) != 0 {
		t.Fatalf("second store got %v before it was a destination", m)
	}
	status := must[*cloudtrail.GetChannelResponse](t)(h.h.GetChannel(in(home), &cloudtrail.GetChannelRequest{Channel: &ch})).IngestionStatus
	if status == nil || *status.LatestIngestionSuccessEventID != want[1] || *status.LatestIngestionErrorCode != "InvalidRecipient" {
		t.Fatalf("IngestionStatus = %+v", status)
	}

	// Redirect the channel: later events go to the new destination only.
	must[*cloudtrail.UpdateChannelResponse](t)(h.h.UpdateChannel(in(home), &cloudtrail.UpdateChannelRequest{Channel: &ch,
		Destinations: []cloudtrail.Destination{{Type: "EVENT_DATA_STORE", Location: &second}}}))
	out, err = h.put(acct, idOf(ch), nil, entry("by-id", eventData(acct, "u4")))
	if err != nil || len(out.Successful) != 1 {
		t.Fatalf("put by channel ID: %+v, %v", out, err)
	}
	if got := h.members(in(home), second); !slices.Equal(got, []string{*out.Successful[0].EventID}) {
		t.Fatalf("second members = %v", got)
	}
	if got := h.members(in(home), activity); len(got) != 2 {
		t.Fatalf("activity members after redirect = %v", got)
	}

	// Request-level errors.
	_, err = h.put(acct, ch, nil, entry("same", eventData(acct, "a")), entry("same", eventData(acct, "b")))
	wantCode(t, err, "DuplicatedAuditEventId")
	_, err = h.put(acct, "arn:aws:cloudtrail:us-east-1:123456789012:channel/00000000-0000-4000-8000-999999999999", nil, entry("x", eventData(acct, "a")))
	wantCode(t, err, "ChannelNotFound")
	_, err = h.put(acct, "arn:aws:cloudtrail:us-east-1:123456789012:trail/x", nil, entry("x", eventData(acct, "a")))
	wantCode(t, err, "InvalidChannelARN")
	_, err = h.put(acct, "not a channel!", nil, entry("x", eventData(acct, "a")))
	wantCode(t, err, "InvalidChannelARN")

	// A failed append fails the request: nothing is acknowledged.
	h.pipe.fail = errors.New("disk full")
	_, err = h.put(acct, ch, nil, entry("x", eventData(acct, "a")))
	if err == nil {
		t.Fatal("append failure was not reported")
	}
}

func TestPutAuditEventsCrossAccount(t *testing.T) {
	h := newHarness(t)
	activity := *h.createStore(in(home), "activity", activitySelectors()).EventDataStoreArn
	ch := *h.createChannel("app", activity).ChannelArn
	ok := entry("e", eventData(acct, "u1"))

	_, err := h.put(other, ch, nil, ok)
	wantCode(t, err, "ChannelInsufficientPermission")
	_, err = h.put(other, idOf(ch), nil, ok) // an ID names a channel of the caller's own account
	wantCode(t, err, "ChannelNotFound")

	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::%s:root"]},"Action":"cloudtrail-data:PutAuditEvents","Resource":%q,"Condition":{"StringEquals":{"cloudtrail:ExternalId":"partner-123"}}}]}`, other, ch)
	must[*cloudtrail.PutResourcePolicyResponse](t)(h.h.PutResourcePolicy(in(home), &cloudtrail.PutResourcePolicyRequest{ResourceArn: &ch, ResourcePolicy: &doc}))

	_, err = h.put(other, ch, nil, ok)
	wantCode(t, err, "ChannelInsufficientPermission")
	_, err = h.put(other, ch, ptr("wrong-id"), ok)
	wantCode(t, err, "ChannelInsufficientPermission")
	_, err = h.put("333333333333", ch, ptr("partner-123"), ok)
	wantCode(t, err, "ChannelInsufficientPermission")
	out, err := h.put(other, ch, ptr("partner-123"), ok)
	if err != nil || len(out.Successful) != 1 {
		t.Fatalf("allowed partner: %+v, %v", out, err)
	}
	// The recipient is the channel owner, whoever calls.
	out, err = h.put(other, ch, ptr("partner-123"), entry("e2", eventData(other, "u2")))
	if err != nil || len(out.Failed) != 1 || *out.Failed[0].ErrorCode != "InvalidRecipient" {
		t.Fatalf("partner naming itself as recipient: %+v, %v", out, err)
	}
	if got := h.members(in(home), activity); len(got) != 1 {
		t.Fatalf("members = %v", got)
	}
}

func TestResourcePolicies(t *testing.T) {
	h := newHarness(t)
	activity := *h.createStore(in(home), "activity", activitySelectors()).EventDataStoreArn
	ch := *h.createChannel("app", activity).ChannelArn
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"%s"},"Action":"cloudtrail-data:PutAuditEvents","Resource":%q}]}`, other, ch)
	_, err := h.h.GetResourcePolicy(in(home), &cloudtrail.GetResourcePolicyRequest{ResourceArn: &ch})
	wantCode(t, err, "ResourcePolicyNotFoundException")
	_, err = h.h.DeleteResourcePolicy(in(home), &cloudtrail.DeleteResourcePolicyRequest{ResourceArn: &ch})
	wantCode(t, err, "ResourcePolicyNotFoundException")
	must[*cloudtrail.PutResourcePolicyResponse](t)(h.h.PutResourcePolicy(in(home), &cloudtrail.PutResourcePolicyRequest{ResourceArn: &ch, ResourcePolicy: &doc}))
	got := must[*cloudtrail.GetResourcePolicyResponse](t)(h.h.GetResourcePolicy(in(home), &cloudtrail.GetResourcePolicyRequest{ResourceArn: &ch}))
	if *got.ResourcePolicy != doc || *got.ResourceArn != ch {
		t.Fatalf("GetResourcePolicy = %+v", got)
	}
	bad := map[string]string{
		"not json": "ResourcePolicyNotValidException",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"cloudtrail:StartQuery","Resource":"` + ch + `"}]}`: "ResourcePolicyNotValidException",
	}
	for d, code := range bad {
		_, err := h.h.PutResourcePolicy(in(home), &cloudtrail.PutResourcePolicyRequest{ResourceArn: &ch, ResourcePolicy: ptr(d)})
		wantCode(t, err, code)
	}
	arns := map[string]string{
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/t":                                      "ResourceTypeNotSupportedException",
		"arn:aws:cloudtrail:us-east-1:123456789012:channel/00000000-0000-4000-8000-999999999999": "ResourceNotFoundException",
		"arn:aws:cloudtrail:us-east-1:123456789012:dashboard/d":                                  "ResourceNotFoundException",
		"not-an-arn": "ResourceARNNotValidException",
	}
	for arn, code := range arns {
		_, err := h.h.PutResourcePolicy(in(home), &cloudtrail.PutResourcePolicyRequest{ResourceArn: ptr(arn), ResourcePolicy: &doc})
		wantCode(t, err, code)
	}
	must[*cloudtrail.DeleteResourcePolicyResponse](t)(h.h.DeleteResourcePolicy(in(home), &cloudtrail.DeleteResourcePolicyRequest{ResourceArn: &ch}))
	_, err = h.h.GetResourcePolicy(in(home), &cloudtrail.GetResourcePolicyRequest{ResourceArn: &ch})
	wantCode(t, err, "ResourcePolicyNotFoundException")
}
