// Package loadgen measures Cairn against moto_server in one run: it builds
// the cairn binary, times its startup, starts both servers on free loopback
// ports, and drives each with the same SigV4-signed CloudTrail requests over
// a fixed number of keep-alive connections, recording throughput, latency
// percentiles, CPU use and memory. bench/cmd/loadgen is its command line;
// docs/benchmarks.md holds the results.
//
// The client side is kept cheap so that it is not what is measured: requests
// are signed with the SDK's SigV4 signer and serialized once, re-signed when
// the signature is a second old (or every time with -sign-every 0), and sent
// over a minimal HTTP/1.1 connection that reuses its buffers.
package loadgen
