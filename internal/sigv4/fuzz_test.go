package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func FuzzParseAuthorizationHeader(f *testing.F) {
	f.Add(cloudTrailCall.signed(f).Header.Get("Authorization"))
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261121/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,=,==")
	f.Add("AWS AKID:sig")
	f.Add("")
	f.Fuzz(func(t *testing.T, value string) {
		a, err := parseAuthorizationHeader(value)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != IncompleteSignature {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if a.AccessKeyID == "" || a.Region == "" || a.Service == "" || a.Signature == "" || !slices.Contains(a.SignedHeaders, "host") {
			t.Fatalf("accepted incomplete auth %+v", a)
		}
		r := &http.Request{
			Method: "POST", Host: "localhost", URL: &url.URL{Path: "/"},
			Header: http.Header{"Authorization": {value}, "X-Amz-Date": {"20261121T101500Z"}},
		}
		if parsed, err := ParseRequest(r); err == nil {
			_ = Verify(r, parsed, testSecret, emptySHA256, signedAt)
		}
	})
}

func FuzzParsePresignedQuery(f *testing.F) {
	f.Add(s3PresignedGet.presigned(f).URL.RawQuery)
	f.Add(s3PresignedWithToken.presigned(f).URL.RawQuery)
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20261121%2Fr%2Fs3%2Faws4_request&X-Amz-Date=20261121T101500Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
	f.Add("X-Amz-Signature=&X-Amz-Signature=&%zz=+")
	f.Add("X-Amz-Credential")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := &http.Request{Method: "GET", Host: "localhost", URL: &url.URL{Path: "/b/k", RawQuery: rawQuery}, Header: http.Header{}}
		a, err := ParseRequest(r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !a.Presigned || a.Expires < 0 || a.Expires > MaxPresignExpiry || !slices.Contains(a.SignedHeaders, "host") {
			t.Fatalf("accepted bad presigned auth %+v", a)
		}
		_ = Verify(r, a, testSecret, UnsignedPayload, a.Time)
	})
}

func FuzzChunkedReader(f *testing.F) {
	seed := "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	f.Add(signedBody(uploadChunks, nil)(seed), uint8(0))
	f.Add(signedBody(uploadChunks, uploadTrailers)(seed), uint8(1))
	f.Add(unsignedBody(uploadChunks, uploadTrailers)(""), uint8(2))
	f.Add("0\r\n\r\n", uint8(2))
	f.Add("fffffffffffffff\r\nab", uint8(2))
	f.Add("1;chunk-signature=zz\r\n", uint8(0))
	modes := []string{StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer}
	auth := &Auth{ScopeDate: "20261121", Region: "us-east-1", Service: "s3", Time: signedAt, Signature: seed}
	f.Fuzz(func(t *testing.T, body string, mode uint8) {
		expectedLength := int64(-1)
		if mode&4 != 0 {
			expectedLength = int64(len(body) / 2)
		}
		c := newChunkedReader(bytes.NewReader([]byte(body)), modes[int(mode&3)%len(modes)], auth, testSecret, expectedLength)
		data, err := io.ReadAll(c)
		if len(data) > len(body) {
			t.Fatalf("decoded %d bytes from a %d-byte body", len(data), len(body))
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if expectedLength >= 0 && int64(len(data)) != expectedLength {
			t.Fatalf("accepted %d bytes, want %d", len(data), expectedLength)
		}
	})
}
