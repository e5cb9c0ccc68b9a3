package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The chunk signatures below are computed by this small, separate
// implementation of the aws-chunked signing rules rather than by the code
// under test.

func testHMAC(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

func testSHA256(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:])
}

type testChunkSigner struct {
	key      []byte
	amzDate  string
	scope    string
	previous string
}

func newTestChunkSigner(secret, region, service string, at time.Time, seed string) *testChunkSigner {
	date := at.Format("20060102")
	key := testHMAC([]byte("AWS4"+secret), date)
	for _, part := range []string{region, service, "aws4_request"} {
		key = testHMAC(key, part)
	}
	return &testChunkSigner{
		key: key, amzDate: at.Format("20060102T150405Z"),
		scope: date + "/" + region + "/" + service + "/aws4_request", previous: seed,
	}
}

func (s *testChunkSigner) chunk(data string) string {
	stringToSign := strings.Join([]string{"AWS4-HMAC-SHA256-PAYLOAD", s.amzDate, s.scope, s.previous, testSHA256(""), testSHA256(data)}, "\n")
	s.previous = hex.EncodeToString(testHMAC(s.key, stringToSign))
	return fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n", len(data), s.previous, data)
}

// finalChunk is the zero-length chunk, without the CRLF that ends the body.
func (s *testChunkSigner) finalChunk() string {
	return strings.TrimSuffix(s.chunk(""), "\r\n")
}

func (s *testChunkSigner) trailer(trailers [][2]string) string {
	var canonical, sent strings.Builder
	for _, t := range trailers {
		canonical.WriteString(t[0] + ":" + t[1] + "\n")
		sent.WriteString(t[0] + ":" + t[1] + "\r\n")
	}
	stringToSign := strings.Join([]string{"AWS4-HMAC-SHA256-TRAILER", s.amzDate, s.scope, s.previous, testSHA256(canonical.String())}, "\n")
	signature := hex.EncodeToString(testHMAC(s.key, stringToSign))
	return sent.String() + "x-amz-trailer-signature:" + signature + "\r\n"
}

var (
	uploadChunks   = []string{"hello ", "aws-chunked ", "world"}
	uploadTrailers = [][2]string{{"x-amz-checksum-crc32", "DQ8fKg=="}}
)

// chunkedUpload signs the headers of an aws-chunked PUT with the SDK, then
// attaches the body that body(seed) returns.
func chunkedUpload(t testing.TB, mode string, decodedLength int, body func(seed string) string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("PUT", endpoint+"/my-bucket/uploads/object.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", mode)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decodedLength))
	if mode != StreamingSignedPayload {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := sdkRequest{}.credentials()
	if err := signer.SignHTTP(context.Background(), creds, req, mode, "s3", "us-east-1", signedAt); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	seed := auth[strings.Index(auth, "Signature=")+len("Signature="):]
	payload := body(seed)
	req.Body = io.NopCloser(strings.NewReader(payload))
	req.ContentLength = int64(len(payload))
	return serverSide(t, req)
}

func signedBody(chunks []string, trailers [][2]string) func(seed string) string {
	return func(seed string) string {
		s := newTestChunkSigner(testSecret, "us-east-1", "s3", signedAt, seed)
		var b strings.Builder
		for _, c := range chunks {
			b.WriteString(s.chunk(c))
		}
		b.WriteString(s.finalChunk())
		if trailers != nil {
			b.WriteString(s.trailer(trailers))
		}
		b.WriteString("\r\n")
		return b.String()
	}
}

func unsignedBody(chunks []string, trailers [][2]string) func(string) string {
	return func(string) string {
		var b strings.Builder
		for _, c := range chunks {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", len(c), c)
		}
		b.WriteString("0\r\n")
		for _, t := range trailers {
			b.WriteString(t[0] + ":" + t[1] + "\r\n")
		}
		b.WriteString("\r\n")
		return b.String()
	}
}

func ptr(s string) *string { return &s }

func edited(body func(string) string, edit func(string) string) func(string) string {
	return func(seed string) string { return edit(body(seed)) }
}

// upload authenticates r and reads its body the way the S3 handler does.
func upload(r *http.Request, oneByteAtATime bool) ([]byte, http.Header, error) {
	a, err := ParseRequest(r)
	if err != nil {
		return nil, nil, err
	}
	if err := Verify(r, a, testSecret, ClaimedPayloadHash(r, a), signedAt); err != nil {
		return nil, nil, err
	}
	if oneByteAtATime {
		r.Body = io.NopCloser(iotest.OneByteReader(r.Body))
	}
	payload, err := NewPayloadReader(r, a, testSecret)
	if err != nil {
		return nil, nil, err
	}
	var reader io.Reader = payload
	if oneByteAtATime {
		reader = iotest.OneByteReader(payload)
	}
	data, err := io.ReadAll(reader)
	return data, payload.Trailers(), err
}

func TestChunkedUpload(t *testing.T) {
	content := strings.Join(uploadChunks, "")
	n := len(content)
	tests := []struct {
		name          string
		mode          string
		decodedLength int
		body          func(seed string) string
		want          Kind
		wantTrailers  bool
		wantData      *string // default: content, cut to decodedLength
	}{
		{name: "signed chunks", mode: StreamingSignedPayload, body: signedBody(uploadChunks, nil)},
		{name: "signed chunks and signed trailer", mode: StreamingSignedPayloadTrailer, body: signedBody(uploadChunks, uploadTrailers), wantTrailers: true},
		{name: "unsigned chunks with trailer", mode: StreamingUnsignedPayloadTrailer, body: unsignedBody(uploadChunks, uploadTrailers), wantTrailers: true},
		{name: "unsigned chunks with extensions", mode: StreamingUnsignedPayloadTrailer, body: edited(unsignedBody(uploadChunks, uploadTrailers), func(b string) string {
			return strings.Replace(b, "6\r\n", "6;ext=1\r\n", 1)
		}), wantTrailers: true},
		{name: "single chunk", mode: StreamingSignedPayload, decodedLength: 3, body: signedBody([]string{"abc"}, nil), wantData: ptr("abc")},
		{name: "empty object", mode: StreamingSignedPayload, decodedLength: -1, body: signedBody(nil, nil)},

		{name: "tampered chunk data", mode: StreamingSignedPayload, body: edited(signedBody(uploadChunks, nil), func(b string) string {
			return strings.Replace(b, "aws-chunked", "aws-chunkeD", 1)
		}), want: InvalidSignature},
		{name: "chunks reordered", mode: StreamingSignedPayload, body: func(seed string) string {
			s := newTestChunkSigner(testSecret, "us-east-1", "s3", signedAt, seed)
			first, second, third := s.chunk(uploadChunks[0]), s.chunk(uploadChunks[1]), s.chunk(uploadChunks[2])
			return second + first + third + s.finalChunk() + "\r\n"
		}, want: InvalidSignature},
		{name: "chain not seeded by the request signature", mode: StreamingSignedPayload, body: func(string) string {
			return signedBody(uploadChunks, nil)(strings.Repeat("0", 64))
		}, want: InvalidSignature},
		{name: "chunk signed with another secret", mode: StreamingSignedPayload, body: func(seed string) string {
			s := newTestChunkSigner("other-secret", "us-east-1", "s3", signedAt, seed)
			return s.chunk(content) + s.finalChunk() + "\r\n"
		}, want: InvalidSignature},
		{name: "final chunk dropped", mode: StreamingSignedPayload, body: edited(signedBody(uploadChunks, nil), func(b string) string {
			return b[:strings.LastIndex(b, "0;chunk-signature")]
		}), want: MalformedBody},
		{name: "truncated inside a chunk", mode: StreamingSignedPayload, body: edited(signedBody(uploadChunks, nil), func(b string) string {
			return b[:strings.Index(b, "world")+2]
		}), want: MalformedBody},
		{name: "decoded length larger than body", mode: StreamingSignedPayload, decodedLength: n + 1, body: signedBody(uploadChunks, nil), want: MalformedBody},
		{name: "decoded length smaller than body", mode: StreamingSignedPayload, decodedLength: n - 1, body: signedBody(uploadChunks, nil), want: MalformedBody},
		{name: "chunk without signature", mode: StreamingSignedPayload, body: edited(signedBody(uploadChunks, nil), func(b string) string {
			return "6\r\n" + b[strings.Index(b, "\r\n")+2:]
		}), want: IncompleteSignature},
		{name: "chunk size not hex", mode: StreamingUnsignedPayloadTrailer, body: edited(unsignedBody(uploadChunks, nil), func(b string) string {
			return "-6" + b[1:]
		}), want: MalformedBody},
		{name: "chunk not followed by CRLF", mode: StreamingUnsignedPayloadTrailer, body: edited(unsignedBody(uploadChunks, nil), func(b string) string {
			return strings.Replace(b, "hello \r\n", "hello XX", 1)
		}), want: MalformedBody},
		{name: "tampered trailer value", mode: StreamingSignedPayloadTrailer, body: edited(signedBody(uploadChunks, uploadTrailers), func(b string) string {
			return strings.Replace(b, "DQ8fKg==", "AAAAAA==", 1)
		}), want: InvalidSignature},
		{name: "trailer signature missing", mode: StreamingSignedPayloadTrailer, body: edited(signedBody(uploadChunks, uploadTrailers), func(b string) string {
			start := strings.Index(b, "x-amz-trailer-signature:")
			return b[:start] + b[start+len("x-amz-trailer-signature:")+64+2:]
		}), want: IncompleteSignature},
		{name: "trailer where none is declared", mode: StreamingSignedPayload, body: edited(signedBody(uploadChunks, nil), func(b string) string {
			return strings.TrimSuffix(b, "\r\n") + "x-amz-checksum-crc32:DQ8fKg==\r\n\r\n"
		}), want: MalformedBody},
	}
	for _, tc := range tests {
		decodedLength := tc.decodedLength
		switch decodedLength {
		case 0:
			decodedLength = n
		case -1:
			decodedLength = 0
		}
		for _, oneByte := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/one-byte-reads=%v", tc.name, oneByte), func(t *testing.T) {
				r := chunkedUpload(t, tc.mode, decodedLength, tc.body)
				data, trailers, err := upload(r, oneByte)
				if got := kindOf(err); got != tc.want {
					t.Fatalf("got %v (%v), want %v", got, err, tc.want)
				}
				if tc.want != 0 {
					return
				}
				wantData := content[:decodedLength]
				if tc.wantData != nil {
					wantData = *tc.wantData
				}
				if string(data) != wantData {
					t.Errorf("decoded %q, want %q", data, wantData)
				}
				if got := trailers.Get("X-Amz-Checksum-Crc32"); tc.wantTrailers != (got == "DQ8fKg==") {
					t.Errorf("trailers %v", trailers)
				}
			})
		}
	}
}

// TestChunkedKnownSignatures checks the aws-chunked example from Amazon S3's
// documentation: 65536 and 1024 bytes of 'a' under fixed credentials.
func TestChunkedKnownSignatures(t *testing.T) {
	const (
		seed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
		chunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
		chunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
		final  = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	)
	body := "10000;chunk-signature=" + chunk1 + "\r\n" + strings.Repeat("a", 65536) + "\r\n" +
		"400;chunk-signature=" + chunk2 + "\r\n" + strings.Repeat("a", 1024) + "\r\n" +
		"0;chunk-signature=" + final + "\r\n\r\n"
	r, _ := http.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(body))
	for name, value := range map[string]string{
		"X-Amz-Date":                   "20130524T000000Z",
		"X-Amz-Storage-Class":          "REDUCED_REDUNDANCY",
		"X-Amz-Content-Sha256":         StreamingSignedPayload,
		"Content-Encoding":             "aws-chunked",
		"X-Amz-Decoded-Content-Length": "66560",
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
			"Signature=" + seed,
	} {
		r.Header.Set(name, value)
	}
	r = serverSide(t, r)
	if got := r.Header.Get("Content-Length"); got != "66824" {
		t.Fatalf("Content-Length %s", got)
	}
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	a, err := ParseRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(r, a, secret, ClaimedPayloadHash(r, a), time.Date(2013, 5, 24, 0, 1, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	payload, err := NewPayloadReader(r, a, secret)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(payload)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, bytes.Repeat([]byte("a"), 66560)) || !payload.Chunked() {
		t.Fatalf("decoded %d bytes", len(data))
	}
}

func TestPayloadReaderModes(t *testing.T) {
	req := func(hash, body string, presigned bool) (*http.Request, *Auth) {
		r, _ := http.NewRequest("PUT", endpoint+"/b/k", strings.NewReader(body))
		if hash != "" {
			r.Header.Set("X-Amz-Content-Sha256", hash)
		}
		return r, &Auth{Presigned: presigned}
	}
	tests := []struct {
		name      string
		hash      string
		presigned bool
		want      Kind
	}{
		{name: "matching hash", hash: PayloadSHA256([]byte("body"))},
		{name: "matching hash in upper case", hash: strings.ToUpper(PayloadSHA256([]byte("body")))},
		{name: "different hash", hash: PayloadSHA256([]byte("other")), want: ContentHashMismatch},
		{name: "unsigned payload", hash: UnsignedPayload},
		{name: "presigned without header", presigned: true},
		{name: "header auth without header", want: IncompleteSignature},
		{name: "unknown value", hash: "STREAMING-SOMETHING", want: IncompleteSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, a := req(tc.hash, "body", tc.presigned)
			payload, err := NewPayloadReader(r, a, testSecret)
			var data []byte
			if err == nil {
				data, err = io.ReadAll(payload)
				if payload.Chunked() || payload.Trailers() != nil {
					t.Errorf("not chunked, yet Chunked=%v Trailers=%v", payload.Chunked(), payload.Trailers())
				}
			}
			if got := kindOf(err); got != tc.want {
				t.Fatalf("got %v (%v), want %v", got, err, tc.want)
			}
			if err == nil && string(data) != "body" {
				t.Errorf("data %q", data)
			}
		})
	}
}

func TestParseChunkSize(t *testing.T) {
	for text, want := range map[string]int64{"0": 0, "a": 10, "10000": 65536, "FfFf": 65535, "fffffffffffffff": 1<<60 - 1} {
		if got, ok := parseChunkSize(text); !ok || got != want {
			t.Errorf("parseChunkSize(%q) = %d, %v", text, got, ok)
		}
	}
	for _, text := range []string{"", "-1", "+1", "0x10", "g", "ffffffffffffffff", " 1"} {
		if _, ok := parseChunkSize(text); ok {
			t.Errorf("parseChunkSize(%q) accepted", text)
		}
	}
}

func TestUnverifiedChunkedReader(t *testing.T) {
	bodies := map[string]string{
		"signed":            signedBody(uploadChunks, nil)(strings.Repeat("0", 64)),
		"signed trailer":    signedBody(uploadChunks, uploadTrailers)(strings.Repeat("0", 64)),
		"unsigned trailer":  unsignedBody(uploadChunks, uploadTrailers)(""),
		"unsigned no trail": unsignedBody(uploadChunks, nil)(""),
	}
	for name, body := range bodies {
		reader := NewUnverifiedChunkedReader(strings.NewReader(body), -1)
		data, err := io.ReadAll(reader)
		if err != nil || string(data) != strings.Join(uploadChunks, "") {
			t.Errorf("%s: got %q, %v", name, data, err)
		}
		if reader.Trailers().Get("X-Amz-Trailer-Signature") != "" {
			t.Errorf("%s: trailer signature kept in trailers", name)
		}
	}
	_, err := io.ReadAll(NewUnverifiedChunkedReader(strings.NewReader("5\r\nabc"), -1))
	if kindOf(err) != MalformedBody {
		t.Errorf("truncated body: %v", err)
	}
}
