package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"gopkg.in/yaml.v3"
)

// ObjectStore writes delivered objects. A failed write returns an error
// whose ErrorCode, when it has one, is S3's error code.
type ObjectStore interface {
	PutObject(ctx context.Context, bucket, key string, body []byte, contentType string, metadata map[string]string) error
}

// CodedError is an error with an S3 error code.
type CodedError struct {
	Code string
	Err  error
}

func (e *CodedError) Error() string     { return e.Code + ": " + e.Err.Error() }
func (e *CodedError) Unwrap() error     { return e.Err }
func (e *CodedError) ErrorCode() string { return e.Code }

// errorCode is what GetTrailStatus reports for a failed write: S3's error
// code when the error carries one.
func errorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) && coded.ErrorCode() != "" {
		return coded.ErrorCode()
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return "ServiceUnavailable"
	}
	return "InternalError"
}

// ExternalBucket is a bucket on an S3-compatible endpoint outside Cairn.
type ExternalBucket struct {
	Name            string `yaml:"name"`
	Endpoint        string `yaml:"endpoint"`
	Region          string `yaml:"region"`
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
	SessionToken    string `yaml:"session_token"`
	PathStyle       bool   `yaml:"path_style"`
}

// LoadExternalBuckets reads the external buckets file: a YAML document
// with a list under "buckets".
func LoadExternalBuckets(path string) ([]ExternalBucket, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("external buckets file: %w", err)
	}
	var doc struct {
		Buckets []ExternalBucket `yaml:"buckets"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("external buckets file %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, b := range doc.Buckets {
		if b.Name == "" || b.Endpoint == "" {
			return nil, fmt.Errorf("external buckets file %s: bucket %d needs name and endpoint", path, i+1)
		}
		if seen[b.Name] {
			return nil, fmt.Errorf("external buckets file %s: bucket %s listed twice", path, b.Name)
		}
		seen[b.Name] = true
		if doc.Buckets[i].Region == "" {
			doc.Buckets[i].Region = "us-east-1"
		}
	}
	return doc.Buckets, nil
}

// Router sends each bucket's objects to its external endpoint when one is
// configured, else to the built-in store.
type Router struct {
	builtIn  ObjectStore
	external map[string]*s3.Client
}

// NewRouter returns a Router over the built-in store and the external
// buckets.
func NewRouter(builtIn ObjectStore, external []ExternalBucket) *Router {
	r := &Router{builtIn: builtIn, external: map[string]*s3.Client{}}
	for _, b := range external {
		r.external[b.Name] = s3.New(s3.Options{
			Region:           b.Region,
			BaseEndpoint:     aws.String(b.Endpoint),
			UsePathStyle:     b.PathStyle,
			Credentials:      credentials.NewStaticCredentialsProvider(b.AccessKeyID, b.SecretAccessKey, b.SessionToken),
			RetryMaxAttempts: 1,
		})
	}
	return r
}

// External reports whether bucket lives on an external endpoint.
func (r *Router) External(bucket string) bool { return r.external[bucket] != nil }

// PutObject implements ObjectStore.
func (r *Router) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string, metadata map[string]string) error {
	client := r.external[bucket]
	if client == nil {
		return r.builtIn.PutObject(ctx, bucket, key, body, contentType, metadata)
	}
	_, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String(contentType), Metadata: metadata,
	})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return &CodedError{Code: apiErr.ErrorCode(), Err: err}
		}
		return &CodedError{Code: "ServiceUnavailable", Err: err}
	}
	return nil
}
