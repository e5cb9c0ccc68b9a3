// Package samplequeries owns Cairn's catalogue of CloudTrail Lake sample
// queries and the search behind SearchSampleQueries.
//
// AWS's own catalogue is not published, so Cairn ships its own, written
// for Cairn: security and operations queries in Lake's Trino dialect, each
// with a short name, a one-sentence description, a stable QueryAlias and
// SQL whose table is the console placeholder $EDS_ID. The catalogue lives
// in samples.go as plain Go literals so it reads like a list.
//
// # Search
//
// SearchSampleQueries asks for a semantic search; Cairn's is lexical.
// Text is split into words at anything but letters and digits and at
// camelCase boundaries (so ConsoleLogin and sourceIPAddress match "console
// login" and "source ip address"), lower-cased, stripped of English stop
// words, and reduced by a small stemmer (plural -s/-es/-ies, -ing, -ed,
// -ion, a final -e, doubled final consonants), with "signin" and "logon"
// read as "login".
//
// Each distinct search word w has a weight idf(w) = ln(1 + N/(1+df(w))),
// where N is the number of samples and df(w) the number whose text
// contains w, so rare words count for more and words no sample has still
// count against every sample. A sample's match for w is 1 when w is in its
// name, 2/3 when it is (only) in its description and 1/3 when it is only
// in its SQL. Then
//
//	coverage  = Σ idf(w)·match(w) / Σ idf(w)
//	precision = (name words the phrase contains) / (name words)
//	relevance = 0.85·coverage + 0.15·precision·coverage
//
// which lies in [0, 1] and is 1 exactly when every search word is in the
// name and every name word is in the search. Samples with relevance 0 are
// left out; the rest are sorted by relevance, highest first, then by name.
package samplequeries
