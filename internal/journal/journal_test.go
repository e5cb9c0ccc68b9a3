package journal

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
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
// acknowledged, by Append or AppendWritten, is there after reopening.
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
				// Half the writers are acknowledged at the write: that
				// too survives the process's kill.
				appendRecs := j.Append
				if w%2 == 1 {
					appendRecs = j.AppendWritten
				}
				if err := appendRecs(context.Background(), []events.Record{rec}); err != nil {
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

// copyDir copies the journal's files as they are on disk at this moment:
// what a crash would leave, since appends that returned are durable.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	names, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(from, n.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue // a spare being written, renamed meanwhile
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, n.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// TestJournal_LookupResourcesSurviveCrash: the lookup resources the
// recorder computes (the S3 bucket a trail names, the bucket of an S3
// event) are not part of the record's JSON, so the journal must carry them
// for entries replayed after a crash.
func TestJournal_LookupResourcesSurviveCrash(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0)
	defer j.Close()
	withBucket := record(1)
	withBucket.Resources = []events.Resource{{ARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/audit", AccountID: "111122223333", Type: "AWS::CloudTrail::Trail"}}
	withBucket.LookupResources = []events.LookupResource{
		{Type: "AWS::CloudTrail::Trail", Name: "arn:aws:cloudtrail:us-east-1:111122223333:trail/audit"},
		{Type: "AWS::S3::Bucket", Name: "audit-logs"},
	}
	s3Event := record(2)
	s3Event.Resources = []events.Resource{{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::audit-logs"}}
	s3Event.LookupResources = []events.LookupResource{{Type: "AWS::S3::Bucket", Name: "audit-logs"}}
	none := record(3) // no lookup resources of its own: its resources stand for them
	none.Resources = []events.Resource{{Type: "AWS::CloudTrail::Trail", ARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/x"}}
	empty := record(4)
	empty.LookupResources = []events.LookupResource{}
	odd := record(5)
	odd.LookupResources = []events.LookupResource{{Type: "", Name: "n\x00é\n"}, {Type: strings.Repeat("t", 300), Name: ""}}
	want := []events.Record{withBucket, s3Event, none, empty, odd}
	for _, rec := range want {
		if err := j.Append(context.Background(), []events.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}

	crashed := mustOpen(t, copyDir(t, dir), 0) // reopened without Close or a move
	defer crashed.Close()
	sink := &fakeSink{}
	m := NewMover(crashed, sink, time.Hour, nil)
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.records) != len(want) {
		t.Fatalf("replayed %d records, want %d", len(sink.records), len(want))
	}
	for i, got := range sink.records {
		if !reflect.DeepEqual(got.LookupResources, want[i].LookupResources) {
			t.Errorf("record %d: lookup resources %#v after replay, want %#v", i, got.LookupResources, want[i].LookupResources)
		}
		if !reflect.DeepEqual(got.LookupResourceList(), want[i].LookupResourceList()) {
			t.Errorf("record %d: LookupResourceList %v after replay, want %v", i, got.LookupResourceList(), want[i].LookupResourceList())
		}
		if got.EventID != want[i].EventID || len(got.Raw) == 0 {
			t.Errorf("record %d: event %q, raw %d bytes", i, got.EventID, len(got.Raw))
		}
	}
}

// TestJournal_ReadsVersion1Entries: entries written before the payload
// carried lookup resources (the record's JSON alone) are still read.
func TestJournal_ReadsVersion1Entries(t *testing.T) {
	dir := t.TempDir()
	var buf []byte
	for i := 1; i <= 3; i++ {
		rec := record(i)
		raw, err := rec.JSON()
		if err != nil {
			t.Fatal(err)
		}
		// The version 1 frame: length, CRC-32C, index, JSON.
		body := binary.LittleEndian.AppendUint64(nil, uint64(i))
		body = append(body, raw...)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(body)))
		buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(body, crcTable))
		buf = append(buf, body...)
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%020d.journal", 1)), buf, 0o600); err != nil {
		t.Fatal(err)
	}
	j := mustOpen(t, dir, 1)
	p := j.Pending()
	if len(p) != 2 || p[0].Index != 2 || p[0].Record.EventID != "event-000002" || p[1].Record.EventID != "event-000003" || p[0].Record.LookupResources != nil {
		t.Fatalf("version 1 entries read as %+v", p)
	}
	if err := j.Append(context.Background(), []events.Record{record(4)}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = mustOpen(t, dir, 1)
	defer j.Close()
	if p := j.Pending(); len(p) != 3 || p[2].Index != 4 || p[2].Record.EventID != "event-000004" {
		t.Fatalf("after a version 2 append: %+v", p)
	}
}

// crcTable builds frames by hand, independently of framelog, to pin the
// on-disk format.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

func TestJournal_UnknownEntryVersionFailsOpen(t *testing.T) {
	dir := t.TempDir()
	body := binary.LittleEndian.AppendUint64(nil, 1)
	body = append(body, 0x7f, '{', '}')
	var buf []byte
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(body)))
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(body, crcTable))
	buf = append(buf, body...)
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%020d.journal", 1)), buf, 0o600); err != nil {
		t.Fatal(err)
	}
	if j, err := Open(dir, 0); err == nil || !strings.Contains(err.Error(), "unknown entry format") {
		if j != nil {
			j.Close()
		}
		t.Fatalf("Open = %v, want an unknown entry format error", err)
	}
}

// TestJournal_Preallocation: a segment is preallocated while open, its
// unused space is given back at Close, and reopening a segment that still
// holds the preallocated zeros (as a crash leaves it) finds every entry.
func TestJournal_Preallocation(t *testing.T) {
	dir := t.TempDir()
	j := mustOpen(t, dir, 0)
	for i := 0; i < 5; i++ {
		if err := j.Append(context.Background(), []events.Record{record(i)}); err != nil {
			t.Fatal(err)
		}
	}
	path := j.segmentPath(j.fileStart)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	preallocated := info.Size() == segmentBytes
	if !preallocated {
		t.Logf("the file system did not preallocate (size %d)", info.Size())
	}
	crashed := copyDir(t, dir)
	j.Close()
	if info, _ := os.Stat(path); info.Size() >= segmentBytes || info.Size() == 0 {
		t.Fatalf("after Close the segment is %d bytes", info.Size())
	}
	j = mustOpen(t, crashed, 0)
	if p := j.Pending(); len(p) != 5 || p[4].Index != 5 {
		t.Fatalf("reopened over preallocated space: %d entries", len(p))
	}
	if err := j.Append(context.Background(), []events.Record{record(5)}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j = mustOpen(t, crashed, 0)
	defer j.Close()
	if p := j.Pending(); len(p) != 6 || p[5].Index != 6 || p[5].Record.EventID != "event-000005" {
		t.Fatalf("after another append: %d entries", len(p))
	}
}

// TestJournal_AppendKeepsCallersRecords: Append encodes records without Raw
// on a copy, so the caller's slice is not changed.
func TestJournal_AppendKeepsCallersRecords(t *testing.T) {
	j := mustOpen(t, t.TempDir(), 0)
	defer j.Close()
	recs := []events.Record{record(1)}
	if err := j.Append(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	if recs[0].Raw != nil {
		t.Fatal("Append set Raw on the caller's record")
	}
	if p := j.Pending(); len(p[0].Record.Raw) == 0 {
		t.Fatal("the pending entry has no Raw for the mover")
	}
}

// TestJournal_SpareSegments: new segments are the zeroed spare renamed,
// appends rotate through several segments, a restart uses the spare left
// by the last run, and every entry is read back in order.
func TestJournal_SpareSegments(t *testing.T) {
	defer func(n int64) { segmentBytes = n }(segmentBytes)
	segmentBytes = 64 << 10
	dir := t.TempDir()
	j := mustOpen(t, dir, 0)
	waitSpare := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !j.spareReady.Load(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no spare segment was prepared")
			}
		}
	}
	ctx := context.Background()
	n := 0
	for round := 0; round < 6; round++ {
		waitSpare()
		batch := make([]events.Record, 100) // about 25 KiB
		for i := range batch {
			batch[i] = record(n)
			n++
		}
		if err := j.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	starts, _ := j.segments()
	if len(starts) < 3 {
		t.Fatalf("%d segments after %d entries of %d-byte segments", len(starts), n, segmentBytes)
	}
	info, err := os.Stat(j.segmentPath(j.fileStart))
	if err != nil || info.Size() != segmentBytes {
		t.Fatalf("current segment: %v, %v", info, err)
	}
	waitSpare()
	j.Close()
	spare, err := os.Stat(filepath.Join(dir, spareName))
	if err != nil {
		t.Fatalf("no spare after Close: %v", err)
	}
	j = mustOpen(t, dir, 0)
	defer j.Close()
	if current, err := os.Stat(j.segmentPath(j.fileStart)); err != nil || !os.SameFile(current, spare) {
		t.Fatal("the spare left by the last run is not the new segment")
	}
	p := j.Pending()
	if len(p) != n {
		t.Fatalf("read %d entries back, want %d", len(p), n)
	}
	for i, e := range p {
		if e.Index != int64(i+1) || e.Record.EventID != fmt.Sprintf("event-%06d", i) {
			t.Fatalf("entry %d: index %d, %s", i, e.Index, e.Record.EventID)
		}
	}
	if err := j.Append(ctx, []events.Record{record(n)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Moved(int64(n)); err != nil {
		t.Fatal(err)
	}
	if starts, _ := j.segments(); len(starts) != 1 {
		t.Fatalf("%d segments left after moving all but the last entry", len(starts))
	}
}

// Appends wait while the entries not yet moved exceed MaxPendingBytes, and
// go on once the mover frees room.
func TestJournal_AppendWaitsForRoom(t *testing.T) {
	defer func(old int64) { MaxPendingBytes = old }(MaxPendingBytes)
	MaxPendingBytes = 1000
	j := mustOpen(t, t.TempDir(), 0)
	defer j.Close()
	ctx := context.Background()
	for i := 0; j.pendingBytesNow() < MaxPendingBytes; i++ {
		if err := j.Append(ctx, []events.Record{record(i)}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- j.Append(ctx, []events.Record{record(999)}) }()
	select {
	case err := <-done:
		t.Fatalf("append over the limit returned at once (%v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := j.Append(short, []events.Record{record(1000)}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a waiting append's context ended: %v", err)
	}
	pending := j.Pending()
	if err := j.Moved(pending[len(pending)-1].Index); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("append still waiting after the entries moved")
	}
}

func (j *Journal) pendingBytesNow() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.pendingBytes
}

// TestJournal_WrittenEntriesAreSynced: entries acknowledged at their write
// are synced within SyncWindow with no other append, by the next Append's
// sync, and at Close.
func TestJournal_WrittenEntriesAreSynced(t *testing.T) {
	defer func(w time.Duration) { SyncWindow = w }(SyncWindow)
	SyncWindow = 50 * time.Millisecond
	dir := t.TempDir()
	j := mustOpen(t, dir, 0)
	ctx := context.Background()
	syncs := func() int64 { return j.Stats().Syncs }

	began := time.Now()
	if err := j.AppendWritten(ctx, []events.Record{record(1)}); err != nil {
		t.Fatal(err)
	}
	if n := syncs(); n != 0 && time.Since(began) < SyncWindow {
		t.Fatalf("%d syncs right after AppendWritten, want none before the window", n)
	}
	// Written: another reader of the file sees it at once.
	if entries := pendingOnDisk(t, dir); len(entries) != 1 {
		t.Fatalf("%d entries in the files after AppendWritten, want 1", len(entries))
	}
	for syncs() == 0 {
		if time.Since(began) > SyncWindow+5*time.Second {
			t.Fatal("the written entry was never synced")
		}
		time.Sleep(time.Millisecond)
	}
	if n := syncs(); n != 1 {
		t.Fatalf("%d syncs for one written entry, want 1", n)
	}

	// An Append's sync covers the written entries before it: one sync in
	// all, and none left for the timer.
	if err := j.AppendWritten(ctx, []events.Record{record(2)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ctx, []events.Record{record(3)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * SyncWindow)
	if n := syncs(); n != 2 {
		t.Fatalf("%d syncs after AppendWritten and Append, want 2", n)
	}

	// Appends that never pause do not put the sync off: one per window.
	before := syncs()
	began = time.Now()
	appended := 0
	for time.Since(began) < 4*SyncWindow {
		if err := j.AppendWritten(ctx, []events.Record{record(10 + appended)}); err != nil {
			t.Fatal(err)
		}
		appended++
		time.Sleep(time.Millisecond)
	}
	if n := syncs() - before; n < 2 {
		t.Fatalf("%d syncs during %v of steady appends, want one per %v", n, time.Since(began).Round(time.Millisecond), SyncWindow)
	}

	// Close syncs what was written: with no window left to do it.
	time.Sleep(2 * SyncWindow)
	SyncWindow = time.Hour
	if err := j.AppendWritten(ctx, []events.Record{record(4)}); err != nil {
		t.Fatal(err)
	}
	want := syncs() + 1
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if n := syncs(); n != want {
		t.Fatalf("%d syncs after Close, want %d: Close syncs what was written", n, want)
	}
	reopened := mustOpen(t, dir, 0)
	defer reopened.Close()
	if n := len(reopened.Pending()); n != 4+appended {
		t.Fatalf("%d entries after reopening, want %d", n, 4+appended)
	}
}

// pendingOnDisk reads the journal's files as another process would.
func pendingOnDisk(t *testing.T, dir string) []Entry {
	t.Helper()
	j := mustOpen(t, copyDir(t, dir), 0)
	defer j.Close()
	return j.Pending()
}
