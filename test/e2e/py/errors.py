"""Service errors as boto3 reports them: code and HTTP status.

Prints {step: {"code", "status", "message"}} plus what is left afterwards;
the Go test TestBoto3_Errors asserts on it.
"""

from cairn_e2e import client, emit, error_of

BUCKET = "e2e-py-errors"

s3 = client("s3")
east = client("cloudtrail")
west = client("cloudtrail", region="us-west-2")
eu = client("cloudtrail", region="eu-west-1")
out = {}

s3.create_bucket(Bucket=BUCKET)
# A multi-region trail from us-west-2 counts as a trail in us-east-1 too.
west_arn = west.create_trail(Name="west-everywhere", S3BucketName=BUCKET, IsMultiRegionTrail=True)["TrailARN"]
east.create_trail(Name="full-1", S3BucketName=BUCKET, TagsList=[{"Key": "kept", "Value": "yes"}])
full_1_arn = east.get_trail(Name="full-1")["Trail"]["TrailARN"]

out["create_duplicate"] = error_of(east.create_trail, Name="full-1", S3BucketName=BUCKET)
out["create_bad_name"] = error_of(east.create_trail, Name="-starts-with-a-dash", S3BucketName=BUCKET)
out["create_missing_bucket"] = error_of(east.create_trail, Name="orphan", S3BucketName="e2e-py-no-such-bucket")
out["multi_region_without_global_events"] = error_of(
    east.create_trail, Name="half-global", S3BucketName=BUCKET,
    IsMultiRegionTrail=True, IncludeGlobalServiceEvents=False)
for i in (2, 3, 4):
    east.create_trail(Name="full-%d" % i, S3BucketName=BUCKET)
out["create_sixth"] = error_of(east.create_trail, Name="sixth", S3BucketName=BUCKET)
out["create_multi_region_into_full_region"] = error_of(
    eu.create_trail, Name="eu-everywhere", S3BucketName=BUCKET, IsMultiRegionTrail=True)

out["get_missing"] = error_of(east.get_trail, Name="no-such-trail")
out["status_missing"] = error_of(east.get_trail_status, Name="no-such-trail")
out["get_bad_name"] = error_of(east.get_trail, Name="bad name")
out["insights_not_enabled"] = error_of(east.get_insight_selectors, TrailName="full-1")
out["update_from_other_region"] = error_of(east.update_trail, Name=west_arn, S3KeyPrefix="nope")
out["tags_51"] = error_of(east.add_tags, ResourceId=full_1_arn,
                          TagsList=[{"Key": "k%02d" % i, "Value": "v"} for i in range(51)])
out["event_selectors_bad_read_write_type"] = error_of(
    east.put_event_selectors, TrailName="full-1", EventSelectors=[{"ReadWriteType": "Sometimes"}])
out["event_selectors_bad_data_resource"] = error_of(
    east.put_event_selectors, TrailName="full-1",
    EventSelectors=[{"DataResources": [{"Type": "AWS::Bogus::Thing", "Values": ["arn:aws:bogus"]}]}])
out["lookup_max_results_51"] = error_of(east.lookup_events, MaxResults=51)
# Cairn does not build natural-language query generation.
out["generate_query"] = error_of(
    east.generate_query,
    EventDataStores=["arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/01234567-89ab-cdef-0123-456789abcdef"],
    Prompt="Show me every console sign-in of the last week")

out["names_after"] = [t["Name"] for t in east.list_trails()["Trails"]]
out["tags_after"] = east.list_tags(ResourceIdList=[full_1_arn])["ResourceTagList"][0]["TagsList"]
emit(out)
