package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/store/boltstore"
	"github.com/cairnhq/cairn/internal/store/storetest"
)

func TestStore_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := boltstore.Open(filepath.Join(t.TempDir(), "meta.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestStore_SurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put("b", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx store.Tx) error {
		v, err := tx.Get("b", "k")
		if err == nil && string(v) != "v" {
			t.Errorf("got %q", v)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStore_GroupCommit runs many concurrent updates, some failing and one
// panicking, and checks that each caller gets its own outcome.
func TestStore_GroupCommit(t *testing.T) {
	s, err := boltstore.Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	errOdd := errors.New("odd")
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				if err := tx.Put("b", fmt.Sprintf("k%03d", i), []byte("v")); err != nil {
					return err
				}
				if i%2 == 1 {
					return errOdd
				}
				return nil
			})
		})
	}
	var panicked any
	wg.Go(func() {
		defer func() { panicked = recover() }()
		_ = s.Update(ctx, func(tx store.Tx) error {
			_ = tx.Put("b", "panic", []byte("v"))
			panic("boom")
		})
	})
	wg.Wait()
	if panicked != "boom" {
		t.Errorf("the panicking update's caller recovered %v, want boom", panicked)
	}
	for i, err := range errs {
		odd := i%2 == 1
		if odd && !errors.Is(err, errOdd) || !odd && err != nil {
			t.Errorf("update %d returned %v", i, err)
		}
	}
	var keys []string
	err = s.View(ctx, func(tx store.Tx) error {
		return tx.Scan("b", "", "", func(k string, _ []byte) error {
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != n/2 {
		t.Fatalf("%d keys committed, want %d: %v", len(keys), n/2, keys)
	}
	for _, k := range keys {
		var i int
		if _, err := fmt.Sscanf(k, "k%03d", &i); err != nil || i%2 != 0 {
			t.Errorf("key %q was committed", k)
		}
	}
}
