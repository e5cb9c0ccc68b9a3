// Package ingest takes CloudTrail records from outside Cairn: the bodies
// posted to the native ingestion endpoint (POST /_cairn/events) and sent by
// `cairn ingest`. See docs/ingestion.md for the user-facing description.
//
// A body is a CloudTrail log file as AWS writes it to S3 ({"Records":[...]},
// usually gzip-compressed) or what other tools produce: a bare JSON array of
// records, or records one after another (newline-delimited JSON). Gzip is
// recognised by its magic bytes, whatever the request's headers say.
// SplitBody turns a body into the undecoded records, bounding the
// decompressed size and the record count so that a small body cannot make
// the server allocate without limit.
//
// Service.Ingest reads the body in one pass, finding its records as
// SplitBody does and decoding each where it finds it (events.ParseAt), so
// that every byte is scanned once; a body it cannot read is read again by
// encoding/json's decoder, whose error message the client gets. It then
// checks every record on its own: events.Validate (required fields, sizes,
// the eventTime format), an eventTime between the Unix epoch and an hour
// from now, an awsRegion that is a plausible region name (it becomes part
// of storage keys and S3 log paths), the caller's right to the record's
// account, and eventIDs unique within the request. Records that pass are appended to the event store in
// one call, which is durable when it returns; the others are reported one
// by one with every problem found, and do not prevent the good records of
// the same body from being stored. Only a body that cannot be read as
// records at all fails the whole request.
//
// Records are stored as they came: their JSON (compacted) is what event
// history and Lake queries return. A compact record is not copied: its Raw
// is a slice of the request body. The one normalization is for a record
// that names no account at all (neither recipientAccountId nor
// userIdentity.accountId): it gets the caller's account as
// recipientAccountId, appended to its JSON. eventIDs are never generated:
// events.Validate requires one from eventVersion 1.01 on, and a 1.0 record
// without one is stored without one, as AWS wrote it.
package ingest
