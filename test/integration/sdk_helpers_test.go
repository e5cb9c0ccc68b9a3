package integration

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn/internal/testenv"
)

// Accounts and Regions the SDK tests use. In open mode a 12-digit access
// key selects the account.
const (
	accountA = "111111111111"
	accountB = "222222222222"
	usEast1  = "us-east-1"
	usWest2  = "us-west-2"
	euWest1  = "eu-west-1"
)

// checkAPIError reports (without stopping the test) unless err is an AWS API
// error with the given code, answered with the given HTTP status. It returns
// the API error for further checks, or nil.
func checkAPIError(t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	if err == nil {
		t.Errorf("call succeeded; want %s (HTTP %d)", code, status)
		return nil
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Errorf("error %v is not an API error; want %s (HTTP %d)", err, code, status)
		return nil
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) {
		t.Errorf("error %v carries no HTTP response; want %s (HTTP %d)", err, code, status)
		return nil
	}
	if apiErr.ErrorCode() != code || respErr.HTTPStatusCode() != status {
		t.Errorf("got %s (HTTP %d) %q; want %s (HTTP %d)",
			apiErr.ErrorCode(), respErr.HTTPStatusCode(), apiErr.ErrorMessage(), code, status)
		return nil
	}
	return apiErr
}

// wantAPIError is checkAPIError that stops the test on a mismatch.
func wantAPIError(t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	apiErr := checkAPIError(t, err, code, status)
	if apiErr == nil {
		t.FailNow()
	}
	return apiErr
}

// must stops the test when a call that should succeed fails.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// createBucket creates a us-east-1 bucket owned by account through the S3
// API.
func createBucket(t *testing.T, srv *testenv.Server, account, name string) {
	t.Helper()
	_, err := srv.S3(account, usEast1).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	must(t, err, "CreateBucket "+name)
}

// createTrail creates a trail delivering to bucket, which must exist.
func createTrail(t *testing.T, ct *cloudtrail.Client, name, bucket string, multiRegion bool) *cloudtrail.CreateTrailOutput {
	t.Helper()
	out, err := ct.CreateTrail(t.Context(), &cloudtrail.CreateTrailInput{
		Name:               aws.String(name),
		S3BucketName:       aws.String(bucket),
		IsMultiRegionTrail: aws.Bool(multiRegion),
	})
	must(t, err, "CreateTrail "+name)
	return out
}

// trailARN is the ARN AWS gives a trail.
func trailARN(region, account, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
}

// trailNames lists the names of trails in the order given.
func trailNames[T any](list []T, name func(T) *string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, aws.ToString(name(v)))
	}
	return out
}

// statusOf returns the HTTP status an SDK error carries, or 0.
func statusOf(err error) int {
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		return respErr.HTTPStatusCode()
	}
	return 0
}

// postAdmin sends a POST to one of Cairn's administrative endpoints.
func postAdmin(t *testing.T, srv *testenv.Server, path string) int {
	t.Helper()
	resp, err := http.Post(srv.URL()+path, "application/json", strings.NewReader("{}"))
	must(t, err, "POST "+path)
	resp.Body.Close()
	return resp.StatusCode
}
