// Package storetest is the conformance suite every store.Store
// implementation runs from its own tests: storetest.Run(t, newStore).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cairnhq/cairn/internal/store"
)

// Run exercises the store.Store contract against stores made by open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	t.Run("GetMissing", func(t *testing.T) {
		s := open(t)
		err := s.View(ctx, func(tx store.Tx) error {
			_, err := tx.Get("nobucket", "k")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get on missing bucket: got %v, want ErrNotFound", err)
		}
	})
	t.Run("PutGetDelete", func(t *testing.T) {
		s := open(t)
		mustUpdate(t, s, func(tx store.Tx) error { return tx.Put("b", "k", []byte("v1")) })
		if got := get(t, s, "b", "k"); got != "v1" {
			t.Fatalf("got %q, want v1", got)
		}
		mustUpdate(t, s, func(tx store.Tx) error { return tx.Put("b", "k", []byte("v2")) })
		if got := get(t, s, "b", "k"); got != "v2" {
			t.Fatalf("overwrite: got %q, want v2", got)
		}
		mustUpdate(t, s, func(tx store.Tx) error { return tx.Delete("b", "k") })
		mustUpdate(t, s, func(tx store.Tx) error { return tx.Delete("b", "k") })
		err := s.View(ctx, func(tx store.Tx) error { _, err := tx.Get("b", "k"); return err })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: got %v, want ErrNotFound", err)
		}
	})
	t.Run("RollbackOnError", func(t *testing.T) {
		s := open(t)
		boom := errors.New("boom")
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.Put("b", "k", []byte("v")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update returned %v, want boom", err)
		}
		err = s.View(ctx, func(tx store.Tx) error { _, err := tx.Get("b", "k"); return err })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rolled-back write is visible: %v", err)
		}
	})
	t.Run("ReadYourWritesInTx", func(t *testing.T) {
		s := open(t)
		mustUpdate(t, s, func(tx store.Tx) error {
			if err := tx.Put("b", "k", []byte("v")); err != nil {
				return err
			}
			v, err := tx.Get("b", "k")
			if err != nil || string(v) != "v" {
				return fmt.Errorf("read own write: %q %v", v, err)
			}
			return nil
		})
	})
	t.Run("ScanOrderPrefixStart", func(t *testing.T) {
		s := open(t)
		keys := []string{"a/2", "a/10", "a/1", "b/1", "a/\xff", "a"}
		mustUpdate(t, s, func(tx store.Tx) error {
			for _, k := range keys {
				if err := tx.Put("b", k, []byte(k)); err != nil {
					return err
				}
			}
			return nil
		})
		got := scan(t, s, "b", "a/", "")
		want := []string{"a/1", "a/10", "a/2", "a/\xff"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("scan a/: got %q, want %q", got, want)
		}
		got = scan(t, s, "b", "a/", "a/2")
		want = []string{"a/2", "a/\xff"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("scan a/ from a/2: got %q, want %q", got, want)
		}
		var first []string
		err := s.View(ctx, func(tx store.Tx) error {
			return tx.Scan("b", "", "", func(k string, _ []byte) error {
				first = append(first, k)
				return store.ErrStop
			})
		})
		if err != nil || len(first) != 1 || first[0] != "a" {
			t.Fatalf("ErrStop: got %q, %v", first, err)
		}
	})
	t.Run("ReadOnlyRejectsWrites", func(t *testing.T) {
		s := open(t)
		err := s.View(ctx, func(tx store.Tx) error { return tx.Put("b", "k", []byte("v")) })
		if err == nil {
			t.Fatal("Put in a View transaction succeeded")
		}
	})
	t.Run("ConcurrentUpdates", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		const writers, each = 8, 25
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := s.Update(ctx, func(tx store.Tx) error {
						return tx.Put("c", fmt.Sprintf("%02d/%03d", w, i), []byte("x"))
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if n := len(scan(t, s, "c", "", "")); n != writers*each {
			t.Fatalf("got %d keys, want %d", n, writers*each)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.View(ctx, func(store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("View after Close: %v", err)
		}
		if err := s.Update(ctx, func(store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("Update after Close: %v", err)
		}
	})
}

func mustUpdate(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, s store.Store, bucket, key string) string {
	t.Helper()
	var out string
	err := s.View(context.Background(), func(tx store.Tx) error {
		v, err := tx.Get(bucket, key)
		out = string(v)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func scan(t *testing.T, s store.Store, bucket, prefix, start string) []string {
	t.Helper()
	var keys []string
	err := s.View(context.Background(), func(tx store.Tx) error {
		return tx.Scan(bucket, prefix, start, func(k string, _ []byte) error {
			keys = append(keys, k)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
