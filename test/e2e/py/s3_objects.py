"""The built-in bucket store through boto3's S3 client (path-style
addressing): objects with metadata, listing, deletion and missing keys.

Prints what it observed; TestBoto3_S3Objects asserts on it.
"""

from cairn_e2e import body, client, emit, error_of

s3 = client("s3")
out = {}
payload = bytes(range(256)) * 64 + b"tail"

out["create_bucket"] = s3.create_bucket(Bucket="e2e-py-objects")["ResponseMetadata"]["HTTPStatusCode"]
out["put"] = body(s3.put_object(
    Bucket="e2e-py-objects", Key="reports/2026/summary.bin", Body=payload,
    ContentType="application/octet-stream",
    Metadata={"origin": "boto3", "run-id": "e2e-42"}))
s3.put_object(Bucket="e2e-py-objects", Key="reports/readme.txt", Body=b"hello")
got = s3.get_object(Bucket="e2e-py-objects", Key="reports/2026/summary.bin")
data = got["Body"].read()
out["get"] = {
    "same_bytes": data == payload,
    "length": len(data),
    "ContentLength": got["ContentLength"],
    "ContentType": got["ContentType"],
    "Metadata": got["Metadata"],
    "ETag": got["ETag"],
}
head = s3.head_object(Bucket="e2e-py-objects", Key="reports/2026/summary.bin")
out["head"] = {"Metadata": head["Metadata"], "ContentLength": head["ContentLength"], "ETag": head["ETag"]}
listing = s3.list_objects_v2(Bucket="e2e-py-objects", Prefix="reports/")
out["list"] = [{"Key": o["Key"], "Size": o["Size"]} for o in listing.get("Contents", [])]
out["buckets"] = [b["Name"] for b in s3.list_buckets()["Buckets"]]
s3.delete_object(Bucket="e2e-py-objects", Key="reports/readme.txt")
out["get_deleted"] = error_of(s3.get_object, Bucket="e2e-py-objects", Key="reports/readme.txt")
out["get_missing_bucket"] = error_of(s3.get_object, Bucket="e2e-py-no-such-bucket", Key="x")
out["list_after_delete"] = [o["Key"] for o in s3.list_objects_v2(Bucket="e2e-py-objects").get("Contents", [])]
emit(out)
