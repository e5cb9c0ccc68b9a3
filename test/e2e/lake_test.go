package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cairnhq/cairn/internal/testenv"
)

// The accounts of the CloudTrail Lake tests: each test starts its own server,
// and these accounts are used by no other test.
const (
	lakeOwner   = "246813579024"
	lakePartner = "135792468013"
)

var (
	uuidPattern    = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
	eventIDPattern = regexp.MustCompile(`^` + uuidPattern + `$`)
)

// lakeARN matches the ARN of an event data store or channel of account in
// us-east-1.
func lakeARN(kind, account string) *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws:cloudtrail:us-east-1:` + account + `:` + kind + `/` + uuidPattern + `$`)
}

var (
	activitySelectors = []any{obj{"Name": "activity", "FieldSelectors": []any{
		obj{"Field": "eventCategory", "Equals": []any{"ActivityAuditLog"}},
	}}}
	defaultStoreSelectors = []any{obj{"Name": "Default management events", "FieldSelectors": []any{
		obj{"Field": "eventCategory", "Equals": []any{"Management"}},
	}}}
	// storeDefaults are the settings of a store created without them.
	storeDefaults = obj{
		"MultiRegionEnabled": true, "TerminationProtectionEnabled": true, "RetentionPeriod": 366,
		"BillingMode": "EXTENDABLE_RETENTION_PRICING", "OrganizationEnabled": false,
	}
)

// with returns a copy of base with the fields of more added.
func with(base obj, more obj) obj {
	out := obj{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// str returns got[key] as a string, failing the test if it is not one.
func str(t *testing.T, what string, got obj, key string) string {
	t.Helper()
	s, ok := got[key].(string)
	if !ok {
		t.Fatalf("%s: %s should be a string, got %s", what, key, compact(got))
	}
	return s
}

// wantMatch requires got[key] to be a string that re matches and returns it.
func wantMatch(t *testing.T, what string, got obj, key string, re *regexp.Regexp) string {
	t.Helper()
	s := str(t, what, got, key)
	if !re.MatchString(s) {
		t.Errorf("%s: %s = %q, want a match of %s", what, key, s, re)
	}
	return s
}

// succeeded requires a script's error_of observation of PutAuditEvents to be
// a success and returns the response.
func succeeded(t *testing.T, what string, got obj) obj {
	t.Helper()
	if got["code"] != nil {
		t.Fatalf("%s failed: %s", what, compact(got))
	}
	return object(t, what, got["response"])
}

// putResult checks a PutAuditEvents response: the entries with the ids in
// wantOK succeeded, in that order, each with its own event ID, and the
// others failed with the codes in wantFailed. It returns the event ID of
// each successful entry by its id.
func putResult(t *testing.T, what string, resp obj, wantOK []string, wantFailed map[string]string) map[string]string {
	t.Helper()
	eventIDs := map[string]string{}
	seen := map[string]bool{}
	var ids []string
	for _, raw := range list(t, what, resp, "successful") {
		e := object(t, what+" successful", raw)
		id := str(t, what+" successful", e, "id")
		ids = append(ids, id)
		eventID := wantMatch(t, what+" successful "+id, e, "eventID", eventIDPattern)
		if seen[eventID] {
			t.Errorf("%s: event ID %s is given to two entries", what, eventID)
		}
		seen[eventID] = true
		eventIDs[id] = eventID
	}
	if !slices.Equal(ids, wantOK) {
		t.Errorf("%s: successful ids %v, want %v", what, ids, wantOK)
	}
	failed := map[string]string{}
	for _, raw := range list(t, what, resp, "failed") {
		e := object(t, what+" failed", raw)
		id := str(t, what+" failed", e, "id")
		failed[id] = str(t, what+" failed "+id, e, "errorCode")
		if msg, _ := e["errorMessage"].(string); msg == "" {
			t.Errorf("%s: failed entry %s has no errorMessage: %s", what, id, compact(e))
		}
	}
	if wantFailed == nil {
		wantFailed = map[string]string{}
	}
	if !jsonEqual(failed, wantFailed) {
		t.Errorf("%s: failed entries %v, want %v", what, failed, wantFailed)
	}
	return eventIDs
}

// storesByName indexes a ListEventDataStores answer by store name.
func storesByName(t *testing.T, what string, got obj) map[string]obj {
	t.Helper()
	out := map[string]obj{}
	for _, raw := range list(t, what, got, "EventDataStores") {
		s := object(t, what, raw)
		out[str(t, what, s, "Name")] = s
	}
	return out
}

// decodeRecords decodes the records EventDataStoreEvents returned.
func decodeRecords(t *testing.T, raw [][]byte) []obj {
	t.Helper()
	out := make([]obj, 0, len(raw))
	for _, r := range raw {
		var rec obj
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatalf("a stored record is not a JSON object: %v\n%s", err, r)
		}
		out = append(out, rec)
	}
	return out
}

// wantAuditRecords requires records to be exactly the events PutAuditEvents
// acknowledged (sent holds each eventData by event ID), as CloudTrail Lake
// stores events from outside AWS: the header it fills in, then eventData
// as sent.
func wantAuditRecords(t *testing.T, records []obj, sent map[string]string, account, channel string, since time.Time) {
	t.Helper()
	var got []string
	for _, rec := range records {
		eventID, _ := rec["eventID"].(string)
		got = append(got, eventID)
		what := "stored record " + eventID
		data, ok := sent[eventID]
		if !ok {
			t.Errorf("%s was never acknowledged: %s", what, compact(rec))
			continue
		}
		var wantData obj
		if err := json.Unmarshal([]byte(data), &wantData); err != nil {
			t.Fatalf("the eventData sent for %s is not JSON: %v", eventID, err)
		}
		wantFields(t, what, rec, obj{
			"eventVersion": "1.0", "eventCategory": "ActivityAuditLog", "eventType": "ActivityLog",
			"awsRegion": "us-east-1", "recipientAccountId": account, "eventTime": wantData["eventTime"],
			"eventData": wantData,
		})
		meta := object(t, what+" metadata", rec["metadata"])
		wantFields(t, what+" metadata", meta, obj{"channelARN": channel})
		ingested, err := time.Parse(time.RFC3339, fmt.Sprint(meta["ingestionTime"]))
		if err != nil {
			t.Errorf("%s: metadata.ingestionTime %v is not an RFC 3339 time", what, meta["ingestionTime"])
		} else {
			recent(t, what+" metadata.ingestionTime", ingested, since)
		}
	}
	want := slices.Sorted(maps.Keys(sent))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the store holds events %v, want exactly the acknowledged %v", got, want)
	}
}

// lakeServer starts cairn on a fresh data directory and returns it with
// that directory and the time the test started (to the second).
func lakeServer(t *testing.T) (*server, string, time.Time) {
	t.Helper()
	dataDir := filepath.Join(t.TempDir(), "data")
	return startServer(t, withDataDir(dataDir)), dataDir, time.Now().Truncate(time.Second)
}

// storeRecords reads what an event data store of lakeOwner in us-east-1
// holds, from a server running in-process.
func storeRecords(t *testing.T, srv *testenv.Server, store string) ([][]byte, []obj) {
	t.Helper()
	raw, err := srv.EventDataStoreEvents(context.Background(), lakeOwner, "us-east-1", store)
	if err != nil {
		t.Fatalf("reading event data store %s: %v", store, err)
	}
	return raw, decodeRecords(t, raw)
}

// sentEvents maps the event ID of each acknowledged entry (puts hold event
// IDs by entry id, as putResult returns them) to the eventData a script
// sent, which it reports in "sent" by entry id.
func sentEvents(t *testing.T, out obj, puts ...map[string]string) map[string]string {
	t.Helper()
	byID := object(t, "sent", out["sent"])
	sent := map[string]string{}
	for _, ids := range puts {
		for id, eventID := range ids {
			data, ok := byID[id].(string)
			if !ok {
				t.Fatalf("the script did not report the eventData of %s", id)
			}
			sent[eventID] = data
		}
	}
	return sent
}

// TestBoto3_Lake drives event data stores, a channel, resource policies and
// PutAuditEvents with boto3, kills the server with SIGKILL right after the
// last acknowledged put, and reads the activity store back from the data
// directory: it must hold exactly the acknowledged events.
func TestBoto3_Lake(t *testing.T) {
	t.Parallel()
	python.require(t)
	srv, dataDir, start := lakeServer(t)
	var out obj
	srv.open(t, lakeOwner).withEnv("CAIRN_PID="+strconv.Itoa(srv.Pid())).pythonJSON(&out, "lake.py", lakePartner)
	srv.awaitKilled()

	// Event data stores.
	created := step(t, out, "create_activity")
	activity := wantMatch(t, "create_event_data_store (activity)", created, "EventDataStoreArn", lakeARN("eventdatastore", lakeOwner))
	wantFields(t, "create_event_data_store (activity)", created, with(storeDefaults, obj{
		"Name": "py-activity", "Status": "CREATED", "AdvancedEventSelectors": activitySelectors,
		"TagsList": []any{obj{"Key": "team", "Value": "lake"}},
	}))
	recent(t, "CreatedTimestamp", pyTime(t, "CreatedTimestamp", created["CreatedTimestamp"]), start)
	created = step(t, out, "create_management")
	management := wantMatch(t, "create_event_data_store (defaults)", created, "EventDataStoreArn", lakeARN("eventdatastore", lakeOwner))
	wantFields(t, "create_event_data_store (defaults)", created, with(storeDefaults, obj{
		"Name": "py-management", "Status": "CREATED", "AdvancedEventSelectors": defaultStoreSelectors, "TagsList": []any{},
	}))
	wantFields(t, "get_event_data_store (activity)", step(t, out, "get_activity"), with(storeDefaults, obj{
		"EventDataStoreArn": activity, "Name": "py-activity", "Status": "ENABLED", "FederationStatus": "DISABLED",
		"AdvancedEventSelectors": activitySelectors,
	}))
	wantFields(t, "get_event_data_store (defaults, by ID)", step(t, out, "get_management"), with(storeDefaults, obj{
		"EventDataStoreArn": management, "Name": "py-management", "Status": "ENABLED",
		"AdvancedEventSelectors": defaultStoreSelectors,
	}))
	listed := storesByName(t, "list_event_data_stores", step(t, out, "list_stores"))
	if len(listed) != 2 {
		t.Errorf("list_event_data_stores = %s, want the two stores", compact(step(t, out, "list_stores")))
	}
	// The list's EventDataStore shape has no BillingMode.
	listDefaults := with(storeDefaults, nil)
	delete(listDefaults, "BillingMode")
	wantFields(t, "list_event_data_stores py-activity", listed["py-activity"], with(listDefaults, obj{
		"EventDataStoreArn": activity, "Status": "ENABLED", "AdvancedEventSelectors": activitySelectors,
	}))
	wantFields(t, "list_event_data_stores py-management", listed["py-management"], with(listDefaults, obj{
		"EventDataStoreArn": management, "Status": "ENABLED", "AdvancedEventSelectors": defaultStoreSelectors,
	}))

	// The channel.
	createdChannel := step(t, out, "create_channel")
	channel := wantMatch(t, "create_channel", createdChannel, "ChannelArn", lakeARN("channel", lakeOwner))
	destinations := []any{obj{"Type": "EVENT_DATA_STORE", "Location": activity}}
	wantFields(t, "create_channel", createdChannel, obj{
		"Name": "py-app", "Source": "Custom", "Destinations": destinations, "Tags": []any{obj{"Key": "app", "Value": "py"}},
	})
	wrongStore := step(t, out, "channel_to_management")
	wantError(t, "create_channel into the management store", wrongStore, "InvalidEventDataStoreCategoryException", 400)
	if msg := fmt.Sprint(wrongStore["message"]); !strings.Contains(msg, management) {
		t.Errorf("the InvalidEventDataStoreCategoryException message %q should name the management store %s", msg, management)
	}
	wantError(t, "create_channel with a taken name", step(t, out, "channel_duplicate"), "ChannelAlreadyExistsException", 400)
	wantError(t, "create_channel with an unknown source", step(t, out, "channel_bad_source"), "InvalidSourceException", 400)
	wantFields(t, "get_channel", step(t, out, "get_channel_new"), obj{
		"ChannelArn": channel, "Name": "py-app", "Source": "Custom", "Destinations": destinations,
	})
	wantAbsent(t, "get_channel before any put", step(t, out, "get_channel_new"), "IngestionStatus")
	wantFields(t, "list_channels", only(t, "list_channels", step(t, out, "list_channels"), "Channels"), obj{"ChannelArn": channel, "Name": "py-app"})

	// PutAuditEvents from the owner.
	mixed := putResult(t, "put_audit_events (mixed batch)", succeeded(t, "put_audit_events (mixed batch)", step(t, out, "put_mixed")),
		[]string{"good-1", "good-2", "good-3"}, map[string]string{
			"bad-checksum": "InvalidChecksum", "not-json": "InvalidData", "no-uid": "FieldNotFound", "other-recipient": "InvalidRecipient",
		})
	wantError(t, "put_audit_events with a repeated id", step(t, out, "put_duplicate_ids"), "DuplicatedAuditEventId", 400)
	wantError(t, "put_audit_events to a missing channel", step(t, out, "put_missing_channel"), "ChannelNotFound", 400)
	wantError(t, "put_audit_events to a trail ARN", step(t, out, "put_bad_arn"), "InvalidChannelARN", 400)
	byID := putResult(t, "put_audit_events by channel ID", succeeded(t, "put_audit_events by channel ID", step(t, out, "put_by_id")),
		[]string{"by-id-1"}, nil)

	// Another account, and the channel's resource policy.
	wantError(t, "partner put without a policy", step(t, out, "partner_no_policy"), "ChannelInsufficientPermission", 400)
	policy := fmt.Sprint(out["policy_sent"])
	wantFields(t, "put_resource_policy", step(t, out, "put_policy"), obj{"ResourceArn": channel, "ResourcePolicy": policy})
	wantError(t, "partner put without externalId", step(t, out, "partner_no_external_id"), "ChannelInsufficientPermission", 400)
	wantError(t, "partner put with a wrong externalId", step(t, out, "partner_wrong_external_id"), "ChannelInsufficientPermission", 400)
	wantError(t, "partner put by channel ID (names a channel of its own account)", step(t, out, "partner_by_id"), "ChannelNotFound", 400)
	partnerIDs := putResult(t, "partner put with the externalId", succeeded(t, "partner put with the externalId", step(t, out, "partner_allowed")),
		[]string{"partner-1"}, nil)
	wantFields(t, "get_resource_policy", step(t, out, "get_policy"), obj{"ResourceArn": channel, "ResourcePolicy": policy})
	wantError(t, "put_resource_policy with a query action on a channel", step(t, out, "bad_policy"), "ResourcePolicyNotValidException", 400)
	wantError(t, "put_resource_policy with a policy that is not JSON", step(t, out, "policy_not_json"), "ResourcePolicyNotValidException", 400)
	wantError(t, "get_resource_policy after delete_resource_policy", step(t, out, "get_deleted_policy"), "ResourcePolicyNotFoundException", 404)
	wantError(t, "delete_resource_policy twice", step(t, out, "delete_deleted_policy"), "ResourcePolicyNotFoundException", 404)
	wantError(t, "partner put after the policy was deleted", step(t, out, "partner_after_delete"), "ChannelInsufficientPermission", 400)

	// Tags.
	tagLists := list(t, "list_tags", step(t, out, "list_tags"), "ResourceTagList")
	wantTags := map[string]map[string]string{activity: {"team": "lake", "env": "e2e"}, channel: {"app": "py", "owner": "bob"}}
	if len(tagLists) != len(wantTags) {
		t.Errorf("list_tags = %s, want the store's and the channel's tags", compact(tagLists))
	}
	for _, raw := range tagLists {
		res := object(t, "list_tags", raw)
		id := str(t, "list_tags", res, "ResourceId")
		if got := tagMap(t, "list_tags", list(t, "list_tags", res, "TagsList")); !jsonEqual(got, wantTags[id]) {
			t.Errorf("tags of %s = %v, want %v", id, got, wantTags[id])
		}
	}

	// Ingestion switches.
	wantFields(t, "get_event_data_store after stop_event_data_store_ingestion", step(t, out, "get_stopped"), obj{"Status": "STOPPED_INGESTION"})
	wantError(t, "stop_event_data_store_ingestion twice", step(t, out, "stop_stopped"), "InvalidEventDataStoreStatusException", 400)
	wantFields(t, "get_event_data_store after start_event_data_store_ingestion", step(t, out, "get_started"), obj{"Status": "ENABLED"})
	wantError(t, "stop_event_data_store_ingestion of the activity store", step(t, out, "stop_activity"), "InvalidEventDataStoreCategoryException", 400)

	// Deletion.
	wantError(t, "delete_event_data_store with termination protection", step(t, out, "delete_protected"), "EventDataStoreTerminationProtectedException", 400)
	destination := step(t, out, "delete_destination")
	wantError(t, "delete_event_data_store of a channel's destination", destination, "ChannelExistsForEDSException", 400)
	if msg := fmt.Sprint(destination["message"]); !strings.Contains(msg, channel) {
		t.Errorf("the ChannelExistsForEDSException message %q should name the channel %s", msg, channel)
	}
	wantFields(t, "update_event_data_store", step(t, out, "update_management"), obj{
		"EventDataStoreArn": management, "Status": "ENABLED", "TerminationProtectionEnabled": false,
	})
	wantFields(t, "get_event_data_store after delete", step(t, out, "get_deleted"), obj{"Status": "PENDING_DELETION"})
	wantFields(t, "list_event_data_stores after delete", storesByName(t, "list_event_data_stores", step(t, out, "list_with_deleted"))["py-management"],
		obj{"Status": "PENDING_DELETION", "EventDataStoreArn": management})
	wantError(t, "delete_event_data_store twice", step(t, out, "delete_twice"), "InactiveEventDataStoreException", 400)
	wantFields(t, "restore_event_data_store", step(t, out, "restore"), obj{"EventDataStoreArn": management, "Status": "ENABLED"})
	wantFields(t, "get_event_data_store after restore", step(t, out, "get_restored"), obj{"Status": "ENABLED"})
	wantError(t, "restore_event_data_store of an enabled store", step(t, out, "restore_enabled"), "InvalidEventDataStoreStatusException", 400)

	// The channel's latest ingestion: the partner's put was the last to
	// succeed before it.
	status := object(t, "IngestionStatus", step(t, out, "get_channel_before_last")["IngestionStatus"])
	wantFields(t, "get_channel IngestionStatus", status, obj{
		"LatestIngestionSuccessEventID": partnerIDs["partner-1"], "LatestIngestionAttemptEventID": partnerIDs["partner-1"],
	})
	wantAbsent(t, "get_channel IngestionStatus", status, "LatestIngestionErrorCode")
	last := putResult(t, "the last put_audit_events", step(t, out, "put_last"), []string{"last-1"}, nil)

	// What the activity store holds after the SIGKILL.
	reopened := testenv.Start(t, testenv.WithDataDir(dataDir))
	_, records := storeRecords(t, reopened, activity)
	wantAuditRecords(t, records, sentEvents(t, out, mixed, byID, partnerIDs, last), lakeOwner, channel, start)

	// The management store holds the owner's management events while it
	// was ingesting: no channel events, no data events, nothing from while
	// ingestion was stopped.
	raw, records := storeRecords(t, reopened, management)
	names := map[string]int{}
	for i, rec := range records {
		names[fmt.Sprint(rec["eventName"])]++
		if rec["eventCategory"] != "Management" || rec["recipientAccountId"] != lakeOwner {
			t.Errorf("the management store holds %s", raw[i])
		}
		if strings.Contains(string(raw[i]), "while-stopped") {
			t.Errorf("the management store holds a call made while its ingestion was stopped: %s", raw[i])
		}
	}
	if names["CreateChannel"] == 0 || names["AddTags"] != 2 || names["PutAuditEvents"] != 0 {
		t.Errorf("management store events by name = %v, want CreateChannel, the two AddTags made while it was ingesting, no PutAuditEvents", names)
	}
}

// TestJS_Lake puts good and bad events through a channel with the AWS SDK
// for JavaScript v2 and checks the answers, the channel's ingestion status,
// the lists, and, after a clean stop, what the store holds.
func TestJS_Lake(t *testing.T) {
	t.Parallel()
	node.require(t)
	srv, dataDir, start := lakeServer(t)
	var out obj
	srv.open(t, lakeOwner).node("lake.js").decode(t, &out)

	store := wantMatch(t, "createEventDataStore", step(t, out, "createStore"), "EventDataStoreArn", lakeARN("eventdatastore", lakeOwner))
	selectors := []any{obj{"Name": "from the app", "FieldSelectors": []any{
		obj{"Field": "eventCategory", "Equals": []any{"ActivityAuditLog"}},
	}}}
	settings := obj{
		"Name": "js-activity", "AdvancedEventSelectors": selectors, "RetentionPeriod": 90,
		"TerminationProtectionEnabled": false, "MultiRegionEnabled": true,
	}
	wantFields(t, "createEventDataStore", step(t, out, "createStore"), with(settings, obj{"Status": "CREATED"}))
	wantFields(t, "getEventDataStore", step(t, out, "getStore"), with(settings, obj{"EventDataStoreArn": store, "Status": "ENABLED"}))
	wantFields(t, "listEventDataStores", only(t, "listEventDataStores", step(t, out, "listStores"), "EventDataStores"),
		with(settings, obj{"EventDataStoreArn": store, "Status": "ENABLED"}))

	channel := wantMatch(t, "createChannel", step(t, out, "createChannel"), "ChannelArn", lakeARN("channel", lakeOwner))
	destinations := []any{obj{"Type": "EVENT_DATA_STORE", "Location": store}}
	wantFields(t, "createChannel", step(t, out, "createChannel"), obj{"Name": "js-app", "Source": "Custom", "Destinations": destinations})
	wantFields(t, "getChannel", step(t, out, "getChannelNew"), obj{"ChannelArn": channel, "Name": "js-app", "Source": "Custom", "Destinations": destinations})
	wantAbsent(t, "getChannel before any put", step(t, out, "getChannelNew"), "IngestionStatus")
	wantFields(t, "listChannels", only(t, "listChannels", step(t, out, "listChannels"), "Channels"), obj{"ChannelArn": channel, "Name": "js-app"})

	first := putResult(t, "putAuditEvents", step(t, out, "put"), []string{"good-1", "good-2"}, map[string]string{
		"bad-checksum": "InvalidChecksum", "too-long": "FieldTooLong", "bad-time": "InvalidData",
	})
	// The batch ended with a failure: the latest attempt is that event, the
	// latest success good-2, the latest error code the failure's.
	status := object(t, "IngestionStatus", step(t, out, "getChannel")["IngestionStatus"])
	wantFields(t, "getChannel IngestionStatus after the mixed batch", status, obj{
		"LatestIngestionSuccessEventID": first["good-2"], "LatestIngestionErrorCode": "InvalidData",
	})
	attempt := wantMatch(t, "getChannel IngestionStatus", status, "LatestIngestionAttemptEventID", eventIDPattern)
	if attempt == first["good-1"] || attempt == first["good-2"] {
		t.Errorf("LatestIngestionAttemptEventID %s is a successful event's, want the failed last entry's", attempt)
	}
	recent(t, "LatestIngestionSuccessTime", pyTime(t, "LatestIngestionSuccessTime", status["LatestIngestionSuccessTime"]), start)
	recent(t, "LatestIngestionAttemptTime", pyTime(t, "LatestIngestionAttemptTime", status["LatestIngestionAttemptTime"]), start)

	second := putResult(t, "putAuditEvents (one good event)", step(t, out, "putAgain"), []string{"good-3"}, nil)
	status = object(t, "IngestionStatus", step(t, out, "getChannelAgain")["IngestionStatus"])
	wantFields(t, "getChannel IngestionStatus after a clean put", status, obj{
		"LatestIngestionSuccessEventID": second["good-3"], "LatestIngestionAttemptEventID": second["good-3"],
	})
	wantAbsent(t, "getChannel IngestionStatus after a clean put", status, "LatestIngestionErrorCode")

	wantError(t, "putAuditEvents to a missing channel", step(t, out, "putMissing"), "ChannelNotFound", 400)
	wantError(t, "putAuditEvents with a repeated id", step(t, out, "putDuplicate"), "DuplicatedAuditEventId", 400)

	// A clean stop keeps the events and the channel's ingestion status.
	srv.stop()
	reopened := testenv.Start(t, testenv.WithDataDir(dataDir))
	_, records := storeRecords(t, reopened, store)
	wantAuditRecords(t, records, sentEvents(t, out, first, second), lakeOwner, channel, start)
	got, err := reopened.CloudTrail(lakeOwner, "us-east-1").GetChannel(context.Background(), &cloudtrail.GetChannelInput{Channel: &channel})
	if err != nil {
		t.Fatalf("GetChannel after the restart: %v", err)
	}
	if st := got.IngestionStatus; st == nil || aws.ToString(st.LatestIngestionSuccessEventID) != second["good-3"] ||
		aws.ToString(st.LatestIngestionAttemptEventID) != second["good-3"] || st.LatestIngestionErrorCode != nil {
		t.Errorf("IngestionStatus after a SIGTERM restart = %s, want good-3's event ID %s as the latest success and attempt", compact(st), second["good-3"])
	}
}

// cliEventData is an eventData document for account with the given UID.
func cliEventData(account, uid string) string {
	doc, _ := json.Marshal(obj{
		"version":             "1.0",
		"userIdentity":        obj{"type": "CustomUser", "principalId": "carol"},
		"eventSource":         "cli.example.com",
		"eventName":           "Deploy",
		"eventTime":           time.Now().UTC().Add(-5 * time.Minute).Format("2006-01-02T15:04:05Z"),
		"UID":                 uid,
		"additionalEventData": obj{"shell": "bash", "args": []any{"--force", "ü"}},
		"recipientAccountId":  account,
	})
	return string(doc)
}

// TestCLI_Lake creates an event data store and a channel with
// `aws cloudtrail` and puts events from a file with
// `aws cloudtrail-data put-audit-events`.
func TestCLI_Lake(t *testing.T) {
	t.Parallel()
	awsCLI.require(t)
	srv, dataDir, start := lakeServer(t)
	cli := srv.open(t, lakeOwner)

	var out obj
	cli.awsJSON(&out, "cloudtrail", "create-event-data-store", "--name", "cli-activity",
		"--advanced-event-selectors", compact(activitySelectors), "--no-multi-region-enabled",
		"--tags-list", "Key=via,Value=cli")
	store := wantMatch(t, "create-event-data-store", out, "EventDataStoreArn", lakeARN("eventdatastore", lakeOwner))
	wantFields(t, "create-event-data-store", out, obj{
		"Name": "cli-activity", "Status": "CREATED", "AdvancedEventSelectors": activitySelectors,
		"MultiRegionEnabled": false, "TerminationProtectionEnabled": true, "RetentionPeriod": 366,
		"TagsList": []any{obj{"Key": "via", "Value": "cli"}},
	})

	cli.awsJSON(&out, "cloudtrail", "create-channel", "--name", "cli-app", "--source", "Custom",
		"--destinations", "Type=EVENT_DATA_STORE,Location="+store)
	channel := wantMatch(t, "create-channel", out, "ChannelArn", lakeARN("channel", lakeOwner))
	wantFields(t, "create-channel", out, obj{
		"Name": "cli-app", "Source": "Custom", "Destinations": []any{obj{"Type": "EVENT_DATA_STORE", "Location": store}},
	})

	good1, good2 := cliEventData(lakeOwner, "cli-1"), cliEventData(lakeOwner, "cli-2")
	entries := []any{
		obj{"id": "cli-good-1", "eventData": good1},
		obj{"id": "cli-wrong-account", "eventData": cliEventData(lakePartner, "cli-3")},
		obj{"id": "cli-good-2", "eventData": good2},
	}
	file := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(file, []byte(compact(entries)), 0o600); err != nil {
		t.Fatal(err)
	}
	cli.awsJSON(&out, "cloudtrail-data", "put-audit-events", "--channel-arn", channel, "--audit-events", "file://"+file)
	ids := putResult(t, "put-audit-events", out, []string{"cli-good-1", "cli-good-2"}, map[string]string{"cli-wrong-account": "InvalidRecipient"})

	cli.awsJSON(&out, "cloudtrail", "get-channel", "--channel", channel)
	wantFields(t, "get-channel IngestionStatus", object(t, "IngestionStatus", out["IngestionStatus"]), obj{
		"LatestIngestionSuccessEventID": ids["cli-good-2"], "LatestIngestionAttemptEventID": ids["cli-good-2"],
		"LatestIngestionErrorCode": "InvalidRecipient",
	})

	r := cli.awsFails("ChannelNotFound", "cloudtrail-data", "put-audit-events",
		"--channel-arn", "arn:aws:cloudtrail:us-east-1:"+lakeOwner+":channel/00000000-0000-4000-8000-000000000000",
		"--audit-events", "file://"+file)
	if !strings.Contains(r.Stderr, "PutAuditEvents operation") {
		t.Errorf("the CLI should name the PutAuditEvents operation:\n%s", r)
	}
	// Termination protection is on unless turned off.
	cli.awsFails("EventDataStoreTerminationProtectedException", "cloudtrail", "delete-event-data-store", "--event-data-store", store)

	srv.stop()
	_, records := storeRecords(t, testenv.Start(t, testenv.WithDataDir(dataDir)), store)
	wantAuditRecords(t, records, map[string]string{ids["cli-good-1"]: good1, ids["cli-good-2"]: good2}, lakeOwner, channel, start)
}
