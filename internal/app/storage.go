package app

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/config"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store/boltstore"
)

// The data directory's entries, all removed by a state reset.
const (
	metadataFile = "metadata.db"
	bucketsDir   = "buckets"
	keysDir      = "keys"
	eventsDir    = "events"
)

var stateEntries = []string{metadataFile, bucketsDir, keysDir, eventsDir}

// storage is everything opened from the data directory.
type storage struct {
	metadata *boltstore.Store
	buckets  *bucketstore.Store
	keys     *signingkeys.Store
	events   *eventstore.Store
}

func openStorage(cfg config.Config, opts Options) (*storage, error) {
	st := &storage{}
	var err error
	if st.metadata, err = boltstore.Open(filepath.Join(cfg.DataDir, metadataFile)); err != nil {
		return nil, fmt.Errorf("%w (is another cairn using %s?)", err, cfg.DataDir)
	}
	if st.buckets, err = bucketstore.Open(filepath.Join(cfg.DataDir, bucketsDir)); err != nil {
		_ = st.close()
		return nil, err
	}
	if st.keys, err = signingkeys.Open(filepath.Join(cfg.DataDir, keysDir), signingkeys.Options{RotationPeriod: cfg.KeyRotation, Now: opts.Now}); err != nil {
		_ = st.close()
		return nil, err
	}
	if st.events, err = eventstore.OpenWithOptions(filepath.Join(cfg.DataDir, eventsDir), eventstore.Options{Now: opts.Now, Logger: opts.Logger}); err != nil {
		_ = st.close()
		return nil, err
	}
	return st, nil
}

func (st *storage) close() error {
	var errs []error
	if st.events != nil {
		errs = append(errs, st.events.Close())
	}
	if st.buckets != nil {
		errs = append(errs, st.buckets.Close())
	}
	if st.metadata != nil {
		errs = append(errs, st.metadata.Close())
	}
	return errors.Join(errs...)
}
