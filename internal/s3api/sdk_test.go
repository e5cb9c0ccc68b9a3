package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairnhq/cairn/internal/bucketstore"
)

func TestSDKBucketAndObjectRoundTrip(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		name := map[bool]string{true: "https", false: "http"}[useTLS]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			env := newTestEnv(t, useTLS)
			client := env.client(ownerAccount, "us-east-1")

			if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
				t.Fatalf("CreateBucket: %v", err)
			}
			head, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("trail-logs")})
			if err != nil || aws.ToString(head.BucketRegion) != "us-east-1" {
				t.Fatalf("HeadBucket: %+v %v", head, err)
			}
			loc, err := client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("trail-logs")})
			if err != nil || loc.LocationConstraint != "" {
				t.Fatalf("GetBucketLocation: %+v %v", loc, err)
			}
			buckets, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
			if err != nil || len(buckets.Buckets) != 1 || aws.ToString(buckets.Buckets[0].Name) != "trail-logs" ||
				aws.ToString(buckets.Buckets[0].BucketRegion) != "us-east-1" || buckets.Owner == nil || len(aws.ToString(buckets.Owner.ID)) != 64 {
				t.Fatalf("ListBuckets: %+v %v", buckets, err)
			}

			body := []byte(strings.Repeat("CloudTrail log line\n", 5000)) // 100 kB: several aws-chunked chunks
			key := "AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/02/file name+1.json.gz"
			put, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket:      aws.String("trail-logs"),
				Key:         aws.String(key),
				Body:        bytes.NewReader(body),
				ContentType: aws.String("application/x-gzip"),
				Metadata:    map[string]string{"signature": "abc123", "Signature-Algorithm": "SHA256withRSA"},
			})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			sum := md5.Sum(body)
			wantETag := `"` + hex.EncodeToString(sum[:]) + `"`
			if aws.ToString(put.ETag) != wantETag {
				t.Errorf("PutObject ETag = %s, want %s", aws.ToString(put.ETag), wantETag)
			}
			putCall := env.lastCall()
			if putCall.Operation != "PutObject" || putCall.BytesIn != int64(len(body)) || putCall.Key != key {
				t.Errorf("PutObject call = %+v", putCall)
			}

			env.gateway.mu.Lock()
			putHeader := env.gateway.putHeaders[len(env.gateway.putHeaders)-1]
			env.gateway.mu.Unlock()
			if chunked := isAWSChunked(putHeader); chunked != useTLS {
				t.Errorf("SDK sent aws-chunked=%v over %s (x-amz-content-sha256 %q)", chunked, name, putHeader.Get("x-amz-content-sha256"))
			}

			get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, _ := io.ReadAll(get.Body)
			get.Body.Close()
			if !bytes.Equal(got, body) {
				t.Errorf("GetObject body differs (%d bytes)", len(got))
			}
			wantMeta := map[string]string{"signature": "abc123", "signature-algorithm": "SHA256withRSA"}
			if aws.ToString(get.ContentType) != "application/x-gzip" || aws.ToString(get.ETag) != wantETag ||
				!mapsEqual(get.Metadata, wantMeta) || aws.ToInt64(get.ContentLength) != int64(len(body)) {
				t.Errorf("GetObject output: type %q etag %q meta %v length %d",
					aws.ToString(get.ContentType), aws.ToString(get.ETag), get.Metadata, aws.ToInt64(get.ContentLength))
			}
			if get.LastModified == nil || time.Since(*get.LastModified) > time.Minute {
				t.Errorf("GetObject LastModified = %v", get.LastModified)
			}

			headObj, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)})
			if err != nil || aws.ToInt64(headObj.ContentLength) != int64(len(body)) || !mapsEqual(headObj.Metadata, wantMeta) {
				t.Errorf("HeadObject: %+v %v", headObj, err)
			}

			for rangeHeader, want := range map[string][]byte{
				"bytes=0-9":    body[:10],
				"bytes=20-":    body[20:],
				"bytes=-7":     body[len(body)-7:],
				"bytes=99990-": body[99990:],
			} {
				out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key), Range: aws.String(rangeHeader)})
				if err != nil {
					t.Errorf("range %s: %v", rangeHeader, err)
					continue
				}
				part, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if !bytes.Equal(part, want) || out.ContentRange == nil {
					t.Errorf("range %s: %d bytes, Content-Range %v", rangeHeader, len(part), aws.ToString(out.ContentRange))
				}
			}

			_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key), IfNoneMatch: aws.String(wantETag)})
			expectAPIError(t, err, "NotModified", http.StatusNotModified)
			_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key), IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
			expectAPIError(t, err, "NotModified", http.StatusNotModified)
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key), IfModifiedSince: aws.Time(time.Now().Add(-time.Hour))})
			if err != nil {
				t.Errorf("GetObject modified since an hour ago: %v", err)
			} else {
				out.Body.Close()
			}

			if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)}); err != nil {
				t.Errorf("DeleteObject of a missing key: %v", err)
			}
			_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)})
			expectAPIError(t, err, "NoSuchKey", http.StatusNotFound)
			if _, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
				t.Fatalf("DeleteBucket: %v", err)
			}
			_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("trail-logs")})
			expectAPIError(t, err, "NotFound", http.StatusNotFound)
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSDKChecksums(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		env := newTestEnv(t, useTLS)
		client := env.client(ownerAccount, "us-east-1")
		ctx := context.Background()
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sums")}); err != nil {
			t.Fatal(err)
		}
		body := strings.Repeat("checksummed ", 3000)
		for _, algorithm := range []types.ChecksumAlgorithm{
			types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
			types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
		} {
			key := "obj-" + string(algorithm)
			put, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("sums"), Key: aws.String(key), Body: strings.NewReader(body), ChecksumAlgorithm: algorithm,
			})
			if err != nil {
				t.Errorf("tls=%v PutObject with %s: %v", useTLS, algorithm, err)
				continue
			}
			get, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Errorf("GetObject %s: %v", key, err)
				continue
			}
			// Reading to the end makes the SDK validate the checksum.
			if _, err := io.ReadAll(get.Body); err != nil {
				t.Errorf("tls=%v GetObject %s failed checksum validation: %v", useTLS, key, err)
			}
			get.Body.Close()
			returned := map[types.ChecksumAlgorithm]*string{
				types.ChecksumAlgorithmCrc32: get.ChecksumCRC32, types.ChecksumAlgorithmCrc32c: get.ChecksumCRC32C,
				types.ChecksumAlgorithmCrc64nvme: get.ChecksumCRC64NVME, types.ChecksumAlgorithmSha1: get.ChecksumSHA1,
				types.ChecksumAlgorithmSha256: get.ChecksumSHA256,
			}[algorithm]
			sent := map[types.ChecksumAlgorithm]*string{
				types.ChecksumAlgorithmCrc32: put.ChecksumCRC32, types.ChecksumAlgorithmCrc32c: put.ChecksumCRC32C,
				types.ChecksumAlgorithmCrc64nvme: put.ChecksumCRC64NVME, types.ChecksumAlgorithmSha1: put.ChecksumSHA1,
				types.ChecksumAlgorithmSha256: put.ChecksumSHA256,
			}[algorithm]
			if aws.ToString(returned) == "" || aws.ToString(returned) != aws.ToString(sent) {
				t.Errorf("tls=%v %s: PutObject reported %q, GetObject %q", useTLS, algorithm, aws.ToString(sent), aws.ToString(returned))
			}
		}

		// A checksum that does not match the body is refused, and nothing is stored.
		_, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("sums"), Key: aws.String("bad"), Body: strings.NewReader(body),
			ChecksumCRC32: aws.String("AAAAAA=="),
		})
		expectAPIError(t, err, "BadDigest", http.StatusBadRequest)
		_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("bad")})
		expectAPIError(t, err, "NotFound", http.StatusNotFound)
	}
}

var listingKeys = []string{
	"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/19/123456789012_CloudTrail-Digest_us-east-1_trail1_us-east-1_20261119T235900Z.json.gz",
	"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_trail1_us-east-1_20261120T005900Z.json.gz",
	"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_trail1_us-east-1_20261120T015900Z.json.gz",
	"AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/a.json.gz",
	"a b/c+d", "a b/e", "a%20b", "a+b", "dir/../up", "dir/./here", "dir//double", "x&y<z>", "é/clé", "日本/語",
	"\uffff", "😀", "😀/inner", "tab\tkey",
}

func putKeys(t *testing.T, client *s3.Client, bucket string, keys []string) {
	t.Helper()
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("PutObject(%q): %v", k, err)
		}
	}
}

func TestSDKListObjectsV1(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t, true)
	client := env.client(ownerAccount, "us-east-1")
	putKeys(t, client, "listing", listingKeys)
	sorted := slices.Clone(listingKeys)
	sort.Strings(sorted)

	for _, k := range listingKeys {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("listing"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("GetObject(%q): %v", k, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != k {
			t.Errorf("GetObject(%q) = %q", k, b)
		}
	}

	// Page through everything, two at a time, with url encoding, continuing
	// from the last key as botocore does without a delimiter.
	var got []string
	marker := ""
	for page := 0; page < 20; page++ {
		out, err := client.ListObjects(ctx, &s3.ListObjectsInput{
			Bucket: aws.String("listing"), Marker: aws.String(marker), MaxKeys: aws.Int32(2), EncodingType: types.EncodingTypeUrl,
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.EncodingType != types.EncodingTypeUrl || aws.ToInt32(out.MaxKeys) != 2 || out.NextMarker != nil {
			t.Errorf("page %d: encoding %q max %d next marker %v", page, out.EncodingType, aws.ToInt32(out.MaxKeys), out.NextMarker)
		}
		if decoded, _ := url.QueryUnescape(aws.ToString(out.Marker)); decoded != marker {
			t.Errorf("page %d: echoed marker %q, want %q", page, aws.ToString(out.Marker), marker)
		}
		for _, o := range out.Contents {
			key, err := url.QueryUnescape(aws.ToString(o.Key))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, key)
			if o.Owner == nil || aws.ToInt64(o.Size) != int64(len(key)) || o.StorageClass != types.ObjectStorageClassStandard {
				t.Errorf("entry %q: %+v", key, o)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = got[len(got)-1]
	}
	if !slices.Equal(got, sorted) {
		t.Errorf("V1 listing\n got %q\nwant %q", got, sorted)
	}

	// The request validate-logs sends: a marker just before the window, a
	// prefix, and encoding-type=url.
	prefix := "AWSLogs/123456789012/CloudTrail-Digest/us-east-1"
	out, err := client.ListObjects(ctx, &s3.ListObjectsInput{
		Bucket: aws.String("listing"), Prefix: aws.String(prefix), Marker: aws.String(listingKeys[0]), EncodingType: types.EncodingTypeUrl,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 2 || aws.ToString(out.Prefix) != url.QueryEscape(prefix) {
		t.Errorf("digest listing: prefix %q, %d keys", aws.ToString(out.Prefix), len(out.Contents))
	}

	// With a delimiter, common prefixes count as entries and NextMarker
	// continues past them.
	var entries []string
	marker = ""
	for page := 0; page < 20; page++ {
		out, err := client.ListObjects(ctx, &s3.ListObjectsInput{
			Bucket: aws.String("listing"), Delimiter: aws.String("/"), Marker: aws.String(marker), MaxKeys: aws.Int32(3), EncodingType: types.EncodingTypeUrl,
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Delimiter) != "%2F" {
			t.Errorf("delimiter echoed as %q, want url-encoded", aws.ToString(out.Delimiter))
		}
		var page []string
		for _, p := range out.CommonPrefixes {
			decoded, _ := url.QueryUnescape(aws.ToString(p.Prefix))
			page = append(page, decoded)
		}
		for _, o := range out.Contents {
			decoded, _ := url.QueryUnescape(aws.ToString(o.Key))
			page = append(page, decoded)
		}
		sort.Strings(page)
		entries = append(entries, page...)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		if out.NextMarker == nil {
			t.Fatal("truncated delimiter listing without NextMarker")
		}
		marker, _ = url.QueryUnescape(aws.ToString(out.NextMarker))
	}
	want := []string{"AWSLogs/", "a b/", "a%20b", "a+b", "dir/", "x&y<z>", "é/", "日本/", "\uffff", "😀", "😀/", "tab\tkey"}
	sort.Strings(want)
	if !slices.Equal(entries, want) {
		t.Errorf("delimited listing\n got %q\nwant %q", entries, want)
	}
}

func TestSDKListObjectsV2(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t, false)
	client := env.client(ownerAccount, "us-east-1")
	putKeys(t, client, "listing", listingKeys)
	sorted := slices.Clone(listingKeys)
	sort.Strings(sorted)
	// XML cannot carry U+FFFF; without encoding-type=url it arrives as the
	// replacement character.
	sorted[slices.Index(sorted, "\uffff")] = "\ufffd"

	var got []string
	pages := 0
	paginator := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), MaxKeys: aws.Int32(3)})
	for paginator.HasMorePages() {
		out, err := paginator.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if int(aws.ToInt32(out.KeyCount)) != len(out.Contents) || len(out.Contents) > 3 {
			t.Errorf("KeyCount %d with %d keys", aws.ToInt32(out.KeyCount), len(out.Contents))
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if o.Owner != nil {
				t.Error("Owner returned without fetch-owner")
			}
		}
	}
	if !slices.Equal(got, sorted) || pages != (len(sorted)+2)/3 {
		t.Errorf("V2 pagination (%d pages)\n got %q\nwant %q", pages, got, sorted)
	}

	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String("listing"), StartAfter: aws.String("a+b"), Prefix: aws.String("a"), FetchOwner: aws.Bool(true),
		Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 0 || len(out.CommonPrefixes) != 0 || aws.ToString(out.StartAfter) != "a%2Bb" {
		t.Errorf("after a+b in a: %+v", out)
	}
	out, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String("listing"), Prefix: aws.String("a"), FetchOwner: aws.Bool(true), Delimiter: aws.String("/"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 2 || out.Contents[0].Owner == nil || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "a b/" {
		t.Errorf("prefix a with delimiter: %+v", out)
	}

	_, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), ContinuationToken: aws.String("garbage")})
	expectAPIError(t, err, "InvalidArgument", http.StatusBadRequest)
	out, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("listing"), MaxKeys: aws.Int32(0)})
	if err != nil || len(out.Contents) != 0 || aws.ToBool(out.IsTruncated) {
		t.Errorf("max-keys 0: %+v %v", out, err)
	}
}

// brokenStore fails every listing, as a store with a broken disk would.
type brokenStore struct{ *bucketstore.Store }

func (brokenStore) ListBuckets(context.Context, string) ([]bucketstore.Bucket, error) {
	return nil, errors.New("disk on fire")
}

func TestSDKErrors(t *testing.T) {
	ctx := context.Background()
	env := newTestEnv(t, true)
	owner := env.client(ownerAccount, "us-east-1")
	other := env.client(otherAccount, "us-east-1")
	inEU := env.client(ownerAccount, "eu-west-1")
	putKeys(t, owner, "owned", []string{"k"})

	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"NoSuchBucket", func() error {
			_, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("missing"), Key: aws.String("k")})
			return err
		}, "NoSuchBucket", 404},
		{"NoSuchBucket on listing", func() error {
			_, err := owner.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("missing")})
			return err
		}, "NoSuchBucket", 404},
		{"NoSuchKey", func() error {
			_, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owned"), Key: aws.String("nope")})
			return err
		}, "NoSuchKey", 404},
		{"HeadObject missing key", func() error {
			_, err := owner.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("owned"), Key: aws.String("nope")})
			return err
		}, "NotFound", 404},
		{"BucketAlreadyExists", func() error {
			_, err := other.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("owned")})
			return err
		}, "BucketAlreadyExists", 409},
		{"BucketAlreadyOwnedByYou", func() error {
			create := &s3.CreateBucketInput{Bucket: aws.String("eu-bucket"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
				LocationConstraint: types.BucketLocationConstraintEuWest1,
			}}
			if _, err := inEU.CreateBucket(ctx, create); err != nil {
				return err
			}
			_, err := inEU.CreateBucket(ctx, create)
			return err
		}, "BucketAlreadyOwnedByYou", 409},
		{"BucketNotEmpty", func() error {
			_, err := owner.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("owned")})
			return err
		}, "BucketNotEmpty", 409},
		{"InvalidBucketName", func() error {
			_, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bad_name")})
			return err
		}, "InvalidBucketName", 400},
		{"AccessDenied on GetObject", func() error {
			_, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owned"), Key: aws.String("k")})
			return err
		}, "AccessDenied", 403},
		{"AccessDenied on PutObject", func() error {
			_, err := other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Body: strings.NewReader("x")})
			return err
		}, "AccessDenied", 403},
		{"AccessDenied on DeleteBucket", func() error {
			_, err := other.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("owned")})
			return err
		}, "AccessDenied", 403},
		{"AccessDenied on ListObjects", func() error {
			_, err := other.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("owned")})
			return err
		}, "AccessDenied", 403},
		{"AccessDenied on GetBucketLocation", func() error {
			_, err := other.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("owned")})
			return err
		}, "AccessDenied", 403},
		{"HeadBucket of another account's bucket", func() error {
			_, err := other.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("owned")})
			return err
		}, "Forbidden", 403},
		{"InvalidArgument max-keys", func() error {
			_, err := owner.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("owned"), MaxKeys: aws.Int32(-1)})
			return err
		}, "InvalidArgument", 400},
		{"BadDigest", func() error {
			wrong := md5.Sum([]byte("something else"))
			_, err := owner.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("owned"), Key: aws.String("md5"), Body: strings.NewReader("body"),
				ContentMD5: aws.String(base64.StdEncoding.EncodeToString(wrong[:])),
			})
			return err
		}, "BadDigest", 400},
		{"InvalidRange", func() error {
			_, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Range: aws.String("bytes=100-200")})
			return err
		}, "InvalidRange", 416},
		{"PreconditionFailed on GetObject", func() error {
			_, err := owner.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), IfMatch: aws.String(`"0000"`)})
			return err
		}, "PreconditionFailed", 412},
		{"PreconditionFailed on conditional PutObject", func() error {
			_, err := owner.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("k"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
			return err
		}, "PreconditionFailed", 412},
		{"IllegalLocationConstraintException", func() error {
			_, err := inEU.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("no-constraint")})
			return err
		}, "IllegalLocationConstraintException", 400},
		{"InvalidLocationConstraint", func() error {
			_, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("explicit-east"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
				LocationConstraint: "us-east-1",
			}})
			return err
		}, "InvalidLocationConstraint", 400},
		{"NotImplemented PutBucketAcl", func() error {
			_, err := owner.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("owned"), ACL: types.BucketCannedACLPrivate})
			return err
		}, "NotImplemented", 501},
		{"NotImplemented GetBucketVersioning", func() error {
			_, err := owner.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("owned")})
			return err
		}, "NotImplemented", 501},
		{"NotImplemented CreateMultipartUpload", func() error {
			_, err := owner.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("owned"), Key: aws.String("big")})
			return err
		}, "NotImplemented", 501},
		{"NotImplemented CopyObject", func() error {
			_, err := owner.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("owned"), Key: aws.String("copy"), CopySource: aws.String("owned/k")})
			return err
		}, "NotImplemented", 501},
		{"NotImplemented DeleteObjects", func() error {
			_, err := owner.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("owned"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}}})
			return err
		}, "NotImplemented", 501},
		{"NotImplemented object tagging header", func() error {
			_, err := owner.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("owned"), Key: aws.String("t"), Body: strings.NewReader("x"), Tagging: aws.String("a=b")})
			return err
		}, "NotImplemented", 501},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expectAPIError(t, tc.call(), tc.code, tc.status)
			if call := env.lastCall(); call.ErrorCode == "" || call.HTTPStatus != tc.status {
				t.Errorf("OnCall saw %q/%d", call.ErrorCode, call.HTTPStatus)
			}
		})
	}

	notImplemented := map[string]string{}
	env.mu.Lock()
	for _, c := range env.calls {
		if c.ErrorCode == "NotImplemented" {
			notImplemented[c.Operation] = c.ErrorMessage
		}
	}
	env.mu.Unlock()
	for _, op := range []string{"PutBucketAcl", "GetBucketVersioning", "CreateMultipartUpload", "CopyObject", "DeleteObjects"} {
		if !strings.Contains(notImplemented[op], op) {
			t.Errorf("NotImplemented for %s: message %q does not name it", op, notImplemented[op])
		}
	}

	// A repeated create of one's own us-east-1 bucket succeeds, as in S3.
	if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("owned")}); err != nil {
		t.Errorf("re-create own us-east-1 bucket: %v", err)
	}
	// A constraint naming another region is accepted by us-east-1, as by
	// S3's global endpoint, and GetBucketLocation reports it.
	if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("in-tokyo"), CreateBucketConfiguration: &types.CreateBucketConfiguration{
		LocationConstraint: types.BucketLocationConstraintApNortheast1,
	}}); err != nil {
		t.Fatal(err)
	}
	loc, err := owner.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("in-tokyo")})
	if err != nil || loc.LocationConstraint != types.BucketLocationConstraintApNortheast1 {
		t.Errorf("GetBucketLocation(in-tokyo) = %+v, %v", loc, err)
	}
	// The other account sees none of these buckets.
	if out, err := other.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil || len(out.Buckets) != 0 {
		t.Errorf("other account's ListBuckets = %+v, %v", out, err)
	}

	env.handler.store = brokenStore{env.store}
	_, err = owner.ListBuckets(ctx, &s3.ListBucketsInput{})
	expectAPIError(t, err, "InternalError", 500)
}
