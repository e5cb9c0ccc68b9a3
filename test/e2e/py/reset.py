"""POST /moto-api/reset clears every account's trails and buckets, as moto's
reset does, and the server goes on working afterwards.

Prints what was there before and after; TestBoto3_MotoReset asserts on it.
"""

from cairn_e2e import body, client, emit, error_of, post

ct = client("cloudtrail")
s3 = client("s3")
other = client("cloudtrail", access_key="210987654321", region="eu-west-1")
s3.create_bucket(Bucket="e2e-py-reset")
s3.put_object(Bucket="e2e-py-reset", Key="object", Body=b"x")
ct.create_trail(Name="doomed", S3BucketName="e2e-py-reset", IsMultiRegionTrail=True)
ct.start_logging(Name="doomed")
other.create_trail(Name="doomed-too", S3BucketName="e2e-py-reset")
out = {
    "before": {
        "trails": [t["Name"] for t in ct.list_trails()["Trails"]],
        "other_trails": [t["Name"] for t in other.list_trails()["Trails"]],
        "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
    },
    "reset_status": post("/moto-api/reset"),
}
out["after"] = {
    "trails": [t["Name"] for t in ct.list_trails()["Trails"]],
    "other_trails": [t["Name"] for t in other.list_trails()["Trails"]],
    "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
    "get_trail": error_of(ct.get_trail, Name="doomed"),
    "list_objects": error_of(s3.list_objects_v2, Bucket="e2e-py-reset"),
}
# Everything can be made again, under the same names.
s3.create_bucket(Bucket="e2e-py-reset")
out["recreate"] = body(ct.create_trail(Name="doomed", S3BucketName="e2e-py-reset"))
out["status_after_recreate"] = body(ct.get_trail_status(Name="doomed"))
emit(out)
