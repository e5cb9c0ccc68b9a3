package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// X-Amz-Content-Sha256 values that stand in for a payload hash.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingSignedPayload          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingSignedPayloadTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// emptySHA256 is the hex SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// PayloadSHA256 is the payload hash of a fully read body: lowercase hex
// SHA-256. Services other than S3 always sign this.
func PayloadSHA256(body []byte) string {
	return sha256Hex(body)
}

// ClaimedPayloadHash is the payload hash an S3 request says it signed: the
// X-Amz-Content-Sha256 header when sent, UNSIGNED-PAYLOAD for presigned
// URLs, and "" for header auth without the header (S3 rejects those).
func ClaimedPayloadHash(r *http.Request, a *Auth) string {
	if v := r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		return v
	}
	if a.Presigned {
		return UnsignedPayload
	}
	return ""
}

// PayloadReader reads an S3 request body and checks it against what the
// client signed. Bytes it returns are trustworthy only once Read has
// returned io.EOF; any other error means the upload must be discarded.
type PayloadReader struct {
	body    io.Reader
	chunked *chunkedReader
}

// NewPayloadReader wraps r.Body according to ClaimedPayloadHash(r, a), after
// Verify has accepted the request with that hash:
//   - a hex SHA-256: the body is hashed as it is read and a mismatch is a
//     ContentHashMismatch error at the end;
//   - UNSIGNED-PAYLOAD: the body is passed through;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: the aws-chunked framing
//     is removed and each chunk signature (and the trailer signature) is
//     verified, chained from the request signature a.Signature;
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER: the aws-chunked framing is removed.
//
// For aws-chunked bodies the decoded length is checked against
// X-Amz-Decoded-Content-Length when that header is present.
func NewPayloadReader(r *http.Request, a *Auth, secret string) (*PayloadReader, error) {
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	claim := ClaimedPayloadHash(r, a)
	switch claim {
	case "":
		return nil, incomplete(a.Presigned, "Missing required header for this request: x-amz-content-sha256.")
	case UnsignedPayload:
		return &PayloadReader{body: body}, nil
	case StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer:
		decodedLength := int64(-1)
		if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, malformedBody("X-Amz-Decoded-Content-Length %q is not a byte count.", v)
			}
			decodedLength = n
		}
		c := newChunkedReader(body, claim, a, secret, decodedLength)
		return &PayloadReader{body: c, chunked: c}, nil
	}
	if !isSHA256Hex(claim) {
		return nil, incomplete(a.Presigned, "x-amz-content-sha256 must be %s, %s, %s, %s or a hex SHA-256 value, got %q.",
			UnsignedPayload, StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer, claim)
	}
	return &PayloadReader{body: &hashCheckingReader{src: body, hash: sha256.New(), want: strings.ToLower(claim)}}, nil
}

// NewUnverifiedChunkedReader strips aws-chunked framing from body without
// checking chunk or trailer signatures, for open mode where signatures are
// not verified. Framing errors are still MalformedBody errors.
func NewUnverifiedChunkedReader(body io.Reader, decodedLength int64) *PayloadReader {
	c := newChunkedReader(body, StreamingUnsignedPayloadTrailer, nil, "", decodedLength)
	return &PayloadReader{body: c, chunked: c}
}

func (p *PayloadReader) Read(b []byte) (int, error) {
	return p.body.Read(b)
}

// Chunked reports whether the body is aws-chunked. S3 does not keep
// "aws-chunked" in an object's stored Content-Encoding.
func (p *PayloadReader) Chunked() bool {
	return p.chunked != nil
}

// Trailers are the trailing headers of an aws-chunked body (for example
// X-Amz-Checksum-Crc32), available once Read has returned io.EOF. Their
// values are not checked here. Nil for other bodies.
func (p *PayloadReader) Trailers() http.Header {
	if p.chunked == nil {
		return nil
	}
	return p.chunked.trailers
}

type hashCheckingReader struct {
	src  io.Reader
	hash hash.Hash
	want string
	err  error
}

func (h *hashCheckingReader) Read(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.src.Read(p)
	h.hash.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(h.hash.Sum(nil)) != h.want {
		err = &Error{Kind: ContentHashMismatch, Message: "The body does not match the x-amz-content-sha256 header."}
	}
	h.err = err
	return n, err
}

func isSHA256Hex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
