package eventstore

import (
	"math/bits"
	"slices"
	"strings"
	"time"
)

// Lookup index keys. Every event has one index entry per lookup value it
// can be found by; an entry's key is a 64-bit hash of the event's scope
// (account, region, history kind), the attribute and the value. Code 0,
// with no value, is "every event of the scope": the lookup without an
// attribute.
const (
	codeAll          = 0
	codeEventID      = 1
	codeEventName    = 2
	codeEventSource  = 3
	codeUsername     = 4
	codeAccessKeyID  = 5
	codeResourceType = 6
	codeResourceName = 7
	codeReadOnly     = 8
)

// indexFormat identifies the hash function, the codes above and the run
// file layout. A change to any of them must change it: runs of another
// format are discarded and the index is rebuilt at Open.
const indexFormat = 2

var attrCodes = map[string]uint8{
	AttrEventID:      codeEventID,
	AttrEventName:    codeEventName,
	AttrEventSource:  codeEventSource,
	AttrUsername:     codeUsername,
	AttrAccessKeyID:  codeAccessKeyID,
	AttrResourceType: codeResourceType,
	AttrResourceName: codeResourceName,
	AttrReadOnly:     codeReadOnly,
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashField continues an FNV-1a hash with a length-prefixed string, so
// that no two sequences of fields hash the same bytes.
func hashField(h uint64, s string) uint64 {
	n := len(s)
	for range 4 {
		h ^= uint64(n & 0xff)
		h *= fnvPrime
		n >>= 8
	}
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, b uint8) uint64 {
	h ^= uint64(b)
	return h * fnvPrime
}

// scopeHash starts the keys of one account, region and history kind.
func scopeHash(account, region string, kind uint8) uint64 {
	return hashByte(hashField(hashField(fnvOffset, account), region), kind)
}

// attrKey is the index key of an attribute value in a scope. The final
// mix (MurmurHash3's) spreads FNV's weak high bits.
func attrKey(scope uint64, code uint8, value string) uint64 {
	h := hashField(hashByte(scope, code), value)
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// lookupValues are what the index holds of an event: its scope and the
// values event history filters on, as the log columns store them.
type lookupValues struct {
	account, region string
	kind            uint8
	eventID         string
	eventName       string
	eventSource     string
	readOnly        int8 // -1 absent, 0 false, 1 true
	username        string
	accessKeyID     string
	types, names    string // newline-separated, position by position
}

// keys appends the event's index keys, each once.
func (v *lookupValues) keys(dst []uint64) []uint64 {
	start := len(dst)
	scope := scopeHash(v.account, v.region, v.kind)
	dst = append(dst, attrKey(scope, codeAll, ""))
	single := func(code uint8, value string) {
		if value != "" {
			dst = append(dst, attrKey(scope, code, value))
		}
	}
	single(codeEventID, v.eventID)
	single(codeEventName, v.eventName)
	single(codeEventSource, v.eventSource)
	single(codeUsername, v.username)
	single(codeAccessKeyID, v.accessKeyID)
	switch v.readOnly {
	case 0:
		single(codeReadOnly, "false")
	case 1:
		single(codeReadOnly, "true")
	}
	multi := func(code uint8, list string) {
		for list != "" {
			var value string
			value, list, _ = strings.Cut(list, "\n")
			single(code, value)
		}
	}
	multi(codeResourceType, v.types)
	multi(codeResourceName, v.names)
	// An event with two resources of one type has that type once.
	keys := dst[start:]
	slices.Sort(keys)
	return dst[:start+len(slices.Compact(keys))]
}

// entry is one index entry: a key and the event's time and sequence
// number, encoded so that ascending order is (key, newest first, highest
// sequence first), the order Lookup reads.
type entry struct {
	key, t, s uint64
}

func timeCode(t time.Time) uint64 { return ^(uint64(t.UnixMicro()) ^ 1<<63) }

func seqCode(seq int64) uint64 { return ^uint64(seq) }

func (e entry) micros() int64 { return int64(^e.t ^ 1<<63) }

func (e entry) time() time.Time { return time.UnixMicro(e.micros()).UTC() }

func (e entry) seq() int64 { return int64(^e.s) }

func cmpEntry(a, b entry) int {
	switch {
	case a.key != b.key:
		if a.key < b.key {
			return -1
		}
		return 1
	case a.t != b.t:
		if a.t < b.t {
			return -1
		}
		return 1
	case a.s != b.s:
		if a.s < b.s {
			return -1
		}
		return 1
	}
	return 0
}

func lessEntry(a, b entry) bool {
	return a.key < b.key || (a.key == b.key && (a.t < b.t || (a.t == b.t && a.s < b.s)))
}

// sortEntries returns entries sorted. Keys are hashes, so a counting
// sort on their top bits leaves buckets of a few entries, each sorted
// further only if it is not in order already. Entries come in ascending
// sequence order, mostly with event times rising with the sequence, so
// taken in reverse they are in order within a key.
func sortEntries(in []entry) []entry {
	n := len(in)
	out := make([]entry, n)
	if n < 256 {
		for i, e := range in {
			out[n-1-i] = e
		}
		slices.SortFunc(out, cmpEntry)
		return out
	}
	b := min(max(bits.Len(uint(n)), 8), 16)
	shift := 64 - b
	count := make([]int32, 1<<b)
	for _, e := range in {
		count[e.key>>shift]++
	}
	sum := int32(0)
	for i, c := range count {
		count[i] = sum
		sum += c
	}
	for i := n - 1; i >= 0; i-- {
		d := in[i].key >> shift
		out[count[d]] = in[i]
		count[d]++
	}
	start := 0
	for _, end := range count {
		for i := start + 1; i < int(end); i++ {
			if lessEntry(out[i], out[i-1]) {
				slices.SortFunc(out[start:end], cmpEntry)
				break
			}
		}
		start = int(end)
	}
	return out
}

// cmpOrder orders entries as Lookup returns them, whatever their keys.
func cmpOrder(a, b entry) int {
	return cmpEntry(entry{t: a.t, s: a.s}, entry{t: b.t, s: b.s})
}
