package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/cairnhq/cairn/internal/api"
)

// Limits of one body.
const (
	// DefaultMaxRecords is how many records one request may hold unless
	// Config.MaxRecords says otherwise.
	DefaultMaxRecords = 10000
	// MaxDecompressedBytes bounds a gzip body once decompressed. AWS log
	// files hold at most 50 MB of JSON.
	MaxDecompressedBytes = 256 << 20
)

// maxDeflateRatio is the largest expansion deflate achieves (1032:1),
// used to distrust a gzip trailer's size claim when preallocating.
const maxDeflateRatio = 1032

var (
	gzipMagic = []byte{0x1f, 0x8b}
	utf8BOM   = []byte{0xef, 0xbb, 0xbf}
)

// IsGzip reports whether data starts with gzip's magic bytes.
func IsGzip(data []byte) bool { return bytes.HasPrefix(data, gzipMagic) }

// SplitBody returns the records of an ingestion body, undecoded and in
// document order. The body is gzip (recognised by its magic bytes; several
// concatenated members are read as one stream) or plain JSON, and holds any
// sequence of:
//
//   - {"Records":[...]} objects, as AWS writes log files (other keys of the
//     object are ignored);
//   - JSON arrays of records;
//   - record objects, such as newline-delimited JSON, one record a line.
//
// A top-level object is a record unless it has a "Records" key. Elements
// that are valid JSON but not objects are returned too, for the caller to
// reject one by one. maxRecords (0: no limit) bounds the count and
// maxDecompressed (0: no limit) the size of a gzip body once decompressed.
//
// Errors are api.Error values: SerializationException (400) for a body that
// is empty, not gzip or JSON, or shaped otherwise, and
// RequestEntityTooLargeException (413) when a limit is exceeded. The
// returned records alias the decompressed body.
func SplitBody(body []byte, maxRecords int, maxDecompressed int64) ([]json.RawMessage, error) {
	data, where, err := prepare(body, maxDecompressed)
	if err != nil {
		return nil, err
	}
	w := walker{data: data, max: maxRecords}
	if w.run() {
		return w.raws, nil
	}
	return splitSlow(data, where, maxRecords)
}

// prepare decompresses a body and checks that it is not empty. where names
// it in messages.
func prepare(body []byte, maxDecompressed int64) (data []byte, where string, err error) {
	data, err = decompress(body, maxDecompressed)
	if err != nil {
		return nil, "", err
	}
	where = "body"
	if IsGzip(body) {
		where = "decompressed body"
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "", api.ErrSerialization("The %s is empty; send {\"Records\":[...]}, a JSON array of records, or one record a line.", where)
	}
	return data, where, nil
}

// splitSlow is SplitBody's reading of data with encoding/json's streaming
// decoder. The walker does the same in one pass; this is what answers
// when it finds a body it cannot read, for the error message.
func splitSlow(data []byte, where string, maxRecords int) ([]json.RawMessage, error) {
	s := splitter{data: data, dec: json.NewDecoder(bytes.NewReader(data)), max: maxRecords, where: where}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.recs, nil
}

var gzipReaders sync.Pool // *gzip.Reader

// emptyGzip is a gzip member of nothing.
var emptyGzip = func() []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_ = zw.Close()
	return b.Bytes()
}()

// decompress returns body itself unless it is gzip.
func decompress(body []byte, limit int64) ([]byte, error) {
	if !IsGzip(body) {
		return body, nil
	}
	// Readers are reused: each holds a 32 KB window and Huffman tables.
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(body))
	} else {
		err = zr.Reset(bytes.NewReader(body))
	}
	if err != nil {
		return nil, api.ErrSerialization("The body starts like gzip but is not valid gzip data: %v.", err)
	}
	defer func() {
		// Pooled without a reference to this body.
		if zr.Reset(bytes.NewReader(emptyGzip)) == nil {
			gzipReaders.Put(zr)
		}
	}()
	// The trailer of the last member claims the size (modulo 2^32); trust
	// it for preallocation only as far as deflate could expand the body.
	var buf bytes.Buffer
	if len(body) >= 18 {
		hint := int64(binary.LittleEndian.Uint32(body[len(body)-4:]))
		hint = min(hint, int64(len(body))*maxDeflateRatio)
		if limit > 0 {
			hint = min(hint, limit+1)
		}
		buf.Grow(int(hint) + bytes.MinRead)
	}
	src := io.Reader(zr)
	if limit > 0 {
		src = io.LimitReader(zr, limit+1)
	}
	if _, err := buf.ReadFrom(src); err != nil {
		return nil, api.ErrSerialization("The body is not valid gzip data: %v.", err)
	}
	if limit > 0 && int64(buf.Len()) > limit {
		return nil, api.NewCommonError(api.CodeRequestEntityTooLarge, http.StatusRequestEntityTooLarge,
			"The body decompresses to more than %d bytes; send smaller files or split the records over several requests.", limit)
	}
	return buf.Bytes(), nil
}

// splitter walks the top-level values of a body with a streaming decoder
// and cuts the records out of the data by their offsets, without copying
// them.
type splitter struct {
	data  []byte
	dec   *json.Decoder
	max   int
	where string
	recs  []json.RawMessage
}

// skipValue consumes a JSON value without building anything.
type skipValue struct{}

func (*skipValue) UnmarshalJSON([]byte) error { return nil }

func (s *splitter) run() error {
	for {
		start := s.dec.InputOffset()
		tok, err := s.dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.syntaxError(err)
		}
		switch tok {
		case json.Delim('['):
			if err := s.array(); err != nil {
				return err
			}
		case json.Delim('{'):
			if err := s.object(start); err != nil {
				return err
			}
		default:
			return api.ErrSerialization("The %s must hold {\"Records\":[...]} objects, arrays of records or record objects; found %s at byte %d.",
				s.where, describeToken(tok), start)
		}
	}
}

// array reads the elements of an array whose '[' was just read, and its ']'.
func (s *splitter) array() error {
	for s.dec.More() {
		before := s.dec.InputOffset()
		if err := s.dec.Decode(&skipValue{}); err != nil {
			return s.syntaxError(err)
		}
		if err := s.add(before, s.dec.InputOffset()); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.syntaxError(err)
	}
	return nil
}

// object reads a top-level object whose '{' (at start) was just read: a
// {"Records":[...]} envelope, whose records are read one by one, or else
// one record.
func (s *splitter) object(start int64) error {
	envelope := false
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return s.syntaxError(err)
		}
		key, _ := tok.(string)
		switch {
		case key == "Records":
			envelope = true
			at := s.dec.InputOffset()
			tok, err := s.dec.Token()
			if err != nil {
				return s.syntaxError(err)
			}
			if tok != json.Delim('[') {
				return api.ErrSerialization("\"Records\" must be an array of records; found %s at byte %d of the %s.", describeToken(tok), at, s.where)
			}
			if err := s.array(); err != nil {
				return err
			}
		case strings.EqualFold(key, "Records"):
			return api.ErrSerialization("Found the key %q; the array of records must be named \"Records\".", key)
		default:
			if err := s.dec.Decode(&skipValue{}); err != nil {
				return s.syntaxError(err)
			}
		}
	}
	if _, err := s.dec.Token(); err != nil {
		return s.syntaxError(err)
	}
	if envelope {
		return nil
	}
	return s.add(start, s.dec.InputOffset())
}

// add records data[start:end] less the whitespace and comma that precede
// the value.
func (s *splitter) add(start, end int64) error {
	if s.max > 0 && len(s.recs) >= s.max {
		return api.NewCommonError(api.CodeRequestEntityTooLarge, http.StatusRequestEntityTooLarge,
			"The request holds more than %d records; send at most %d records per request.", s.max, s.max)
	}
	raw := s.data[start:end:end]
	for len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t' || raw[0] == '\r' || raw[0] == '\n' || raw[0] == ',') {
		raw = raw[1:]
	}
	s.recs = append(s.recs, json.RawMessage(raw))
	return nil
}

// syntaxError describes a body that is not JSON. The decoder's own offsets
// are relative to where it resumed, so the message names the value being
// read when the error was found, by absolute byte offset and line.
func (s *splitter) syntaxError(err error) error {
	pos := s.dec.InputOffset()
	for pos < int64(len(s.data)) && strings.IndexByte(" \t\r\n,:", s.data[pos]) >= 0 {
		pos++
	}
	line := bytes.Count(s.data[:pos], []byte{'\n'}) + 1
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return api.ErrSerialization("The %s is not valid JSON: %v, in the value starting at byte %d (line %d).", s.where, se, pos, line)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return api.ErrSerialization("The %s ends in the middle of a JSON value, which starts at byte %d (line %d).", s.where, pos, line)
	}
	return api.ErrSerialization("The %s is not valid JSON: %v, in the value starting at byte %d (line %d).", s.where, err, pos, line)
}

func describeToken(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
