package loadgen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	region       = "us-east-1"
	secretKey    = "cairn-loadgen-secret"
	jsonType     = "application/x-amz-json-1.1"
	targetPrefix = "CloudTrail_20131101."
	userAgent    = "cairn-loadgen/1"
)

var signer = v4.NewSigner()

// request is one API request, signed and serialized on demand. The SDK's
// SigV4 signer does the signing; serialize produces the exact bytes an HTTP
// client would put on the wire.
type request struct {
	method    string
	path      string
	service   string // signing name: cloudtrail or s3
	accessKey string
	target    string // X-Amz-Target operation, for CloudTrail
	// contentType is sent when there is no target (which implies JSON 1.1).
	contentType string
	body        []byte

	bodyHash string
	wire     []byte
	signedAt time.Time
}

func cloudTrailRequest(accessKey, operation string, body string) *request {
	return &request{method: http.MethodPost, path: "/", service: "cloudtrail", accessKey: accessKey,
		target: targetPrefix + operation, body: []byte(body)}
}

func s3CreateBucket(accessKey, bucket string) *request {
	return &request{method: http.MethodPut, path: "/" + bucket, service: "s3", accessKey: accessKey}
}

// sign signs the request at now and serializes it for host.
func (r *request) sign(host string, now time.Time) error {
	if r.bodyHash == "" {
		sum := sha256.Sum256(r.body)
		r.bodyHash = hex.EncodeToString(sum[:])
	}
	hr, err := http.NewRequest(r.method, "http://"+host+r.path, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	hr.Header.Set("User-Agent", userAgent)
	if r.target != "" {
		hr.Header.Set("Content-Type", jsonType)
		hr.Header.Set("X-Amz-Target", r.target)
	} else if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	if r.service == "s3" {
		hr.Header.Set("X-Amz-Content-Sha256", r.bodyHash)
	}
	creds := aws.Credentials{AccessKeyID: r.accessKey, SecretAccessKey: secretKey}
	if err := signer.SignHTTP(context.Background(), creds, hr, r.bodyHash, r.service, region, now); err != nil {
		return err
	}
	buf := r.wire[:0]
	buf = fmt.Appendf(buf, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.method, r.path, host)
	names := make([]string, 0, len(hr.Header))
	for name := range hr.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range hr.Header[name] {
			buf = append(buf, name...)
			buf = append(buf, ": "...)
			buf = append(buf, v...)
			buf = append(buf, "\r\n"...)
		}
	}
	buf = append(buf, "Content-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(r.body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, r.body...)
	r.wire, r.signedAt = buf, now
	return nil
}

// signedWire returns the serialized request, re-signing it when the last
// signature is older than maxAge (a zero maxAge signs every time).
func (r *request) signedWire(host string, now time.Time, maxAge time.Duration) ([]byte, error) {
	if r.wire == nil || now.Sub(r.signedAt) >= maxAge {
		if err := r.sign(host, now); err != nil {
			return nil, err
		}
	}
	return r.wire, nil
}

// call signs and sends one request on c and requires a 2xx answer.
func call(c *conn, host string, r *request) (response, error) {
	wire, err := r.signedWire(host, time.Now(), 0)
	if err != nil {
		return response{}, err
	}
	resp, err := c.do(wire)
	if err != nil {
		return resp, err
	}
	if resp.status/100 != 2 {
		return resp, fmt.Errorf("%s %s: HTTP %d: %s", r.method, r.describe(), resp.status, snippet(resp.body))
	}
	return resp, nil
}

func (r *request) describe() string {
	if r.target != "" {
		return r.target[len(targetPrefix):]
	}
	return r.path
}

func snippet(b []byte) string {
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
