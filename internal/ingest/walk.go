package ingest

import (
	"encoding/json"
	"strings"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/events/jsonscan"
)

// walker reads the records of a body in one pass: it finds them as
// splitSlow does and, when decode is set, decodes each record where it
// finds it (events.ParseAt) rather than cutting it out to be decoded
// later. It accepts exactly the bodies splitSlow accepts, with the same
// records (FuzzWalker checks that); when run returns false the body is not
// one it can read (a syntax error, the wrong shape, too many records), and
// splitSlow says why.
type walker struct {
	data   []byte
	max    int // 0: no limit
	decode bool
	n      int // records found

	// Without decode: the records, undecoded.
	raws []json.RawMessage
	// With decode: every record, in body order (zero where it failed to
	// parse), and the parse failures.
	recs []events.Record
	bad  []badRecord
}

// badRecord is a record events.ParseAt rejected.
type badRecord struct {
	index int
	raw   []byte
	err   error
}

func (w *walker) run() bool {
	data := w.data
	for i := jsonscan.SkipSpace(data, 0); i < len(data); i = jsonscan.SkipSpace(data, i) {
		var ok bool
		switch data[i] {
		case '[':
			i, ok = w.array(i)
		case '{':
			i, ok = w.object(i)
		}
		if !ok {
			return false
		}
	}
	return true
}

// array reads the records of the array at data[i].
func (w *walker) array(i int) (int, bool) {
	data := w.data
	i = jsonscan.SkipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, true
	}
	for {
		end, ok := w.record(i)
		if !ok {
			return 0, false
		}
		i = jsonscan.SkipSpace(data, end)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = jsonscan.SkipSpace(data, i+1)
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// object reads the top-level object at data[i]: a {"Records":[...]}
// envelope, whose arrays of records it reads, or else one record.
func (w *walker) object(start int) (int, bool) {
	data := w.data
	envelope := false
	i := jsonscan.SkipSpace(data, start+1)
	if i < len(data) && data[i] == '}' {
		return w.record(start)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, false
		}
		end, f, ok := jsonscan.String(data, i)
		if !ok {
			return 0, false
		}
		exact, folded := recordsKey(data[i+1:end-1], f)
		i = jsonscan.SkipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return 0, false
		}
		i = jsonscan.SkipSpace(data, i+1)
		switch {
		case exact:
			if i >= len(data) || data[i] != '[' {
				return 0, false
			}
			envelope = true
			if i, ok = w.array(i); !ok {
				return 0, false
			}
		case folded:
			return 0, false
		default:
			if i, _, ok = jsonscan.Skip(data, i, jsonscan.MaxDepth); !ok {
				return 0, false
			}
		}
		i = jsonscan.SkipSpace(data, i)
		if i >= len(data) {
			return 0, false
		}
		switch data[i] {
		case ',':
			i = jsonscan.SkipSpace(data, i+1)
		case '}':
			if envelope {
				return i + 1, true
			}
			// A record (read a second time, to decode it), known to be
			// JSON: encoding/json's decoder limits the nesting of each
			// member, not of the whole.
			return w.recordAt(start, i+1)
		default:
			return 0, false
		}
	}
}

// record takes the value at data[i] as the next record.
func (w *walker) record(i int) (int, bool) { return w.recordAt(i, -1) }

// recordAt takes the value at data[i] as the next record; end is where it
// ends if it is known to be JSON, else -1.
func (w *walker) recordAt(i, end int) (int, bool) {
	if w.max > 0 && w.n >= w.max {
		return 0, false
	}
	w.n++
	if !w.decode {
		if end < 0 {
			var ok bool
			if end, _, ok = jsonscan.Skip(w.data, i, jsonscan.MaxDepth); !ok {
				return 0, false
			}
		}
		w.raws = append(w.raws, json.RawMessage(w.data[i:end:end]))
		return end, true
	}
	if w.recs == nil {
		// Room for records of about 1 KB, which most are: growing the
		// slice copies every record decoded so far.
		n := len(w.data)/1024 + 1
		if w.max > 0 {
			n = min(n, w.max)
		}
		w.recs = make([]events.Record, 0, n)
	}
	w.recs = append(w.recs, events.Record{})
	rec := &w.recs[len(w.recs)-1]
	e, err := events.ParseAt(w.data, i, rec)
	switch {
	case err == events.ErrSyntax && end < 0:
		return 0, false
	case err == events.ErrSyntax:
		// Too deep as a whole: the record's problem.
		_, err = events.Parse(w.data[i:end])
		e = end
		fallthrough
	case err != nil:
		w.bad = append(w.bad, badRecord{index: len(w.recs) - 1, raw: w.data[i:e:e], err: err})
	}
	if end >= 0 && e != end {
		return 0, false
	}
	return e, true
}

// recordsKey reports whether a key (a string's contents, with its Flags)
// is "Records", or equal to it under Unicode case folding.
func recordsKey(raw []byte, f jsonscan.Flags) (exact, folded bool) {
	if f&(jsonscan.Escaped|jsonscan.NonASCII) != 0 {
		key := jsonscan.Unquote(raw)
		return key == "Records", strings.EqualFold(key, "Records")
	}
	if len(raw) != len("Records") {
		return false, false
	}
	for i := range raw {
		c := raw[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != "records"[i] {
			return false, false
		}
	}
	return string(raw) == "Records", true
}
