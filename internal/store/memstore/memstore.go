// Package memstore is an in-memory store.Store for unit tests. Nothing
// survives Close; never use it where a user expects persistence.
package memstore

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/cairnhq/cairn/internal/store"
)

// Store holds buckets in maps guarded by one lock.
type Store struct {
	mu      sync.RWMutex
	buckets map[string]map[string][]byte
	closed  bool
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{buckets: map[string]map[string][]byte{}} }

// View runs fn under a read lock.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&tx{s: s, readOnly: true})
}

// Update runs fn under the write lock on a copy-on-write overlay.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &tx{s: s, writes: map[string]map[string][]byte{}}
	if err := fn(t); err != nil {
		return err
	}
	for bucket, kv := range t.writes {
		dst := s.buckets[bucket]
		if dst == nil {
			dst = map[string][]byte{}
			s.buckets[bucket] = dst
		}
		for k, v := range kv {
			if v == nil {
				delete(dst, k)
			} else {
				dst[k] = v
			}
		}
	}
	return nil
}

// Close marks the store closed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

type tx struct {
	s        *Store
	readOnly bool
	writes   map[string]map[string][]byte // nil value = deleted
}

var errReadOnly = errors.New("memstore: write in a read-only transaction")

func (t *tx) lookup(bucket, key string) ([]byte, bool) {
	if w, ok := t.writes[bucket][key]; ok {
		return w, w != nil
	}
	v, ok := t.s.buckets[bucket][key]
	return v, ok
}

func (t *tx) Get(bucket, key string) ([]byte, error) {
	v, ok := t.lookup(bucket, key)
	if !ok {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), v...), nil
}

func (t *tx) Put(bucket, key string, value []byte) error {
	if t.readOnly {
		return errReadOnly
	}
	if t.writes[bucket] == nil {
		t.writes[bucket] = map[string][]byte{}
	}
	t.writes[bucket][key] = append([]byte{}, value...)
	return nil
}

func (t *tx) Delete(bucket, key string) error {
	if t.readOnly {
		return errReadOnly
	}
	if t.writes[bucket] == nil {
		t.writes[bucket] = map[string][]byte{}
	}
	t.writes[bucket][key] = nil
	return nil
}

func (t *tx) Scan(bucket, prefix, start string, fn func(string, []byte) error) error {
	keys := map[string]bool{}
	for k := range t.s.buckets[bucket] {
		keys[k] = true
	}
	for k := range t.writes[bucket] {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		if strings.HasPrefix(k, prefix) && k >= start {
			sorted = append(sorted, k)
		}
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		v, ok := t.lookup(bucket, k)
		if !ok {
			continue
		}
		if err := fn(k, v); err != nil {
			if errors.Is(err, store.ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}
