package loadgen

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestMeasureParallelFsync measures how many small write+fdatasync rounds
// the disk under the temporary directory does with one, two and four
// files written at once: the ceiling of a group-committed journal, and
// what journals written in parallel would gain.
//
//	CAIRN_BENCH_FSYNC=1 go test ./bench/loadgen -run TestMeasureParallelFsync -v
func TestMeasureParallelFsync(t *testing.T) {
	if os.Getenv("CAIRN_BENCH_FSYNC") == "" {
		t.Skip("set CAIRN_BENCH_FSYNC to measure")
	}
	dir := t.TempDir()
	for _, files := range []int{1, 2, 4} {
		var syncs atomic.Int64
		var wg sync.WaitGroup
		end := time.Now().Add(3 * time.Second)
		for i := range files {
			f, err := os.Create(filepath.Join(dir, "f"+string(rune('a'+i))))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// Preallocated and synced, as journal segments are.
			if _, err := f.Write(make([]byte, 64<<20)); err != nil {
				t.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				buf := make([]byte, 3000) // about a group of recorded calls
				for off := int64(0); time.Now().Before(end); off += int64(len(buf)) {
					if _, err := f.WriteAt(buf, off); err != nil {
						t.Error(err)
						return
					}
					if err := syscall.Fdatasync(int(f.Fd())); err != nil {
						t.Error(err)
						return
					}
					syncs.Add(1)
				}
			})
		}
		wg.Wait()
		n := syncs.Load()
		t.Logf("%d file(s): %.0f write+fdatasync per second in all, %.0f µs each", files, float64(n)/3, 3e6*float64(files)/float64(n))
	}
}
