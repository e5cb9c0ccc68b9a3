//go:build !linux

package eventstore

// trimAllocator does nothing where the C allocator has no trim call.
func trimAllocator() {}
