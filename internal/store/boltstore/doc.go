// Package boltstore is the embedded default implementation of store.Store,
// one bbolt file in the data directory. Concurrent updates are coalesced
// into shared fsyncs (bbolt's batch mode), so durable writes stay cheap
// under load.
package boltstore
