// Package bucketstore owns Cairn's built-in object storage: the buckets that
// trails deliver log and digest files to, and the objects in them.
//
// Buckets live in one global namespace, as in S3, and each records its owner
// account and its region. The bucket list and a per-bucket object index are
// kept in one bbolt file; object bytes are kept in files with random names
// under the data directory, never named after their keys. A put is written,
// synced and renamed into place before the index commit that makes it
// visible, so an acknowledged put survives a crash; a crash leaves at most
// orphan files, which Open removes.
//
// The package knows nothing about HTTP. The S3 wire protocol lives in
// package s3api, which declares the subset of this API it consumes.
package bucketstore
