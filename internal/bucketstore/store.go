package bucketstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cairnhq/cairn/internal/fsutil"
)

// Errors returned by Store methods; compare with errors.Is. Some are wrapped
// with detail (for example the rule a bucket name breaks).
var (
	ErrNoSuchBucket = errors.New("bucketstore: no such bucket")
	ErrNoSuchKey    = errors.New("bucketstore: no such key")
	// ErrBucketExists means the name is taken by another account.
	ErrBucketExists = errors.New("bucketstore: bucket name already taken")
	// ErrBucketAlreadyOwnedByYou means the requesting account already owns
	// a bucket of that name.
	ErrBucketAlreadyOwnedByYou = errors.New("bucketstore: bucket already owned by this account")
	ErrBucketNotEmpty          = errors.New("bucketstore: bucket not empty")
	ErrInvalidBucketName       = errors.New("bucketstore: invalid bucket name")
	ErrInvalidKey              = errors.New("bucketstore: invalid object key")
	ErrKeyTooLong              = errors.New("bucketstore: object key longer than 1024 bytes")
	ErrEntityTooLarge          = errors.New("bucketstore: object larger than 5 GiB")
	ErrInvalidRange            = errors.New("bucketstore: range not satisfiable")
	ErrPreconditionFailed      = errors.New("bucketstore: precondition failed")
	ErrUnsupportedChecksum     = errors.New("bucketstore: unsupported checksum algorithm")
)

// Limits S3 applies to single-request uploads and keys.
const (
	MaxObjectSize = 5 << 30
	MaxKeyLength  = 1024
)

const (
	indexFileName = "index.db"
	blobDirName   = "blobs"
	tmpDirName    = "tmp"
)

var (
	bucketsIndex = []byte("buckets")
	objectsIndex = []byte("objects")
)

// Store is a durable bucket and object store rooted at one directory.
// Its methods are safe for concurrent use.
type Store struct {
	db      *bolt.DB
	blobDir string
	tmpDir  string
	now     func() time.Time
}

// Option configures a Store at Open.
type Option func(*Store)

// WithClock makes the store take creation and modification times from now
// instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Open opens (creating if needed) the store in dir and removes any files a
// crash left behind. Only one Store may have dir open at a time.
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{
		blobDir: filepath.Join(dir, blobDirName),
		tmpDir:  filepath.Join(dir, tmpDirName),
		now:     time.Now,
	}
	for _, opt := range opts {
		opt(s)
	}
	if err := s.prepareDirectories(dir); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, indexFileName), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("bucketstore: open index: %w", err)
	}
	s.db = db
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketsIndex); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(objectsIndex)
		return err
	})
	if err == nil {
		err = s.removeCrashLeftovers()
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bucketstore: open: %w", err)
	}
	return s, nil
}

// Close releases the index. Readers returned by GetObject stay readable.
func (s *Store) Close() error {
	return s.db.Close()
}

// prepareDirectories creates the data, temp and blob directories. The 256
// blob fan-out directories are made on first use (see ensureFanOut), which
// keeps start-up fast.
func (s *Store) prepareDirectories(dir string) error {
	for _, d := range []string{dir, s.tmpDir, s.blobDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("bucketstore: %w", err)
		}
	}
	for _, d := range []string{s.blobDir, dir} {
		if err := fsutil.SyncDir(d); err != nil {
			return fmt.Errorf("bucketstore: %w", err)
		}
	}
	return nil
}

// ensureFanOut creates (durably) the fan-out directory of a blob path.
func (s *Store) ensureFanOut(blobPath string) error {
	if err := os.Mkdir(filepath.Dir(blobPath), 0o750); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return fsutil.SyncDir(s.blobDir)
}

// removeCrashLeftovers deletes temp files and blob files that no index entry
// references: the remains of puts that crashed before their index commit and
// of deletes that crashed after it.
func (s *Store) removeCrashLeftovers() error {
	tmpEntries, err := os.ReadDir(s.tmpDir)
	if err != nil {
		return err
	}
	for _, e := range tmpEntries {
		if err := os.RemoveAll(filepath.Join(s.tmpDir, e.Name())); err != nil {
			return err
		}
	}

	referenced := make(map[string]struct{})
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(objectsIndex).ForEachBucket(func(bucketName []byte) error {
			return tx.Bucket(objectsIndex).Bucket(bucketName).ForEach(func(_, v []byte) error {
				rec, err := decodeObjectRecord(v)
				if err != nil {
					return err
				}
				referenced[rec.Blob] = struct{}{}
				return nil
			})
		})
	})
	if err != nil {
		return err
	}

	fanOut, err := os.ReadDir(s.blobDir)
	if err != nil {
		return err
	}
	for _, sub := range fanOut {
		if !sub.IsDir() {
			continue
		}
		subDir := filepath.Join(s.blobDir, sub.Name())
		blobs, err := os.ReadDir(subDir)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			if _, ok := referenced[b.Name()]; ok {
				continue
			}
			if err := os.Remove(filepath.Join(subDir, b.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func newBlobName() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand.Read does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

func (s *Store) blobPath(blob string) string {
	return filepath.Join(s.blobDir, blob[:2], blob)
}
