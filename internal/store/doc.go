// Package store defines Cairn's metadata storage contract: named buckets of
// ordered keys with serializable read and write transactions. Trails,
// selectors, tags, event data stores, channels, policies, queries and
// consumer cursors are all kept through it, encoded by their owning domain
// package.
//
// Implementations live in subpackages (boltstore: the embedded default;
// memstore: for tests) and must pass storetest.Run. This package imports
// only the standard library.
package store
