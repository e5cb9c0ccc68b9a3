// Package auditevents owns the per-event half of PutAuditEvents (the
// CloudTrail Data service): it checks one audit event's eventData against
// CloudTrail Lake's integration event schema and builds the record Cairn
// stores for it, the Lake record of an ActivityAuditLog event. Everything
// about the request as a whole (its size and count limits, duplicate ids,
// the channel, permissions, storage, the response lists) belongs to the
// service that calls Build.
//
// # The stored record
//
// The record is compact JSON with the members eventVersion ("1.0"),
// eventCategory ("ActivityAuditLog"), eventType ("ActivityLog"), eventID,
// eventTime, awsRegion, recipientAccountId, metadata {ingestionTime,
// channelARN} and eventData, in that order. eventTime is eventData's own
// eventTime in UTC, whole seconds; ingestionTime is the time Build is given;
// recipientAccountId is the channel owner's account, which step 6 makes
// equal to eventData's. eventData is the caller's object with the
// whitespace between tokens removed and nothing else changed: members stay
// in their order, strings keep their escapes, numbers their spelling, and
// members the schema does not name are kept, at the top level as inside
// userIdentity (AWS documents the schema's fields but not what it does
// with others; keeping them loses nothing). The record's Raw is that JSON,
// marked checked (events.Record.SetEncodedRaw: it is valid by
// construction, which the tests confirm by parsing it back), with the
// header fields filled in. It is not meant for events.Validate, which knows only CloudTrail's
// own categories and record layout.
//
// # Checks
//
// Build reports the first failure it finds, in this order:
//
//  1. InvalidChecksum: eventDataChecksum is present and is not the standard,
//     padded base64 encoding of the SHA-256 digest of eventData's bytes,
//     what AWS's documented command "openssl dgst -binary -sha256 | base64"
//     prints. An empty checksum never matches.
//  2. InvalidData: eventData is not valid JSON, not a JSON object, not
//     valid UTF-8, nests deeper than MaxDepth, or has a schema field twice
//     (at the top level, or type, principalId or details in userIdentity).
//  3. FieldNotFound: a required field (version, userIdentity,
//     userIdentity.type, userIdentity.principalId, eventSource, eventName,
//     eventTime, UID, recipientAccountId) is absent, null, or "". The
//     fields of userIdentity are looked for only when it is an object.
//  4. InvalidData: a schema field has the wrong JSON type (a string field
//     holds something other than a string, or userIdentity, details,
//     requestParameters, responseElements or additionalEventData something
//     other than an object; null is accepted for optional fields), eventTime
//     is not a timestamp, or sourceIPAddress (unless null or "") is not an
//     IPv4 or IPv6 address.
//  5. FieldTooLong: a string over its limit in characters (Unicode code
//     points of the decoded value): version 256, userIdentity.type 128,
//     principalId, userAgent, eventSource, eventName and UID 1024,
//     errorCode and errorMessage 256; or requestParameters or
//     responseElements over 100 KiB (102,400 bytes) or additionalEventData
//     over 28 KiB (28,672 bytes) of compact JSON.
//  6. InvalidRecipient: recipientAccountId is not the account that owns the
//     channel.
//
// Each step relies on what the earlier ones established. The checksum is
// about the bytes as sent, so it comes before anything reads them: when the
// bytes were damaged on the way, a complaint about their content would
// mislead. Fields can be looked for only in a JSON object; a type can be
// checked only for a field that is there; a length means something only
// for a value of the right type; and whether the event is addressed to the
// channel's owner is asked last, of an event that is otherwise well formed.
// Within a step, fields are checked in the order of AWS's schema table.
// Field names are matched exactly (AWS spells them case-sensitively: UID is
// upper case); a FieldNotFound message points out a key that differs only
// in case.
//
// Timestamps: eventTime is yyyy-MM-ddTHH:mm:ss, optionally followed by a
// fraction of a second of 1 to 9 digits, then optionally Z or a ±hh:mm
// offset; without a suffix it is UTC, as AWS's schema states. The date and
// time must exist (no leap second), and in UTC it must fall between
// 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z. The caller's spelling
// stays in eventData.eventTime.
//
// Build decodes eventData in one pass with the scanner of
// internal/events/jsonscan, reusing its buffers between calls, because
// PutAuditEvents may run it tens of thousands of times a second.
package auditevents
