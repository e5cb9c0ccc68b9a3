package s3api

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/identity"
)

// rawEnv drives the handler directly, without a client library, to check
// wire shapes byte for byte. Requests carry no Caller unless set, so they
// act as the default account in us-east-1.
type rawEnv struct {
	t       *testing.T
	store   *bucketstore.Store
	handler *Handler
	calls   []Call
}

func newRawEnv(t *testing.T) *rawEnv {
	store, err := bucketstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := &rawEnv{t: t, store: store}
	env.handler = New(store, Options{OnCall: func(_ context.Context, c Call) { env.calls = append(env.calls, c) }})
	return env
}

func (env *rawEnv) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	env.handler.ServeHTTP(w, r)
	return w
}

func (env *rawEnv) request(method, target, body string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range header {
		if k == "Host" {
			r.Host = v
		}
		r.Header.Set(k, v)
	}
	return env.do(r)
}

func (env *rawEnv) expectStatus(w *httptest.ResponseRecorder, status int) {
	env.t.Helper()
	if w.Code != status {
		env.t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
}

func TestWireGetBucketLocationMatchesWhatValidateLogsAccepts(t *testing.T) {
	env := newRawEnv(t)
	env.expectStatus(env.request("PUT", "/ct-bucket", "", nil), 200)
	w := env.request("GET", "/ct-bucket?location", "", nil)
	env.expectStatus(w, 200)
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`
	if w.Body.String() != want || w.Header().Get("Content-Type") != "application/xml" {
		t.Errorf("GetBucketLocation body:\n%s\nwant\n%s", w.Body, want)
	}
	if call := env.calls[len(env.calls)-1]; call.Operation != "GetBucketLocation" || !call.ReadOnly || call.BucketOwnerAccountID != identity.DefaultAccountID {
		t.Errorf("call = %+v", call)
	}
}

func TestWireErrorDocument(t *testing.T) {
	env := newRawEnv(t)
	r := httptest.NewRequest("GET", "/nope/some/key", nil)
	r = r.WithContext(identity.WithCaller(r.Context(), &identity.Caller{
		Principal: identity.Principal{AccountID: "111122223333"}, Region: "eu-west-1", RequestID: "REQ-1",
	}))
	w := env.do(r)
	env.expectStatus(w, 404)
	var doc struct {
		XMLName    xml.Name
		Code       string
		Message    string
		BucketName string
		RequestID  string `xml:"RequestId"`
		HostID     string `xml:"HostId"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.XMLName.Local != "Error" || doc.XMLName.Space != "" || doc.Code != "NoSuchBucket" || doc.BucketName != "nope" ||
		doc.RequestID != "REQ-1" || doc.HostID == "" || w.Header().Get("x-amz-request-id") != "REQ-1" || w.Header().Get("x-amz-id-2") != doc.HostID {
		t.Errorf("error document %+v, headers %v", doc, w.Header())
	}
	call := env.calls[0]
	if call.Operation != "GetObject" || call.Key != "some/key" || call.ErrorCode != "NoSuchBucket" || call.AccountID != "111122223333" ||
		call.Region != "eu-west-1" || call.RequestID != "REQ-1" || call.RequestParameters["bucketName"] != "nope" {
		t.Errorf("call = %+v", call)
	}

	// HEAD errors have no body.
	w = env.request("HEAD", "/nope", "", nil)
	if w.Code != 404 || w.Body.Len() != 0 {
		t.Errorf("HEAD error: %d %q", w.Code, w.Body)
	}
	// Without a Caller a request ID is made up.
	if id := w.Header().Get("x-amz-request-id"); len(id) != 16 {
		t.Errorf("generated request ID %q", id)
	}
}

func TestWireRoutingOfUnsupportedRequests(t *testing.T) {
	env := newRawEnv(t)
	env.expectStatus(env.request("PUT", "/bkt", "", nil), 200)
	env.expectStatus(env.request("PUT", "/bkt/obj", "data", nil), 200)
	tests := []struct {
		method, target string
		header         map[string]string
		status         int
		code, op       string
	}{
		{"PATCH", "/bkt", nil, 405, "MethodNotAllowed", ""},
		{"OPTIONS", "/bkt/obj", nil, 405, "MethodNotAllowed", ""},
		{"PUT", "/", nil, 405, "MethodNotAllowed", ""},
		{"POST", "/bkt?delete", nil, 501, "NotImplemented", "DeleteObjects"},
		{"GET", "/bkt?acl", nil, 501, "NotImplemented", "GetBucketAcl"},
		{"GET", "/bkt?analytics", nil, 501, "NotImplemented", "ListBucketAnalyticsConfigurations"},
		{"GET", "/bkt?analytics&id=x", nil, 501, "NotImplemented", "GetBucketAnalyticsConfiguration"},
		{"DELETE", "/bkt?lifecycle", nil, 501, "NotImplemented", "DeleteBucketLifecycle"},
		{"PUT", "/bkt?policy", nil, 501, "NotImplemented", "PutBucketPolicy"},
		{"GET", "/bkt?versions", nil, 501, "NotImplemented", "ListObjectVersions"},
		{"POST", "/bkt/obj?uploads", nil, 501, "NotImplemented", "CreateMultipartUpload"},
		{"PUT", "/bkt/obj?partNumber=1&uploadId=u", map[string]string{"x-amz-copy-source": "/bkt/obj"}, 501, "NotImplemented", "UploadPartCopy"},
		{"GET", "/bkt/obj?tagging", nil, 501, "NotImplemented", "GetObjectTagging"},
		{"POST", "/bkt/obj?restore", nil, 501, "NotImplemented", "RestoreObject"},
		{"DELETE", "/bkt/obj?uploadId=u", nil, 501, "NotImplemented", "AbortMultipartUpload"},
		{"POST", "/bkt/obj?acl", nil, 405, "MethodNotAllowed", ""},
		{"GET", "/bkt/obj?partNumber=2", nil, 416, "InvalidPartNumber", "GetObject"},
		{"GET", "/bkt/obj?partNumber=x", nil, 400, "InvalidArgument", "GetObject"},
		{"GET", "/bkt?encoding-type=base64", nil, 400, "InvalidArgument", "ListObjects"},
		{"GET", "/bkt?max-keys=many", nil, 400, "InvalidArgument", "ListObjects"},
		{"PUT", "/bkt/obj", map[string]string{"Content-MD5": "not-base64"}, 400, "InvalidDigest", "PutObject"},
		{"PUT", "/bkt/obj", map[string]string{"If-None-Match": `"abc"`}, 501, "NotImplemented", "PutObject"},
		{"PUT", "/bkt/obj", map[string]string{"x-amz-acl": "public-read"}, 501, "NotImplemented", "PutObject"},
		{"PUT", "/bkt/obj", map[string]string{"x-amz-meta-big": strings.Repeat("x", 2048)}, 400, "MetadataTooLarge", "PutObject"},
		{"PUT", "/bkt/obj", map[string]string{"x-amz-content-sha256": strings.Repeat("ab", 32)}, 400, "XAmzContentSHA256Mismatch", "PutObject"},
		{"PUT", "/bkt/obj", map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}, 400, "InvalidRequest", "PutObject"},
		{"PUT", "/bkt/" + strings.Repeat("k", 1025), nil, 400, "KeyTooLongError", "PutObject"},
		{"PUT", "/bkt/bad%FFkey", nil, 400, "InvalidURI", "PutObject"},
		{"PUT", "/Bad_Bucket", nil, 400, "InvalidBucketName", "CreateBucket"},
		{"PUT", "/new-bucket", map[string]string{"x-amz-bucket-object-lock-enabled": "true"}, 501, "NotImplemented", "CreateBucket"},
		{"GET", "/bkt/obj", map[string]string{"Host": "bkt.s3.us-east-1.amazonaws.com"}, 501, "NotImplemented", ""},
	}
	for _, tc := range tests {
		w := env.request(tc.method, tc.target, "data", tc.header)
		call := env.calls[len(env.calls)-1]
		if w.Code != tc.status || call.ErrorCode != tc.code || call.Operation != tc.op || !strings.Contains(w.Body.String(), "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s %s: %d %s op %q; want %d %s op %q\n%s", tc.method, tc.target, w.Code, call.ErrorCode, call.Operation, tc.status, tc.code, tc.op, w.Body)
		}
		if tc.code == "NotImplemented" && tc.op != "" && !strings.Contains(w.Body.String(), tc.op) && tc.op != "PutObject" && tc.op != "CreateBucket" {
			t.Errorf("%s %s: NotImplemented message does not name %s", tc.method, tc.target, tc.op)
		}
	}

	// None of the refused puts changed the object.
	w := env.request("GET", "/bkt/obj", "", nil)
	if w.Body.String() != "data" {
		t.Errorf("object after refused puts: %q", w.Body)
	}
}

func TestWireCreateBucketBody(t *testing.T) {
	env := newRawEnv(t)
	config := `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>`
	w := env.request("PUT", "/eu-logs", config, nil)
	env.expectStatus(w, 200)
	if w.Header().Get("Location") != "/eu-logs" {
		t.Errorf("Location = %q", w.Header().Get("Location"))
	}
	params := env.calls[0].RequestParameters["CreateBucketConfiguration"].(map[string]any)
	if params["LocationConstraint"] != "eu-central-1" {
		t.Errorf("request parameters %v", env.calls[0].RequestParameters)
	}
	w = env.request("HEAD", "/eu-logs", "", nil)
	if w.Code != 200 || w.Header().Get("x-amz-bucket-region") != "eu-central-1" {
		t.Errorf("HeadBucket: %d %v", w.Code, w.Header())
	}
	w = env.request("GET", "/eu-logs?location", "", nil)
	if !strings.Contains(w.Body.String(), ">eu-central-1</LocationConstraint>") {
		t.Errorf("GetBucketLocation: %s", w.Body)
	}
	env.expectStatus(env.request("PUT", "/malformed", "<CreateBucketConfiguration><Loc", nil), 400)
}

func TestWireListObjectsV1AsValidateLogsSendsIt(t *testing.T) {
	env := newRawEnv(t)
	env.expectStatus(env.request("PUT", "/ct-bucket", "", nil), 200)
	digest := func(stamp string) string {
		return "pfx/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_trail1_us-east-1_" + stamp + "Z.json.gz"
	}
	for _, key := range []string{digest("20261119T235900"), digest("20261120T005900"), digest("20261120T015900"), "pfx/AWSLogs/other key"} {
		env.expectStatus(env.request("PUT", "/ct-bucket/"+strings.ReplaceAll(key, " ", "%20"), "x", nil), 200)
	}
	w := env.request("GET", "/ct-bucket?marker=pfx%2FAWSLogs%2F123456789012%2FCloudTrail-Digest%2Fus-east-1%2F2026%2F11%2F20%2F123456789012_CloudTrail-Digest_us-east-1_trail1_us-east-1_20261119T235900Z.json.gz&prefix=pfx%2FAWSLogs%2F123456789012%2FCloudTrail-Digest%2Fus-east-1&encoding-type=url", "", nil)
	env.expectStatus(w, 200)
	var result struct {
		Name, Prefix, Marker, EncodingType string
		MaxKeys                            int
		IsTruncated                        bool
		Contents                           []struct{ Key, ETag, LastModified, StorageClass string }
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &result); err != nil {
		t.Fatal(err)
	}
	if result.EncodingType != "url" || result.MaxKeys != 1000 || result.IsTruncated || len(result.Contents) != 2 ||
		result.Prefix != "pfx%2FAWSLogs%2F123456789012%2FCloudTrail-Digest%2Fus-east-1" ||
		result.Contents[0].Key != strings.ReplaceAll(digest("20261120T005900"), "/", "%2F") ||
		result.Contents[0].ETag != `"9dd4e461268c8034f5c8564e155c67a6"` || result.Contents[0].StorageClass != "STANDARD" ||
		len(result.Contents[0].LastModified) != len("2026-11-20T00:59:00.000Z") {
		t.Errorf("ListObjects result:\n%s", w.Body)
	}
	w = env.request("GET", "/ct-bucket?prefix=pfx%2FAWSLogs%2Fo&encoding-type=url", "", nil)
	if !strings.Contains(w.Body.String(), "<Key>pfx%2FAWSLogs%2Fother+key</Key>") {
		t.Errorf("space not form-encoded:\n%s", w.Body)
	}
}

// chunkedBody frames payload as aws-chunked with chunks of chunkSize
// bytes, signed-style chunk extensions, and the given trailer lines.
func chunkedBody(payload string, chunkSize int, signed bool, trailers ...string) string {
	var b strings.Builder
	extension := func() string {
		if signed {
			return ";chunk-signature=" + strings.Repeat("0", 64)
		}
		return ""
	}
	for len(payload) > 0 {
		n := min(chunkSize, len(payload))
		fmt.Fprintf(&b, "%x%s\r\n%s\r\n", n, extension(), payload[:n])
		payload = payload[n:]
	}
	fmt.Fprintf(&b, "0%s\r\n", extension())
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func crc32Base64(s string) string {
	sum := crc32.ChecksumIEEE([]byte(s))
	return base64.StdEncoding.EncodeToString([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
}

func TestWireAWSChunkedBodies(t *testing.T) {
	env := newRawEnv(t)
	env.expectStatus(env.request("PUT", "/chunks", "", nil), 200)
	payload := strings.Repeat("0123456789abcdef", 1000) + "tail"
	decodedLength := fmt.Sprint(len(payload))

	tests := []struct {
		name   string
		body   string
		header map[string]string
		status int
		code   string
	}{
		{"signed payload", chunkedBody(payload, 8192, true), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "Content-Encoding": "aws-chunked",
			"x-amz-decoded-content-length": decodedLength,
		}, 200, ""},
		{"signed payload with trailer", chunkedBody(payload, 8192, true, "x-amz-checksum-crc32:"+crc32Base64(payload), "x-amz-trailer-signature:"+strings.Repeat("1", 64)), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
			"x-amz-decoded-content-length": decodedLength, "x-amz-trailer": "x-amz-checksum-crc32",
		}, 200, ""},
		{"unsigned payload with trailer, gzip kept", chunkedBody(payload, 65536, false, "x-amz-checksum-crc32:"+crc32Base64(payload)), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "gzip,aws-chunked",
			"x-amz-decoded-content-length": decodedLength, "x-amz-trailer": "x-amz-checksum-crc32",
		}, 200, ""},
		{"without final empty line", strings.TrimSuffix(chunkedBody(payload, 4096, false, "x-amz-checksum-crc32:"+crc32Base64(payload)), "\r\n"), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
			"x-amz-decoded-content-length": decodedLength, "x-amz-trailer": "x-amz-checksum-crc32",
		}, 200, ""},
		{"wrong trailing checksum", chunkedBody(payload, 4096, false, "x-amz-checksum-crc32:AAAAAA=="), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
			"x-amz-decoded-content-length": decodedLength, "x-amz-trailer": "x-amz-checksum-crc32",
		}, 400, "BadDigest"},
		{"declared trailer missing", chunkedBody(payload, 4096, false), map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
			"x-amz-decoded-content-length": decodedLength, "x-amz-trailer": "x-amz-checksum-sha256",
		}, 400, "InvalidRequest"},
		{"decoded length too large", chunkedBody(payload, 4096, true), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-decoded-content-length": fmt.Sprint(len(payload) + 1),
		}, 400, "IncompleteBody"},
		{"chunks longer than decoded length", chunkedBody(payload, 4096, true), map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-decoded-content-length": "10",
		}, 400, "IncompleteBody"},
		{"truncated body", chunkedBody(payload, 4096, true)[:5000], map[string]string{
			"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-decoded-content-length": decodedLength,
		}, 400, "IncompleteBody"},
		{"bad chunk size", "zz\r\nabc\r\n0\r\n\r\n", map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
		}, 400, "IncompleteBody"},
		{"missing CRLF after data", "3\r\nabcX\r\n0\r\n\r\n", map[string]string{
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked",
		}, 400, "IncompleteBody"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := env.request("PUT", "/chunks/obj", tc.body, tc.header)
			call := env.calls[len(env.calls)-1]
			if w.Code != tc.status || call.ErrorCode != tc.code {
				t.Fatalf("%d %s, want %d %s: %s", w.Code, call.ErrorCode, tc.status, tc.code, w.Body)
			}
			if tc.status != 200 {
				return
			}
			if call.BytesIn != int64(len(payload)) {
				t.Errorf("BytesIn = %d", call.BytesIn)
			}
			got := env.request("GET", "/chunks/obj", "", nil)
			if got.Body.String() != payload {
				t.Errorf("stored %d bytes, want the %d-byte payload", got.Body.Len(), len(payload))
			}
			if enc := got.Header().Get("Content-Encoding"); strings.Contains(enc, "aws-chunked") {
				t.Errorf("stored Content-Encoding %q", enc)
			}
			env.request("DELETE", "/chunks/obj", "", nil)
		})
	}
}

func TestWireGetObjectHeaders(t *testing.T) {
	env := newRawEnv(t)
	env.expectStatus(env.request("PUT", "/hdrs", "", nil), 200)
	env.expectStatus(env.request("PUT", "/hdrs/doc.json", `{"a":1}`, map[string]string{
		"Content-Type": "application/json", "Content-Disposition": "attachment", "Cache-Control": "no-cache",
		"x-amz-meta-Signature": "ABCDEF", "x-amz-meta-signature-algorithm": "SHA256withRSA",
		"x-amz-checksum-crc32": crc32Base64(`{"a":1}`),
	}), 200)
	w := env.request("GET", "/hdrs/doc.json?response-content-type=text%2Fplain", "", map[string]string{"x-amz-checksum-mode": "ENABLED"})
	env.expectStatus(w, 200)
	h := w.Header()
	for name, want := range map[string]string{
		"Content-Type": "text/plain", "Content-Disposition": "attachment", "Cache-Control": "no-cache",
		"ETag":          fmt.Sprintf(`"%x"`, md5.Sum([]byte(`{"a":1}`))),
		"Accept-Ranges": "bytes", "Content-Length": "7", "X-Amz-Checksum-Crc32": crc32Base64(`{"a":1}`),
		"X-Amz-Checksum-Type": "FULL_OBJECT",
	} {
		if h.Get(name) != want {
			t.Errorf("%s = %q, want %q", name, h.Get(name), want)
		}
	}
	// Metadata header names go out in lowercase, as botocore needs them.
	if strings.Join(h["x-amz-meta-signature"], ",") != "ABCDEF" || strings.Join(h["x-amz-meta-signature-algorithm"], ",") != "SHA256withRSA" {
		t.Errorf("metadata headers: %v", h)
	}
	if lm := h.Get("Last-Modified"); !strings.HasSuffix(lm, " GMT") {
		t.Errorf("Last-Modified %q is not RFC 1123 GMT", lm)
	}
	w = env.request("GET", "/hdrs/doc.json", "", map[string]string{"Range": "bytes=1-3", "x-amz-checksum-mode": "ENABLED"})
	if w.Code != 206 || w.Body.String() != `"a"` || w.Header().Get("Content-Range") != "bytes 1-3/7" || w.Header().Get("X-Amz-Checksum-Crc32") != "" {
		t.Errorf("range GET: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = env.request("GET", "/hdrs/doc.json", "", map[string]string{"Range": "bytes=0-1,4-5"})
	if w.Code != 200 || w.Body.Len() != 7 {
		t.Errorf("multi-range GET should serve the whole object: %d", w.Code)
	}
	w = env.request("GET", "/hdrs/doc.json?partNumber=1", "", nil)
	if w.Code != 206 || w.Header().Get("Content-Range") != "bytes 0-6/7" {
		t.Errorf("partNumber=1: %d %v", w.Code, w.Header())
	}
	w = env.request("HEAD", "/hdrs/doc.json", "", nil)
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "7" {
		t.Errorf("HEAD: %d %q %v", w.Code, w.Body, w.Header())
	}
	lastModified := w.Header().Get("Last-Modified")
	w = env.request("GET", "/hdrs/doc.json", "", map[string]string{"If-Modified-Since": lastModified})
	if w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("If-Modified-Since: %d", w.Code)
	}
	w = env.request("GET", "/hdrs/doc.json", "", map[string]string{"If-Unmodified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"})
	if w.Code != 412 {
		t.Errorf("If-Unmodified-Since in the past: %d", w.Code)
	}
	w = env.request("GET", "/hdrs/doc.json", "", map[string]string{"If-Match": `"other", ` + h.Get("ETag")})
	if w.Code != 200 {
		t.Errorf("If-Match with a matching ETag in a list: %d", w.Code)
	}
	body, _ := io.ReadAll(w.Body)
	if string(body) != `{"a":1}` {
		t.Errorf("body %q", body)
	}
}

func TestWriteErrorForGatewayFailures(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("x-amz-request-id", "GATEWAY-1")
	r := httptest.NewRequest("PUT", "/bkt/key", nil)
	WriteError(w, r, "SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided.")
	if w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>SignatureDoesNotMatch</Code>") ||
		!strings.Contains(w.Body.String(), "<RequestId>GATEWAY-1</RequestId>") || w.Header().Get("x-amz-id-2") == "" {
		t.Errorf("WriteError: %d %v %s", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	r = httptest.NewRequest("HEAD", "/bkt/key", nil)
	r = r.WithContext(identity.WithCaller(r.Context(), &identity.Caller{RequestID: "CALLER-1"}))
	WriteError(w, r, "InvalidAccessKeyId", 403, "unknown key")
	if w.Code != 403 || w.Body.Len() != 0 || w.Header().Get("x-amz-request-id") != "CALLER-1" {
		t.Errorf("WriteError on HEAD: %d %v %q", w.Code, w.Header(), w.Body)
	}
}

func TestDateHeaderFollowsClock(t *testing.T) {
	store, err := bucketstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fixed := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	h := New(store, Options{Now: func() time.Time { return fixed }})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 || w.Header().Get("Date") != "Fri, 20 Nov 2026 10:00:00 GMT" {
		t.Errorf("ListBuckets: %d Date %q", w.Code, w.Header().Get("Date"))
	}
}
