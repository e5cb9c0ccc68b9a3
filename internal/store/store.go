package store

import (
	"context"
	"errors"
)

// Sentinel errors every implementation returns.
var (
	// ErrNotFound is returned by Tx.Get for a missing key.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("store: closed")
	// ErrStop may be returned by a Scan callback to end the scan early;
	// Scan then returns nil.
	ErrStop = errors.New("store: stop scan")
)

// Store is a transactional key-value store. It is safe for concurrent use.
type Store interface {
	// View runs fn in a read-only transaction that sees one consistent state.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. When Update returns nil the
	// changes are durable. fn may be run more than once (implementations may
	// coalesce concurrent updates and retry), so it must not have side effects
	// outside the transaction. An error from fn rolls everything back.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store. Calls after Close return ErrClosed.
	Close() error
}

// Tx is one transaction. Byte slices it returns are valid only until the
// transaction ends; copy them to keep them.
type Tx interface {
	// Get returns the value of key in bucket, or ErrNotFound.
	Get(bucket, key string) ([]byte, error)
	// Put stores value under key in bucket, creating the bucket if needed.
	// It fails in a read-only transaction.
	Put(bucket, key string, value []byte) error
	// Delete removes key from bucket; a missing key is not an error.
	Delete(bucket, key string) error
	// Scan calls fn for every key in bucket that starts with prefix, in
	// ascending byte order of keys, starting at the first key >= start when
	// start is not empty.
	Scan(bucket, prefix, start string, fn func(key string, value []byte) error) error
}
