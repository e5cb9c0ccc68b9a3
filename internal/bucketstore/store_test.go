package bucketstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	account      = "123456789012"
	otherAccount = "210987654321"
)

func openTestStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustCreateBucket(t *testing.T, s *Store, name string) {
	t.Helper()
	if _, err := s.CreateBucket(context.Background(), name, account, "us-east-1"); err != nil {
		t.Fatalf("CreateBucket(%q): %v", name, err)
	}
}

func mustPut(t *testing.T, s *Store, bucket, key, body string) string {
	t.Helper()
	etag, err := s.PutObject(context.Background(), bucket, key, strings.NewReader(body), "", nil)
	if err != nil {
		t.Fatalf("PutObject(%q): %v", key, err)
	}
	return etag
}

func readObject(t *testing.T, s *Store, bucket, key string, rng *ByteRange) (string, *Object) {
	t.Helper()
	obj, err := s.GetObject(context.Background(), bucket, key, rng)
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), obj
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestValidateBucketName(t *testing.T) {
	valid := []string{"abc", "my-bucket.logs", "a1b", "123", strings.Repeat("a", 63), "1.2.3"}
	invalid := []string{"ab", strings.Repeat("a", 64), "My-Bucket", "bucket_name", "-abc", "abc-", ".abc",
		"a..b", "192.168.5.4", "xn--abc", "sthree-abc", "amzn-s3-demo-x", "abc-s3alias", "abc--ol-s3",
		"abc.mrap", "abc--x-s3", "abc--table-s3", "héllo", "a b c"}
	for _, name := range valid {
		if err := ValidateBucketName(name); err != nil {
			t.Errorf("ValidateBucketName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range invalid {
		if err := ValidateBucketName(name); !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("ValidateBucketName(%q) = %v, want ErrInvalidBucketName", name, err)
		}
	}
}

func TestBucketLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())

	b, err := s.CreateBucket(ctx, "logs", account, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "logs" || b.OwnerAccountID != account || b.Region != "eu-west-1" || b.Created.IsZero() {
		t.Fatalf("CreateBucket returned %+v", b)
	}
	if _, err := s.CreateBucket(ctx, "logs", account, "eu-west-1"); !errors.Is(err, ErrBucketAlreadyOwnedByYou) {
		t.Errorf("re-create by owner: %v", err)
	}
	if _, err := s.CreateBucket(ctx, "logs", otherAccount, "us-east-1"); !errors.Is(err, ErrBucketExists) {
		t.Errorf("create by other account: %v", err)
	}
	if _, err := s.CreateBucket(ctx, "Bad_Name", account, "us-east-1"); !errors.Is(err, ErrInvalidBucketName) {
		t.Errorf("invalid name: %v", err)
	}
	if _, err := s.CreateBucket(ctx, "others", otherAccount, "us-east-1"); err != nil {
		t.Fatal(err)
	}

	got, exists, err := s.BucketInfo(ctx, "logs")
	if err != nil || !exists || got != b {
		t.Errorf("BucketInfo(logs) = %+v, %v, %v", got, exists, err)
	}
	if _, exists, err := s.BucketInfo(ctx, "missing"); err != nil || exists {
		t.Errorf("BucketInfo(missing) exists=%v err=%v", exists, err)
	}
	if _, err := s.GetBucket(ctx, "missing"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("GetBucket(missing): %v", err)
	}

	mine, err := s.ListBuckets(ctx, account)
	if err != nil || len(mine) != 1 || mine[0].Name != "logs" {
		t.Errorf("ListBuckets(account) = %+v, %v", mine, err)
	}
	all, err := s.ListBuckets(ctx, "")
	if err != nil || len(all) != 2 || all[0].Name != "logs" || all[1].Name != "others" {
		t.Errorf("ListBuckets(all) = %+v, %v", all, err)
	}

	mustPut(t, s, "logs", "k", "v")
	if err := s.DeleteBucket(ctx, "logs"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Errorf("DeleteBucket(non-empty): %v", err)
	}
	if err := s.DeleteObject(ctx, "logs", "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucket(ctx, "logs"); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if err := s.DeleteBucket(ctx, "logs"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("DeleteBucket twice: %v", err)
	}
	// The name is free again, for anyone.
	if _, err := s.CreateBucket(ctx, "logs", otherAccount, "us-east-1"); err != nil {
		t.Errorf("re-create after delete: %v", err)
	}
}

func TestObjectRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	mustCreateBucket(t, s, "bkt")

	body := "hello, bucket store"
	info, err := s.PutObjectWithOptions(ctx, "bkt", "dir/file.txt", strings.NewReader(body), PutObjectOptions{
		ContentType:       "text/plain",
		ContentEncoding:   "identity",
		UserMetadata:      map[string]string{"Signature": "abc", "signature-algorithm": "SHA256withRSA"},
		ChecksumAlgorithm: "crc32",
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(body))
	if info.ETag != hex.EncodeToString(sum[:]) || info.Size != int64(len(body)) {
		t.Errorf("put info = %+v", info)
	}
	if info.ChecksumAlgorithm != "CRC32" || info.Checksum == "" {
		t.Errorf("checksum = %q %q", info.ChecksumAlgorithm, info.Checksum)
	}
	if info.LastModified.Nanosecond() != 0 || info.LastModified.Location() != time.UTC {
		t.Errorf("LastModified %v is not whole UTC seconds", info.LastModified)
	}

	head, err := s.HeadObject(ctx, "bkt", "dir/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	wantMeta := map[string]string{"signature": "abc", "signature-algorithm": "SHA256withRSA"}
	if head.ContentType != "text/plain" || head.ContentEncoding != "identity" || fmt.Sprint(head.UserMetadata) != fmt.Sprint(wantMeta) {
		t.Errorf("HeadObject = %+v", head)
	}

	got, obj := readObject(t, s, "bkt", "dir/file.txt", nil)
	if got != body || obj.Start != 0 || obj.Length != int64(len(body)) || obj.Info.ETag != info.ETag {
		t.Errorf("GetObject = %q %+v", got, obj)
	}

	ranges := []struct {
		rng        ByteRange
		want       string
		start, len int64
	}{
		{ByteRange{First: 0, Last: 4}, "hello", 0, 5},
		{ByteRange{First: 7, Last: -1}, "bucket store", 7, 12},
		{ByteRange{First: 7, Last: 1000}, "bucket store", 7, 12},
		{ByteRange{FromEnd: true, SuffixLength: 5}, "store", 14, 5},
		{ByteRange{FromEnd: true, SuffixLength: 500}, body, 0, int64(len(body))},
	}
	for _, r := range ranges {
		got, obj := readObject(t, s, "bkt", "dir/file.txt", &r.rng)
		if got != r.want || obj.Start != r.start || obj.Length != r.len {
			t.Errorf("range %+v = %q [%d,+%d], want %q [%d,+%d]", r.rng, got, obj.Start, obj.Length, r.want, r.start, r.len)
		}
	}
	for _, bad := range []ByteRange{{First: 19, Last: -1}, {First: 5, Last: 2}, {FromEnd: true, SuffixLength: 0}} {
		_, err := s.GetObject(ctx, "bkt", "dir/file.txt", &bad)
		var rangeErr *RangeError
		if !errors.Is(err, ErrInvalidRange) || !errors.As(err, &rangeErr) || rangeErr.Size != int64(len(body)) {
			t.Errorf("range %+v: %v", bad, err)
		}
	}

	// Overwriting replaces the content and removes the old blob file.
	mustPut(t, s, "bkt", "dir/file.txt", "second version")
	if got, _ := readObject(t, s, "bkt", "dir/file.txt", nil); got != "second version" {
		t.Errorf("after overwrite: %q", got)
	}
	if n := countFiles(t, filepath.Join(dir, blobDirName)); n != 1 {
		t.Errorf("%d blob files after overwrite, want 1", n)
	}
	if head, _ := s.HeadObject(ctx, "bkt", "dir/file.txt"); head.ContentType != DefaultContentType || head.UserMetadata != nil {
		t.Errorf("overwrite kept old attributes: %+v", head)
	}

	if _, err := s.GetObject(ctx, "bkt", "nope", nil); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("GetObject(missing key): %v", err)
	}
	if _, err := s.HeadObject(ctx, "nobucket", "k"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("HeadObject(missing bucket): %v", err)
	}
	if _, err := s.PutObject(ctx, "nobucket", "k", strings.NewReader("x"), "", nil); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("PutObject(missing bucket): %v", err)
	}
	if _, err := s.PutObject(ctx, "bkt", strings.Repeat("k", 1025), strings.NewReader("x"), "", nil); !errors.Is(err, ErrKeyTooLong) {
		t.Errorf("PutObject(long key): %v", err)
	}
	if _, err := s.PutObject(ctx, "bkt", "bad\xffkey", strings.NewReader("x"), "", nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("PutObject(invalid UTF-8): %v", err)
	}

	if err := s.DeleteObject(ctx, "bkt", "dir/file.txt"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteObject(ctx, "bkt", "dir/file.txt"); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if err := s.DeleteObject(ctx, "nobucket", "k"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("DeleteObject(missing bucket): %v", err)
	}
	if n := countFiles(t, filepath.Join(dir, blobDirName)); n != 0 {
		t.Errorf("%d blob files after delete, want 0", n)
	}
}

func TestClockOption(t *testing.T) {
	fixed := time.Date(2026, 11, 20, 3, 4, 5, 600, time.UTC)
	s, err := Open(t.TempDir(), WithClock(func() time.Time { return fixed }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.CreateBucket(context.Background(), "clocked", account, "us-east-1")
	if err != nil || !b.Created.Equal(fixed.Truncate(time.Second)) {
		t.Errorf("Created = %v, %v", b.Created, err)
	}
	mustPut(t, s, "clocked", "k", "v")
	if info, _ := s.HeadObject(context.Background(), "clocked", "k"); !info.LastModified.Equal(fixed.Truncate(time.Second)) {
		t.Errorf("LastModified = %v", info.LastModified)
	}
}

func TestEmptyObject(t *testing.T) {
	s := openTestStore(t, t.TempDir())
	mustCreateBucket(t, s, "bkt")
	if etag := mustPut(t, s, "bkt", "empty", ""); etag != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("ETag of empty object = %s", etag)
	}
	if got, _ := readObject(t, s, "bkt", "empty", nil); got != "" {
		t.Errorf("got %q", got)
	}
	if _, err := s.GetObject(context.Background(), "bkt", "empty", &ByteRange{First: 0, Last: -1}); !errors.Is(err, ErrInvalidRange) {
		t.Errorf("range on empty object: %v", err)
	}
}

func TestPutPreconditions(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	mustCreateBucket(t, s, "bkt")

	put := func(key string, opts PutObjectOptions) error {
		_, err := s.PutObjectWithOptions(ctx, "bkt", key, strings.NewReader("data"), opts)
		return err
	}
	if err := put("k", PutObjectOptions{IfAbsent: true}); err != nil {
		t.Fatalf("IfAbsent on new key: %v", err)
	}
	if err := put("k", PutObjectOptions{IfAbsent: true}); !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("IfAbsent on existing key: %v", err)
	}
	etag := hex.EncodeToString(md5.New().Sum(nil))
	if err := put("k", PutObjectOptions{IfMatch: `"` + etag + `"`}); !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("IfMatch with wrong ETag: %v", err)
	}
	info, _ := s.HeadObject(ctx, "bkt", "k")
	if err := put("k", PutObjectOptions{IfMatch: `"` + info.ETag + `"`}); err != nil {
		t.Errorf("IfMatch with right ETag: %v", err)
	}
	if err := put("other", PutObjectOptions{IfMatch: "*"}); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("IfMatch on missing key: %v", err)
	}
}

type failingReader struct{ after int }

var errBodyBroke = errors.New("connection reset")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after == 0 {
		return 0, errBodyBroke
	}
	n := min(len(p), r.after)
	r.after -= n
	return n, nil
}

func TestFailedPutsLeaveNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTestStore(t, dir)
	mustCreateBucket(t, s, "bkt")

	if _, err := s.PutObject(ctx, "bkt", "k", &failingReader{after: 100}, "", nil); !errors.Is(err, errBodyBroke) {
		t.Errorf("broken body: %v", err)
	}
	errRejected := errors.New("digest mismatch")
	var verified ObjectInfo
	_, err := s.PutObjectWithOptions(ctx, "bkt", "k", strings.NewReader("abc"), PutObjectOptions{
		ChecksumAlgorithm: "SHA256",
		Verify: func(info ObjectInfo) error {
			verified = info
			return errRejected
		},
	})
	if !errors.Is(err, errRejected) {
		t.Errorf("rejected by Verify: %v", err)
	}
	if verified.Size != 3 || verified.ETag != "900150983cd24fb0d6963f7d28e17f72" ||
		verified.Checksum != "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" {
		t.Errorf("Verify saw %+v", verified)
	}
	if _, err := s.HeadObject(ctx, "bkt", "k"); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("failed puts left an object: %v", err)
	}
	if n := countFiles(t, dir) - 1; n != 0 { // the index file stays
		t.Errorf("failed puts left %d files", n)
	}
	if _, err := s.PutObjectWithOptions(ctx, "bkt", "k", strings.NewReader("abc"), PutObjectOptions{ChecksumAlgorithm: "MD4"}); !errors.Is(err, ErrUnsupportedChecksum) {
		t.Errorf("unknown checksum: %v", err)
	}
}

func TestChecksumAlgorithms(t *testing.T) {
	// Check values of "123456789" from the CRC catalogue, and the digests.
	want := map[string]string{
		"CRC32":     "cbf43926",
		"CRC32C":    "e3069283",
		"CRC64NVME": "ae8b14860a799888",
		"SHA1":      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
		"SHA256":    "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
	}
	for _, alg := range ChecksumAlgorithms {
		h, err := newChecksumHash(alg)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte("123456789"))
		if got := hex.EncodeToString(h.Sum(nil)); got != want[alg] {
			t.Errorf("%s = %s, want %s", alg, got, want[alg])
		}
	}
}

func TestRestartKeepsEverythingAndCleansLeftovers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBucket(ctx, "bkt", account, "ap-south-1"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i := range 20 {
		key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%02d.json.gz", account, i)
		want[key] = strings.Repeat(string(rune('a'+i)), i*100)
		if _, err := s.PutObjectWithOptions(ctx, "bkt", key, strings.NewReader(want[key]), PutObjectOptions{
			ContentType:  "application/x-gzip",
			UserMetadata: map[string]string{"n": fmt.Sprint(i)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteObject(ctx, "bkt", "AWSLogs/123456789012/CloudTrail/07.json.gz"); err != nil {
		t.Fatal(err)
	}
	delete(want, "AWSLogs/123456789012/CloudTrail/07.json.gz")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// What a crash can leave: a half-written temp file, and a blob that was
	// renamed into place but never indexed.
	os.WriteFile(filepath.Join(dir, tmpDirName, "put-123"), []byte("partial"), 0o600)
	orphan := newBlobName()
	os.WriteFile(filepath.Join(dir, blobDirName, orphan[:2], orphan), []byte("orphan"), 0o600)

	s = openTestStore(t, dir)
	b, err := s.GetBucket(ctx, "bkt")
	if err != nil || b.Region != "ap-south-1" || b.OwnerAccountID != account {
		t.Fatalf("bucket after reopen: %+v %v", b, err)
	}
	list, err := s.ListObjects(ctx, "bkt", ListObjectsInput{})
	if err != nil || len(list.Objects) != len(want) {
		t.Fatalf("listed %d objects after reopen (%v), want %d", len(list.Objects), err, len(want))
	}
	for _, o := range list.Objects {
		got, obj := readObject(t, s, "bkt", o.Key, nil)
		if got != want[o.Key] || obj.Info.ContentType != "application/x-gzip" || obj.Info.UserMetadata["n"] == "" {
			t.Errorf("%s after reopen: %q %+v", o.Key, got, obj.Info)
		}
	}
	if n := countFiles(t, filepath.Join(dir, tmpDirName)); n != 0 {
		t.Errorf("%d temp files survived reopen", n)
	}
	if n := countFiles(t, filepath.Join(dir, blobDirName)); n != len(want) {
		t.Errorf("%d blob files after reopen, want %d", n, len(want))
	}
}

// trickyKeys are distinct keys whose byte order differs from naive
// expectations: UTF-16 order puts U+1F600 before U+FFFF, case and
// punctuation sort before letters, and path-like segments are not special.
var trickyKeys = []string{
	"a", "a/", "a/b", "a/b/c", "a//b", "a/../b", "../up", "./here", "a b", " leading", "trailing ",
	"A", "Z", "_", "a-b", "a.b", "a+b", "a%2Fb", "é", "e\u0301", "日本/語", "日本語",
	"\uffff", "😀", "😀/x", "tab\there", "new\nline", "x/y/z/", "ctrl\x01char",
}

func TestListByteOrderWithTrickyKeys(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	mustCreateBucket(t, s, "bkt")
	for _, k := range trickyKeys {
		mustPut(t, s, "bkt", k, k)
	}
	sorted := slices.Clone(trickyKeys)
	sort.Strings(sorted) // Go compares strings bytewise
	if slices.Index(sorted, "\uffff") > slices.Index(sorted, "😀") {
		t.Fatal("test premise: U+FFFF sorts before U+1F600 in UTF-8")
	}

	res, err := s.ListObjects(ctx, "bkt", ListObjectsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.Key)
	}
	if !slices.Equal(got, sorted) || res.IsTruncated {
		t.Fatalf("listing order\n got %q\nwant %q", got, sorted)
	}
	for _, k := range trickyKeys {
		if body, _ := readObject(t, s, "bkt", k, nil); body != k {
			t.Errorf("GetObject(%q) = %q", k, body)
		}
	}

	// After is exclusive, whether or not it names an existing key.
	res, _ = s.ListObjects(ctx, "bkt", ListObjectsInput{After: "a/b", MaxKeys: 2})
	if len(res.Objects) != 2 || res.Objects[0].Key != "a/b/c" || !res.IsTruncated || res.NextMarker != res.Objects[1].Key {
		t.Errorf("after a/b: %+v", res)
	}
	res, _ = s.ListObjects(ctx, "bkt", ListObjectsInput{After: "a/bb", Prefix: "a/"})
	if len(res.Objects) != 0 || res.IsTruncated {
		t.Errorf("after a/bb in a/: %+v", res)
	}
}

// listModel is the reference semantics ListObjects must page through: every
// entry (key or common prefix) of a full listing, in order.
func listModel(keys []string, prefix, delimiter string) []string {
	sorted := slices.Clone(keys)
	sort.Strings(sorted)
	var entries []string
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		entry := k
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				entry = k[:len(prefix)+i+len(delimiter)]
			}
		}
		if len(entries) == 0 || entries[len(entries)-1] != entry {
			entries = append(entries, entry)
		}
	}
	return entries
}

func TestListPagingMatchesModel(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	mustCreateBucket(t, s, "bkt")
	for _, k := range trickyKeys {
		mustPut(t, s, "bkt", k, "")
	}
	for _, prefix := range []string{"", "a", "a/", "日本", "x/y/", "nothing"} {
		for _, delimiter := range []string{"", "/", "bkt", "日本"} {
			want := listModel(trickyKeys, prefix, delimiter)
			for _, maxKeys := range []int{1, 2, 3, 1000} {
				var got []string
				after := ""
				for pages := 0; ; pages++ {
					if pages > len(trickyKeys)+1 {
						t.Fatalf("prefix %q delimiter %q max %d: listing does not end", prefix, delimiter, maxKeys)
					}
					res, err := s.ListObjects(ctx, "bkt", ListObjectsInput{Prefix: prefix, Delimiter: delimiter, After: after, MaxKeys: maxKeys})
					if err != nil {
						t.Fatal(err)
					}
					if len(res.Objects)+len(res.CommonPrefixes) > maxKeys {
						t.Fatalf("page of %d entries exceeds %d", len(res.Objects)+len(res.CommonPrefixes), maxKeys)
					}
					page := res.CommonPrefixes
					for _, o := range res.Objects {
						page = append(page, o.Key)
					}
					sort.Strings(page)
					got = append(got, page...)
					if !res.IsTruncated {
						break
					}
					after = res.NextMarker
				}
				if !slices.Equal(got, want) {
					t.Errorf("prefix %q delimiter %q max %d:\n got %q\nwant %q", prefix, delimiter, maxKeys, got, want)
				}
			}
		}
	}
	if _, err := s.ListObjects(ctx, "missing", ListObjectsInput{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("ListObjects(missing bucket): %v", err)
	}
}

func TestConcurrentOverwriteAndRead(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, t.TempDir())
	mustCreateBucket(t, s, "bkt")
	versions := []string{strings.Repeat("x", 5000), strings.Repeat("y", 7000)}
	mustPut(t, s, "bkt", "k", versions[0])

	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 15 {
				if _, err := s.PutObject(ctx, "bkt", "k", strings.NewReader(versions[(w+i)%2]), "", nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 30 {
				obj, err := s.GetObject(ctx, "bkt", "k", nil)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(obj.Body)
				obj.Body.Close()
				if !bytes.Equal(b, []byte(versions[0])) && !bytes.Equal(b, []byte(versions[1])) {
					t.Errorf("read a torn object of %d bytes", len(b))
				}
				sum := md5.Sum(b)
				if hex.EncodeToString(sum[:]) != obj.Info.ETag {
					t.Error("body does not match the ETag it was returned with")
				}
			}
		})
	}
	wg.Wait()
}
