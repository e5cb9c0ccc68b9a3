//go:build !linux

package eventstore

// lowPriority does nothing where threads have no priority of their own.
func lowPriority() {}
