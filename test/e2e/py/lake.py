"""CloudTrail Lake through boto3: event data stores, a channel, resource
policies and PutAuditEvents, in the account the environment's access key
selects (the owner) and a partner account.

The last step is a successful put_audit_events; right after it returns the
script kills the server (pid in CAIRN_PID) with SIGKILL, so that the Go test
TestBoto3_Lake can check that every acknowledged event was stored. Prints
{step: observation}, plus "sent" (each entry's eventData by its id).
"""

import base64
import datetime
import hashlib
import json
import os
import signal
import sys

from botocore.exceptions import ClientError

from cairn_e2e import body, client, emit, error_of, fail

OWNER = os.environ["AWS_ACCESS_KEY_ID"]
PARTNER = sys.argv[1]
EXTERNAL_ID = "py-partner-secret"

ct = client("cloudtrail")
data = client("cloudtrail-data")
partner = client("cloudtrail-data", access_key=PARTNER)
out = {}
sent = {}

# An eventTime well inside the stores' retention period.
EVENT_TIME = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_data(uid, recipient=OWNER, drop=(), indent=None):
    document = {
        "version": "1.0",
        "userIdentity": {"type": "CustomUser", "principalId": "alice", "details": {"team": "payments"}},
        "userAgent": "lake.py",
        "eventSource": "app.example.com",
        "eventName": "Login",
        "eventTime": EVENT_TIME,
        "UID": uid,
        "requestParameters": {"mfa": True, "note": "caf\u00e9 \u2713"},
        "sourceIPAddress": "198.51.100.7",
        "recipientAccountId": recipient,
    }
    for key in drop:
        del document[key]
    return json.dumps(document, indent=indent, ensure_ascii=False)


def checksum(text):
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def entry(event_id, event_data_text, event_checksum=None):
    sent[event_id] = event_data_text
    e = {"id": event_id, "eventData": event_data_text}
    if event_checksum is not None:
        e["eventDataChecksum"] = event_checksum
    return e


def put(step, channel, entries, client_=data, **kwargs):
    """Calls put_audit_events, recording the answer or the error under step."""
    out[step] = error_of(client_.put_audit_events, channelArn=channel, auditEvents=entries, **kwargs)
    return out[step]


ACTIVITY_SELECTORS = [{"Name": "activity", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["ActivityAuditLog"]}]}]

# Event data stores: one for events from outside AWS, one with the defaults.
out["create_activity"] = body(ct.create_event_data_store(
    Name="py-activity", AdvancedEventSelectors=ACTIVITY_SELECTORS, TagsList=[{"Key": "team", "Value": "lake"}]))
activity = out["create_activity"]["EventDataStoreArn"]
out["create_management"] = body(ct.create_event_data_store(Name="py-management"))
management = out["create_management"]["EventDataStoreArn"]
out["get_activity"] = body(ct.get_event_data_store(EventDataStore=activity))
out["get_management"] = body(ct.get_event_data_store(EventDataStore=management.rsplit("/", 1)[1]))
out["list_stores"] = body(ct.list_event_data_stores())

# A channel into the activity store, and the ways creating one fails.
destination = [{"Type": "EVENT_DATA_STORE", "Location": activity}]
out["create_channel"] = body(ct.create_channel(
    Name="py-app", Source="Custom", Destinations=destination, Tags=[{"Key": "app", "Value": "py"}]))
channel = out["create_channel"]["ChannelArn"]
channel_id = channel.rsplit("/", 1)[1]
out["channel_to_management"] = error_of(
    ct.create_channel, Name="py-wrong-store", Source="Custom",
    Destinations=[{"Type": "EVENT_DATA_STORE", "Location": management}])
out["channel_duplicate"] = error_of(ct.create_channel, Name="py-app", Source="Custom", Destinations=destination)
out["channel_bad_source"] = error_of(ct.create_channel, Name="py-other", Source="NotAPartner", Destinations=destination)
out["get_channel_new"] = body(ct.get_channel(Channel=channel))
out["list_channels"] = body(ct.list_channels())

# A mixed batch: every entry is judged on its own.
put("put_mixed", channel, [
    entry("good-1", event_data("uid-1"), checksum(event_data("uid-1"))),
    entry("bad-checksum", event_data("uid-2"), checksum(event_data("uid-2") + " ")),
    entry("not-json", "{this is not json"),
    entry("good-2", event_data("uid-3", indent=2)),
    entry("no-uid", event_data("uid-4", drop=("UID",))),
    entry("other-recipient", event_data("uid-5", recipient=PARTNER)),
    entry("good-3", event_data("uid-6")),
])
out["put_duplicate_ids"] = error_of(data.put_audit_events, channelArn=channel, auditEvents=[
    {"id": "twice", "eventData": event_data("uid-7")}, {"id": "twice", "eventData": event_data("uid-8")}])
missing = "arn:aws:cloudtrail:us-east-1:%s:channel/00000000-0000-4000-8000-000000000000" % OWNER
out["put_missing_channel"] = error_of(data.put_audit_events, channelArn=missing,
                                      auditEvents=[{"id": "lost", "eventData": event_data("uid-9")}])
out["put_bad_arn"] = error_of(data.put_audit_events, channelArn="arn:aws:cloudtrail:us-east-1:%s:trail/py-app" % OWNER,
                              auditEvents=[{"id": "lost", "eventData": event_data("uid-9")}])
put("put_by_id", channel_id, [entry("by-id-1", event_data("uid-10"))])

# Another account may put only as the channel's resource policy allows.
partner_event = [entry("partner-1", event_data("uid-11"))]
put("partner_no_policy", channel, partner_event, client_=partner)
policy = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "Partner",
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::%s:root" % PARTNER]},
        "Action": "cloudtrail-data:PutAuditEvents",
        "Resource": channel,
        "Condition": {"StringEquals": {"cloudtrail:ExternalId": EXTERNAL_ID}},
    }],
})
out["put_policy"] = body(ct.put_resource_policy(ResourceArn=channel, ResourcePolicy=policy))
out["policy_sent"] = policy
put("partner_no_external_id", channel, partner_event, client_=partner)
put("partner_wrong_external_id", channel, partner_event, client_=partner, externalId="not-the-secret")
put("partner_by_id", channel_id, partner_event, client_=partner, externalId=EXTERNAL_ID)
put("partner_allowed", channel, partner_event, client_=partner, externalId=EXTERNAL_ID)
out["get_policy"] = body(ct.get_resource_policy(ResourceArn=channel))
out["bad_policy"] = error_of(ct.put_resource_policy, ResourceArn=channel, ResourcePolicy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": "cloudtrail:StartQuery", "Resource": channel}],
}))
out["policy_not_json"] = error_of(ct.put_resource_policy, ResourceArn=channel, ResourcePolicy="{not json")
ct.delete_resource_policy(ResourceArn=channel)
out["get_deleted_policy"] = error_of(ct.get_resource_policy, ResourceArn=channel)
out["delete_deleted_policy"] = error_of(ct.delete_resource_policy, ResourceArn=channel)
put("partner_after_delete", channel, [entry("partner-2", event_data("uid-12"))], client_=partner, externalId=EXTERNAL_ID)

# Tags on the store and the channel.
ct.add_tags(ResourceId=activity, TagsList=[{"Key": "env", "Value": "e2e"}])
ct.add_tags(ResourceId=channel, TagsList=[{"Key": "owner", "Value": "bob"}])
out["list_tags"] = body(ct.list_tags(ResourceIdList=[activity, channel]))

# Ingestion switches on the management store only.
ct.stop_event_data_store_ingestion(EventDataStore=management)
out["get_stopped"] = body(ct.get_event_data_store(EventDataStore=management))
out["stop_stopped"] = error_of(ct.stop_event_data_store_ingestion, EventDataStore=management)
# Made while the management store is stopped: it must not hold this call.
ct.add_tags(ResourceId=management, TagsList=[{"Key": "while-stopped", "Value": "yes"}])
ct.start_event_data_store_ingestion(EventDataStore=management)
out["get_started"] = body(ct.get_event_data_store(EventDataStore=management))
out["stop_activity"] = error_of(ct.stop_event_data_store_ingestion, EventDataStore=activity)

# Deleting: termination protection, channel destinations, restore.
out["delete_protected"] = error_of(ct.delete_event_data_store, EventDataStore=management)
ct.update_event_data_store(EventDataStore=activity, TerminationProtectionEnabled=False)
out["delete_destination"] = error_of(ct.delete_event_data_store, EventDataStore=activity)
out["update_management"] = body(ct.update_event_data_store(EventDataStore=management, TerminationProtectionEnabled=False))
ct.delete_event_data_store(EventDataStore=management)
out["get_deleted"] = body(ct.get_event_data_store(EventDataStore=management))
out["list_with_deleted"] = body(ct.list_event_data_stores())
out["delete_twice"] = error_of(ct.delete_event_data_store, EventDataStore=management)
out["restore"] = body(ct.restore_event_data_store(EventDataStore=management))
out["get_restored"] = body(ct.get_event_data_store(EventDataStore=management))
out["restore_enabled"] = error_of(ct.restore_event_data_store, EventDataStore=management)
out["get_channel_before_last"] = body(ct.get_channel(Channel=channel))

# The last acknowledged put, then SIGKILL.
try:
    out["put_last"] = body(data.put_audit_events(channelArn=channel, auditEvents=[entry("last-1", event_data("uid-13"))]))
except ClientError as err:
    fail("the last put_audit_events failed: %s" % err)
out["sent"] = sent
os.kill(int(os.environ["CAIRN_PID"]), signal.SIGKILL)
emit(out)
