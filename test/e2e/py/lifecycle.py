"""A trail's whole life through boto3 client calls.

Prints {step: observation}; the Go test TestBoto3_TrailLifecycle asserts on
it.
"""

from cairn_e2e import body, client, emit, error_of

BUCKET = "e2e-py-trails"

s3 = client("s3")
ct = client("cloudtrail")
west = client("cloudtrail", region="us-west-2")
out = {}

s3.create_bucket(Bucket=BUCKET)
out["create"] = body(ct.create_trail(
    Name="py-trail",
    S3BucketName=BUCKET,
    S3KeyPrefix="boto",
    IsMultiRegionTrail=True,
    EnableLogFileValidation=True,
    TagsList=[{"Key": "stage", "Value": "e2e"}],
))
arn = out["create"]["TrailARN"]
out["get"] = body(ct.get_trail(Name="py-trail"))
out["describe_by_name"] = body(ct.describe_trails(trailNameList=["py-trail"]))
out["describe_west"] = body(west.describe_trails())
out["describe_west_no_shadows"] = body(west.describe_trails(includeShadowTrails=False))
out["status_west_shadow"] = body(west.get_trail_status(Name=arn))
out["start_logging_west"] = error_of(west.start_logging, Name=arn)
out["delete_west"] = error_of(west.delete_trail, Name=arn)

out["status_new"] = body(ct.get_trail_status(Name="py-trail"))
ct.start_logging(Name=arn)
out["status_started"] = body(ct.get_trail_status(Name="py-trail"))
ct.stop_logging(Name="py-trail")
out["status_stopped"] = body(ct.get_trail_status(Name=arn))

out["default_selectors"] = body(ct.get_event_selectors(TrailName="py-trail"))
out["put_basic"] = body(ct.put_event_selectors(TrailName="py-trail", EventSelectors=[{
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}],
    "ExcludeManagementEventSources": ["kms.amazonaws.com"],
}]))
out["get_basic"] = body(ct.get_event_selectors(TrailName="py-trail"))
out["put_advanced"] = body(ct.put_event_selectors(TrailName=arn, AdvancedEventSelectors=[
    {"Name": "management", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]},
    ]},
    {"Name": "bucket objects", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::" + BUCKET + "/"]},
    ]},
]))
out["get_advanced"] = body(ct.get_event_selectors(TrailName="py-trail"))
out["put_insights"] = body(ct.put_insight_selectors(
    TrailName="py-trail", InsightSelectors=[{"InsightType": "ApiErrorRateInsight"}]))
out["get_insights"] = body(ct.get_insight_selectors(TrailName=arn))
out["get_after_selectors"] = body(ct.get_trail(Name=arn))

ct.add_tags(ResourceId=arn, TagsList=[{"Key": "owner", "Value": "alice"}, {"Key": "cost-center", "Value": "42"}])
# Adding a key again replaces its value.
ct.add_tags(ResourceId=arn, TagsList=[{"Key": "owner", "Value": "bob"}])
ct.remove_tags(ResourceId=arn, TagsList=[{"Key": "stage"}])
out["list_tags"] = body(ct.list_tags(ResourceIdList=[arn]))

out["public_keys"] = body(ct.list_public_keys())
out["lookup"] = body(ct.lookup_events(
    LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateTrail"}], MaxResults=10))

out["update"] = body(ct.update_trail(Name="py-trail", S3KeyPrefix="boto-v2", EnableLogFileValidation=False))
out["get_updated"] = body(ct.get_trail(Name="py-trail"))
out["update_missing_bucket"] = error_of(ct.update_trail, Name="py-trail", S3BucketName="e2e-py-no-such-bucket")
# An empty list turns Insights off again.
ct.put_insight_selectors(TrailName="py-trail", InsightSelectors=[])
out["insights_off"] = error_of(ct.get_insight_selectors, TrailName="py-trail")
out["get_insights_off"] = body(ct.get_trail(Name="py-trail"))

out["list_trails"] = [
    trail
    for page in ct.get_paginator("list_trails").paginate()
    for trail in page["Trails"]
]

ct.delete_trail(Name=arn)
out["get_deleted"] = error_of(ct.get_trail, Name="py-trail")
out["describe_deleted"] = body(ct.describe_trails())
out["describe_west_deleted"] = body(west.describe_trails())
emit(out)
