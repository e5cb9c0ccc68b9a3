// Package eventgen generates realistic CloudTrail management events (about
// 1 KB each, skewed API names, a few hundred users) for tests and
// benchmarks that need many of them.
package eventgen
