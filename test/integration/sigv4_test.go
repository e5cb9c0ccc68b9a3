package integration

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/testenv"
)

// Keys of the credentials file the sigv4 tests use.
const (
	devAccount   = "123456789012"
	prodAccount  = "210987654321"
	aliceKey     = "AKIAALICE0000000001"
	aliceSecret  = "alice-secret-value"
	devRootKey   = "AKIADEVROOT00000001"
	devRootSec   = "dev-root-secret"
	prodRootKey  = "AKIAPRODROOT0000001"
	prodRootSec  = "prod-root-secret"
	unknownKey   = "AKIANOBODY000000001"
	wrongSecret  = "not-the-right-secret"
	sigv4Target  = "CloudTrail_20131101.DescribeTrails"
	sigv4Service = "cloudtrail"
)

const credentialsYAML = `accounts:
  - id: "123456789012"
    rootAccessKeys:
      - accessKeyId: AKIADEVROOT00000001
        secretAccessKey: dev-root-secret
    users:
      - name: alice
        accessKeys:
          - accessKeyId: AKIAALICE0000000001
            secretAccessKey: alice-secret-value
  - id: "210987654321"
    rootAccessKeys:
      - accessKeyId: AKIAPRODROOT0000001
        secretAccessKey: prod-root-secret
`

// skewedSigner signs with a clock that is off by skew.
type skewedSigner struct {
	skew  time.Duration
	inner *v4.Signer
}

func (s skewedSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, signingTime time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.inner.SignHTTP(ctx, creds, r, payloadHash, service, region, signingTime.Add(s.skew), optFns...)
}

func TestSigV4_SDKRequests(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, testenv.WithSigV4(credentialsYAML))
	client := func(key, secret string, skew time.Duration) *cloudtrail.Client {
		cfg := srv.AWSConfig(key, secret, usEast1)
		return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
			if skew != 0 {
				o.HTTPSignerV4 = skewedSigner{skew: skew, inner: v4.NewSigner()}
			}
		})
	}
	anonymous := srv.AWSConfig("x", "y", usEast1)
	anonymous.Credentials = aws.AnonymousCredentials{}

	cases := []struct {
		name        string
		client      *cloudtrail.Client
		code        string // empty: success
		status      int
		messagePart string
	}{
		{"IAM user key", client(aliceKey, aliceSecret, 0), "", 200, ""},
		{"root key", client(devRootKey, devRootSec, 0), "", 200, ""},
		{"signed 14 minutes ago", client(aliceKey, aliceSecret, -14*time.Minute), "", 200, ""},
		{"signed 14 minutes ahead", client(aliceKey, aliceSecret, 14*time.Minute), "", 200, ""},
		{"unknown access key", client(unknownKey, "whatever", 0), "UnrecognizedClientException", 403, "security token"},
		{"wrong secret", client(aliceKey, wrongSecret, 0), "InvalidSignatureException", 403, "signature"},
		{"signed 16 minutes ago", client(aliceKey, aliceSecret, -16*time.Minute), "InvalidSignatureException", 403, "Signature expired"},
		{"signed 16 minutes ahead", client(aliceKey, aliceSecret, 16*time.Minute), "InvalidSignatureException", 403, "not yet current"},
		{"unsigned", cloudtrail.NewFromConfig(anonymous), "MissingAuthenticationTokenException", 403, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
			if c.code == "" {
				must(t, err, "DescribeTrails")
				return
			}
			apiErr := checkAPIError(t, err, c.code, c.status)
			if apiErr != nil && !strings.Contains(apiErr.ErrorMessage(), c.messagePart) {
				t.Errorf("message %q does not contain %q", apiErr.ErrorMessage(), c.messagePart)
			}
		})
	}
}

// signedRequest builds a DescribeTrails request signed for cloudtrail in
// us-east-1 at signingTime, then lets tamper change it.
func signedRequest(t *testing.T, srv *testenv.Server, key, secret string, signingTime time.Time, tamper func(*http.Request)) *http.Request {
	t.Helper()
	body := []byte(`{"includeShadowTrails":true}`)
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", bytes.NewReader(body))
	must(t, err, "NewRequest")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", sigv4Target)
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	must(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, sha256Hex(body), sigv4Service, usEast1, signingTime), "SignHTTP")
	if tamper != nil {
		tamper(req)
	}
	return req
}

func TestSigV4_RawRequests(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, testenv.WithSigV4(credentialsYAML))
	now := nowUTC()
	cases := []struct {
		name        string
		req         func(t *testing.T) *http.Request
		status      int
		code        string
		messagePart string
	}{
		{"valid signature", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now, nil)
		}, 200, "", ""},
		{"no Authorization header", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now, func(r *http.Request) { r.Header.Del("Authorization") })
		}, 403, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"malformed Authorization header", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now, func(r *http.Request) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=garbage")
			})
		}, 400, "IncompleteSignatureException", ""},
		{"Authorization without a signature", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now, func(r *http.Request) {
				auth := r.Header.Get("Authorization")
				r.Header.Set("Authorization", auth[:strings.Index(auth, ", Signature=")])
			})
		}, 400, "IncompleteSignatureException", ""},
		{"unknown access key", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, unknownKey, "whatever", now, nil)
		}, 403, "UnrecognizedClientException", "security token included in the request is invalid"},
		{"wrong secret", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, wrongSecret, now, nil)
		}, 403, "InvalidSignatureException", "signature we calculated does not match"},
		{"body changed after signing", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now, func(r *http.Request) {
				body := []byte(`{"includeShadowTrails":false}`)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			})
		}, 403, "InvalidSignatureException", ""},
		{"signed 16 minutes ago", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now.Add(-16*time.Minute), nil)
		}, 403, "InvalidSignatureException", "Signature expired"},
		{"signed 16 minutes ahead", func(t *testing.T) *http.Request {
			return signedRequest(t, srv, aliceKey, aliceSecret, now.Add(16*time.Minute), nil)
		}, 403, "InvalidSignatureException", "Signature not yet current"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := do(t, c.req(t))
			if resp.status != c.status {
				t.Fatalf("status %d, want %d: %s", resp.status, c.status, resp.raw)
			}
			if c.code == "" {
				return
			}
			if resp.body["__type"] != c.code || resp.header.Get("X-Amzn-ErrorType") != c.code {
				t.Errorf("__type %v / X-Amzn-ErrorType %q, want %s", resp.body["__type"], resp.header.Get("X-Amzn-ErrorType"), c.code)
			}
			if msg, _ := resp.body["message"].(string); !strings.Contains(msg, c.messagePart) {
				t.Errorf("message %q does not contain %q", msg, c.messagePart)
			}
		})
	}
}

func TestSigV4_S3(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, testenv.WithSigV4(credentialsYAML))
	ctx := t.Context()
	s3For := func(key, secret string) *s3.Client {
		return s3.NewFromConfig(srv.AWSConfig(key, secret, usEast1), func(o *s3.Options) { o.UsePathStyle = true })
	}
	alice := s3For(aliceKey, aliceSecret)
	_, err := alice.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("signed-bucket")})
	must(t, err, "CreateBucket")
	_, err = alice.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("signed-bucket"), Key: aws.String("dir/object.txt"), Body: strings.NewReader("presigned content")})
	must(t, err, "PutObject")

	_, err = s3For(aliceKey, wrongSecret).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("signed-bucket")})
	checkAPIError(t, err, "SignatureDoesNotMatch", 403)
	_, err = s3For(aliceKey, wrongSecret).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("signed-bucket"), Key: aws.String("x"), Body: strings.NewReader("x")})
	checkAPIError(t, err, "SignatureDoesNotMatch", 403)
	_, err = s3For(unknownKey, "whatever").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("signed-bucket")})
	checkAPIError(t, err, "InvalidAccessKeyId", 403)
	skewed := s3.NewFromConfig(srv.AWSConfig(aliceKey, aliceSecret, usEast1), func(o *s3.Options) {
		o.UsePathStyle = true
		o.HTTPSignerV4 = skewedSigner{skew: -16 * time.Minute, inner: v4.NewSigner()}
	})
	_, err = skewed.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("signed-bucket")})
	checkAPIError(t, err, "RequestTimeTooSkewed", 403)

	// A presigned GET works without any credentials of the fetcher's own.
	presigner := s3.NewPresignClient(alice)
	req, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("signed-bucket"), Key: aws.String("dir/object.txt")},
		s3.WithPresignExpires(10*time.Minute))
	must(t, err, "PresignGetObject")
	resp, err := http.Get(req.URL)
	must(t, err, "GET presigned URL")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "presigned content" {
		t.Errorf("presigned GET: %d %s", resp.StatusCode, body)
	}

	// One signed two hours ago for fifteen minutes has expired.
	expired, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("signed-bucket"), Key: aws.String("dir/object.txt")},
		s3.WithPresignExpires(15*time.Minute), func(o *s3.PresignOptions) {
			o.Presigner = skewedPresigner{skew: -2 * time.Hour, inner: v4.NewSigner()}
		})
	must(t, err, "PresignGetObject (expired)")
	resp, err = http.Get(expired.URL)
	must(t, err, "GET expired URL")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code>") || !strings.Contains(string(body), "expired") {
		t.Errorf("expired presigned GET: %d %s", resp.StatusCode, body)
	}

	// A presigned URL whose query was tampered with is rejected.
	tampered := strings.Replace(req.URL, "dir%2Fobject.txt", "dir%2Fother.txt", 1)
	tampered = strings.Replace(tampered, "dir/object.txt", "dir/other.txt", 1)
	resp, err = http.Get(tampered)
	must(t, err, "GET tampered URL")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered presigned GET: %d %s", resp.StatusCode, body)
	}
}

// skewedPresigner presigns with a clock that is off by skew.
type skewedPresigner struct {
	skew  time.Duration
	inner *v4.Signer
}

func (s skewedPresigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, signingTime time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return s.inner.PresignHTTP(ctx, creds, r, payloadHash, service, region, signingTime.Add(s.skew), optFns...)
}

func TestSigV4_PrincipalOwnsResourcesInItsAccount(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t, testenv.WithSigV4(credentialsYAML))
	ctx := t.Context()
	cfgFor := func(key, secret string) aws.Config { return srv.AWSConfig(key, secret, usEast1) }
	s3For := func(key, secret string) *s3.Client {
		return s3.NewFromConfig(cfgFor(key, secret), func(o *s3.Options) { o.UsePathStyle = true })
	}
	_, err := s3For(aliceKey, aliceSecret).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alice-bucket")})
	must(t, err, "CreateBucket as alice")
	alice := cloudtrail.NewFromConfig(cfgFor(aliceKey, aliceSecret))
	out, err := alice.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("alice-trail"), S3BucketName: aws.String("alice-bucket")})
	must(t, err, "CreateTrail as alice")
	arn := trailARN(usEast1, devAccount, "alice-trail")
	if aws.ToString(out.TrailARN) != arn {
		t.Errorf("alice's trail ARN %q, want %q", aws.ToString(out.TrailARN), arn)
	}

	// The account's root sees the trail and owns the bucket.
	devRoot := cloudtrail.NewFromConfig(cfgFor(devRootKey, devRootSec))
	got, err := devRoot.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("alice-trail")})
	must(t, err, "GetTrail as the account root")
	if aws.ToString(got.Trail.TrailARN) != arn {
		t.Errorf("root sees %+v", *got.Trail)
	}
	_, err = s3For(devRootKey, devRootSec).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-bucket")})
	must(t, err, "ListObjectsV2 as the account root")

	// Another account sees neither.
	prodRoot := cloudtrail.NewFromConfig(cfgFor(prodRootKey, prodRootSec))
	_, err = prodRoot.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
	checkAPIError(t, err, "TrailNotFoundException", 404)
	desc, err := prodRoot.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err, "DescribeTrails as another account")
	if len(desc.TrailList) != 0 {
		t.Errorf("another account sees %+v", desc.TrailList)
	}
	_, err = s3For(prodRootKey, prodRootSec).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("alice-bucket")})
	checkAPIError(t, err, "AccessDenied", 403)
}
