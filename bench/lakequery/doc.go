// Package lakequery measures CloudTrail Lake queries on many generated
// events: the same queries through Cairn's layers (Trino translation, the
// event data store's relation with its membership rules, result
// rendering) and directly on the event store's DuckDB tables, in one run.
// In CI it runs on a small store and checks that both give the same
// answers.
package lakequery
