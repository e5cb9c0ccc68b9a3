// Package history owns event history: the LookupEvents operation over the
// management events (and Insights events) of the last 90 days in the
// caller's account and Region, newest first, read from the event store
// through the Source interface. It validates requests exactly as AWS does
// (ValidateLookup), issues NextTokens bound to the request's parameters,
// clamps the time range to the 90-day retention, and can throttle per
// account and Region as AWS does (off by default).
package history
