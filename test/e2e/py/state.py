"""Builds a varied state, or dumps everything the clients can see of it.

  state.py setup   buckets, objects, trails, tags, selectors, logging, in two
                   regions and two accounts
  state.py crash   a few acknowledged writes, then SIGKILL to the server
                   (pid in CAIRN_PID) right after the last CreateTrail returns
  state.py dump    prints everything visible, as JSON

TestPersistence_* compare dumps taken before and after restarts.
"""

import hashlib
import os
import signal
import sys

from botocore.exceptions import ClientError

from cairn_e2e import body, client, emit, error_of, fail

ACCOUNTS = ("123456789012", "111111111111")
REGIONS = ("us-east-1", "us-west-2")


def setup():
    s3 = client("s3")
    s3.create_bucket(Bucket="e2e-persist")
    s3.put_object(Bucket="e2e-persist", Key="kept/object.txt", Body=b"still here after a restart",
                  Metadata={"written-by": "state.py"})
    ct = client("cloudtrail")
    ct.create_trail(Name="kept-trail", S3BucketName="e2e-persist", S3KeyPrefix="kept",
                    IsMultiRegionTrail=True, EnableLogFileValidation=True,
                    TagsList=[{"Key": "survives", "Value": "restart"}])
    ct.add_tags(ResourceId=ct.get_trail(Name="kept-trail")["Trail"]["TrailARN"],
                TagsList=[{"Key": "second", "Value": "tag"}])
    ct.put_event_selectors(TrailName="kept-trail", AdvancedEventSelectors=[
        {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
    ])
    ct.put_insight_selectors(TrailName="kept-trail", InsightSelectors=[{"InsightType": "ApiCallRateInsight"}])
    ct.start_logging(Name="kept-trail")
    west = client("cloudtrail", region="us-west-2")
    west.create_trail(Name="west-trail", S3BucketName="e2e-persist")
    west.put_event_selectors(TrailName="west-trail", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    west.start_logging(Name="west-trail")
    west.stop_logging(Name="west-trail")
    client("s3", access_key="111111111111").create_bucket(Bucket="e2e-persist-other")
    client("cloudtrail", access_key="111111111111").create_trail(
        Name="other-account-trail", S3BucketName="e2e-persist-other")
    emit({"ok": True})


def crash():
    pid = int(os.environ["CAIRN_PID"])
    s3 = client("s3")
    ct = client("cloudtrail")
    s3.create_bucket(Bucket="e2e-crash")
    s3.put_object(Bucket="e2e-crash", Key="acknowledged", Body=b"written before the crash")
    ct.create_trail(Name="first-trail", S3BucketName="e2e-crash", TagsList=[{"Key": "k", "Value": "v"}])
    ct.start_logging(Name="first-trail")
    ct.create_trail(Name="last-trail", S3BucketName="e2e-crash", IsMultiRegionTrail=True)
    os.kill(pid, signal.SIGKILL)
    emit({"killed": pid})


def trail_state(ct, trail):
    arn = trail["TrailARN"]
    state = {"trail": trail, "status": body(ct.get_trail_status(Name=arn))}
    if trail.get("HomeRegion") == ct.meta.region_name:
        state["event_selectors"] = body(ct.get_event_selectors(TrailName=arn))
        state["insight_selectors"] = error_of(ct.get_insight_selectors, TrailName=arn) \
            if not trail.get("HasInsightSelectors") else body(ct.get_insight_selectors(TrailName=arn))
        state["tags"] = body(ct.list_tags(ResourceIdList=[arn]))
    return state


def dump():
    out = {}
    for account in ACCOUNTS:
        s3 = client("s3", access_key=account)
        buckets = {}
        for bucket in s3.list_buckets()["Buckets"]:
            objects = {}
            for o in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
                got = s3.get_object(Bucket=bucket["Name"], Key=o["Key"])
                data = got["Body"].read()
                objects[o["Key"]] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                                     "metadata": got["Metadata"], "etag": got["ETag"]}
            buckets[bucket["Name"]] = objects
        out[account] = {"buckets": buckets}
        for region in REGIONS:
            ct = client("cloudtrail", access_key=account, region=region)
            trails = ct.describe_trails()["trailList"]
            out[account][region] = {t["Name"]: trail_state(ct, t) for t in trails}
    out["public_keys"] = body(client("cloudtrail").list_public_keys())
    emit(out)


try:
    {"setup": setup, "crash": crash, "dump": dump}[sys.argv[1]]()
except ClientError as err:
    fail("%s: %s" % (sys.argv[1], err))
