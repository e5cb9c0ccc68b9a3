// Package e2e drives the built cairn binary, as an operator runs it, with
// the machine's real AWS clients: the aws CLI, python3 with boto3, and the
// AWS SDK for JavaScript v2 under node.
//
// TestMain builds cmd/cairn once. Each test starts its own `cairn serve` on a
// free loopback port with a temporary data directory, waits for
// /_cairn/health, runs client programs (the aws CLI, py/*.py, js/*.js) as
// subprocesses whose HOME is a temporary directory, asserts on what they
// print and how they exit, and finally stops the server with SIGTERM and
// requires a clean exit.
//
// A missing client fails its tests with a message saying what to install.
// Set CAIRN_E2E_ALLOW_MISSING_CLIENTS=1 to skip those tests instead. The
// JavaScript tests need test/e2e/js/node_modules, which
// scripts/install-test-deps installs with npm ci.
package e2e
