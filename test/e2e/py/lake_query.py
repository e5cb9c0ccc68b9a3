"""CloudTrail Lake queries through boto3, in the account the environment's
access key selects.

`lake_query.py run` makes a CloudTrail event data store (management events
and S3 object events) and an activity store fed by a channel, makes calls
for them to record, and then queries them: aggregates, dereferences,
pagination, DescribeQuery, ListQueries, the ways StartQuery, DescribeQuery
and CancelQuery fail, the limit on concurrent queries, SearchSampleQueries
and results delivered to S3. Prints {step: observation}; TestBoto3_LakeQuery
asserts on it.

`lake_query.py results QUERY_ID` prints DescribeQuery and every row of
GetQueryResults for a query, for reading one back after a restart.
"""

import datetime
import gzip
import hashlib
import json
import os
import sys
import time

from cairn_e2e import body, client, emit, error_of, fail

ACCOUNT = os.environ["AWS_ACCESS_KEY_ID"]
DATA_BUCKET = "py-query-data"
RESULTS_BUCKET = "py-query-results"
RESULTS_PREFIX = "lake-out"

ct = client("cloudtrail")
out = {}


def wait(query_id):
    """Polls describe_query until the query is neither QUEUED nor RUNNING
    and returns the last description."""
    deadline = time.time() + 30
    while True:
        described = body(ct.describe_query(QueryId=query_id))
        if described["QueryStatus"] not in ("QUEUED", "RUNNING"):
            return described
        if time.time() > deadline:
            fail("query %s is still %s after 30 s" % (query_id, described["QueryStatus"]))
        time.sleep(0.05)


def pages(query_id, size=None):
    """Every page of get_query_results, MaxQueryResults=size."""
    kwargs = {"QueryId": query_id}
    if size is not None:
        kwargs["MaxQueryResults"] = size
    got = []
    while True:
        page = body(ct.get_query_results(**kwargs))
        got.append(page)
        if "NextToken" not in page:
            return got
        if len(got) > 100:
            fail("get_query_results of %s does not stop paginating" % query_id)
        kwargs["NextToken"] = page["NextToken"]


def query(step, statement, size=None, **kwargs):
    """Runs statement to its end and records under step the query ID, its
    final description and every page of its results. Returns the query ID."""
    query_id = ct.start_query(QueryStatement=statement, **kwargs)["QueryId"]
    out[step] = {"id": query_id, "describe": wait(query_id), "pages": pages(query_id, size)}
    return query_id


def results(query_id):
    emit({"describe": body(ct.describe_query(QueryId=query_id)), "pages": pages(query_id)})


def run():
    s3 = client("s3")
    data = client("cloudtrail-data")

    # The stores: CloudTrail events (management, and S3 object data events)
    # and events from outside AWS through a channel.
    trail_store = ct.create_event_data_store(Name="py-queries", AdvancedEventSelectors=[
        {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "objects", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        ]},
    ])["EventDataStoreArn"]
    activity = ct.create_event_data_store(Name="py-query-activity", AdvancedEventSelectors=[
        {"Name": "activity", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["ActivityAuditLog"]}]},
    ])["EventDataStoreArn"]
    out["stores"] = {"trail": trail_store, "activity": activity}
    trail_id = trail_store.rsplit("/", 1)[1]
    activity_id = activity.rsplit("/", 1)[1]
    channel = ct.create_channel(Name="py-query-app", Source="Custom",
                                Destinations=[{"Type": "EVENT_DATA_STORE", "Location": activity}])["ChannelArn"]
    out["channel"] = channel

    # Calls for the trail store to record.
    out["get_trail_errors"] = [error_of(ct.get_trail, Name=name) for name in ("py-missing-one", "py-missing-two")]
    ct.list_trails()
    s3.create_bucket(Bucket=DATA_BUCKET)
    s3.put_object(Bucket=DATA_BUCKET, Key="notes/a.txt", Body=b"queried")
    s3.create_bucket(Bucket=RESULTS_BUCKET)

    # Events for the activity store.
    event_time = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entries = []
    for i, user in enumerate(["ann", "ben", "ann"]):
        entries.append({"id": "e%d" % i, "eventData": json.dumps({
            "version": "1.0",
            "userIdentity": {"type": "AppUser", "principalId": user, "details": {"team": "payments"}},
            "eventSource": "py.example.com",
            "eventName": "Checkout" if i < 2 else "Refund",
            "eventTime": event_time,
            "UID": "uid-%d" % i,
            "requestParameters": {"amount": 10 * (i + 1)},
            "recipientAccountId": ACCOUNT,
        })})
    out["put"] = body(data.put_audit_events(channelArn=channel, auditEvents=entries))
    out["event_time"] = event_time

    # An aggregate with an alias and an unnamed expression, read a row at a
    # time.
    calls = ("SELECT eventSource, eventName, count(*) AS calls, min(errorCode) FROM %s "
             "WHERE eventName IN ('GetTrail', 'ListTrails', 'CreateBucket', 'PutObject') "
             "GROUP BY eventSource, eventName ORDER BY eventSource, eventName" % trail_id)
    out["calls_statement"] = calls
    calls_id = query("calls", calls, size=1)
    # Dereferenced struct fields are named by their last element.
    deref_id = query("deref", "SELECT userIdentity.arn, userIdentity.type, eventName, "
                     "element_at(requestParameters, 'key') AS objectKey, readOnly "
                     "FROM %s WHERE eventName = 'PutObject'" % trail_id)
    # The unquoted store ID with a table alias.
    alias_id = query("alias", "SELECT e.eventSource, count(*) AS n FROM %s AS e "
                     "WHERE e.eventName IN ('CreateBucket', 'PutObject') GROUP BY e.eventSource" % trail_id)
    out["list_trail_store"] = body(ct.list_queries(EventDataStore=trail_store))

    # The channel's store: eventData and metadata.
    query("activity_by_user", "SELECT eventData.userIdentity.principalId AS who, count(*) AS n, "
          "max(metadata.channelArn) AS channel FROM %s WHERE eventData.eventSource = 'py.example.com' "
          "GROUP BY 1 ORDER BY who" % activity_id)
    query("activity_events", "SELECT eventData.uid, eventData.eventName, eventID, eventData.eventTime, "
          "element_at(eventData.requestParameters, 'amount') AS amount, eventTime AS storedTime, "
          "metadata.ingestionTime "
          "FROM %s ORDER BY eventData.uid" % activity_id)
    out["list_activity_store"] = body(ct.list_queries(EventDataStore=activity_id))

    # Failures.
    out["delete"] = error_of(ct.start_query, QueryStatement="DELETE FROM %s" % trail_id)
    out["syntax"] = error_of(ct.start_query, QueryStatement="SELECT eventName FROM FROM %s" % trail_id)
    out["unknown_column"] = error_of(ct.start_query, QueryStatement="SELECT nosuchcolumn FROM %s" % trail_id)
    out["unknown_store"] = error_of(ct.start_query, QueryStatement="SELECT eventName FROM 00000000-0000-4000-8000-000000000000")
    missing = "00000000-0000-4000-8000-000000000000"
    out["describe_unknown"] = error_of(ct.describe_query, QueryId=missing)
    out["results_unknown"] = error_of(ct.get_query_results, QueryId=missing)
    out["cancel_unknown"] = error_of(ct.cancel_query, QueryId=missing)
    out["cancel_finished"] = error_of(ct.cancel_query, QueryId=calls_id)
    out["results_too_many"] = error_of(ct.get_query_results, QueryId=calls_id, MaxQueryResults=1001)
    out["results_bad_token"] = error_of(ct.get_query_results, QueryId=calls_id, NextToken="not-a-token")

    # At most ten queries at once; cancelling frees the slots.
    slow = ("SELECT count(*) FROM %s, UNNEST(sequence(1, 100000)) AS a(x), "
            "UNNEST(sequence(1, 100000)) AS b(y) WHERE (x * y) %% 7 = 3" % trail_id)
    slow_ids = [ct.start_query(QueryStatement=slow)["QueryId"] for _ in range(10)]
    out["eleventh"] = error_of(ct.start_query, QueryStatement=slow)
    out["cancel"] = [body(ct.cancel_query(QueryId=query_id)) for query_id in slow_ids]
    out["cancelled"] = [wait(query_id) for query_id in slow_ids]
    out["cancel_cancelled"] = error_of(ct.cancel_query, QueryId=slow_ids[0])
    out["slow_ids"] = slow_ids
    out["after_cancel"] = error_of(ct.start_query, QueryStatement="SELECT count(*) AS n FROM %s" % activity_id)
    if out["after_cancel"]["code"] is None:
        wait(out["after_cancel"]["response"]["QueryId"])

    # Sample queries.
    out["samples"] = body(ct.search_sample_queries(SearchPhrase="console login"))
    first = body(ct.search_sample_queries(SearchPhrase="console login", MaxResults=2))
    out["samples_paged"] = [first, body(ct.search_sample_queries(
        SearchPhrase="console login", MaxResults=2, NextToken=first.get("NextToken", "missing")))]

    # Results delivered to S3.
    uri = "s3://%s/%s" % (RESULTS_BUCKET, RESULTS_PREFIX)
    out["deliver_missing_bucket"] = error_of(ct.start_query, QueryStatement="SELECT eventName FROM %s" % trail_id,
                                             DeliveryS3Uri="s3://py-no-such-bucket/x")
    delivered = ct.start_query(QueryStatement="SELECT eventData.userIdentity.principalId AS who, eventData.uid, "
                               "'say \"hi\", ok' AS note FROM %s ORDER BY 2" % activity_id, DeliveryS3Uri=uri)["QueryId"]
    described = wait(delivered)
    deadline = time.time() + 30
    while described.get("DeliveryStatus") == "PENDING" and time.time() < deadline:
        time.sleep(0.05)
        described = body(ct.describe_query(QueryId=delivered))
    out["delivered"] = {"id": delivered, "describe": described, "uri": uri}
    listed = s3.list_objects_v2(Bucket=RESULTS_BUCKET, Prefix=RESULTS_PREFIX + "/")
    objects = {}
    for o in listed.get("Contents", []):
        raw = s3.get_object(Bucket=RESULTS_BUCKET, Key=o["Key"])["Body"].read()
        if o["Key"].endswith(".csv.gz"):
            objects[o["Key"]] = {"sha256": hashlib.sha256(raw).hexdigest(), "csv": gzip.decompress(raw).decode("utf-8")}
        else:
            objects[o["Key"]] = {"json": json.loads(raw)}
    out["delivered_objects"] = objects
    out["public_keys"] = body(ct.list_public_keys())
    out["query_ids"] = {"calls": calls_id, "deref": deref_id, "alias": alias_id}


if __name__ == "__main__":
    if sys.argv[1:2] == ["results"]:
        results(sys.argv[2])
    else:
        run()
        emit(out)
