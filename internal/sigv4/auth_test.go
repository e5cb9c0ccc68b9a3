package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRequestHeaderAuth(t *testing.T) {
	a, err := ParseRequest(cloudTrailCall.signed(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Auth{
		AccessKeyID: testAccessKeyID, ScopeDate: "20261121", Region: "us-east-1", Service: "cloudtrail",
		Time: signedAt, Signature: a.Signature,
	}
	got := *a
	got.SignedHeaders = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if !slices.Contains(a.SignedHeaders, "host") || !slices.Contains(a.SignedHeaders, "x-amz-target") {
		t.Errorf("SignedHeaders = %v", a.SignedHeaders)
	}
	if len(a.Signature) != 64 {
		t.Errorf("Signature = %q", a.Signature)
	}
	if a.Scope() != "20261121/us-east-1/cloudtrail/aws4_request" {
		t.Errorf("Scope() = %q", a.Scope())
	}
	if !a.ExpiresAt().IsZero() {
		t.Errorf("ExpiresAt() = %v for header auth", a.ExpiresAt())
	}
}

func TestParseRequestPresigned(t *testing.T) {
	a, err := ParseRequest(s3PresignedWithToken.presigned(t))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Presigned || a.Expires != 10*time.Minute || a.Service != "s3" || a.AccessKeyID != testAccessKeyID {
		t.Errorf("got %+v", a)
	}
	if a.SecurityToken != s3PresignedWithToken.sessionToken {
		t.Errorf("SecurityToken = %q", a.SecurityToken)
	}
	if want := signedAt.Add(10 * time.Minute); !a.ExpiresAt().Equal(want) {
		t.Errorf("ExpiresAt() = %v, want %v", a.ExpiresAt(), want)
	}
}

func TestParseRequestDateHeader(t *testing.T) {
	r, _ := http.NewRequest("GET", endpoint+"/", nil)
	r.Header.Set("Date", "Sat, 21 Nov 2026 10:15:00 GMT")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261121/eu-west-1/s3/aws4_request,SignedHeaders=date;host,Signature=abc")
	a, err := ParseRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Time.Equal(signedAt) || a.Region != "eu-west-1" || !slices.Equal(a.SignedHeaders, []string{"date", "host"}) {
		t.Errorf("got %+v", a)
	}
}

// TestKnownSignature checks the example from Amazon S3's SigV4 documentation
// (GET Object with a Range header), independently of the SDK.
func TestKnownSignature(t *testing.T) {
	r, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	r.Header.Set("Range", "bytes=0-9")
	r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"+
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
	r = serverSide(t, r)
	a, err := ParseRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC)
	if err := Verify(r, a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ClaimedPayloadHash(r, a), now); err != nil {
		t.Fatal(err)
	}
}

func TestSkewMessage(t *testing.T) {
	a := &Auth{Time: time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)}
	err := checkSigningTime(a, time.Date(2026, 11, 21, 10, 46, 0, 0, time.UTC))
	want := "Signature expired: 20261121T101500Z is now earlier than 20261121T103100Z (20261121T104600Z - 15 min.)"
	var e *Error
	if !errors.As(err, &e) || e.Message != want {
		t.Fatalf("got %v, want message %q", err, want)
	}
	if e.JSONCode() != "InvalidSignatureException" || e.S3Code() != "RequestTimeTooSkewed" || e.HTTPStatus() != 403 {
		t.Errorf("codes %s %s %d", e.JSONCode(), e.S3Code(), e.HTTPStatus())
	}
	err = checkSigningTime(a, time.Date(2026, 11, 21, 9, 59, 0, 0, time.UTC))
	if !errors.As(err, &e) || !strings.HasPrefix(e.Message, "Signature not yet current: 20261121T101500Z is still later than 20261121T101400Z") {
		t.Fatalf("got %v", err)
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		err      *Error
		jsonCode string
		s3Code   string
		status   int
	}{
		{&Error{Kind: MissingAuthentication}, "MissingAuthenticationTokenException", "AccessDenied", 403},
		{&Error{Kind: IncompleteSignature}, "IncompleteSignatureException", "AuthorizationHeaderMalformed", 400},
		{&Error{Kind: IncompleteSignature, Presigned: true}, "IncompleteSignatureException", "AuthorizationQueryParametersError", 400},
		{&Error{Kind: InvalidSignature}, "InvalidSignatureException", "SignatureDoesNotMatch", 403},
		{&Error{Kind: RequestTimeTooSkewed}, "InvalidSignatureException", "RequestTimeTooSkewed", 403},
		{&Error{Kind: RequestExpired}, "InvalidSignatureException", "AccessDenied", 403},
		{UnknownAccessKey("AKIDX"), "UnrecognizedClientException", "InvalidAccessKeyId", 403},
		{&Error{Kind: ContentHashMismatch}, "InvalidSignatureException", "XAmzContentSHA256Mismatch", 400},
		{&Error{Kind: MalformedBody}, "SerializationException", "IncompleteBody", 400},
	}
	for _, tc := range tests {
		if got := tc.err.JSONCode(); got != tc.jsonCode {
			t.Errorf("%v JSONCode = %s, want %s", tc.err.Kind, got, tc.jsonCode)
		}
		if got := tc.err.S3Code(); got != tc.s3Code {
			t.Errorf("%v S3Code = %s, want %s", tc.err.Kind, got, tc.s3Code)
		}
		if got := tc.err.HTTPStatus(); got != tc.status {
			t.Errorf("%v HTTPStatus = %d, want %d", tc.err.Kind, got, tc.status)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	_, err := ParseRequest(&http.Request{Header: http.Header{}, URL: mustURL(t, "/")})
	if e := (*Error)(nil); !errors.As(err, &e) || e.Message != "Missing Authentication Token" {
		t.Errorf("missing auth: %v", err)
	}
	if got := UnknownAccessKey("AKIDX").Message; got != "The security token included in the request is invalid." {
		t.Errorf("unknown key message %q", got)
	}
	err = authenticate(cloudTrailCall.signed(t), "wrong", signedAt)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Message, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key") {
		t.Errorf("mismatch message %q", e.Message)
	}
	if !strings.HasPrefix(e.CanonicalRequest, "POST\n/\n\ncontent-length:") || !strings.HasPrefix(e.StringToSign, "AWS4-HMAC-SHA256\n20261121T101500Z\n20261121/us-east-1/cloudtrail/aws4_request\n") {
		t.Errorf("diagnostics:\n%s\n--\n%s", e.CanonicalRequest, e.StringToSign)
	}
}

func TestCanonicalURI(t *testing.T) {
	tests := []struct {
		path, service string
		want          []string
	}{
		{"/", "cloudtrail", []string{"/"}},
		{"/PutAuditEvents", "cloudtrail-data", []string{"/PutAuditEvents"}},
		{"/a%20b/c", "cloudtrail-data", []string{"/a%2520b/c"}},
		{"/a/./b/../c//d/", "cloudtrail-data", []string{"/a/c/d/", "/a/./b/../c//d/"}},
		{"/bucket/a%20b+c", "s3", []string{"/bucket/a%20b+c", "/bucket/a%20b%2Bc"}},
		{"/bucket/a%2Fb", "s3", []string{"/bucket/a%2Fb", "/bucket/a/b"}},
	}
	for _, tc := range tests {
		r := &http.Request{RequestURI: tc.path + "?q=1", URL: mustURL(t, tc.path)}
		if got := canonicalURIs(r, tc.service); !slices.Equal(got, tc.want) {
			t.Errorf("canonicalURIs(%q, %s) = %q, want %q", tc.path, tc.service, got, tc.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"acl", false, "acl="},
		{"b=2&a=1&a=0", false, "a=0&a=1&b=2"},
		{"prefix=caf%C3%A9%20x&encoding-type=url", false, "encoding-type=url&prefix=caf%C3%A9%20x"},
		{"k=a~b_c.d-e*f", false, "k=a~b_c.d-e%2Af"},
		{"k=%zz", false, "k=%25zz"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
	}
	for _, tc := range tests {
		if got := canonicalQuery(tc.raw, tc.presigned, false); got != tc.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestCanonicalHeaderValue(t *testing.T) {
	r := &http.Request{Host: "example.com:4566", Header: http.Header{
		"X-Spaces": {"  a   b  c "},
		"X-Multi":  {"one", " two  three "},
	}, ContentLength: 42}
	for name, want := range map[string]string{
		"host": "example.com:4566", "x-spaces": "a b c", "x-multi": "one,two three",
		"content-length": "42", "x-absent": "",
	} {
		if got := canonicalHeaderValue(r, name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

func TestSigningKeyCacheIsBounded(t *testing.T) {
	for i := range maxCachedSigningKeys + 10 {
		signingKey("secret", "20261121", "region-"+strings.Repeat("x", i%7)+string(rune('a'+i%26)), "svc"+strings.Repeat("y", i))
	}
	signingKeyCache.RLock()
	n := len(signingKeyCache.keys)
	signingKeyCache.RUnlock()
	if n > maxCachedSigningKeys {
		t.Fatalf("cache holds %d keys", n)
	}
}

func BenchmarkVerify(b *testing.B) {
	r := cloudTrailCall.signed(b)
	a, err := ParseRequest(r)
	if err != nil {
		b.Fatal(err)
	}
	payloadHash := PayloadSHA256([]byte(cloudTrailCall.body))
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(r, a, testSecret, payloadHash, signedAt); err != nil {
			b.Fatal(err)
		}
	}
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
