package bucketstore

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/cairnhq/cairn/internal/fsutil"
)

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string    // hex MD5 of the content, without quotes
	LastModified time.Time // UTC, whole seconds as in S3

	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	Expires            string

	// UserMetadata holds the x-amz-meta-* pairs; keys are lowercase.
	UserMetadata map[string]string

	// ChecksumAlgorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256;
	// Checksum is the base64 of its big-endian value over the whole object.
	ChecksumAlgorithm string
	Checksum          string
}

// DefaultContentType is what S3 records when a put names no content type.
const DefaultContentType = "binary/octet-stream"

// DefaultChecksumAlgorithm is the checksum S3 computes for objects uploaded
// without one.
const DefaultChecksumAlgorithm = "CRC64NVME"

// PutObjectOptions carries everything about a put besides its bytes.
type PutObjectOptions struct {
	ContentType        string // DefaultContentType when empty
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	Expires            string
	UserMetadata       map[string]string

	// ChecksumAlgorithm names the checksum (see ObjectInfo) to compute over
	// the body and record with the object; DefaultChecksumAlgorithm when
	// empty.
	ChecksumAlgorithm string

	// IfAbsent makes the put fail with ErrPreconditionFailed if the key
	// exists (S3's If-None-Match: *).
	IfAbsent bool
	// IfMatch, when set, makes the put fail unless the key exists
	// (ErrNoSuchKey) with this ETag (ErrPreconditionFailed). Quotes and "*"
	// are accepted.
	IfMatch string

	// Verify, when set, runs after the whole body is stored and before the
	// object becomes visible, with the computed size, ETag and checksum. An
	// error from it aborts the put and is returned unchanged.
	Verify func(ObjectInfo) error
}

// ByteRange selects part of an object the way an HTTP byte range does.
type ByteRange struct {
	First, Last int64 // inclusive offsets; Last < 0 means through the final byte
	// FromEnd selects the final SuffixLength bytes instead of First..Last.
	FromEnd      bool
	SuffixLength int64
}

// RangeError reports a ByteRange that selects no byte of an object of Size
// bytes. It matches ErrInvalidRange with errors.Is.
type RangeError struct{ Size int64 }

func (e *RangeError) Error() string {
	return fmt.Sprintf("%v (object size %d)", ErrInvalidRange, e.Size)
}

func (e *RangeError) Unwrap() error { return ErrInvalidRange }

// resolve returns the offset and length r selects in an object of size
// bytes, or ok=false if it selects none.
func (r ByteRange) resolve(size int64) (start, length int64, ok bool) {
	if r.FromEnd {
		if r.SuffixLength <= 0 || size == 0 {
			return 0, 0, false
		}
		n := min(r.SuffixLength, size)
		return size - n, n, true
	}
	if r.First < 0 || r.First >= size {
		return 0, 0, false
	}
	last := r.Last
	if last < 0 || last >= size {
		last = size - 1
	}
	if last < r.First {
		return 0, 0, false
	}
	return r.First, last - r.First + 1, true
}

// Object is an open object: Body yields Length bytes starting at offset
// Start. The caller must close Body.
type Object struct {
	Info          ObjectInfo
	Body          io.ReadCloser
	Start, Length int64
}

type objectRecord struct {
	Blob               string            `json:"blob"`
	Size               int64             `json:"size"`
	ETag               string            `json:"etag"`
	LastModified       time.Time         `json:"lastModified"`
	ContentType        string            `json:"contentType,omitempty"`
	ContentEncoding    string            `json:"contentEncoding,omitempty"`
	ContentDisposition string            `json:"contentDisposition,omitempty"`
	ContentLanguage    string            `json:"contentLanguage,omitempty"`
	CacheControl       string            `json:"cacheControl,omitempty"`
	Expires            string            `json:"expires,omitempty"`
	UserMetadata       map[string]string `json:"meta,omitempty"`
	ChecksumAlgorithm  string            `json:"checksumAlgorithm,omitempty"`
	Checksum           string            `json:"checksum,omitempty"`
}

func decodeObjectRecord(v []byte) (objectRecord, error) {
	var rec objectRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, fmt.Errorf("bucketstore: corrupt object record: %w", err)
	}
	return rec, nil
}

func (r objectRecord) info(key string) ObjectInfo {
	return ObjectInfo{
		Key:                key,
		Size:               r.Size,
		ETag:               r.ETag,
		LastModified:       r.LastModified,
		ContentType:        r.ContentType,
		ContentEncoding:    r.ContentEncoding,
		ContentDisposition: r.ContentDisposition,
		ContentLanguage:    r.ContentLanguage,
		CacheControl:       r.CacheControl,
		Expires:            r.Expires,
		UserMetadata:       r.UserMetadata,
		ChecksumAlgorithm:  r.ChecksumAlgorithm,
		Checksum:           r.Checksum,
	}
}

func validateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLength:
		return ErrKeyTooLong
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	}
	return nil
}

// PutObject stores body under key with a content type and user metadata and
// returns the object's ETag (hex MD5). See PutObjectWithOptions.
func (s *Store) PutObject(ctx context.Context, bucket, key string, body io.Reader, contentType string, userMeta map[string]string) (string, error) {
	info, err := s.PutObjectWithOptions(ctx, bucket, key, body, PutObjectOptions{ContentType: contentType, UserMetadata: userMeta})
	return info.ETag, err
}

// PutObjectWithOptions stores body under key, replacing any object there.
// When it returns nil the object is durable. An error reading body is
// returned wrapped.
func (s *Store) PutObjectWithOptions(ctx context.Context, bucket, key string, body io.Reader, opts PutObjectOptions) (ObjectInfo, error) {
	if err := validateKey(key); err != nil {
		return ObjectInfo{}, err
	}
	checksumAlgorithm := strings.ToUpper(opts.ChecksumAlgorithm)
	if checksumAlgorithm == "" {
		checksumAlgorithm = DefaultChecksumAlgorithm
	}
	checksum, err := newChecksumHash(checksumAlgorithm)
	if err != nil {
		return ObjectInfo{}, err
	}
	// Fail before accepting any bytes when the bucket is missing; the index
	// transaction checks again.
	if _, err := s.GetBucket(ctx, bucket); err != nil {
		return ObjectInfo{}, err
	}

	blob, size, md5Sum, err := s.writeBlob(ctx, body, checksum)
	if err != nil {
		return ObjectInfo{}, err
	}
	rec := objectRecord{
		Blob:               blob,
		Size:               size,
		ETag:               hex.EncodeToString(md5Sum),
		LastModified:       s.now().UTC().Truncate(time.Second),
		ContentType:        opts.ContentType,
		ContentEncoding:    opts.ContentEncoding,
		ContentDisposition: opts.ContentDisposition,
		ContentLanguage:    opts.ContentLanguage,
		CacheControl:       opts.CacheControl,
		Expires:            opts.Expires,
		UserMetadata:       lowercaseKeys(opts.UserMetadata),
		ChecksumAlgorithm:  checksumAlgorithm,
		Checksum:           base64.StdEncoding.EncodeToString(checksum.Sum(nil)),
	}
	if rec.ContentType == "" {
		rec.ContentType = DefaultContentType
	}
	info := rec.info(key)
	if opts.Verify != nil {
		if err := opts.Verify(info); err != nil {
			s.removeBlob(blob)
			return ObjectInfo{}, err
		}
	}
	encoded, err := json.Marshal(rec)
	if err != nil {
		s.removeBlob(blob)
		return ObjectInfo{}, err
	}

	var replacedBlob string
	err = s.db.Update(func(tx *bolt.Tx) error {
		index, err := objectIndex(tx, bucket)
		if err != nil {
			return err
		}
		if old := index.Get([]byte(key)); old != nil {
			oldRec, err := decodeObjectRecord(old)
			if err != nil {
				return err
			}
			if opts.IfAbsent || opts.IfMatch != "" && !etagMatches(opts.IfMatch, oldRec.ETag) {
				return ErrPreconditionFailed
			}
			replacedBlob = oldRec.Blob
		} else if opts.IfMatch != "" {
			return ErrNoSuchKey
		}
		return index.Put([]byte(key), encoded)
	})
	if err != nil {
		s.removeBlob(blob)
		return ObjectInfo{}, err
	}
	if replacedBlob != "" {
		s.removeBlob(replacedBlob)
	}
	return info, nil
}

func etagMatches(condition, etag string) bool {
	condition = strings.TrimSpace(condition)
	return condition == "*" || strings.Trim(condition, `"`) == etag
}

func lowercaseKeys(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// writeBlob copies body into a new blob file and makes it durable: temp
// file, fsync, rename into the blob tree, fsync of the directory. It returns
// the blob's name, size and MD5, and feeds checksum.
func (s *Store) writeBlob(ctx context.Context, body io.Reader, checksum hash.Hash) (blob string, size int64, md5Sum []byte, err error) {
	f, err := os.CreateTemp(s.tmpDir, "put-*")
	if err != nil {
		return "", 0, nil, fmt.Errorf("bucketstore: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	md5Hash := md5.New()
	limited := io.LimitReader(contextReader{ctx: ctx, r: body}, MaxObjectSize+1)
	size, err = io.CopyBuffer(io.MultiWriter(f, md5Hash, checksum), limited, make([]byte, 256<<10))
	if err != nil {
		return "", 0, nil, fmt.Errorf("bucketstore: read body: %w", err)
	}
	if size > MaxObjectSize {
		return "", 0, nil, ErrEntityTooLarge
	}
	if err = f.Sync(); err != nil {
		return "", 0, nil, fmt.Errorf("bucketstore: %w", err)
	}
	if err = f.Close(); err != nil {
		return "", 0, nil, fmt.Errorf("bucketstore: %w", err)
	}
	blob = newBlobName()
	final := s.blobPath(blob)
	err = os.Rename(f.Name(), final)
	if errors.Is(err, os.ErrNotExist) {
		if err = s.ensureFanOut(final); err == nil {
			err = os.Rename(f.Name(), final)
		}
	}
	if err != nil {
		return "", 0, nil, fmt.Errorf("bucketstore: %w", err)
	}
	if err = fsutil.SyncDir(filepath.Dir(final)); err != nil {
		os.Remove(final)
		return "", 0, nil, fmt.Errorf("bucketstore: %w", err)
	}
	return blob, size, md5Hash.Sum(nil), nil
}

// removeBlob deletes a blob file that no index entry references any more.
// A failure only leaves an orphan, which the next Open removes.
func (s *Store) removeBlob(blob string) {
	_ = os.Remove(s.blobPath(blob))
}

type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// objectIndex returns bucket's object index, or ErrNoSuchBucket.
func objectIndex(tx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	if tx.Bucket(bucketsIndex).Get([]byte(bucket)) == nil {
		return nil, ErrNoSuchBucket
	}
	index := tx.Bucket(objectsIndex).Bucket([]byte(bucket))
	if index == nil {
		return nil, fmt.Errorf("bucketstore: bucket %q has no object index", bucket)
	}
	return index, nil
}

func (s *Store) lookup(ctx context.Context, bucket, key string) (objectRecord, error) {
	if err := ctx.Err(); err != nil {
		return objectRecord{}, err
	}
	var rec objectRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		index, err := objectIndex(tx, bucket)
		if err != nil {
			return err
		}
		v := index.Get([]byte(key))
		if v == nil {
			return ErrNoSuchKey
		}
		rec, err = decodeObjectRecord(v)
		return err
	})
	return rec, err
}

// HeadObject returns the description of the object at key.
func (s *Store) HeadObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	rec, err := s.lookup(ctx, bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return rec.info(key), nil
}

// GetObject opens the object at key, or the part of it rng selects when rng
// is not nil. A range that selects nothing yields a *RangeError.
func (s *Store) GetObject(ctx context.Context, bucket, key string, rng *ByteRange) (*Object, error) {
	var missingBlob string
	for {
		rec, err := s.lookup(ctx, bucket, key)
		if err != nil {
			return nil, err
		}
		start, length := int64(0), rec.Size
		if rng != nil {
			var ok bool
			if start, length, ok = rng.resolve(rec.Size); !ok {
				return nil, &RangeError{Size: rec.Size}
			}
		}
		f, err := os.Open(s.blobPath(rec.Blob))
		if errors.Is(err, os.ErrNotExist) {
			if rec.Blob == missingBlob {
				return nil, fmt.Errorf("bucketstore: blob file of %s/%s is missing", bucket, key)
			}
			// The object was replaced or deleted between the lookup and
			// the open; look again.
			missingBlob = rec.Blob
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bucketstore: %w", err)
		}
		if start > 0 {
			if _, err := f.Seek(start, io.SeekStart); err != nil {
				f.Close()
				return nil, fmt.Errorf("bucketstore: %w", err)
			}
		}
		return &Object{
			Info:   rec.info(key),
			Body:   limitedFile{Reader: io.LimitReader(f, length), Closer: f},
			Start:  start,
			Length: length,
		}, nil
	}
}

type limitedFile struct {
	io.Reader
	io.Closer
}

// DeleteObject removes the object at key. Deleting a missing key succeeds.
func (s *Store) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var removedBlob string
	err := s.db.Update(func(tx *bolt.Tx) error {
		index, err := objectIndex(tx, bucket)
		if err != nil {
			return err
		}
		v := index.Get([]byte(key))
		if v == nil {
			return nil
		}
		rec, err := decodeObjectRecord(v)
		if err != nil {
			return err
		}
		removedBlob = rec.Blob
		return index.Delete([]byte(key))
	})
	if err == nil && removedBlob != "" {
		s.removeBlob(removedBlob)
	}
	return err
}
