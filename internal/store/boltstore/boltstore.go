package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cairnhq/cairn/internal/store"
)

// Store keeps metadata in one bbolt file.
type Store struct {
	db     *bolt.DB
	closed atomic.Bool
}

var _ store.Store = (*Store)(nil)

// Open opens or creates the bbolt file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("opening metadata store %s: %w", path, err)
	}
	db.MaxBatchDelay = 2 * time.Millisecond
	return &Store{db: db}, nil
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(btx *bolt.Tx) error { return fn(tx{btx}) })
}

// Update runs fn in a read-write transaction, batched with concurrent updates.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Batch(func(btx *bolt.Tx) error { return fn(tx{btx}) })
}

// Close closes the file.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

type tx struct{ btx *bolt.Tx }

func (t tx) Get(bucket, key string) ([]byte, error) {
	b := t.btx.Bucket([]byte(bucket))
	if b == nil {
		return nil, store.ErrNotFound
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, store.ErrNotFound
	}
	return v, nil
}

func (t tx) Put(bucket, key string, value []byte) error {
	b, err := t.btx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	return b.Put([]byte(key), value)
}

func (t tx) Delete(bucket, key string) error {
	b := t.btx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

func (t tx) Scan(bucket, prefix, start string, fn func(string, []byte) error) error {
	b := t.btx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	seek := []byte(prefix)
	if start > prefix {
		seek = []byte(start)
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek(seek); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			if errors.Is(err, store.ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}
