package bucketstore

import (
	"bytes"
	"context"

	bolt "go.etcd.io/bbolt"
)

// DefaultMaxKeys is the page size of a listing that asks for none.
const DefaultMaxKeys = 1000

// ListObjectsInput selects a page of a bucket's keys.
type ListObjectsInput struct {
	Prefix string
	// Delimiter, when set, rolls keys that contain it after Prefix up into
	// one common prefix each (up to and including the delimiter).
	Delimiter string
	// After restricts the page to keys and common prefixes strictly greater
	// than it: S3's marker, start-after, or a previous NextMarker.
	After   string
	MaxKeys int // DefaultMaxKeys when zero or negative
}

// ListObjectsResult is one page of a listing, in ascending byte order of the
// UTF-8 keys. Objects and CommonPrefixes together hold at most MaxKeys
// entries.
type ListObjectsResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextMarker is the last key or common prefix in this page; passed as
	// After it continues the listing.
	NextMarker string
}

// ListObjects returns one page of the keys in bucket.
func (s *Store) ListObjects(ctx context.Context, bucket string, in ListObjectsInput) (ListObjectsResult, error) {
	if err := ctx.Err(); err != nil {
		return ListObjectsResult{}, err
	}
	maxKeys := in.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	prefix, delimiter := []byte(in.Prefix), []byte(in.Delimiter)
	var res ListObjectsResult
	err := s.db.View(func(tx *bolt.Tx) error {
		index, err := objectIndex(tx, bucket)
		if err != nil {
			return err
		}
		c := index.Cursor()
		var k, v []byte
		if in.After >= in.Prefix {
			k, v = c.Seek([]byte(in.After))
			if k != nil && string(k) == in.After {
				k, v = c.Next()
			}
		} else {
			k, v = c.Seek(prefix)
		}
		entries := 0
		for k != nil && bytes.HasPrefix(k, prefix) {
			if len(delimiter) > 0 {
				if i := bytes.Index(k[len(prefix):], delimiter); i >= 0 {
					commonPrefix := string(k[:len(prefix)+i+len(delimiter)])
					// A common prefix equal to After was the last entry of
					// the previous page.
					if commonPrefix != in.After {
						if entries == maxKeys {
							res.IsTruncated = true
							return nil
						}
						res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix)
						res.NextMarker = commonPrefix
						entries++
					}
					next := prefixSuccessor(commonPrefix)
					if next == nil {
						return nil
					}
					k, v = c.Seek(next)
					continue
				}
			}
			if entries == maxKeys {
				res.IsTruncated = true
				return nil
			}
			rec, err := decodeObjectRecord(v)
			if err != nil {
				return err
			}
			key := string(k)
			res.Objects = append(res.Objects, rec.info(key))
			res.NextMarker = key
			entries++
			k, v = c.Next()
		}
		return nil
	})
	return res, err
}

// prefixSuccessor returns the smallest byte string greater than every string
// that starts with p, or nil if there is none (p is all 0xFF bytes).
func prefixSuccessor(p string) []byte {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return b[:i+1]
		}
	}
	return nil
}
