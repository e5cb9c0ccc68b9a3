package s3api

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// awsChunkedReader decodes an aws-chunked request body, the framing S3
// clients use when x-amz-content-sha256 is one of the STREAMING-* values:
//
//	<hex size>[;chunk-signature=<sig>]\r\n<size bytes>\r\n   (repeated)
//	0[;chunk-signature=<sig>]\r\n
//	<trailer name>:<value>\r\n                              (zero or more)
//	\r\n
//
// It yields the payload bytes and, once it has returned io.EOF, the trailers
// (x-amz-checksum-*, x-amz-trailer-signature).
//
// Chunk and trailer signatures are not verified here. Signature checking is
// the sigv4 package's job; the gateway has verified the request's seed
// signature before the handler runs.
type awsChunkedReader struct {
	src *bufio.Reader
	// decodedLength is x-amz-decoded-content-length, or -1 if not sent.
	decodedLength int64
	decoded       int64
	remaining     int64 // payload bytes left in the current chunk
	dataCRLFDue   bool  // the current chunk's data is done but its CRLF unread
	trailers      http.Header
	err           error // sticky: io.EOF once the body is fully decoded
}

const (
	maxChunkLineLength = 4096
	maxTrailers        = 32
)

func newAWSChunkedReader(body io.Reader, decodedLength int64) *awsChunkedReader {
	return &awsChunkedReader{
		src:           bufio.NewReaderSize(body, 64<<10),
		decodedLength: decodedLength,
		trailers:      http.Header{},
	}
}

func errMalformedChunkedBody(detail string) *s3Error {
	return errInvalidRequest("The aws-chunked request body is malformed: " + detail + ".")
}

func (c *awsChunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.remaining == 0 {
		if err := c.startChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.src.Read(p)
	c.remaining -= int64(n)
	c.decoded += int64(n)
	if errors.Is(err, io.EOF) {
		err = errIncompleteBody("The aws-chunked body ended inside a chunk.")
	} else if err != nil {
		err = &bodyReadError{err: err}
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// startChunk reads the next chunk header (after the previous chunk's CRLF)
// and, at the final zero-size chunk, the trailers; it returns io.EOF then.
func (c *awsChunkedReader) startChunk() error {
	if c.dataCRLFDue {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line != "" {
			return errMalformedChunkedBody("chunk data is not followed by CRLF")
		}
		c.dataCRLFDue = false
	}
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeText, _, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
	if err != nil || size < 0 {
		return errMalformedChunkedBody("bad chunk size " + strconv.Quote(sizeText))
	}
	if c.decodedLength >= 0 && c.decoded+size > c.decodedLength {
		return errMalformedChunkedBody("chunks exceed x-amz-decoded-content-length")
	}
	if size > 0 {
		c.remaining, c.dataCRLFDue = size, true
		return nil
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	if c.decodedLength >= 0 && c.decoded != c.decodedLength {
		return errIncompleteBody("You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header")
	}
	return io.EOF
}

func (c *awsChunkedReader) readTrailers() error {
	for range maxTrailers + 1 {
		line, err := c.readLine()
		if errors.Is(err, errEndOfBody) || err == nil && line == "" {
			// Some clients end the body without the final empty line.
			return nil
		}
		if err != nil {
			return err
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return errMalformedChunkedBody("bad trailer line")
		}
		c.trailers.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return errMalformedChunkedBody("too many trailers")
}

// errEndOfBody is readLine's report that the body ended cleanly before a
// line started.
var errEndOfBody = errors.New("end of body")

// readLine returns the next CRLF- (or LF-) terminated line without its
// terminator.
func (c *awsChunkedReader) readLine() (string, error) {
	line, err := c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLineLength:
		return "", errMalformedChunkedBody("line too long")
	case errors.Is(err, io.EOF) && len(line) == 0:
		return "", errEndOfBody
	case errors.Is(err, io.EOF):
		return "", errIncompleteBody("The aws-chunked body ended inside a line.")
	case err != nil:
		return "", &bodyReadError{err: err}
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return string(line), nil
}

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
