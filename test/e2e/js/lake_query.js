// CloudTrail Lake queries through the AWS SDK for JavaScript v2: a store of
// management events, calls for it to record, then startQuery, describeQuery
// and getQueryResults over columns of several types, and a statement
// startQuery rejects. Prints {step: observation}; TestJS_LakeQuery asserts
// on it.
"use strict";

const { AWS, options, errorOf, main } = require("./common");

main(async () => {
  const ct = new AWS.CloudTrail(options());
  const out = {};

  out.createStore = await ct.createEventDataStore({ Name: "js-queries", TerminationProtectionEnabled: false }).promise();
  const store = out.createStore.EventDataStoreArn.split("/").pop();
  out.getTrail = await errorOf(ct.getTrail({ Name: "js-missing-trail" }));
  await ct.listTrails({}).promise();

  out.statement =
    "SELECT eventName, eventTime, readOnly, managementEvent, requestParameters, errorCode, userIdentity.accountId " +
    `FROM ${store} WHERE eventName IN ('CreateEventDataStore', 'GetTrail') ORDER BY eventName`;
  out.start = await ct.startQuery({ QueryStatement: out.statement }).promise();
  const id = out.start.QueryId;
  const deadline = Date.now() + 30000;
  for (;;) {
    out.describe = await ct.describeQuery({ QueryId: id }).promise();
    if (out.describe.QueryStatus !== "QUEUED" && out.describe.QueryStatus !== "RUNNING") break;
    if (Date.now() > deadline) throw new Error(`query ${id} is still ${out.describe.QueryStatus} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  out.results = await ct.getQueryResults({ QueryId: id }).promise();

  out.invalid = await errorOf(ct.startQuery({ QueryStatement: `SELECT eventName FROM ${store} WHERE` }));
  return out;
});
