package s3api

import (
	"net/http"
	"strings"
)

// isAWSChunked reports whether a request body uses aws-chunked framing.
func isAWSChunked(header http.Header) bool {
	if strings.HasPrefix(header.Get("x-amz-content-sha256"), "STREAMING-") {
		return true
	}
	for _, coding := range strings.Split(header.Get("Content-Encoding"), ",") {
		if strings.EqualFold(strings.TrimSpace(coding), "aws-chunked") {
			return true
		}
	}
	return false
}

// storedContentEncoding is the Content-Encoding to record for an object:
// the request's, less the aws-chunked transfer framing.
func storedContentEncoding(header http.Header) string {
	var kept []string
	for _, coding := range strings.Split(header.Get("Content-Encoding"), ",") {
		coding = strings.TrimSpace(coding)
		if coding != "" && !strings.EqualFold(coding, "aws-chunked") {
			kept = append(kept, coding)
		}
	}
	return strings.Join(kept, ",")
}

// bodyReadError marks a failure to read the request body from the client,
// as opposed to a storage failure.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading request body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }
