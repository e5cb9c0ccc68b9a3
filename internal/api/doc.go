// Package api is the small hand-written runtime that the generated API
// packages (internal/api/cloudtrail, internal/api/cloudtraildata) stand on:
// the Error contract every AWS error satisfies, the common errors that no
// service model lists, the epoch-seconds Timestamp, constraint validation
// with AWS-style messages, the Operation descriptor that protocol codecs
// dispatch through, and the JSON helpers the generated AppendEventJSON
// encoders (requestParameters and responseElements of event records) use.
//
// It imports only the standard library and knows nothing about HTTP routing,
// storage or CloudTrail behaviour.
package api
