package bucketstore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const crashHelperDirEnv = "BUCKETSTORE_CRASH_HELPER_DIR"

// TestCrashHelperPutForever is not a test on its own: run by
// TestKillNineKeepsAcknowledgedPuts in a child process, it puts objects
// until it is killed, printing each key once PutObject has returned.
func TestCrashHelperPutForever(t *testing.T) {
	dir := os.Getenv(crashHelperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestKillNineKeepsAcknowledgedPuts")
	}
	ctx := context.Background()
	s, err := Open(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := s.CreateBucket(ctx, "crash", account, "us-east-1"); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		key := fmt.Sprintf("key-%06d", i)
		if _, err := s.PutObject(ctx, "crash", key, strings.NewReader(strings.Repeat(key, 500)), "", nil); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("acked", key)
	}
}

func TestKillNineKeepsAcknowledgedPuts(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperPutForever$")
	cmd.Env = append(os.Environ(), crashHelperDirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(stdout)
	for len(acked) < 25 && lines.Scan() {
		if key, ok := strings.CutPrefix(lines.Text(), "acked "); ok {
			acked = append(acked, key)
		} else if strings.HasPrefix(lines.Text(), "error") {
			t.Fatal(lines.Text())
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(acked) < 25 {
		t.Fatalf("helper acknowledged only %d puts", len(acked))
	}

	s := openTestStore(t, dir)
	for _, key := range acked {
		got, _ := readObject(t, s, "crash", key, nil)
		if got != strings.Repeat(key, 500) {
			t.Fatalf("%s after kill -9: %d bytes", key, len(got))
		}
	}
	list, err := s.ListObjects(context.Background(), "crash", ListObjectsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, filepath.Join(dir, blobDirName)); n != len(list.Objects) {
		t.Errorf("%d blob files for %d objects after reopen", n, len(list.Objects))
	}
}
