// Helpers shared by the aws-sdk v2 end-to-end scripts. The Go tests run each
// script with node and an environment naming the server (CAIRN_URL) and the
// identity to sign as (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_DEFAULT_REGION). A script prints one JSON document describing what it
// observed, or exits non-zero with a message on stderr.
"use strict";

const AWS = require("aws-sdk");

function options(overrides) {
  return {
    endpoint: process.env.CAIRN_URL,
    region: process.env.AWS_DEFAULT_REGION,
    credentials: new AWS.Credentials(process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY),
    maxRetries: 0,
    httpOptions: { connectTimeout: 10000, timeout: 30000 },
    ...overrides,
  };
}

// errorOf awaits a request and describes the service error it failed with,
// or reports {code: null} when it unexpectedly succeeded.
async function errorOf(request) {
  try {
    const data = await request.promise();
    return { code: null, response: data };
  } catch (err) {
    return { code: err.code, status: err.statusCode, message: err.message };
  }
}

// main runs fn and prints its result as JSON: Dates as {$time: epoch
// seconds}, Buffers as {$bytes: base64}.
function main(fn) {
  fn().then(
    (result) => process.stdout.write(JSON.stringify(result, replacer) + "\n"),
    (err) => {
      process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
      if (err && err.code) process.stderr.write(`code: ${err.code}, status: ${err.statusCode}\n`);
      process.exitCode = 1;
    },
  );
}

// replacer looks at the raw value: Date and Buffer have toJSON methods that
// run before a replacer sees the value.
function replacer(key, value) {
  const raw = this[key];
  if (raw instanceof Date) return { $time: raw.getTime() / 1000 };
  if (Buffer.isBuffer(raw)) return { $bytes: raw.toString("base64") };
  return value;
}

module.exports = { AWS, options, errorOf, main };
