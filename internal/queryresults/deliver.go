package queryresults

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"path"
	"strconv"
	"strings"
	"time"
)

const (
	// MaxFileBytes bounds a result file's uncompressed CSV size (header
	// included). 64 MiB keeps each object, which is handed to the
	// ObjectStore as a single byte slice, small in memory; a row larger than
	// the bound still gets a file of its own.
	MaxFileBytes = 64 << 20

	// SignFileName is the name of the sign file next to the result files.
	SignFileName = "result_sign.json"

	// Values of the sign file's fixed fields.
	SignFileVersion    = "1.0"
	HashAlgorithm      = "SHA-256"
	SignatureAlgorithm = "SHA256withRSA"

	// Content types of the delivered objects.
	ResultContentType   = "application/x-gzip"
	SignFileContentType = "application/json"

	// completeTimeLayout is the queryCompleteTime format, always UTC.
	completeTimeLayout = "2006-01-02T15:04:05Z"
)

// maxFileBytes is MaxFileBytes; tests lower it to exercise splitting.
var maxFileBytes = MaxFileBytes

// ObjectStore writes objects (the caller adapts the built-in bucket store
// or an external S3 endpoint).
type ObjectStore interface {
	PutObject(ctx context.Context, bucket, key string, body []byte, contentType string, metadata map[string]string) error
}

// Signer signs with the Region's current digest key: SHA256withRSA
// (RSASSA-PKCS1-v1_5 over the SHA-256 of data). It returns the signature
// and the key's fingerprint, the lowercase hex MD5 of the key's DER PKCS #1
// public key as internal/signingkeys computes it.
type Signer interface {
	Sign(region string, data []byte) (sig []byte, fingerprint string, err error)
}

// Delivery is one finished query's results and where they go.
type Delivery struct {
	URI       string // s3://bucket/optional/prefix
	Account   string // account ID in the key layout
	Region    string // Region of the query; the sign file's region and signing key
	QueryID   string
	Completed time.Time // queryCompleteTime
	Columns   []string
	// Rows yields the rows, values as GetQueryResults renders them (nil =
	// NULL), or an error that ends the delivery. They are read once, as
	// the files are written: a result need not fit in memory.
	Rows iter.Seq2[[]*string, error]
}

// SignFile is the JSON document written as result_sign.json. The field
// order is the order of AWS's documented example.
type SignFile struct {
	Version              string       `json:"version"`
	Region               string       `json:"region"`
	Files                []SignedFile `json:"files"`
	HashAlgorithm        string       `json:"hashAlgorithm"`
	SignatureAlgorithm   string       `json:"signatureAlgorithm"`
	QueryCompleteTime    string       `json:"queryCompleteTime"`
	HashSignature        string       `json:"hashSignature"`
	PublicKeyFingerprint string       `json:"publicKeyFingerprint"`
}

// SignedFile is one entry of SignFile.Files.
type SignedFile struct {
	FileHashValue string `json:"fileHashValue"` // hex SHA-256 of the compressed file
	FileName      string `json:"fileName"`
}

// SigningString returns the data a sign file's hashSignature signs: the
// files' hash values joined by single spaces, in file order.
func SigningString(files []SignedFile) string {
	hashes := make([]string, len(files))
	for i, f := range files {
		hashes[i] = f.FileHashValue
	}
	return strings.Join(hashes, " ")
}

// ObjectPrefix returns the key prefix, ending in "/", under which a query's
// result files and sign file are written.
func ObjectPrefix(prefix, account string, completed time.Time, queryID string) string {
	c := completed.UTC()
	p := path.Join("AWSLogs", account, "CloudTrail-Lake", "Query",
		fmt.Sprintf("%04d", c.Year()), fmt.Sprintf("%02d", int(c.Month())), fmt.Sprintf("%02d", c.Day()),
		queryID) + "/"
	if prefix != "" {
		p = prefix + "/" + p
	}
	return p
}

// Deliver writes result_1.csv.gz, result_2.csv.gz, ... and then
// result_sign.json under <prefix/>AWSLogs/<account>/CloudTrail-Lake/Query/
// <yyyy>/<mm>/<dd>/<queryId>/ (see the package documentation for the CSV
// rules, the split at MaxFileBytes and the sign file) and returns the keys
// written, in write order. On error it returns the keys written before the
// failure; a failed delivery never has a sign file, and delivering again
// overwrites the same keys. A failure after the result files were written
// is a *SigningError.
func Deliver(ctx context.Context, store ObjectStore, signer Signer, d Delivery) ([]string, error) {
	bucket, prefix, err := ParseURI(d.URI)
	if err != nil {
		return nil, fmt.Errorf("queryresults: %w", err)
	}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("queryresults: %w", err)
	}
	if store == nil || signer == nil {
		return nil, errors.New("queryresults: store and signer are required")
	}
	dir := ObjectPrefix(prefix, d.Account, d.Completed, d.QueryID)

	var (
		written []string
		files   []SignedFile
	)
	put := func(name string, body []byte, contentType string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		key := dir + name
		if err := store.PutObject(ctx, bucket, key, body, contentType, nil); err != nil {
			return fmt.Errorf("write s3://%s/%s: %w", bucket, key, err)
		}
		written = append(written, key)
		return nil
	}

	header := headerRecord(d.Columns)
	w := newResultWriter(header)
	flush := func() error {
		body, err := w.finish()
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := "result_" + strconv.Itoa(len(files)+1) + ".csv.gz"
		if err := put(name, body, ResultContentType); err != nil {
			return err
		}
		files = append(files, SignedFile{FileHashValue: hex.EncodeToString(sum[:]), FileName: name})
		return nil
	}
	var line []byte
	n := 0
	for row, err := range d.rows() {
		if err != nil {
			return written, fmt.Errorf("queryresults: reading the results: %w", err)
		}
		n++
		if len(row) != len(d.Columns) {
			return written, fmt.Errorf("queryresults: row %d has %d values for %d columns", n, len(row), len(d.Columns))
		}
		line = appendRecord(line[:0], row)
		if w.rows > 0 && w.size+len(line) > maxFileBytes {
			if err := flush(); err != nil {
				return written, fmt.Errorf("queryresults: %w", err)
			}
			w.reset(header)
		}
		if err := w.add(line); err != nil {
			return written, fmt.Errorf("queryresults: %w", err)
		}
	}
	if err := flush(); err != nil {
		return written, fmt.Errorf("queryresults: %w", err)
	}

	sign := SignFile{
		Version:            SignFileVersion,
		Region:             d.Region,
		Files:              files,
		HashAlgorithm:      HashAlgorithm,
		SignatureAlgorithm: SignatureAlgorithm,
		QueryCompleteTime:  d.Completed.UTC().Format(completeTimeLayout),
	}
	sig, fingerprint, err := signer.Sign(d.Region, []byte(SigningString(files)))
	if err != nil {
		return written, &SigningError{Err: fmt.Errorf("sign: %w", err)}
	}
	if len(sig) == 0 || fingerprint == "" {
		return written, &SigningError{Err: errors.New("sign: signer returned no signature or fingerprint")}
	}
	sign.HashSignature = hex.EncodeToString(sig)
	sign.PublicKeyFingerprint = fingerprint
	body, err := json.MarshalIndent(sign, "", "  ")
	if err != nil {
		return written, &SigningError{Err: err}
	}
	if err := put(SignFileName, append(body, '\n'), SignFileContentType); err != nil {
		return written, &SigningError{Err: err}
	}
	return written, nil
}

// SigningError is Deliver's error when every result file was written but
// the sign file was not: signing failed or writing result_sign.json failed.
// The query service reports it as DeliveryStatus FAILED_SIGNING_FILE (or
// ACCESS_DENIED_SIGNING_FILE when Err carries S3's AccessDenied code).
type SigningError struct{ Err error }

func (e *SigningError) Error() string { return "queryresults: sign file: " + e.Err.Error() }
func (e *SigningError) Unwrap() error { return e.Err }

// check validates the fields other than the URI.
func (d *Delivery) check() error {
	for _, f := range []struct{ name, v string }{
		{"account", d.Account}, {"region", d.Region}, {"query ID", d.QueryID},
	} {
		if f.v == "" || f.v == "." || f.v == ".." || strings.ContainsAny(f.v, "/\\") {
			return fmt.Errorf("invalid %s %q", f.name, f.v)
		}
	}
	if d.Completed.IsZero() {
		return errors.New("query completion time is required")
	}
	if len(d.Columns) == 0 {
		return errors.New("a result needs at least one column")
	}
	return nil
}

// rows is Rows, or no rows when it is nil.
func (d *Delivery) rows() iter.Seq2[[]*string, error] {
	if d.Rows == nil {
		return func(func([]*string, error) bool) {}
	}
	return d.Rows
}

// resultWriter builds one gzip CSV result file in memory, counting the
// uncompressed bytes.
type resultWriter struct {
	buf  bytes.Buffer
	gz   *gzip.Writer
	size int // uncompressed bytes written, header included
	rows int // data rows written
}

func newResultWriter(header []byte) *resultWriter {
	w := &resultWriter{}
	w.gz = gzip.NewWriter(&w.buf)
	w.start(header)
	return w
}

func (w *resultWriter) start(header []byte) {
	// Writing into a bytes.Buffer cannot fail.
	_, _ = w.gz.Write(header)
	w.size, w.rows = len(header), 0
}

func (w *resultWriter) reset(header []byte) {
	w.buf = bytes.Buffer{}
	w.gz.Reset(&w.buf)
	w.start(header)
}

func (w *resultWriter) add(line []byte) error {
	if _, err := w.gz.Write(line); err != nil {
		return err
	}
	w.size += len(line)
	w.rows++
	return nil
}

// finish closes the gzip stream and returns the compressed file.
func (w *resultWriter) finish() ([]byte, error) {
	if err := w.gz.Close(); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}
