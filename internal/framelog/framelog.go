package framelog

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// HeaderSize is the size of a frame's header: length and CRC.
const HeaderSize = 8

// MaxBody bounds a frame's body; a header claiming more is not a frame.
const MaxBody = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Begin appends the header of a new frame, to be filled by Seal once the
// body follows it, and returns the frame's start.
func Begin(b []byte) ([]byte, int) {
	return append(b, make([]byte, HeaderSize)...), len(b)
}

// Seal fills in the header of the frame that starts at start and whose
// body runs to the end of b.
func Seal(b []byte, start int) []byte {
	body := b[start+HeaderSize:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(body)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(body, crcTable))
	return b
}

// Next splits the first frame off b, checking it.
func Next(b []byte) (body, rest []byte, ok bool) {
	if len(b) < HeaderSize {
		return nil, nil, false
	}
	n := binary.LittleEndian.Uint32(b)
	if n == 0 || n > MaxBody || int(n) > len(b)-HeaderSize {
		return nil, nil, false
	}
	body = b[HeaderSize : HeaderSize+n]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[4:]) {
		return nil, nil, false
	}
	return body, b[HeaderSize+n:], true
}

// Reader reads the frames of a segment file in order.
type Reader struct {
	r    *bufio.Reader
	size int64 // of the file: no frame reaches past it
	// Offset is where the frames read so far end.
	Offset int64
	// Torn is set when reading stopped at a frame that does not hold,
	// rather than at the end of the file.
	Torn   bool
	header [HeaderSize]byte
	body   []byte
}

// NewReader reads the frames of f, whose size is size, from its start.
func NewReader(f *os.File, size int64) *Reader {
	return &Reader{r: bufio.NewReaderSize(f, 1<<20), size: size}
}

// Next returns the next frame's body, valid until the following call, or
// false at the end of the frames (Torn then says whether a frame that
// does not hold ended them).
func (r *Reader) Next() ([]byte, bool) {
	if _, err := io.ReadFull(r.r, r.header[:]); err != nil {
		r.Torn = err != io.EOF
		return nil, false
	}
	n := binary.LittleEndian.Uint32(r.header[:])
	if n == 0 || n > MaxBody || int64(n) > r.size-r.Offset-HeaderSize {
		r.Torn = true
		return nil, false
	}
	if cap(r.body) < int(n) {
		r.body = make([]byte, n)
	}
	r.body = r.body[:n]
	if _, err := io.ReadFull(r.r, r.body); err != nil || crc32.Checksum(r.body, crcTable) != binary.LittleEndian.Uint32(r.header[4:]) {
		r.Torn = true
		return nil, false
	}
	r.Offset += HeaderSize + int64(n)
	return r.body, true
}

// List returns the numbers of the segment files in dir named
// <number><suffix>, ascending.
func List(dir, suffix string) ([]int64, error) {
	names, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var nums []int64
	for _, n := range names {
		base, ok := strings.CutSuffix(n.Name(), suffix)
		if !ok {
			continue
		}
		if num, err := strconv.ParseInt(base, 10, 64); err == nil {
			nums = append(nums, num)
		}
	}
	slices.Sort(nums)
	return nums, nil
}
