package framelog

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func frames(bodies ...string) []byte {
	var b []byte
	for _, body := range bodies {
		var start int
		b, start = Begin(b)
		b = append(b, body...)
		b = Seal(b, start)
	}
	return b
}

func TestNextChecksFrames(t *testing.T) {
	b := frames("one", "two")
	body, rest, ok := Next(b)
	if !ok || string(body) != "one" {
		t.Fatalf("first frame %q %v", body, ok)
	}
	if body, rest, ok = Next(rest); !ok || string(body) != "two" || len(rest) != 0 {
		t.Fatalf("second frame %q %v, %d bytes left", body, ok, len(rest))
	}
	damaged := slices.Clone(b)
	damaged[HeaderSize] ^= 1
	if _, _, ok := Next(damaged); ok {
		t.Fatal("a frame with a wrong CRC was accepted")
	}
	if _, _, ok := Next(b[:len(b)-1][:HeaderSize+2]); ok {
		t.Fatal("a cut frame was accepted")
	}
	if _, _, ok := Next(make([]byte, 16)); ok {
		t.Fatal("zeros were accepted as a frame")
	}
}

func TestReaderStopsAtTornTail(t *testing.T) {
	for _, c := range []struct {
		name string
		tail []byte
		torn bool
	}{
		{"clean end", nil, false},
		{"half a header", []byte{5, 0, 0}, true},
		{"cut body", frames("three")[:HeaderSize+2], true},
		{"zeros", make([]byte, 64), true},
	} {
		path := filepath.Join(t.TempDir(), "1.log")
		good := frames("one", "two")
		if err := os.WriteFile(path, append(slices.Clone(good), c.tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(path)
		info, _ := f.Stat()
		r := NewReader(f, info.Size())
		var got []string
		for {
			body, ok := r.Next()
			if !ok {
				break
			}
			got = append(got, string(body))
		}
		f.Close()
		if !slices.Equal(got, []string{"one", "two"}) || r.Torn != c.torn || r.Offset != int64(len(good)) {
			t.Errorf("%s: frames %q, torn %v, offset %d; want one,two, %v, %d", c.name, got, r.Torn, r.Offset, c.torn, len(good))
		}
	}
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"000000010.log", "000000002.log", "x.log", "000000003.idx", "spare.zeroed"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o600)
	}
	nums, err := List(dir, ".log")
	if err != nil || !slices.Equal(nums, []int64{2, 10}) {
		t.Fatalf("List: %v, %v", nums, err)
	}
}

func FuzzNext(f *testing.F) {
	f.Add(frames("a", "bc"))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		for {
			body, rest, ok := Next(b)
			if !ok {
				return
			}
			if len(rest) >= len(b) || len(body) == 0 {
				t.Fatalf("Next made no progress")
			}
			b = rest
		}
	})
}
