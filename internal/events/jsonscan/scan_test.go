package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// valid is what encoding/json thinks of data as one document.
func valid(data []byte) bool { return json.Valid(data) }

// skipDoc is Skip over a whole document, with surrounding whitespace.
func skipDoc(data []byte) (Flags, bool) {
	i := SkipSpace(data, 0)
	end, f, ok := Skip(data, i, MaxDepth)
	if !ok || SkipSpace(data, end) != len(data) {
		return f, false
	}
	return f, true
}

var cases = []string{
	`{}`, `[]`, `{"a":1}`, `[1,2,3]`, `"x"`, `0`, `-0`, `-0.5e+10`, `1E3`, `true`, `false`, `null`,
	` { "a" : [ 1 , { } , [ ] , "b" ] } `, "\t\n\r[\n]\n",
	`{"a":"\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t"}`, "\"\xff\xfe\"", "\"\u2028\"",
	`01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `--1`, `0x10`, `1.5e3.2`,
	`tru`, `truex`, `nul`, `nulll`, `True`, `NaN`, `Infinity`,
	`{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{1:2}`, `{'a':1}`, `{"a":1 "b":2}`,
	`[1 2]`, `[1,,2]`, `[`, `]`, `{`, `}`, `[}`, `{]`, `"abc`, `"a\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"",
	"\"a\x7fb\"", `{"a":[{"b":[{"c":null}]}]}`, `1 2`, `{} {}`, `[] x`, "\v{}", "{}\x00", "",
	" ", `"\ud800"`, `"\udc00\ud800"`, `"\ud800\u0041"`, `"\ud83d\ude00x"`, `"\\u0041"`,
}

func TestSkipMatchesEncodingJSON(t *testing.T) {
	for _, c := range cases {
		_, ok := skipDoc([]byte(c))
		if ok != valid([]byte(c)) {
			t.Errorf("%q: Skip says %v, encoding/json %v", c, ok, !ok)
		}
	}
}

func TestSkipDepth(t *testing.T) {
	for _, n := range []int{1, 2, 64, 65, 200, MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			closer := "]"
			if open != "[" {
				closer = "}"
			}
			doc := []byte(strings.Repeat(open, n) + "1" + strings.Repeat(closer, n))
			_, ok := skipDoc(doc)
			if ok != valid(doc) || ok != (n <= MaxDepth) {
				t.Errorf("depth %d %s: Skip %v, encoding/json %v", n, open, ok, valid(doc))
			}
			// A budget smaller than the nesting fails.
			if _, _, ok := Skip(doc, 0, n-1); ok {
				t.Errorf("depth %d accepted within %d", n, n-1)
			}
		}
	}
}

func TestSkipStopsAtTheValue(t *testing.T) {
	for in, want := range map[string]int{`1,2`: 1, `"a"x`: 3, `[1]]`: 3, `{"a":{}} {}`: 8, `true false`: 4, `-12.5e3}`: 7} {
		end, _, ok := Skip([]byte(in), 0, MaxDepth)
		if !ok || end != want {
			t.Errorf("Skip(%q) = %d, %v; want %d", in, end, ok, want)
		}
	}
}

func TestFlags(t *testing.T) {
	for in, want := range map[string]Flags{
		`{"a":[1,2]}`:             0,
		`{"a": 1}`:                Space,
		"[1\n]":                   Space,
		`["\u00e9"]`:              Escaped,
		"[\"\xc3\xa9\"]":          NonASCII,
		"{\"\xc3\xa9\":\"\\n\"} ": Escaped | NonASCII, // trailing space is after the value
	} {
		_, f, ok := Skip([]byte(in), 0, MaxDepth)
		if !ok || f != want {
			t.Errorf("Skip(%q) flags %b, %v; want %b", in, f, ok, want)
		}
	}
}

func TestUnquoteAndCompact(t *testing.T) {
	for _, c := range cases {
		checkUnquoteAndCompact(t, []byte(c))
	}
}

func checkUnquoteAndCompact(t *testing.T, data []byte) {
	t.Helper()
	f, ok := skipDoc(data)
	if !ok {
		return
	}
	var want bytes.Buffer
	if err := json.Compact(&want, data); err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	if got := Compact(nil, data); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("Compact(%q) = %q, want %q", data, got, want.Bytes())
	}
	if (f&Space != 0) != (want.Len() != len(bytes.TrimSpace(data))) {
		t.Fatalf("%q: Space flag %v", data, f&Space != 0)
	}
	if (f&NonASCII != 0) != bytes.ContainsFunc(data, func(r rune) bool { return r >= 0x80 }) {
		t.Fatalf("%q: NonASCII flag %v", data, f&NonASCII != 0)
	}
	if (f&Escaped != 0) != bytes.Contains(data, []byte{'\\'}) {
		t.Fatalf("%q: Escaped flag %v", data, f&Escaped != 0)
	}
	// In-place compaction gives the same.
	cp := append([]byte(nil), data...)
	if got := Compact(cp[:0], cp); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("in-place Compact(%q) = %q", data, got)
	}
	// Every string decodes as encoding/json decodes it.
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		end, _, ok := String(data, i)
		if !ok {
			t.Fatalf("%q: String at %d failed in valid JSON", data, i)
		}
		var s string
		if err := json.Unmarshal(data[i:end], &s); err != nil {
			t.Fatalf("%q: %v", data[i:end], err)
		}
		if got := Unquote(data[i+1 : end-1]); got != s {
			t.Fatalf("Unquote(%q) = %q, want %q", data[i:end], got, s)
		}
		i = end - 1
	}
}

// FuzzSkip checks Skip, String, Unquote and Compact against encoding/json.
func FuzzSkip(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Add([]byte(strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)))
	f.Add([]byte(strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, ok := skipDoc(data)
		if ok != valid(data) {
			t.Fatalf("%q: Skip says %v, encoding/json %v", data, ok, !ok)
		}
		checkUnquoteAndCompact(t, data)
	})
}

func TestPlain8(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			word := []byte("abcdefgh")
			word[pos] = byte(c)
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(word[i])
			}
			if plain8(w) != !strStop[c] {
				t.Fatalf("byte %#x at %d: plain8 %v", c, pos, plain8(w))
			}
		}
	}
}

func BenchmarkString(b *testing.B) {
	data := []byte(`"` + strings.Repeat("arn:aws:iam::123456789012:user/alice ", 8) + `"`)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, ok := String(data, 0); !ok {
			b.Fatal()
		}
	}
}
