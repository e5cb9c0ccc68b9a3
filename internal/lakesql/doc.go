// Package lakesql owns CloudTrail Lake's query language on DuckDB: it
// checks that a Lake statement (Trino SQL, queries only) is valid,
// resolves the event data stores it reads through the caller's Resolver
// and rewrites it into DuckDB SQL that computes what Trino computes
// (Translate); it renders DuckDB's result values as Lake returns them
// (Render), phrases DuckDB's errors in terms of the statement the user
// wrote (Query.MapDuckDBError), and defines what the rewritten queries
// need in the database: macros and the UTC time zone (Macros).
//
// # Translation
//
// The statement is lexed as Trino lexes it and parsed by a recursive
// descent over Trino's query grammar, which rejects what Trino rejects
// (syntax errors, statements other than queries, unknown functions and
// types) with Trino's messages and positions. The parser does not build a
// tree of the statement: it marks ranges of tokens that render
// differently, and the output is the statement's own text with those
// ranges rewritten, so that positions in DuckDB's errors map back to the
// statement.
//
// What is rewritten:
//
//   - Table references: an event data store ID, unquoted with hyphens
//     (074365db-2079-4c18-ab83-e753897b74fe), quoted, or a plain name,
//     becomes the relation the Resolver returns, aliased by the name as
//     written unless the statement gives an alias. Names of the statement's
//     WITH queries are not resolved.
//   - Output names: every select item without an alias is given the name
//     Lake gives it: a column's or field's name as written, else
//     _col<position>.
//   - Functions: each Trino function maps onto a DuckDB function, an
//     expression, or one of the macros of Macros; functions Trino does not
//     have are rejected, which also keeps DuckDB's own (read_csv, getenv,
//     query, ...) out of reach, as table functions are. Lambdas become
//     DuckDB lambdas.
//   - Semantics that differ: integer division, NULL ordering, AT TIME
//     ZONE, UNNEST of arrays of rows and of maps, casts of timestamps and
//     JSON to varchar, intervals with two units, and the coercions Lake
//     adds to Trino (a boolean literal compared with the varchar column
//     sessionCredentialFromConsole; a varchar and a timestamp column of a
//     set operation, which becomes Trino's text of the timestamp).
//
// Where Trino has one function for several types (cardinality of an array
// or a map, reverse of a string or an array), the translator uses the
// types of the columns of Lake's schemas and of its functions' results,
// and otherwise a rendering valid for every type.
package lakesql
