package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cairnhq/cairn/internal/store"
)

// Store keeps metadata in one bbolt file.
type Store struct {
	db     *bolt.DB
	closed atomic.Bool

	// Group commit: updates queue up while a commit is running and the
	// next commit carries all of them, so concurrent writers share fsyncs
	// without anyone waiting on a timer.
	mu         sync.Mutex
	queue      []*update
	committing bool
}

// update is one queued Update call.
type update struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// maxGroup bounds the updates one transaction carries (bbolt's default
// batch size).
const maxGroup = 1000

// errSolo tells an update that failed inside a group to run on its own.
var errSolo = errors.New("boltstore: run the update on its own")

var _ store.Store = (*Store)(nil)

// Open opens or creates the bbolt file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("opening metadata store %s: %w", path, err)
	}
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

// Update runs fn in a read-write transaction, grouped with concurrent
// updates. An update that arrives while no commit is running starts one at
// once; updates that arrive during a commit share the next one. As with
// bbolt's Batch, if fn fails inside a group the group is rolled back, fn is
// run again on its own (and its result returned) and the others are retried
// without it, so fn may run more than once.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	u := &update{fn: func(btx *bolt.Tx) error { return fn(tx{btx}) }, done: make(chan error, 1)}
	s.mu.Lock()
	s.queue = append(s.queue, u)
	lead := !s.committing
	s.committing = true
	s.mu.Unlock()
	if lead {
		s.commitQueued()
	}
	err := <-u.done
	if err == errSolo {
		return s.db.Update(u.fn)
	}
	return err
}

// commitQueued commits the queued updates (its caller's among them) as one
// group. Updates that queued up meanwhile are committed by a new goroutine,
// so the caller waits for a single commit.
func (s *Store) commitQueued() {
	s.mu.Lock()
	n := min(len(s.queue), maxGroup)
	group := slices.Clone(s.queue[:n])
	s.queue = slices.Delete(s.queue, 0, n)
	s.mu.Unlock()

	s.commitGroup(group)

	s.mu.Lock()
	more := len(s.queue) > 0
	s.committing = more
	s.mu.Unlock()
	if more {
		go s.commitQueued()
	}
}

// commitGroup runs the group's updates in one transaction. An update that
// fails or panics is taken out and told to run on its own, and the rest are
// retried.
func (s *Store) commitGroup(group []*update) {
	for len(group) > 0 {
		failed := -1
		err := s.db.Update(func(btx *bolt.Tx) error {
			for i, u := range group {
				if err := safelyCall(u.fn, btx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			group[failed].done <- errSolo
			group = slices.Delete(group, failed, failed+1)
			continue
		}
		for _, u := range group {
			u.done <- err
		}
		return
	}
}

// safelyCall runs fn, turning a panic into an error so that one update
// cannot take down the goroutine committing a group; the update then runs
// on its own in its caller's goroutine, where the panic happens again.
func safelyCall(fn func(*bolt.Tx) error, btx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("boltstore: update panicked: %v", p)
		}
	}()
	return fn(btx)
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
