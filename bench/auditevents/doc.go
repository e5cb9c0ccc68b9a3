// Package auditevents measures PutAuditEvents: eight concurrent clients
// sending 100-event requests of about 1 KB events to a channel, through
// real HTTP to an in-process server. It reports the acknowledged (durable)
// event rate, request latency percentiles, how long the event store takes
// to absorb the backlog, and the process's peak memory. In CI it runs in a
// shortened form that checks every acknowledged event is stored.
package auditevents
