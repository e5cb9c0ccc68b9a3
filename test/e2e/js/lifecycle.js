// A trail's life through the AWS SDK for JavaScript v2: bucket, trail,
// logging, tags, selectors, errors, and an operation Cairn does not build.
// Prints {step: observation}; TestJS_TrailLifecycle asserts on it.
"use strict";

const { AWS, options, errorOf, main } = require("./common");

const BUCKET = "e2e-js-trails";

main(async () => {
  const ct = new AWS.CloudTrail(options());
  const west = new AWS.CloudTrail(options({ region: "us-west-2" }));
  const s3 = new AWS.S3(options({ s3ForcePathStyle: true }));
  const out = {};

  await s3.createBucket({ Bucket: BUCKET }).promise();
  out.buckets = (await s3.listBuckets().promise()).Buckets.map((b) => b.Name);
  const key = "notes/a b+ü.json";
  await s3
    .putObject({ Bucket: BUCKET, Key: key, Body: '{"from":"node"}', ContentType: "application/json", Metadata: { origin: "aws-sdk-v2" } })
    .promise();
  const object = await s3.getObject({ Bucket: BUCKET, Key: key }).promise();
  out.object = { body: object.Body.toString("utf8"), contentType: object.ContentType, metadata: object.Metadata };
  out.objectKeys = (await s3.listObjectsV2({ Bucket: BUCKET }).promise()).Contents.map((o) => o.Key);
  out.create = await ct
    .createTrail({
      Name: "js-trail",
      S3BucketName: BUCKET,
      S3KeyPrefix: "node",
      IsMultiRegionTrail: true,
      TagsList: [{ Key: "sdk", Value: "js-v2" }],
    })
    .promise();
  const arn = out.create.TrailARN;
  out.get = await ct.getTrail({ Name: "js-trail" }).promise();
  out.describe = await ct.describeTrails({ trailNameList: [arn] }).promise();
  out.describeWest = await west.describeTrails({}).promise();

  out.statusNew = await ct.getTrailStatus({ Name: "js-trail" }).promise();
  await ct.startLogging({ Name: "js-trail" }).promise();
  out.statusStarted = await ct.getTrailStatus({ Name: arn }).promise();
  await ct.stopLogging({ Name: arn }).promise();
  out.statusStopped = await ct.getTrailStatus({ Name: "js-trail" }).promise();

  await ct.addTags({ ResourceId: arn, TagsList: [{ Key: "team", Value: "web" }] }).promise();
  await ct.removeTags({ ResourceId: arn, TagsList: [{ Key: "sdk" }] }).promise();
  out.tags = await ct.listTags({ ResourceIdList: [arn] }).promise();

  out.putSelectors = await ct
    .putEventSelectors({
      TrailName: "js-trail",
      EventSelectors: [
        {
          ReadWriteType: "ReadOnly",
          IncludeManagementEvents: true,
          DataResources: [{ Type: "AWS::S3::Object", Values: [`arn:aws:s3:::${BUCKET}/node/`] }],
        },
      ],
    })
    .promise();
  out.getSelectors = await ct.getEventSelectors({ TrailName: arn }).promise();
  out.putAdvanced = await ct
    .putEventSelectors({
      TrailName: "js-trail",
      AdvancedEventSelectors: [
        {
          Name: "no kms",
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "eventSource", NotEquals: ["kms.amazonaws.com"] },
          ],
        },
      ],
    })
    .promise();
  out.getAdvanced = await ct.getEventSelectors({ TrailName: "js-trail" }).promise();
  await ct
    .putInsightSelectors({ TrailName: "js-trail", InsightSelectors: [{ InsightType: "ApiCallRateInsight" }] })
    .promise();
  out.getInsights = await ct.getInsightSelectors({ TrailName: "js-trail" }).promise();

  await ct.deleteTrail({ Name: "js-trail" }).promise();
  out.getDeleted = await errorOf(ct.getTrail({ Name: "js-trail" }));
  out.describeDeleted = await ct.describeTrails({}).promise();

  // Cairn does not build natural-language query generation.
  out.generateQuery = await errorOf(
    withGenerateQuery(options()).generateQuery({
      EventDataStores: ["arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/01234567-89ab-cdef-0123-456789abcdef"],
      Prompt: "Show me every console sign-in of the last week",
    }),
  );
  return out;
});

// withGenerateQuery is a CloudTrail client whose model is the SDK's own plus
// GenerateQuery, which this SDK version's model predates; the shapes are
// those of AWS's current model.
function withGenerateQuery(opts) {
  const model = JSON.parse(JSON.stringify(require("aws-sdk/apis/cloudtrail-2013-11-01.min.json")));
  model.operations.GenerateQuery = {
    input: {
      type: "structure",
      required: ["EventDataStores", "Prompt"],
      members: { EventDataStores: { type: "list", member: {} }, Prompt: {} },
    },
    output: {
      type: "structure",
      members: { QueryStatement: {}, QueryAlias: {}, EventDataStoreOwnerAccountId: {} },
    },
  };
  return new AWS.CloudTrail({ ...opts, apiConfig: model });
}
