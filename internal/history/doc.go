// Package history owns event history: the LookupEvents operation over the
// management events (and Insights events) of the last 90 days in the
// caller's account and Region.
//
// The recording pipeline that fills event history arrives in the next
// issue. Until then LookupEvents validates its input exactly as AWS does,
// through ValidateLookup, which the real implementation keeps using, and
// answers every valid request with an empty page.
package history
