// Package queryresults owns the S3 delivery of a finished CloudTrail Lake
// query: the gzip CSV result files and the signed sign file that StartQuery's
// DeliveryS3Uri asks for, in the layout and format that
// `aws cloudtrail verify-query-results` checks. It does not run queries,
// track DeliveryStatus or hold keys; the caller passes the rows, an
// ObjectStore and a Signer.
//
// # Layout
//
// For DeliveryS3Uri s3://bucket/prefix, a query of account A that completed
// on day D (UTC) is written to
//
//	s3://bucket/prefix/AWSLogs/A/CloudTrail-Lake/Query/yyyy/mm/dd/<queryId>/result_1.csv.gz
//	                                                               result_2.csv.gz ...
//	                                                               result_sign.json
//
// Trailing slashes of the prefix are dropped; with no prefix the keys start
// at AWSLogs/. The result files are written first, in order, and the sign
// file last, so a sign file is only ever present next to complete results.
// A failure to sign or to write the sign file is a *SigningError, which the
// query service reports as DeliveryStatus FAILED_SIGNING_FILE.
//
// # Result files
//
// Each result file is one gzip member holding UTF-8 CSV (no byte order
// mark) with these rules (the CSV layout is not documented by AWS; this is
// Cairn's choice):
//
//   - The first record of every file is a header of the column names, so
//     each file can be read on its own.
//   - Records end with CRLF, as RFC 4180 specifies.
//   - A field is enclosed in double quotes when it contains a double quote,
//     a comma, CR or LF; quotes inside it are doubled. Other fields,
//     including ones with leading or trailing spaces, are written as is.
//     Values are never altered (embedded LF stays LF).
//   - NULL is an empty field. The empty string is written as "" so that a
//     reader which cares can tell the two apart. One exception keeps the row
//     count intact: a row whose only column is NULL is written as "",
//     because an empty line is skipped by many CSV readers.
//   - Values are the strings GetQueryResults returns for the same rows.
//
// A new file is started when adding the next row would take the current
// file past MaxFileBytes of uncompressed CSV (header included). Rows are
// never split: a row larger than the bound gets a file of its own. A query
// with no rows still gets result_1.csv.gz holding just the header, because
// a sign file must list at least one file.
//
// # Sign file
//
// result_sign.json holds, in this order, version "1.0", region, files
// [{fileHashValue, fileName}] in file order, hashAlgorithm "SHA-256",
// signatureAlgorithm "SHA256withRSA", queryCompleteTime (UTC,
// yyyy-MM-ddTHH:mm:ssZ), hashSignature and publicKeyFingerprint.
// fileHashValue is the lowercase hex SHA-256 of the compressed file as
// stored. The signed data is the fileHashValues joined by single spaces; the
// Signer returns its SHA256withRSA (PKCS #1 v1.5) signature, which is
// written as lowercase hex, and the fingerprint of its key.
//
// The verifier finds the key with ListPublicKeys(StartTime =
// queryCompleteTime, EndTime = queryCompleteTime + 20 days) and a
// fingerprint match, so the Signer must sign with a key whose validity
// window overlaps that range — the Region's active key when the delivery
// runs soon after the query completes.
//
// This package imports only the standard library.
package queryresults
