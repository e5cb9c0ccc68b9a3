package bucketstore

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket describes one bucket.
type Bucket struct {
	Name           string
	OwnerAccountID string
	Region         string
	Created        time.Time
}

type bucketRecord struct {
	Owner   string    `json:"owner"`
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
}

// ValidateBucketName checks name against S3's rules for new general purpose
// buckets. The returned error wraps ErrInvalidBucketName.
func ValidateBucketName(name string) error {
	invalid := func(reason string) error {
		return fmt.Errorf("%w: %q %s", ErrInvalidBucketName, name, reason)
	}
	if len(name) < 3 || len(name) > 63 {
		return invalid("must be between 3 and 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return invalid("may contain only lowercase letters, digits, dots and hyphens")
		}
	}
	if !isLetterOrDigit(name[0]) || !isLetterOrDigit(name[len(name)-1]) {
		return invalid("must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return invalid("must not contain two adjacent dots")
	}
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		return invalid("must not be formatted as an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return invalid("must not start with " + p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return invalid("must not end with " + s)
		}
	}
	return nil
}

func isLetterOrDigit(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// CreateBucket creates a bucket owned by ownerAccountID in region. If the
// name is taken it returns ErrBucketAlreadyOwnedByYou when the owner is the
// same account and ErrBucketExists otherwise.
func (s *Store) CreateBucket(ctx context.Context, name, ownerAccountID, region string) (Bucket, error) {
	if err := ctx.Err(); err != nil {
		return Bucket{}, err
	}
	if err := ValidateBucketName(name); err != nil {
		return Bucket{}, err
	}
	rec := bucketRecord{Owner: ownerAccountID, Region: region, Created: s.now().UTC().Truncate(time.Second)}
	encoded, err := json.Marshal(rec)
	if err != nil {
		return Bucket{}, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		buckets := tx.Bucket(bucketsIndex)
		if existing := buckets.Get([]byte(name)); existing != nil {
			var old bucketRecord
			if err := json.Unmarshal(existing, &old); err != nil {
				return err
			}
			if old.Owner == ownerAccountID {
				return ErrBucketAlreadyOwnedByYou
			}
			return ErrBucketExists
		}
		if err := buckets.Put([]byte(name), encoded); err != nil {
			return err
		}
		_, err := tx.Bucket(objectsIndex).CreateBucket([]byte(name))
		return err
	})
	if err != nil {
		return Bucket{}, err
	}
	return rec.toBucket(name), nil
}

// DeleteBucket removes an empty bucket.
func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		buckets := tx.Bucket(bucketsIndex)
		if buckets.Get([]byte(name)) == nil {
			return ErrNoSuchBucket
		}
		objects := tx.Bucket(objectsIndex)
		if index := objects.Bucket([]byte(name)); index != nil {
			if k, _ := index.Cursor().First(); k != nil {
				return ErrBucketNotEmpty
			}
			if err := objects.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return buckets.Delete([]byte(name))
	})
}

// GetBucket returns the bucket called name, or ErrNoSuchBucket.
func (s *Store) GetBucket(ctx context.Context, name string) (Bucket, error) {
	b, exists, err := s.BucketInfo(ctx, name)
	if err == nil && !exists {
		err = ErrNoSuchBucket
	}
	return b, err
}

// BucketInfo reports whether a bucket called name exists and, if it does,
// its owner account and region.
func (s *Store) BucketInfo(ctx context.Context, name string) (Bucket, bool, error) {
	if err := ctx.Err(); err != nil {
		return Bucket{}, false, err
	}
	var (
		b      Bucket
		exists bool
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketsIndex).Get([]byte(name))
		if v == nil {
			return nil
		}
		var rec bucketRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		b, exists = rec.toBucket(name), true
		return nil
	})
	return b, exists, err
}

// ListBuckets returns the buckets owned by ownerAccountID (all buckets when
// it is empty), in name order.
func (s *Store) ListBuckets(ctx context.Context, ownerAccountID string) ([]Bucket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Bucket
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketsIndex).ForEach(func(k, v []byte) error {
			var rec bucketRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if ownerAccountID == "" || rec.Owner == ownerAccountID {
				out = append(out, rec.toBucket(string(k)))
			}
			return nil
		})
	})
	return out, err
}

func (r bucketRecord) toBucket(name string) Bucket {
	return Bucket{Name: name, OwnerAccountID: r.Owner, Region: r.Region, Created: r.Created}
}
