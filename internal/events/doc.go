// Package events defines the CloudTrail event record as Cairn handles it:
// the Go mirror of one element of a log file's "Records" array, with JSON
// that uses AWS's field names and omits absent optional fields.
//
// A Record built by Cairn (an API call it served) is marshalled from its
// fields. A Record that came from outside (a log file, the native ingestion
// endpoint, an import) keeps its original JSON in Raw, and JSON returns
// those bytes (whitespace removed) rather than a re-encoding, so fields this
// package does not model and the original key order survive storage and
// reach LookupEvents and Lake queries unchanged.
//
// Validate checks an ingested record against the record format (required
// fields, size limits, the eventTime format) and reports every problem as a
// FieldError, using the per-event error codes of PutAuditEvents
// (FieldNotFound, FieldTooLong, InvalidData).
//
// The lookup helpers (Username, AccessKeyID, LookupResourceList) derive the
// values LookupEvents filters and reports on, so that the event store and
// event history agree on them.
//
// Parse reads a record in one pass with a decoder written for Record (the
// subpackage jsonscan is its scanner), which checks the JSON as it goes
// instead of in a separate pass; the few records it does not handle, and
// every invalid one, go through encoding/json, whose results and error
// messages are the reference the fast path is fuzzed against. ParseAt
// decodes a record in place in a larger body, so that ingestion splits a
// body and decodes its records in the same pass.
//
// This package imports only the standard library (and jsonscan).
package events
