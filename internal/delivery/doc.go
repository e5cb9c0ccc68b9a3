// Package delivery writes what each logging trail selects to its bucket:
// gzip JSON log files under AWS's key layout, and, for trails with log file
// validation, an hourly signed digest per source Region chaining every
// digest to the one before it, in the format `aws cloudtrail validate-logs`
// checks.
//
// # Exactly once
//
// Each trail has a durable cursor: the sequence number of the last event
// store event it has dealt with. A delivery first records an intent in the
// metadata store (the sequence range, the delivery time and a snapshot of
// the trail's settings), then writes the log objects, whose keys and bytes
// follow from the intent alone, then, in one transaction, advances the
// cursor, queues the files for the next digest and clears the intent.
// After a crash the intent is carried out again: the same objects are
// written again under the same keys, so no event is delivered twice or
// skipped. Digests work the same way, with the digest's bytes and
// signature in the intent.
//
// # Which events a trail receives
//
// Events of the trail's account that were ingested while the trail was
// logging, from its home Region (a single-Region trail) or every Region
// (a multi-Region trail), that its event selectors select. Events of
// global services (IAM, CloudFront, Route 53, ... and STS in us-east-1)
// go only to trails that include global service events.
//
// # Failures
//
// A failed write (missing bucket, access denied, endpoint down) is kept
// as the trail's LatestDeliveryError (or LatestDigestDeliveryError), with
// S3's error code, and retried with backoff; the cursor does not move, so
// nothing is lost while the bucket is unavailable.
package delivery
