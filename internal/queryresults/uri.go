package queryresults

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxURILength is the longest DeliveryS3Uri StartQuery accepts, in
// characters.
const MaxURILength = 1024

// ErrInvalidURI is wrapped by ParseURI's errors.
var ErrInvalidURI = errors.New("invalid DeliveryS3Uri")

// uriPattern is the DeliveryS3Uri pattern of the CloudTrail API model,
// anchored. Like the Java pattern it comes from, "." does not match a line
// break; other line terminators Java excludes are rejected separately.
var uriPattern = regexp.MustCompile(`^s3://[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](/.*)?$`)

// ParseURI validates a DeliveryS3Uri (pattern
// s3://[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9](/.*)?, at most 1024 characters)
// and splits it into the bucket and the key prefix. The prefix is what
// follows the bucket's slash with trailing slashes removed; it is empty
// for s3://bucket and s3://bucket/.
func ParseURI(uri string) (bucket, prefix string, err error) {
	if n := utf8.RuneCountInString(uri); n > MaxURILength {
		return "", "", fmt.Errorf("%w: %d characters, at most %d are allowed", ErrInvalidURI, n, MaxURILength)
	}
	if !utf8.ValidString(uri) || strings.ContainsAny(uri, "\u0085\u2028\u2029") || !uriPattern.MatchString(uri) {
		return "", "", fmt.Errorf("%w: %q does not match s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?", ErrInvalidURI, uri)
	}
	rest := strings.TrimPrefix(uri, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	return bucket, strings.TrimRight(prefix, "/"), nil
}
