package eventstore

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/eventgen"
)

const crashChildEnv = "CAIRN_EVENTSTORE_CRASH_CHILD"

// crashOptions make the child rotate and compact log segments while it is
// being killed.
var crashOptions = Options{SegmentRows: 700, CompactionBacklog: 1, IndexFlushEntries: 500}

// TestCrashRecovery kills a process that is appending, at random moments,
// and checks that every batch it acknowledged is in the store afterwards,
// with the sequence numbers it was acknowledged with.
func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("kills child processes")
	}
	dir := t.TempDir()
	acked := map[int64]string{} // sequence -> event ID, over all rounds
	for round := range 5 {
		lines := runAndKill(t, dir, round)
		for _, l := range lines {
			var w, b, n int
			var last int64
			if _, err := fmt.Sscanf(l, "ACK %d %d %d %d", &w, &b, &n, &last); err != nil {
				t.Fatalf("child said %q", l)
			}
			for i := range n {
				acked[last-int64(n-1-i)] = fmt.Sprintf("r%d-w%d-b%d-i%d", round, w, b, i)
			}
		}
		s, err := OpenWithOptions(dir, crashOptions)
		if err != nil {
			t.Fatalf("round %d: reopening after kill: %v", round, err)
		}
		stored := map[int64]string{}
		scopes := map[[2]string]map[int64]bool{}
		prev := int64(0)
		for after := int64(0); ; {
			page, err := s.ReadFrom(context.Background(), after, 5000)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				if e.Seq <= prev {
					t.Fatalf("round %d: sequence %d after %d", round, e.Seq, prev)
				}
				prev = e.Seq
				r, err := e.Record()
				if err != nil {
					t.Fatalf("round %d: event %d: %v", round, e.Seq, err)
				}
				stored[e.Seq] = r.EventID
				sc := [2]string{e.Account, e.Region}
				if scopes[sc] == nil {
					scopes[sc] = map[int64]bool{}
				}
				scopes[sc][e.Seq] = true
			}
			after = page[len(page)-1].Seq
		}
		missing := 0
		for seq, id := range acked {
			if stored[seq] != id {
				missing++
				if missing < 5 {
					t.Errorf("round %d: acknowledged event %s (sequence %d) is missing; found %q", round, id, seq, stored[seq])
				}
			}
		}
		if missing > 0 {
			t.Fatalf("round %d: %d of %d acknowledged events missing", round, missing, len(acked))
		}
		checkLookups(t, s, round, scopes, stored)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d batches acknowledged this round; %d acknowledged events, %d stored in all", round, len(lines), len(acked), len(stored))
	}
}

// checkLookups checks that the lookup index agrees with the tables after a
// crash: listing each scope finds every stored event exactly once, and so
// does a lookup by event ID.
func checkLookups(t *testing.T, s *Store, round int, scopes map[[2]string]map[int64]bool, stored map[int64]string) {
	t.Helper()
	ctx := context.Background()
	for sc, seqs := range scopes {
		seen := map[int64]bool{}
		var pos Position
		for {
			res, err := s.Lookup(ctx, LookupQuery{Account: sc[0], Region: sc[1], ManagementOnly: true, Limit: 1000, After: pos})
			if err != nil {
				t.Fatalf("round %d: lookup: %v", round, err)
			}
			for _, e := range res.Events {
				if seen[e.Seq] || !seqs[e.Seq] {
					t.Fatalf("round %d: scope %v: event %d listed twice or out of scope", round, sc, e.Seq)
				}
				seen[e.Seq] = true
			}
			if res.Next == "" {
				break
			}
			pos = res.Next
		}
		if len(seen) != len(seqs) {
			t.Fatalf("round %d: scope %v: lookups list %d events, the tables hold %d", round, sc, len(seen), len(seqs))
		}
		n := 0
		for seq := range seqs {
			if n++; n > 50 {
				break
			}
			res, err := s.Lookup(ctx, LookupQuery{Account: sc[0], Region: sc[1], ManagementOnly: true,
				Attribute: &Attribute{Key: AttrEventID, Value: stored[seq]}})
			if err != nil || len(res.Events) != 1 || res.Events[0].Seq != seq {
				t.Fatalf("round %d: lookup of event %s (sequence %d): %v, %v", round, stored[seq], seq, res.Events, err)
			}
		}
	}
}

// runAndKill starts a child appending to dir, kills it with SIGKILL at a
// random moment after its first acknowledgement, and returns the
// acknowledgements it read.
func runAndKill(t *testing.T, dir string, round int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("CAIRN_EVENTSTORE_CRASH_ROUND=%d", round))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	first := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "ACK ") {
				if len(lines) == 0 {
					close(first)
				}
				lines = append(lines, l)
			}
		}
	}()
	select {
	case <-first:
	case <-done:
		cmd.Wait()
		t.Fatalf("round %d: child ended without acknowledging anything", round)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("round %d: child acknowledged nothing in 20s", round)
	}
	time.Sleep(time.Duration(50+rand.IntN(700)) * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	cmd.Wait()
	return lines
}

// crashChild appends from four goroutines until it is killed, printing
// "ACK writer batch count lastSequence" after each acknowledged batch.
func crashChild(dir string) {
	s, err := OpenWithOptions(dir, crashOptions)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	round := os.Getenv("CAIRN_EVENTSTORE_CRASH_ROUND")
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	p := eventgen.NewPool(7, 500)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; ; b++ {
				n := 1 + (b*7+w)%60
				recs := p.Batch(int64(b*100), n, time.Now().Add(-time.Duration(b%3)*24*time.Hour), time.Millisecond)
				for i := range recs {
					recs[i].EventID = fmt.Sprintf("r%s-w%d-b%d-i%d", round, w, b, i)
				}
				last, err := s.Append(context.Background(), recs)
				if err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(out, "ACK %d %d %d %d\n", w, b, n, last)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
