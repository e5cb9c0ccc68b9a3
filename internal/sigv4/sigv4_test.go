package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAccessKeyID = "AKIAEXAMPLE000000001"
	testSecret      = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	endpoint        = "http://localhost:4566"
)

var signedAt = time.Date(2026, 11, 21, 10, 15, 0, 0, time.UTC)

// sdkRequest describes a request to be signed by aws-sdk-go-v2's signer.
type sdkRequest struct {
	method       string
	url          string
	body         string
	headers      [][2]string // added in order, so repeated names give repeated headers
	service      string
	region       string
	payloadHash  string // default: hex SHA-256 of body
	sessionToken string
	at           time.Time
}

func (s sdkRequest) build(t testing.TB) *http.Request {
	t.Helper()
	req, err := http.NewRequest(s.method, s.url, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	if s.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for _, h := range s.headers {
		req.Header.Add(h[0], h[1])
	}
	return req
}

func (s sdkRequest) defaults() sdkRequest {
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.payloadHash == "" {
		s.payloadHash = PayloadSHA256([]byte(s.body))
	}
	if s.at.IsZero() {
		s.at = signedAt
	}
	return s
}

func (s sdkRequest) credentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, SessionToken: s.sessionToken}
}

func (s sdkRequest) signerOptions(o *v4.SignerOptions) {
	o.DisableURIPathEscaping = s.service == "s3"
}

// signed signs the request with the SDK and returns it as a server would
// receive it.
func (s sdkRequest) signed(t testing.TB) *http.Request {
	t.Helper()
	s = s.defaults()
	req := s.build(t)
	signer := v4.NewSigner(s.signerOptions)
	if err := signer.SignHTTP(context.Background(), s.credentials(), req, s.payloadHash, s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	return serverSide(t, req)
}

// presigned presigns the request with the SDK and returns the GET a client
// would then send to the URL.
func (s sdkRequest) presigned(t testing.TB) *http.Request {
	t.Helper()
	s = s.defaults()
	req := s.build(t)
	signer := v4.NewSigner(s.signerOptions)
	signedURL, signedHeaders, err := signer.PresignHTTP(context.Background(), s.credentials(), req, UnsignedPayload, s.service, s.region, s.at)
	if err != nil {
		t.Fatal(err)
	}
	use, err := http.NewRequest(s.method, signedURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range signedHeaders {
		if name != "Host" {
			use.Header[name] = values
		}
	}
	return serverSide(t, use)
}

// serverSide round-trips a client request through the wire format so the
// result looks exactly like what net/http's server hands a handler.
func serverSide(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// authenticate runs the flow the gateway uses.
func authenticate(r *http.Request, secret string, now time.Time) error {
	a, err := ParseRequest(r)
	if err != nil {
		return err
	}
	if a.Service != "s3" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		return Verify(r, a, secret, PayloadSHA256(body), now)
	}
	if err := Verify(r, a, secret, ClaimedPayloadHash(r, a), now); err != nil {
		return err
	}
	payload, err := NewPayloadReader(r, a, secret)
	if err != nil {
		return err
	}
	_, err = io.ReadAll(payload)
	return err
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if err != nil {
		return -1
	}
	return 0
}

var (
	cloudTrailCall = sdkRequest{
		method: "POST", url: endpoint + "/", service: "cloudtrail",
		body: `{"trailNameList":["management-events"]}`,
		headers: [][2]string{
			{"Content-Type", "application/x-amz-json-1.1"},
			{"X-Amz-Target", "CloudTrail_20131101.DescribeTrails"},
		},
	}
	putAuditEvents = sdkRequest{
		method:  "POST",
		url:     endpoint + "/PutAuditEvents?channelArn=arn%3Aaws%3Acloudtrail%3Aus-east-1%3A123456789012%3Achannel%2Fabc&externalId=ext-1",
		service: "cloudtrail-data", body: `{"auditEvents":[{"id":"1","eventData":"{}"}]}`,
		headers: [][2]string{{"Content-Type", "application/json"}},
	}
	nonS3PathNeedingEscapes = sdkRequest{
		method: "POST", url: endpoint + "/odd%20path/caf%C3%A9", service: "cloudtrail-data", body: `{}`,
	}
	s3ListObjects = sdkRequest{
		method: "GET", service: "s3",
		url:     endpoint + "/my-bucket?list-type=2&prefix=photos%2Fsummer%202026%2Fna%C3%AFve%2Bcaf%C3%A9&encoding-type=url&delimiter=%2F&start-after=a%2Bb%20c",
		headers: [][2]string{{"X-Amz-Content-Sha256", emptySHA256}},
	}
	s3GetObject = sdkRequest{
		method: "GET", service: "s3",
		url:     endpoint + "/my-bucket/photos/summer%202026/na%C3%AFve%2Bcaf%C3%A9%3D1%20%28copy%29.txt?versionId=3%2F4",
		headers: [][2]string{{"X-Amz-Content-Sha256", emptySHA256}, {"Range", "bytes=0-9"}},
	}
	s3PutObject = sdkRequest{
		method: "PUT", service: "s3", url: endpoint + "/my-bucket/logs/2026/11/21/file.json.gz",
		body: "hello, bucket",
		headers: [][2]string{
			{"X-Amz-Content-Sha256", PayloadSHA256([]byte("hello, bucket"))},
			{"Content-Type", "application/octet-stream"},
			{"X-Amz-Meta-Colour", "  deep   blue  "},
			{"X-Amz-Meta-Tags", "a"},
			{"X-Amz-Meta-Tags", "b  c"},
		},
	}
	s3PresignedGet = sdkRequest{
		method: "GET", service: "s3",
		url: endpoint + "/my-bucket/reports/q4%20summary%2B.pdf?X-Amz-Expires=3600&response-content-type=application%2Fpdf",
	}
	s3PresignedWithToken = sdkRequest{
		method: "GET", service: "s3", sessionToken: "FQoGZXIvYXdzEXAMPLE+token/with==",
		url: endpoint + "/my-bucket/key?X-Amz-Expires=600",
	}
)

type requestBuilder func(testing.TB) *http.Request

func signedBy(s sdkRequest) requestBuilder    { return s.signed }
func presignedBy(s sdkRequest) requestBuilder { return s.presigned }

// then applies a change to the request a client sent, after signing.
func (b requestBuilder) then(change func(r *http.Request)) requestBuilder {
	return func(t testing.TB) *http.Request {
		r := b(t)
		change(r)
		return r
	}
}

func setHeader(name, value string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func editAuthorization(old, replacement string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, replacement, 1))
	}
}

func editQuery(old, replacement string) func(*http.Request) {
	return func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, old, replacement, 1) }
}

func setBody(body string) func(*http.Request) {
	return func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
}

func TestAuthenticate(t *testing.T) {
	withRegion := func(s sdkRequest, region string) sdkRequest { s.region = region; return s }
	withService := func(s sdkRequest, service string) sdkRequest { s.service = service; return s }

	tests := []struct {
		name    string
		request requestBuilder
		secret  string        // default testSecret
		offset  time.Duration // server clock minus signing time
		want    Kind
	}{
		// Good signatures.
		{name: "cloudtrail JSON POST with X-Amz-Target", request: signedBy(cloudTrailCall)},
		{name: "cloudtrail-data POST with encoded query", request: signedBy(putAuditEvents)},
		{name: "non-S3 path is encoded twice", request: signedBy(nonS3PathNeedingEscapes)},
		{name: "s3 ListObjectsV2 with encoding-type=url and escaped prefix", request: signedBy(s3ListObjects)},
		{name: "s3 GET key with spaces, unicode, + and =", request: signedBy(s3GetObject)},
		{name: "s3 PUT with payload hash and repeated headers", request: signedBy(s3PutObject)},
		{name: "s3 presigned GET", request: presignedBy(s3PresignedGet)},
		{name: "s3 presigned GET with security token", request: presignedBy(s3PresignedWithToken)},
		{name: "query sent in another order", request: signedBy(s3ListObjects).then(func(r *http.Request) {
			parts := strings.Split(r.URL.RawQuery, "&")
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			r.URL.RawQuery = strings.Join(parts, "&")
		})},
		{name: "query space sent as +", request: signedBy(s3ListObjects).then(editQuery("summer%202026", "summer+2026"))},
		{name: "clock 14m59s ahead", request: signedBy(cloudTrailCall), offset: 14*time.Minute + 59*time.Second},
		{name: "clock 14m59s behind", request: signedBy(cloudTrailCall), offset: -(14*time.Minute + 59*time.Second)},
		{name: "presigned URL just before expiry", request: presignedBy(s3PresignedGet), offset: time.Hour},
		{name: "unsigned headers may change", request: signedBy(cloudTrailCall).then(setHeader("User-Agent", "something/else"))},

		// Bad signatures.
		{name: "wrong secret", request: signedBy(cloudTrailCall), secret: "not-the-secret", want: InvalidSignature},
		{name: "wrong secret presigned", request: presignedBy(s3PresignedGet), secret: "not-the-secret", want: InvalidSignature},
		{name: "tampered JSON body", request: signedBy(cloudTrailCall).then(setBody(`{"trailNameList":["management-eventz"]}`)), want: InvalidSignature},
		{name: "tampered S3 body against its signed hash", request: signedBy(s3PutObject).then(setBody("HELLO, BUCKET")), want: ContentHashMismatch},
		{name: "tampered S3 payload hash header", request: signedBy(s3PutObject).then(setHeader("X-Amz-Content-Sha256", PayloadSHA256([]byte("x")))), want: InvalidSignature},
		{name: "tampered signed header", request: signedBy(cloudTrailCall).then(setHeader("X-Amz-Target", "CloudTrail_20131101.DeleteTrail")), want: InvalidSignature},
		{name: "tampered host", request: signedBy(cloudTrailCall).then(func(r *http.Request) { r.Host = "evil.example:4566" }), want: InvalidSignature},
		{name: "tampered query", request: signedBy(s3ListObjects).then(editQuery("delimiter=%2F", "delimiter=%2C")), want: InvalidSignature},
		{name: "added query parameter", request: signedBy(putAuditEvents).then(func(r *http.Request) { r.URL.RawQuery += "&extra=1" }), want: InvalidSignature},
		{name: "tampered path", request: signedBy(s3GetObject).then(func(r *http.Request) {
			r.RequestURI = strings.Replace(r.RequestURI, "summer%202026", "winter%202026", 1)
		}), want: InvalidSignature},
		{name: "tampered presigned query", request: presignedBy(s3PresignedGet).then(editQuery("application%2Fpdf", "text%2Fhtml")), want: InvalidSignature},
		{name: "tampered presigned expiry", request: presignedBy(s3PresignedGet).then(editQuery("X-Amz-Expires=3600", "X-Amz-Expires=7200")), want: InvalidSignature},
		{name: "region in scope differs from signing region", request: signedBy(withRegion(cloudTrailCall, "us-west-2")).then(editAuthorization("/us-west-2/", "/us-east-1/")), want: InvalidSignature},
		{name: "service in scope differs from signing service", request: signedBy(withService(cloudTrailCall, "cloudtrail-data")).then(editAuthorization("/cloudtrail-data/", "/cloudtrail/")), want: InvalidSignature},
		{name: "signature not hex", request: signedBy(cloudTrailCall).then(func(r *http.Request) {
			auth := r.Header.Get("Authorization")
			r.Header.Set("Authorization", auth[:strings.Index(auth, "Signature=")]+"Signature=zz")
		}), want: InvalidSignature},
		{name: "clock 16 minutes ahead", request: signedBy(cloudTrailCall), offset: 16 * time.Minute, want: RequestTimeTooSkewed},
		{name: "clock 16 minutes behind", request: signedBy(cloudTrailCall), offset: -16 * time.Minute, want: RequestTimeTooSkewed},
		{name: "expired presigned URL", request: presignedBy(s3PresignedGet), offset: time.Hour + time.Second, want: RequestExpired},
		{name: "presigned URL dated 16 minutes ahead", request: presignedBy(s3PresignedGet), offset: -16 * time.Minute, want: RequestTimeTooSkewed},
		{name: "presigned expiry over a week", request: presignedBy(s3PresignedGet).then(editQuery("X-Amz-Expires=3600", "X-Amz-Expires=604801")), want: IncompleteSignature},
		{name: "presigned expiry not a number", request: presignedBy(s3PresignedGet).then(editQuery("X-Amz-Expires=3600", "X-Amz-Expires=soon")), want: IncompleteSignature},
		{name: "presigned without signature", request: presignedBy(s3PresignedGet).then(func(r *http.Request) {
			q := r.URL.Query()
			q.Del("X-Amz-Signature")
			r.URL.RawQuery = q.Encode()
		}), want: IncompleteSignature},
		{name: "presigned with another algorithm", request: presignedBy(s3PresignedGet).then(editQuery("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256")), want: IncompleteSignature},
		{name: "presigned and Authorization header", request: presignedBy(s3PresignedGet).then(setHeader("Authorization", "AWS4-HMAC-SHA256 Credential=x")), want: IncompleteSignature},
		{name: "no authentication", request: signedBy(cloudTrailCall).then(func(r *http.Request) { r.Header.Del("Authorization") }), want: MissingAuthentication},
		{name: "empty Authorization header", request: signedBy(cloudTrailCall).then(setHeader("Authorization", "  ")), want: MissingAuthentication},
		{name: "algorithm only", request: signedBy(cloudTrailCall).then(setHeader("Authorization", "AWS4-HMAC-SHA256")), want: IncompleteSignature},
		{name: "SigV2 header", request: signedBy(cloudTrailCall).then(setHeader("Authorization", "AWS AKIAEXAMPLE:c2lnbmF0dXJl")), want: IncompleteSignature},
		{name: "SigV4a header", request: signedBy(cloudTrailCall).then(editAuthorization("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")), want: IncompleteSignature},
		{name: "missing Credential", request: signedBy(cloudTrailCall).then(editAuthorization("Credential=", "Credentials=")), want: IncompleteSignature},
		{name: "missing SignedHeaders", request: signedBy(cloudTrailCall).then(editAuthorization("SignedHeaders=", "Headers=")), want: IncompleteSignature},
		{name: "missing Signature", request: signedBy(cloudTrailCall).then(editAuthorization("Signature=", "Sig=")), want: IncompleteSignature},
		{name: "pair without equals sign", request: signedBy(cloudTrailCall).then(editAuthorization("Signature=", "Signature")), want: IncompleteSignature},
		{name: "duplicate Signature", request: signedBy(cloudTrailCall).then(editAuthorization("SignedHeaders=", "Signature=00, SignedHeaders=")), want: IncompleteSignature},
		{name: "credential missing the terminator", request: signedBy(cloudTrailCall).then(editAuthorization("/aws4_request", "")), want: IncompleteSignature},
		{name: "credential missing the access key", request: signedBy(cloudTrailCall).then(editAuthorization(testAccessKeyID, "")), want: IncompleteSignature},
		{name: "credential missing the region", request: signedBy(cloudTrailCall).then(editAuthorization("/us-east-1/", "//")), want: IncompleteSignature},
		{name: "credential with wrong terminator", request: signedBy(cloudTrailCall).then(editAuthorization("aws4_request", "aws5_request")), want: IncompleteSignature},
		{name: "credential date not a date", request: signedBy(cloudTrailCall).then(editAuthorization("/20261121/", "/2026-11-21/")), want: IncompleteSignature},
		{name: "credential date differs from X-Amz-Date", request: signedBy(cloudTrailCall).then(editAuthorization("/20261121/", "/20261120/")), want: IncompleteSignature},
		{name: "host not signed", request: signedBy(cloudTrailCall).then(editAuthorization("SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;")), want: IncompleteSignature},
		{name: "signed header names not lowercase", request: signedBy(cloudTrailCall).then(editAuthorization("x-amz-target", "X-Amz-Target")), want: IncompleteSignature},
		{name: "two Authorization headers", request: signedBy(cloudTrailCall).then(func(r *http.Request) {
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
		}), want: IncompleteSignature},
		{name: "no date", request: signedBy(cloudTrailCall).then(func(r *http.Request) { r.Header.Del("X-Amz-Date") }), want: IncompleteSignature},
		{name: "X-Amz-Date not ISO 8601 basic", request: signedBy(cloudTrailCall).then(setHeader("X-Amz-Date", "2026-11-21T10:15:00Z")), want: IncompleteSignature},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secret := tc.secret
			if secret == "" {
				secret = testSecret
			}
			err := authenticate(tc.request(t), secret, signedAt.Add(tc.offset))
			if got := kindOf(err); got != tc.want {
				t.Fatalf("got %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}
