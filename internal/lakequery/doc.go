// Package lakequery runs CloudTrail Lake queries: StartQuery, DescribeQuery,
// GetQueryResults, ListQueries, CancelQuery and SearchSampleQueries.
//
// A statement is translated from Lake's Trino dialect to DuckDB SQL
// (package lakesql) with every event data store it names replaced by the
// store's relation over the event store (package lake), checked by DuckDB
// before StartQuery answers (so syntax and binding errors are
// InvalidQueryStatementException, synchronously), then queued. A small
// pool of workers runs queued queries; each streams its rows, rendered as
// Lake renders values, into a results file while it runs, so
// GetQueryResults can page through a running query's results. A query
// ends FINISHED, FAILED (the error in ErrorMessage), CANCELLED
// (CancelQuery) or TIMED_OUT (Config.Timeout; the rows produced so far
// stay readable). At most ten queries per account and Region are queued
// or running at once.
//
// # State
//
// Query records are JSON documents in the metadata store (bucket
// "queries", key "<account>/<region>/<query id>"); results are files in
// the results directory, "<query id>.jsonl": a first line with the column
// names, then one JSON array of values (strings or null) per row. A
// finished query's file is fsync'd before the record says FINISHED. Queries
// and their results are kept seven days after they were started, as Lake
// keeps them; a query that was queued or running when Cairn stopped is
// FAILED at the next start.
//
// # Statistics
//
// EventsScanned and BytesScanned count the events (and the bytes of their
// records) in the event data stores the query read, within their retention
// periods; EventsMatched is the number of result rows. ExecutionTimeInMillis
// runs from the start of execution to its end.
package lakequery
