// Package delivery measures trail delivery: how fast a backlog of events
// in the event store becomes log files in the built-in bucket store, and
// how long an API call takes to appear in a delivered log file. The
// measurements run as tests (see delivery_test.go for the commands); in
// CI they run in a shortened form that checks completeness, not speed.
package delivery
