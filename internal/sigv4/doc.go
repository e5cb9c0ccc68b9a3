// Package sigv4 owns server-side verification of AWS Signature Version 4:
// parsing the Authorization header or presigned query parameters, rebuilding
// the canonical request, checking the signature and the signing time, and
// decoding aws-chunked S3 upload bodies. It knows nothing about who owns an
// access key; the caller looks the key up and passes the secret in. It
// imports only the standard library.
//
// # Verifying a request
//
//	auth, err := sigv4.ParseRequest(r)
//	// err is an *Error: MissingAuthentication (no auth at all) or
//	// IncompleteSignature (malformed auth).
//	principal, secret, ok := directory.Lookup(auth.AccessKeyID)
//	if !ok {
//		err = sigv4.UnknownAccessKey(auth.AccessKeyID)
//	}
//	err = sigv4.Verify(r, auth, secret, payloadHash, time.Now())
//
// The payload hash depends on the service:
//
//   - JSON services (cloudtrail, cloudtrail-data): read the body and pass
//     sigv4.PayloadSHA256(body). Never trust an X-Amz-Content-Sha256 header
//     here; a tampered body then shows up as InvalidSignature.
//   - S3: pass sigv4.ClaimedPayloadHash(r, auth) (an empty result means the
//     required x-amz-content-sha256 header is missing), then read the body
//     through sigv4.NewPayloadReader(r, auth, secret), which checks the body
//     against that claim as it streams: a hex hash is compared at the end,
//     UNSIGNED-PAYLOAD passes through, and the STREAMING-* values strip the
//     aws-chunked framing, verify every chunk signature (seeded by the
//     request signature) and collect trailing headers, available from
//     PayloadReader.Trailers after io.EOF. Data read before io.EOF is
//     provisional: any error means the upload must be discarded. Trailing
//     checksum values (x-amz-checksum-crc32, -crc64nvme, ...) are returned
//     unchecked.
//
// In open mode, where signatures are not checked, NewUnverifiedChunkedReader
// strips aws-chunked framing without verifying anything.
//
// # Errors
//
// Every authentication failure is an *Error carrying a Kind and an AWS-style
// Message. HTTPStatus, JSONCode and S3Code give the wire status and code for
// each protocol; S3Message gives S3's wording. For InvalidSignature from
// Verify the error also carries the canonical request and string to sign
// that S3 echoes back in SignatureDoesNotMatch.
//
// # What is canonicalised
//
// S3 signs the URI path as sent; other services encode the sent path once
// more. Query parameters are decoded and re-encoded per RFC 3986 and sorted
// (X-Amz-Signature left out for presigned URLs). Signed headers are trimmed,
// inner runs of spaces collapsed and repeated headers joined with ",". Where
// clients are known to disagree (dot segments in non-S3 paths, a literal '+'
// in a query), each reading is tried, so the extra work is only spent on
// requests that would otherwise fail. Derived signing keys are cached per
// (secret, date, region, service).
package sigv4
