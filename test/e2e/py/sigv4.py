"""Signature checking in sigv4 mode: each identity in argv[1] (a JSON list of
{"name", "key", "secret"}) calls DescribeTrails and ListBuckets; the first
one, whose key and secret are right, also makes a bucket and a trail, and
presigned URLs.

Prints {name: observation}; TestSigV4 asserts on it.
"""

import json
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

from cairn_e2e import ENDPOINT, body, client, emit, error_of


def fetch(url, data=None, method="GET"):
    """Requests url without signing it; returns {"status", "body"}."""
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return {"status": response.status, "body": response.read().decode()}
    except urllib.error.HTTPError as err:
        return {"status": err.code, "body": err.read().decode()}


identities = json.loads(sys.argv[1])
out = {}
good = identities[0]
s3 = client("s3", access_key=good["key"], secret=good["secret"])
ct = client("cloudtrail", access_key=good["key"], secret=good["secret"])
s3.create_bucket(Bucket="e2e-sigv4")
out["create"] = body(ct.create_trail(Name="signed-trail", S3BucketName="e2e-sigv4"))
for identity in identities:
    ct = client("cloudtrail", access_key=identity["key"], secret=identity["secret"])
    out[identity["name"]] = error_of(ct.describe_trails)
    out[identity["name"] + "_s3"] = error_of(
        client("s3", access_key=identity["key"], secret=identity["secret"]).list_buckets)

# Presigned URLs (SigV4 query authentication) made by boto3.
s3.put_object(Bucket="e2e-sigv4", Key="shared/a b.txt", Body=b"presigned content")
presigner = boto3.Session().client(
    "s3", endpoint_url=ENDPOINT, region_name="us-east-1",
    aws_access_key_id=good["key"], aws_secret_access_key=good["secret"],
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
get_url = presigner.generate_presigned_url(
    "get_object", Params={"Bucket": "e2e-sigv4", "Key": "shared/a b.txt"}, ExpiresIn=300)
out["presigned_get"] = fetch(get_url)
out["presigned_get_tampered"] = fetch(get_url.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
put_url = presigner.generate_presigned_url(
    "put_object", Params={"Bucket": "e2e-sigv4", "Key": "shared/uploaded.txt"}, ExpiresIn=300)
out["presigned_put"] = fetch(put_url, data=b"uploaded through a presigned URL", method="PUT")
out["presigned_put_readback"] = s3.get_object(Bucket="e2e-sigv4", Key="shared/uploaded.txt")["Body"].read().decode()
short_url = presigner.generate_presigned_url(
    "get_object", Params={"Bucket": "e2e-sigv4", "Key": "shared/a b.txt"}, ExpiresIn=1)
time.sleep(2.2)
out["presigned_get_expired"] = fetch(short_url)
emit(out)
