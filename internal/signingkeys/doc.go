// Package signingkeys owns the RSA key pairs that sign CloudTrail digest
// files and the public-key history that ListPublicKeys reports.
//
// Each region has one active RSA-2048 key at a time. A region's first key is
// created the first time it is needed; when the active key's validity ends,
// the next request creates its successor. Validity windows are contiguous:
// a new key's window starts exactly where the previous one ended, so every
// instant from a region's first key onwards is covered by at least one key.
// If Cairn was not running when a key expired, the successor's window also
// covers that gap.
//
// Keys are never deleted. A digest can be validated years after it was
// signed, and each key costs about 2 KB on disk.
//
// The fingerprint is the lowercase hex MD5 of the public key's DER PKCS#1
// RSAPublicKey encoding, which is the form AWS uses. `aws cloudtrail
// validate-logs` only checks that a digest's digestPublicKeyFingerprint equals
// a Fingerprint returned by ListPublicKeys; it never recomputes it.
//
// On-disk layout under the directory given to Open:
//
//	<dir>/<region>/<start>-<fingerprint>.pem   PKCS#1 "RSA PRIVATE KEY" PEM, mode 0600
//	<dir>/<region>/<start>-<fingerprint>.json  validity window and fingerprint, mode 0600
//
// where <start> is the validity start as YYYYMMDDTHHMMSSZ. Directories are
// mode 0700. Each file is written to a temporary file (".tmp-" prefix),
// fsynced, renamed into place, and the directory is fsynced. The .pem file is
// written before the .json file, and the .json file is what commits a key: a
// .pem file with no .json file is left over from a crash and is ignored, and
// leftover temporary files are removed by Open. A committed key that cannot
// be read back makes Open fail with ErrCorruptKey.
//
// One Store should own a directory at a time. This package imports only the
// standard library.
package signingkeys
