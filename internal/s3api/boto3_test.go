package s3api

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// boto3Script exercises the handler with boto3's defaults (checksums in
// aws-chunked trailers over HTTPS, encoding-type=url on ListObjects) and
// path-style addressing. argv: endpoint URL, CA bundle path or "".
const boto3Script = `
import io, sys
import boto3
from botocore.config import Config

endpoint, ca_bundle = sys.argv[1], sys.argv[2]
s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="123456789012", aws_secret_access_key="secret",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    verify=ca_bundle or None,
)
bucket = "boto-bucket"
s3.create_bucket(Bucket=bucket)
keys = ["plain.txt", "with space/and+plus.txt", "unicode/\u00e9\u65e5\u672c\U0001F600.txt", "tricky&<chars>%20.txt"]
for k in keys:
    s3.put_object(Bucket=bucket, Key=k, Body=("body of " + k).encode(),
                  Metadata={"signature": "sig-%d" % len(k)}, ContentType="text/plain")
for k in keys:
    o = s3.get_object(Bucket=bucket, Key=k)
    assert o["Body"].read() == ("body of " + k).encode(), k
    assert o["Metadata"] == {"signature": "sig-%d" % len(k)}, o["Metadata"]
    assert o["ContentType"] == "text/plain", o["ContentType"]
    h = s3.head_object(Bucket=bucket, Key=k)
    assert h["ContentLength"] == len(("body of " + k).encode()), h

in_byte_order = sorted(keys, key=lambda k: k.encode())
listed = [c["Key"] for c in s3.list_objects(Bucket=bucket)["Contents"]]
assert listed == in_byte_order, listed
pages = s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 1})
assert [c["Key"] for p in pages for c in p.get("Contents", [])] == in_byte_order
r = s3.list_objects(Bucket=bucket, Delimiter="/")
assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["unicode/", "with space/"], r
pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2})
assert [c["Key"] for p in pages for c in p.get("Contents", [])] == in_byte_order

assert s3.get_object(Bucket=bucket, Key="plain.txt", Range="bytes=0-3")["Body"].read() == b"body"
assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None
try:
    s3.get_object(Bucket=bucket, Key="missing")
    raise AssertionError("expected NoSuchKey")
except s3.exceptions.NoSuchKey as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 404

payload = bytes(range(256)) * 2000
s3.upload_fileobj(io.BytesIO(payload), bucket, "transfer.bin")
out = io.BytesIO()
s3.download_fileobj(bucket, "transfer.bin", out)
assert out.getvalue() == payload

for k in keys + ["transfer.bin"]:
    s3.delete_object(Bucket=bucket, Key=k)
s3.delete_bucket(Bucket=bucket)
print("boto3 ok")
`

func TestBoto3(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	if err := exec.Command(python, "-c", "import boto3").Run(); err != nil {
		t.Skip("boto3 is not installed")
	}
	for _, useTLS := range []bool{false, true} {
		env := newTestEnv(t, useTLS)
		caBundle := ""
		if useTLS {
			caBundle = filepath.Join(t.TempDir(), "ca.pem")
			cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: env.server.Certificate().Raw})
			if err := os.WriteFile(caBundle, cert, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(python, "-c", boto3Script, env.server.URL, caBundle)
		cmd.Env = isolatedAWSEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("boto3 against %s: %v\n%s", env.server.URL, err, out)
		}
		if !strings.Contains(string(out), "boto3 ok") {
			t.Fatalf("boto3 output: %s", out)
		}

		sawChunked := false
		env.gateway.mu.Lock()
		for _, h := range env.gateway.putHeaders {
			sawChunked = sawChunked || isAWSChunked(h)
		}
		env.gateway.mu.Unlock()
		if sawChunked != useTLS {
			t.Errorf("TLS %v: boto3 sent aws-chunked bodies: %v", useTLS, sawChunked)
		}
	}
}

// isolatedAWSEnv is the test process's environment without AWS settings, so
// that no profile, endpoint or CA bundle of the machine leaks into a client.
func isolatedAWSEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
}
