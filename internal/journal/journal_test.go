package journal

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

func record(i int) events.Record {
	return events.Record{
		EventVersion: "1.11", EventTime: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
		EventSource: "cloudtrail.amazonaws.com", EventName: "GetTrail", AWSRegion: "us-east-1",
		EventID: fmt.Sprintf("event-%06d", i), RecipientAccountID: "111122223333",
	}
}

func mustOpen(t *testing.T, dir string, moved int64) *Journal {
	t.Helper()
	j, err := Open(dir, moved)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJournal_AppendReopenMoved(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if err := j.Append(ctx, []events.Record{record(w*100 + i)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	pending := j.Pending()
	if len(pending) != 200 || pending[0].Index != 1 || pending[199].Index != 200 {
		t.Fatalf("pending %d entries, first %d last %d", len(pending), pending[0].Index, pending[len(pending)-1].Index)
	}
	if err := j.Moved(150); err != nil {
		t.Fatal(err)
	}
	if p := j.Pending(); len(p) != 50 || p[0].Index != 151 {
		t.Fatalf("after Moved(150): %d pending, first %d", len(p), p[0].Index)
	}
	j.Close()

	j = mustOpen(t, dir, 150)
	p := j.Pending()
	if len(p) != 50 || p[0].Index != 151 || p[49].Index != 200 {
		t.Fatalf("reopened: %d pending", len(p))
	}
	if err := j.Append(ctx, []events.Record{record(999)}); err != nil {
		t.Fatal(err)
	}
	if p := j.Pending(); p[len(p)-1].Index != 201 || p[len(p)-1].Record.EventID != "event-000999" {
		t.Fatalf("index after reopen: %+v", p[len(p)-1])
	}
	j.Close()
}

func TestJournal_TornTailIsCutOff(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0)
	for i := 0; i < 3; i++ {
		if err := j.Append(context.Background(), []events.Record{record(i)}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	starts, _ := j.segments()
	path := j.segmentPath(starts[len(starts)-1])
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{200, 0, 0, 0, 1, 2, 3, 4, 5}) // a frame header promising more than follows
	f.Close()
	j = mustOpen(t, dir, 0)
	if p := j.Pending(); len(p) != 3 {
		t.Fatalf("got %d entries after a torn tail, want 3", len(p))
	}
	if err := j.Append(context.Background(), []events.Record{record(3)}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = mustOpen(t, dir, 0)
	defer j.Close()
	if p := j.Pending(); len(p) != 4 || p[3].Index != 4 {
		t.Fatalf("got %d entries, want 4 in order", len(p))
	}
}

type fakeSink struct {
	mu      sync.Mutex
	records []events.Record
	marker  int64
}

func (f *fakeSink) AppendMarked(_ context.Context, recs []events.Record, name string, value int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if name != MarkerName || value <= f.marker {
		return fmt.Errorf("marker %s=%d after %d", name, value, f.marker)
	}
	f.records = append(f.records, recs...)
	f.marker = value
	return nil
}

func TestMover_MovesExactlyOnce(t *testing.T) {
	dir := t.TempDir()
	sink := &fakeSink{}
	j := mustOpen(t, dir, 0)
	m := NewMover(j, sink, time.Hour, nil)
	for i := 0; i < 10; i++ {
		if err := j.Append(context.Background(), []events.Record{record(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.records) != 10 || sink.marker != 10 || len(j.Pending()) != 0 {
		t.Fatalf("moved %d, marker %d, pending %d", len(sink.records), sink.marker, len(j.Pending()))
	}
	for i := 10; i < 15; i++ {
		_ = j.Append(context.Background(), []events.Record{record(i)})
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = mustOpen(t, dir, sink.marker)
	defer j.Close()
	if len(sink.records) != 15 || len(j.Pending()) != 0 {
		t.Fatalf("after close and reopen: moved %d, pending %d", len(sink.records), len(j.Pending()))
	}
}

// TestJournal_CrashKeepsAcknowledged kills a process appending to the
// journal at a random moment and checks that every append it saw
// acknowledged is there after reopening.
func TestJournal_CrashKeepsAcknowledged(t *testing.T) {
	if dir := os.Getenv("CAIRN_JOURNAL_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	dir := t.TempDir()
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=TestJournal_CrashKeepsAcknowledged$")
		cmd.Env = append(os.Environ(), "CAIRN_JOURNAL_CHILD="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[string]bool{}
		scanner := bufio.NewScanner(out)
		deadline := time.After(time.Duration(100+round*150) * time.Millisecond)
	read:
		for scanner.Scan() {
			acked[scanner.Text()] = true
			select {
			case <-deadline:
				break read
			default:
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		j := mustOpen(t, dir, 0)
		have := map[string]bool{}
		for _, e := range j.Pending() {
			have[e.Record.EventID] = true
		}
		j.Close()
		for id := range acked {
			if !have[id] {
				t.Fatalf("round %d: acknowledged %s is missing after SIGKILL", round, id)
			}
		}
		if len(acked) == 0 {
			t.Fatalf("round %d: nothing was acknowledged", round)
		}
	}
}

func crashChild(dir string) {
	j, err := Open(dir, 0)
	if err != nil {
		panic(err)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := "c" + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				rec := record(i)
				rec.EventID = id
				if err := j.Append(context.Background(), []events.Record{rec}); err != nil {
					panic(err)
				}
				mu.Lock()
				out.WriteString(id + "\n")
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

var _ = filepath.Join
