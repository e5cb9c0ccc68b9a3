"""Helpers shared by the boto3 end-to-end scripts.

The Go tests run each script with python3 and an environment naming the
server (CAIRN_URL, AWS_ENDPOINT_URL) and the identity to sign as
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION). A script
prints one JSON document describing what it observed; the Go test asserts on
it. A script exits non-zero, with a message on stderr, when something it
needs to go on with fails.
"""

import base64
import datetime
import json
import os
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["CAIRN_URL"]


# One session for every client, so that service models load once.
_SESSION = boto3.Session()
_CONFIG = Config(
    retries={"max_attempts": 1, "mode": "standard"},
    s3={"addressing_style": "path"},
    connect_timeout=10,
    read_timeout=30,
)


def client(service, access_key=None, secret=None, region=None):
    """A boto3 client for service pointed at Cairn, without retries, signing
    with the given key (default: the environment's) in region."""
    return _SESSION.client(
        service,
        endpoint_url=ENDPOINT,
        config=_CONFIG,
        region_name=region or os.environ["AWS_DEFAULT_REGION"],
        aws_access_key_id=access_key or os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"],
    )


def body(response):
    """A response without its ResponseMetadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def error_of(call, *args, **kwargs):
    """Calls call and describes the service error it raised.

    Returns {"code", "status", "message"} from the ClientError, or
    {"code": None, "response": ...} when the call unexpectedly succeeded.
    """
    try:
        response = call(*args, **kwargs)
    except ClientError as err:
        return {
            "code": err.response["Error"].get("Code"),
            "message": err.response["Error"].get("Message"),
            "status": err.response["ResponseMetadata"].get("HTTPStatusCode"),
        }
    return {"code": None, "response": body(response)}


def post(path):
    """POSTs an empty body to path on the server and returns the status."""
    request = urllib.request.Request(ENDPOINT + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def _encode(value):
    if isinstance(value, datetime.datetime):
        return {"$time": value.timestamp()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode()}
    raise TypeError("cannot encode %r" % (value,))


def emit(document):
    """Prints document as JSON: times as {"$time": epoch seconds}, bytes as
    {"$bytes": base64}."""
    json.dump(document, sys.stdout, default=_encode, sort_keys=True)
    sys.stdout.write("\n")


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)
