// Package lookup measures LookupEvents through the API on a large event
// store: p50 and p99 latency for each lookup attribute. In CI it runs on a
// small generated store and checks every lookup answers.
package lookup
