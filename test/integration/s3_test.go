package integration

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairnhq/cairn/internal/testenv"
)

func putObject(t *testing.T, c *s3.Client, bucket, key, body string) {
	t.Helper()
	_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	must(t, err, "PutObject "+key)
}

func TestS3_ObjectRoundTrip(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ctx := t.Context()
	c := srv.S3(accountA, usEast1)
	const bucket = "gateway-objects"
	createBucket(t, srv, accountA, bucket)

	const content = `{"Records":[]}`
	sum := md5.Sum([]byte(content))
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json"),
		Body: strings.NewReader(content), ContentType: aws.String("application/json"),
		Metadata: map[string]string{"signature": "abc123", "signature-algorithm": "SHA256withRSA"},
	})
	must(t, err, "PutObject")
	if aws.ToString(put.ETag) != etag {
		t.Errorf("PutObject ETag %q, want %q", aws.ToString(put.ETag), etag)
	}

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json")})
	must(t, err, "GetObject")
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != content || aws.ToString(got.ETag) != etag || aws.ToString(got.ContentType) != "application/json" ||
		got.Metadata["signature"] != "abc123" || got.Metadata["signature-algorithm"] != "SHA256withRSA" {
		t.Errorf("GetObject: body %q ETag %q type %q metadata %v", body, aws.ToString(got.ETag), aws.ToString(got.ContentType), got.Metadata)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json")})
	must(t, err, "HeadObject")
	if aws.ToInt64(head.ContentLength) != int64(len(content)) || aws.ToString(head.ETag) != etag || head.Metadata["signature"] != "abc123" || head.LastModified == nil {
		t.Errorf("HeadObject: %+v", head)
	}

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json")})
	must(t, err, "DeleteObject")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json")})
	checkAPIError(t, err, "NoSuchKey", 404)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json")})
	if statusOf(err) != 404 {
		t.Errorf("HeadObject of a deleted key: %v", err)
	}
	// Deleting a missing key succeeds, as in S3.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("AWSLogs/digest.json")})
	must(t, err, "DeleteObject of a missing key")
}

func TestS3_ListObjectsV1MarkerAndURLEncoding(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ctx := t.Context()
	c := srv.S3(accountA, usEast1)
	const bucket = "gateway-list-v1"
	createBucket(t, srv, accountA, bucket)
	keys := []string{"a/1.json", "a/2.json", "b/3.json", "c/key with space+plus.json"}
	for _, k := range keys {
		putObject(t, c, bucket, k, "x")
	}

	first, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(2)})
	must(t, err, "ListObjects page 1")
	if !aws.ToBool(first.IsTruncated) || len(first.Contents) != 2 || aws.ToString(first.Contents[1].Key) != "a/2.json" {
		t.Fatalf("ListObjects page 1: truncated %v, %d keys", aws.ToBool(first.IsTruncated), len(first.Contents))
	}
	// Without a delimiter S3 leaves NextMarker out: the last key is the marker.
	if first.NextMarker != nil {
		t.Errorf("NextMarker %q without a delimiter", aws.ToString(first.NextMarker))
	}
	second, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Marker: aws.String("a/2.json"), EncodingType: s3types.EncodingTypeUrl})
	must(t, err, "ListObjects page 2")
	if aws.ToBool(second.IsTruncated) || len(second.Contents) != 2 || second.EncodingType != s3types.EncodingTypeUrl {
		t.Fatalf("ListObjects page 2: %+v", second)
	}
	var decoded []string
	for _, o := range second.Contents {
		k, err := url.QueryUnescape(aws.ToString(o.Key))
		if err != nil {
			t.Fatalf("key %q is not URL-encoded: %v", aws.ToString(o.Key), err)
		}
		decoded = append(decoded, k)
	}
	if !slices.Equal(decoded, keys[2:]) {
		t.Errorf("page 2 keys decode to %q, want %q", decoded, keys[2:])
	}
	if raw := aws.ToString(second.Contents[1].Key); strings.Contains(raw, " ") {
		t.Errorf("key %q was not URL-encoded", raw)
	}

	delimited, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	must(t, err, "ListObjects with a delimiter")
	var prefixes []string
	for _, p := range delimited.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	if len(delimited.Contents) != 0 || !slices.Equal(prefixes, []string{"a/", "b/", "c/"}) {
		t.Errorf("ListObjects with a delimiter: contents %d, prefixes %v", len(delimited.Contents), prefixes)
	}
}

func TestS3_ListObjectsV2(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	c := srv.S3(accountA, usEast1)
	const bucket = "gateway-list-v2"
	createBucket(t, srv, accountA, bucket)
	var want []string
	for _, k := range []string{"logs/2026/01/a.json", "logs/2026/01/b.json", "logs/2026/02/c.json", "other.txt"} {
		putObject(t, c, bucket, k, "data")
		if strings.HasPrefix(k, "logs/") {
			want = append(want, k)
		}
	}
	var got []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("logs/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		must(t, err, "ListObjectsV2")
		pages++
		if aws.ToInt32(page.KeyCount) != int32(len(page.Contents)) {
			t.Errorf("KeyCount %d with %d keys", aws.ToInt32(page.KeyCount), len(page.Contents))
		}
		for _, o := range page.Contents {
			got = append(got, aws.ToString(o.Key))
			if aws.ToInt64(o.Size) != 4 {
				t.Errorf("%s: size %d", aws.ToString(o.Key), aws.ToInt64(o.Size))
			}
		}
	}
	if pages != 2 || !slices.Equal(got, want) {
		t.Errorf("ListObjectsV2 in %d pages: %v, want %v", pages, got, want)
	}
}

func TestS3_GetBucketLocation(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ctx := t.Context()
	createBucket(t, srv, accountA, "east-bucket")
	loc, err := srv.S3(accountA, usEast1).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("east-bucket")})
	must(t, err, "GetBucketLocation")
	if loc.LocationConstraint != "" {
		t.Errorf("us-east-1 bucket location %q, want empty", loc.LocationConstraint)
	}
	eu := srv.S3(accountA, euWest1)
	_, err = eu.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("eu-bucket"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}})
	must(t, err, "CreateBucket eu-west-1")
	loc, err = eu.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("eu-bucket")})
	must(t, err, "GetBucketLocation eu-west-1")
	if loc.LocationConstraint != s3types.BucketLocationConstraintEuWest1 {
		t.Errorf("eu-west-1 bucket location %q", loc.LocationConstraint)
	}
}

func TestS3_ErrorCodes(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ctx := t.Context()
	c := srv.S3(accountA, usEast1)
	const bucket = "gateway-errors"
	createBucket(t, srv, accountA, bucket)
	putObject(t, c, bucket, "keep", "x")

	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket-here"), Key: aws.String("k")})
	checkAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket-here")})
	checkAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("no-such-bucket-here"), Key: aws.String("k"), Body: strings.NewReader("x")})
	checkAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("no-such-bucket-here")})
	checkAPIError(t, err, "NoSuchBucket", 404)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
	checkAPIError(t, err, "NoSuchKey", 404)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "BucketNotEmpty", 409)

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("keep")})
	must(t, err, "DeleteObject")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	must(t, err, "DeleteBucket")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "NoSuchBucket", 404)
}

func TestS3_CrossAccountAccessDenied(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ctx := t.Context()
	owner := srv.S3(accountA, usEast1)
	other := srv.S3(accountB, usEast1)
	const bucket = "account-a-private"
	createBucket(t, srv, accountA, bucket)
	putObject(t, owner, bucket, "secret.txt", "for A only")

	_, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("secret.txt")})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("planted"), Body: strings.NewReader("x")})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("secret.txt")})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "AccessDenied", 403)
	_, err = other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	checkAPIError(t, err, "BucketAlreadyExists", 409)
	list, err := other.ListBuckets(ctx, &s3.ListBucketsInput{})
	must(t, err, "ListBuckets as B")
	if len(list.Buckets) != 0 {
		t.Errorf("account B lists A's buckets: %+v", list.Buckets)
	}

	// The owner still has everything.
	got, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("secret.txt")})
	must(t, err, "GetObject as owner")
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "for A only" {
		t.Errorf("object changed: %q", body)
	}
	listed, err := owner.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	must(t, err, "ListObjectsV2 as owner")
	if len(listed.Contents) != 1 {
		t.Errorf("owner lists %d objects, want 1", len(listed.Contents))
	}
}

func TestCreateTrail_SeesBucketCreatedThroughS3(t *testing.T) {
	t.Parallel()
	srv := testenv.Start(t)
	ctx := t.Context()
	ct := srv.CloudTrail(accountA, usEast1)
	in := &cloudtrail.CreateTrailInput{Name: aws.String("s3-backed"), S3BucketName: aws.String("made-by-s3")}
	_, err := ct.CreateTrail(ctx, in)
	checkAPIError(t, err, "S3BucketDoesNotExistException", 404)

	createBucket(t, srv, accountA, "made-by-s3")
	out, err := ct.CreateTrail(ctx, in)
	must(t, err, "CreateTrail after CreateBucket")
	if aws.ToString(out.S3BucketName) != "made-by-s3" {
		t.Errorf("S3BucketName %q", aws.ToString(out.S3BucketName))
	}

	// Deleting the bucket through S3 is seen too.
	_, err = srv.S3(accountA, usEast1).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("made-by-s3")})
	must(t, err, "DeleteBucket")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("second"), S3BucketName: aws.String("made-by-s3")})
	checkAPIError(t, err, "S3BucketDoesNotExistException", 404)
}
