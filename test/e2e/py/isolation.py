"""Two accounts (open-mode access keys 111111111111 and 222222222222) share
nothing: each sees only its own trails, even under the same trail name.

Prints what each account sees; TestBoto3_AccountIsolation asserts on it.
"""

from cairn_e2e import body, client, emit, error_of

one = client("cloudtrail", access_key="111111111111")
two = client("cloudtrail", access_key="222222222222")
one_west = client("cloudtrail", access_key="111111111111", region="us-west-2")
two_west = client("cloudtrail", access_key="222222222222", region="us-west-2")
client("s3", access_key="111111111111").create_bucket(Bucket="e2e-py-account-one")
client("s3", access_key="222222222222").create_bucket(Bucket="e2e-py-account-two")
out = {}

one.create_trail(Name="private-trail", S3BucketName="e2e-py-account-one", IsMultiRegionTrail=True,
                 TagsList=[{"Key": "owner", "Value": "one"}])
one.create_trail(Name="one-only", S3BucketName="e2e-py-account-one")
out["two_before"] = {
    "describe": body(two.describe_trails()),
    "list": body(two.list_trails()),
    "describe_west": body(two_west.describe_trails()),
    "get": error_of(two.get_trail, Name="private-trail"),
    "status": error_of(two.get_trail_status, Name="one-only"),
    "delete": error_of(two.delete_trail, Name="one-only"),
}
# The same name in the other account is a different trail.
out["two_create"] = body(two.create_trail(Name="private-trail", S3BucketName="e2e-py-account-two"))
two.start_logging(Name="private-trail")
out["one"] = {
    "describe": body(one.describe_trails()),
    "describe_west": body(one_west.describe_trails()),
    "status": body(one.get_trail_status(Name="private-trail")),
}
out["two"] = {
    "describe": body(two.describe_trails()),
    "describe_west": body(two_west.describe_trails()),
    "status": body(two.get_trail_status(Name="private-trail")),
}
emit(out)
