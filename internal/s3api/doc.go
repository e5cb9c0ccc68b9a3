// Package s3api owns the S3 wire protocol of Cairn's built-in bucket store:
// an http.Handler speaking path-style S3 REST-XML (/bucket, /bucket/key)
// for the subset trails deliver to and users read with aws s3, boto3 or the
// AWS SDKs: bucket create, delete, head, list and location, object put
// (including aws-chunked bodies with trailing checksums), get, head, delete
// and both listing versions. Every other S3 operation is answered with
// S3's NotImplemented error naming it.
//
// The handler does not authenticate: the gateway verifies SigV4 and puts an
// identity.Caller in the request context first. Access is the bucket
// owner's only. Storage is reached through the Store interface, which
// package bucketstore implements. Each request is reported to an optional
// OnCall hook with its S3 operation name, for CloudTrail recording.
package s3api
