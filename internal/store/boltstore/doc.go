// Package boltstore is the embedded default implementation of store.Store,
// one bbolt file in the data directory. Concurrent updates are coalesced
// into shared fsyncs (group commit: updates arriving while a commit runs
// share the next one), so durable writes stay cheap under load and a lone
// write never waits on a timer.
package boltstore
