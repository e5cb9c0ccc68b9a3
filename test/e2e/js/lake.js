// CloudTrail Lake through the AWS SDK for JavaScript v2: an event data store
// for events from outside AWS, a channel into it, CloudTrailData
// putAuditEvents with good and bad events, and what getChannel reports of
// the latest ingestion. Prints {step: observation}, plus "sent" (each
// entry's eventData by its id); TestJS_Lake asserts on it.
"use strict";

const crypto = require("crypto");
const { AWS, options, errorOf, main } = require("./common");

const ACCOUNT = process.env.AWS_ACCESS_KEY_ID;
const EVENT_TIME = new Date(Date.now() - 5 * 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");

function eventData(uid, overrides) {
  return JSON.stringify({
    version: "1.0",
    userIdentity: { type: "CustomUser", principalId: "bob", details: { via: "aws-sdk-v2" } },
    eventSource: "js.example.com",
    eventName: "Checkout",
    eventTime: EVENT_TIME,
    UID: uid,
    responseElements: { items: [1, 2, 3], total: "12.50" },
    recipientAccountId: ACCOUNT,
    ...overrides,
  });
}

function checksum(text) {
  return crypto.createHash("sha256").update(text, "utf8").digest("base64");
}

main(async () => {
  const ct = new AWS.CloudTrail(options());
  const data = new AWS.CloudTrailData(options());
  const out = {};
  const sent = {};
  const entry = (id, text, sum) => {
    sent[id] = text;
    return sum === undefined ? { id, eventData: text } : { id, eventData: text, eventDataChecksum: sum };
  };

  out.createStore = await ct
    .createEventDataStore({
      Name: "js-activity",
      AdvancedEventSelectors: [{ Name: "from the app", FieldSelectors: [{ Field: "eventCategory", Equals: ["ActivityAuditLog"] }] }],
      RetentionPeriod: 90,
      TerminationProtectionEnabled: false,
    })
    .promise();
  const store = out.createStore.EventDataStoreArn;
  out.createChannel = await ct
    .createChannel({ Name: "js-app", Source: "Custom", Destinations: [{ Type: "EVENT_DATA_STORE", Location: store }] })
    .promise();
  const channel = out.createChannel.ChannelArn;
  out.getChannelNew = await ct.getChannel({ Channel: channel }).promise();

  const good1 = eventData("js-uid-1");
  out.put = await data
    .putAuditEvents({
      channelArn: channel,
      auditEvents: [
        entry("bad-checksum", eventData("js-uid-0"), checksum("something else")),
        entry("good-1", good1, checksum(good1)),
        entry("too-long", eventData("js-uid-2", { eventName: "x".repeat(1025) })),
        entry("good-2", eventData("js-uid-3")),
        entry("bad-time", eventData("js-uid-4", { eventTime: "yesterday" })),
      ],
    })
    .promise();
  out.getChannel = await ct.getChannel({ Channel: channel }).promise();
  out.putAgain = await data.putAuditEvents({ channelArn: channel, auditEvents: [entry("good-3", eventData("js-uid-5"))] }).promise();
  out.getChannelAgain = await ct.getChannel({ Channel: channel }).promise();

  out.putMissing = await errorOf(
    data.putAuditEvents({
      channelArn: `arn:aws:cloudtrail:${process.env.AWS_DEFAULT_REGION}:${ACCOUNT}:channel/00000000-0000-4000-8000-000000000000`,
      auditEvents: [entry("lost", eventData("js-uid-6"))],
    }),
  );
  out.putDuplicate = await errorOf(
    data.putAuditEvents({
      channelArn: channel,
      auditEvents: [
        { id: "same", eventData: eventData("js-uid-7") },
        { id: "same", eventData: eventData("js-uid-8") },
      ],
    }),
  );
  out.listChannels = await ct.listChannels({}).promise();
  out.listStores = await ct.listEventDataStores({}).promise();
  out.getStore = await ct.getEventDataStore({ EventDataStore: store }).promise();
  out.sent = sent;
  return out;
});
