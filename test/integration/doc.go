// Package integration drives real in-process Cairn servers (started by
// internal/testenv on random loopback ports) with the official
// aws-sdk-go-v2 clients and raw HTTP, asserting AWS's wire behaviour:
// protocol routing, errors and statuses, authentication, the trail API,
// the built-in bucket store, persistence and lifecycle.
package integration
