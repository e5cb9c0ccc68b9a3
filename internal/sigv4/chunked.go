package sigv4

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"sort"
	"strings"
)

// aws-chunked framing, one chunk per line pair:
//
//	<hex size>[;chunk-signature=<64 hex>]\r\n<size bytes>\r\n
//
// ended by a zero-size chunk, then optional trailing headers
// ("name:value\r\n", the last being x-amz-trailer-signature when signed)
// and an empty line.

const (
	chunkStringToSignPrefix   = "AWS4-HMAC-SHA256-PAYLOAD"
	trailerStringToSignPrefix = "AWS4-HMAC-SHA256-TRAILER"
	chunkSignatureExtension   = "chunk-signature="
	trailerSignatureName      = "x-amz-trailer-signature"
	maxTrailers               = 32
)

type chunkedReader struct {
	src         *bufio.Reader
	signed      bool
	withTrailer bool

	signingKey        []byte
	amzDate           string
	scope             string
	previousSignature string
	chunkSignature    string
	chunkHash         hash.Hash

	remaining      int64 // bytes of the current chunk not yet read
	decoded        int64
	expectedLength int64 // -1 when unknown
	trailers       http.Header
	err            error // sticky; io.EOF after a complete body
}

// newChunkedReader decodes body framed as mode (one of the STREAMING-*
// payload hashes). a and secret are only used for the signed modes.
func newChunkedReader(body io.Reader, mode string, a *Auth, secret string, expectedLength int64) *chunkedReader {
	c := &chunkedReader{
		src:            bufio.NewReader(body),
		signed:         mode != StreamingUnsignedPayloadTrailer,
		withTrailer:    mode != StreamingSignedPayload,
		expectedLength: expectedLength,
	}
	if c.signed {
		c.signingKey = signingKey(secret, a.ScopeDate, a.Region, a.Service)
		c.amzDate = a.Time.Format(amzDateLayout)
		c.scope = a.Scope()
		c.previousSignature = a.Signature
		c.chunkHash = sha256.New()
	}
	return c
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.err == nil {
		if c.remaining == 0 {
			c.err = c.startChunk()
			continue
		}
		if len(p) == 0 {
			return 0, nil
		}
		if int64(len(p)) > c.remaining {
			p = p[:c.remaining]
		}
		n, err := c.src.Read(p)
		c.remaining -= int64(n)
		c.decoded += int64(n)
		if c.signed {
			c.chunkHash.Write(p[:n])
		}
		switch {
		case c.remaining == 0:
			c.err = c.endChunk()
		case errors.Is(err, io.EOF):
			c.err = malformedBody("The aws-chunked body ended inside a chunk.")
		case err != nil:
			c.err = err
		}
		return n, c.err
	}
	return 0, c.err
}

func (c *chunkedReader) startChunk() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeText, extensions, _ := strings.Cut(line, ";")
	size, ok := parseChunkSize(sizeText)
	if !ok {
		return malformedBody("Invalid aws-chunked chunk size %q.", sizeText)
	}
	if c.signed {
		signature, found := strings.CutPrefix(extensions, chunkSignatureExtension)
		if !found || !isSHA256Hex(signature) {
			return &Error{Kind: IncompleteSignature, Message: "An aws-chunked chunk header lacks a valid chunk-signature."}
		}
		c.chunkSignature = signature
		c.chunkHash.Reset()
	}
	if c.expectedLength >= 0 && size > c.expectedLength-c.decoded {
		return malformedBody("The aws-chunked body is longer than X-Amz-Decoded-Content-Length (%d).", c.expectedLength)
	}
	if size == 0 {
		return c.finish()
	}
	c.remaining = size
	return nil
}

func (c *chunkedReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.src, crlf[:]); err != nil || string(crlf[:]) != "\r\n" {
		return malformedBody("An aws-chunked chunk is not followed by CRLF.")
	}
	if c.signed {
		return c.verifyChunkSignature(hex.EncodeToString(c.chunkHash.Sum(nil)))
	}
	return nil
}

func (c *chunkedReader) verifyChunkSignature(dataHash string) error {
	stringToSign := chunkStringToSignPrefix + "\n" + c.amzDate + "\n" + c.scope + "\n" +
		c.previousSignature + "\n" + emptySHA256 + "\n" + dataHash
	if !equalHexSignature(hmacSHA256(c.signingKey, stringToSign), c.chunkSignature) {
		return &Error{Kind: InvalidSignature, Message: messageSignatureMismatch, StringToSign: stringToSign, SignatureProvided: c.chunkSignature}
	}
	c.previousSignature = c.chunkSignature
	return nil
}

// finish handles everything after the zero-size chunk header.
func (c *chunkedReader) finish() error {
	if c.signed {
		if err := c.verifyChunkSignature(emptySHA256); err != nil {
			return err
		}
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	if c.expectedLength >= 0 && c.decoded != c.expectedLength {
		return malformedBody("The aws-chunked body decoded to %d bytes, but X-Amz-Decoded-Content-Length is %d.", c.decoded, c.expectedLength)
	}
	return io.EOF
}

func (c *chunkedReader) readTrailers() error {
	type trailer struct{ name, value string }
	var received []trailer
	trailerSignature := ""
	c.trailers = http.Header{}
	for {
		line, err := c.readLine()
		if err != nil {
			// Some clients end the body right after the last trailer,
			// without the closing empty line.
			if len(received) > 0 && c.atEOF() {
				break
			}
			return err
		}
		if line == "" {
			break
		}
		if !c.withTrailer {
			return malformedBody("The aws-chunked body has trailing headers but X-Amz-Content-Sha256 declares none.")
		}
		if len(received) == maxTrailers || trailerSignature != "" {
			return malformedBody("Too many or misplaced aws-chunked trailing headers.")
		}
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if !ok || !isLowercaseToken(name) {
			return malformedBody("Invalid aws-chunked trailing header %q.", line)
		}
		if name == trailerSignatureName {
			if value == "" {
				return malformedBody("Empty %s.", trailerSignatureName)
			}
			trailerSignature = value
			continue
		}
		received = append(received, trailer{name, value})
		c.trailers.Add(name, value)
	}
	if !c.signed || !c.withTrailer {
		return nil
	}
	if trailerSignature == "" {
		return &Error{Kind: IncompleteSignature, Message: "The signed aws-chunked body has no " + trailerSignatureName + "."}
	}
	sort.SliceStable(received, func(i, j int) bool { return received[i].name < received[j].name })
	var canonical strings.Builder
	for _, t := range received {
		canonical.WriteString(t.name + ":" + t.value + "\n")
	}
	stringToSign := trailerStringToSignPrefix + "\n" + c.amzDate + "\n" + c.scope + "\n" +
		c.previousSignature + "\n" + sha256Hex([]byte(canonical.String()))
	if !equalHexSignature(hmacSHA256(c.signingKey, stringToSign), trailerSignature) {
		return &Error{Kind: InvalidSignature, Message: messageSignatureMismatch, StringToSign: stringToSign, SignatureProvided: trailerSignature}
	}
	return nil
}

// atEOF reports whether the framing has been read to its very end.
func (c *chunkedReader) atEOF() bool {
	_, err := c.src.Peek(1)
	return errors.Is(err, io.EOF)
}

// readLine reads one CRLF-terminated line of framing, without the CRLF.
func (c *chunkedReader) readLine() (string, error) {
	line, err := c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", malformedBody("An aws-chunked framing line is too long.")
	case errors.Is(err, io.EOF):
		return "", malformedBody("The aws-chunked body ended before its final chunk.")
	case err != nil:
		return "", err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", malformedBody("An aws-chunked framing line does not end with CRLF.")
	}
	return string(line[:len(line)-2]), nil
}

// parseChunkSize parses 1 to 15 hex digits, which keeps the value positive
// in an int64.
func parseChunkSize(s string) (int64, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var digit byte
		switch {
		case '0' <= c && c <= '9':
			digit = c - '0'
		case 'a' <= c && c <= 'f':
			digit = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			digit = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(digit)
	}
	return n, true
}
