package eventstore

// #include <malloc.h>
import "C"

// trimAllocator returns the C allocator's free memory to the system: DuckDB
// allocates with glibc's malloc, which keeps what is freed for reuse.
func trimAllocator() { C.malloc_trim(0) }
