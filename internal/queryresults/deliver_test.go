package queryresults

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var completed = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

const queryID = "0b9c2f4e-6a1d-4c3e-9f8a-1234567890ab"

func sampleDelivery(uri string) Delivery {
	return Delivery{
		URI:       uri,
		Account:   "111122223333",
		Region:    "eu-west-1",
		QueryID:   queryID,
		Completed: completed,
		Columns:   []string{"eventName", "n"},
		Rows:      rowsOf(sampleRows()...),
	}
}

func sampleRows() [][]*string {
	return [][]*string{
		{str("CreateTrail"), str("3")},
		{str("DeleteTrail"), nil},
	}
}

// rowsOf yields rows as Delivery.Rows does.
func rowsOf(rows ...[]*string) iter.Seq2[[]*string, error] {
	return func(yield func([]*string, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func TestParseURI(t *testing.T) {
	long := "s3://bucket/" + strings.Repeat("p", MaxURILength-len("s3://bucket/"))
	for _, tc := range []struct {
		uri, bucket, prefix string
	}{
		{"s3://my-bucket", "my-bucket", ""},
		{"s3://my-bucket/", "my-bucket", ""},
		{"s3://my.bucket-1/lake", "my.bucket-1", "lake"},
		{"s3://abc/a/b/c/", "abc", "a/b/c"},
		{"s3://abc/a b/ü", "abc", "a b/ü"},
		{"s3://123/x//", "123", "x"},
		{long, "bucket", long[len("s3://bucket/"):]},
	} {
		b, p, err := ParseURI(tc.uri)
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("ParseURI(%.40q) = %q, %q, %v; want %q, %q", tc.uri, b, p, err, tc.bucket, tc.prefix)
		}
	}
	for _, uri := range []string{
		"",
		"s3://",
		"s3://ab",                         // bucket shorter than 3
		"s3://" + strings.Repeat("a", 64), // bucket longer than 63
		"s3://My-Bucket/x",                // upper case
		"s3://-bucket", "s3://bucket-", "s3://bucket.",
		"s3://bucket_name",
		"S3://bucket", "https://bucket/x", "bucket/x",
		"s3://bucket/line\nbreak",
		"s3://bucket/line\u2028break",
		" s3://bucket",
		long + "p", // 1025 characters
	} {
		if _, _, err := ParseURI(uri); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("ParseURI(%.40q) error = %v, want ErrInvalidURI", uri, err)
		}
	}
}

func TestDeliver_LayoutAndSignFile(t *testing.T) {
	store, signer := newDirStore(t), newRSASigner()
	keys, err := Deliver(context.Background(), store, signer, sampleDelivery("s3://results-bucket/team/lake/"))
	if err != nil {
		t.Fatal(err)
	}
	dir := "team/lake/AWSLogs/111122223333/CloudTrail-Lake/Query/2026/03/04/" + queryID + "/"
	if want := []string{dir + "result_1.csv.gz", dir + "result_sign.json"}; !slices.Equal(keys, want) {
		t.Fatalf("keys = %q, want %q", keys, want)
	}
	if ct := store.contentTypes["results-bucket/"+keys[0]]; ct != ResultContentType {
		t.Errorf("result content type %q", ct)
	}
	if ct := store.contentTypes["results-bucket/"+keys[1]]; ct != SignFileContentType {
		t.Errorf("sign file content type %q", ct)
	}

	raw := store.read(t, "results-bucket", keys[1])
	// Field names and order as in AWS's documented example.
	var order []string
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // {
	for dec.More() {
		tok, _ := dec.Token()
		order = append(order, tok.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	wantOrder := []string{"version", "region", "files", "hashAlgorithm", "signatureAlgorithm", "queryCompleteTime", "hashSignature", "publicKeyFingerprint"}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("sign file fields %q, want %q", order, wantOrder)
	}
	var sf SignFile
	if err := json.Unmarshal(raw, &sf); err != nil {
		t.Fatal(err)
	}
	result := store.read(t, "results-bucket", keys[0])
	want := SignFile{
		Version: "1.0", Region: "eu-west-1",
		Files:         []SignedFile{{FileHashValue: sha256Hex(result), FileName: "result_1.csv.gz"}},
		HashAlgorithm: "SHA-256", SignatureAlgorithm: "SHA256withRSA",
		QueryCompleteTime:    "2026-03-04T05:06:07Z",
		HashSignature:        sf.HashSignature,
		PublicKeyFingerprint: signer.fingerprint,
	}
	if fmt.Sprint(sf) != fmt.Sprint(want) {
		t.Errorf("sign file = %+v\nwant        %+v", sf, want)
	}
	if len(sf.HashSignature) != 512 || strings.ToLower(sf.HashSignature) != sf.HashSignature {
		t.Errorf("hashSignature %q is not lowercase hex of a 2048-bit signature", sf.HashSignature)
	}
	if len(signer.regions) != 1 || signer.regions[0] != "eu-west-1" || string(signer.data[0]) != sf.Files[0].FileHashValue {
		t.Errorf("signer asked for %q over %q", signer.regions, signer.data)
	}
	if err := verifyLocal(store.path("results-bucket", dir), signer.der); err != nil {
		t.Errorf("verify: %v", err)
	}
	if got := string(gunzip(t, result)); got != "eventName,n\r\nCreateTrail,3\r\nDeleteTrail,\r\n" {
		t.Errorf("CSV = %q", got)
	}
}

func TestDeliver_NoPrefix(t *testing.T) {
	for _, uri := range []string{"s3://results-bucket", "s3://results-bucket/"} {
		store := newDirStore(t)
		keys, err := Deliver(context.Background(), store, newRSASigner(), sampleDelivery(uri))
		if err != nil {
			t.Fatal(err)
		}
		if want := "AWSLogs/111122223333/CloudTrail-Lake/Query/2026/03/04/" + queryID + "/result_1.csv.gz"; keys[0] != want {
			t.Errorf("%s: first key %q, want %q", uri, keys[0], want)
		}
	}
}

func TestDeliver_DateIsUTC(t *testing.T) {
	d := sampleDelivery("s3://results-bucket")
	// 23:30 on the 3rd in New York is 04:30 on the 4th in UTC.
	d.Completed = time.Date(2026, 3, 3, 23, 30, 0, 0, time.FixedZone("EST", -5*3600))
	store, signer := newDirStore(t), newRSASigner()
	keys, err := Deliver(context.Background(), store, signer, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(keys[0], "/2026/03/04/") {
		t.Errorf("key %q is not under the UTC date", keys[0])
	}
	var sf SignFile
	json.Unmarshal(store.read(t, "results-bucket", keys[1]), &sf)
	if sf.QueryCompleteTime != "2026-03-04T04:30:00Z" {
		t.Errorf("queryCompleteTime %q", sf.QueryCompleteTime)
	}
}

func TestDeliver_CSVQuoting(t *testing.T) {
	d := sampleDelivery("s3://results-bucket")
	d.Columns = []string{"plain", "comma,name", "empty", "null"}
	d.Rows = rowsOf(
		[]*string{str("a b "), str("x,y"), str(""), nil},
		[]*string{str(`say "hi"`), str("two\nlines"), str("cr\rhere"), str("crlf\r\nend")},
		[]*string{str("{key=value, k2=v2}"), str("ünïcödé"), str(" lead"), str("2026-03-04 05:06:07.000")},
		[]*string{nil, nil, nil, nil},
	)
	store := newDirStore(t)
	keys, err := Deliver(context.Background(), store, newRSASigner(), d)
	if err != nil {
		t.Fatal(err)
	}
	got := string(gunzip(t, store.read(t, "results-bucket", keys[0])))
	want := "plain,\"comma,name\",empty,null\r\n" +
		"a b ,\"x,y\",\"\",\r\n" +
		"\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\"crlf\r\nend\"\r\n" +
		"\"{key=value, k2=v2}\",ünïcödé, lead,2026-03-04 05:06:07.000\r\n" +
		",,,\r\n"
	if got != want {
		t.Errorf("CSV =\n%q\nwant\n%q", got, want)
	}
	// A standard RFC 4180 reader gets the values back (it reads both NULL
	// and "" as the empty string, and CRLF inside a quoted field as LF).
	recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[2][0] != `say "hi"` || recs[2][1] != "two\nlines" || recs[1][1] != "x,y" || recs[3][0] != "{key=value, k2=v2}" {
		t.Errorf("csv.Reader read %q", recs)
	}
}

func TestDeliver_SingleNullColumnKeepsRow(t *testing.T) {
	d := sampleDelivery("s3://results-bucket")
	d.Columns = []string{"errorCode"}
	d.Rows = rowsOf([]*string{nil}, []*string{str("AccessDenied")}, []*string{nil})
	store := newDirStore(t)
	keys, err := Deliver(context.Background(), store, newRSASigner(), d)
	if err != nil {
		t.Fatal(err)
	}
	got := string(gunzip(t, store.read(t, "results-bucket", keys[0])))
	if got != "errorCode\r\n\"\"\r\nAccessDenied\r\n\"\"\r\n" {
		t.Errorf("CSV = %q", got)
	}
	recs, _ := csv.NewReader(strings.NewReader(got)).ReadAll()
	if len(recs) != 4 {
		t.Errorf("csv.Reader sees %d records, want 4", len(recs))
	}
}

func TestDeliver_NoRows(t *testing.T) {
	d := sampleDelivery("s3://results-bucket")
	d.Rows = nil
	store, signer := newDirStore(t), newRSASigner()
	keys, err := Deliver(context.Background(), store, signer, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || path.Base(keys[0]) != "result_1.csv.gz" {
		t.Fatalf("keys %q", keys)
	}
	if got := string(gunzip(t, store.read(t, "results-bucket", keys[0]))); got != "eventName,n\r\n" {
		t.Errorf("CSV = %q", got)
	}
	if err := verifyLocal(store.path("results-bucket", path.Dir(keys[0])), signer.der); err != nil {
		t.Error(err)
	}
}

func TestDeliver_SplitsFiles(t *testing.T) {
	old := maxFileBytes
	maxFileBytes = 200
	t.Cleanup(func() { maxFileBytes = old })

	d := sampleDelivery("s3://results-bucket/p")
	d.Columns = []string{"eventID", "note"}
	header := "eventID,note\r\n"
	var want []string
	var rows [][]*string
	for i := range 40 {
		note := fmt.Sprintf("row %d", i)
		if i == 17 {
			note = strings.Repeat("x", 500) // bigger than the bound on its own
		}
		rows = append(rows, []*string{str(fmt.Sprintf("e-%03d", i)), str(note)})
		want = append(want, fmt.Sprintf("e-%03d,%s\r\n", i, note))
	}
	d.Rows = rowsOf(rows...)
	store, signer := newDirStore(t), newRSASigner()
	keys, err := Deliver(context.Background(), store, signer, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 5 {
		t.Fatalf("only %d objects: %q", len(keys), keys)
	}
	var got []string
	for i, key := range keys[:len(keys)-1] {
		if name := path.Base(key); name != fmt.Sprintf("result_%d.csv.gz", i+1) {
			t.Errorf("object %d is %s", i, name)
		}
		body := string(gunzip(t, store.read(t, "results-bucket", key)))
		rest, ok := strings.CutPrefix(body, header)
		if !ok {
			t.Errorf("%s does not start with the header: %.40q", key, body)
		}
		lines := strings.SplitAfter(rest, "\r\n")
		lines = lines[:len(lines)-1]
		if len(lines) == 0 {
			t.Errorf("%s has no rows", key)
		}
		if len(body) > maxFileBytes && len(lines) != 1 {
			t.Errorf("%s has %d bytes in %d rows, over the bound", key, len(body), len(lines))
		}
		got = append(got, lines...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows across files differ:\n%q\nwant\n%q", got, want)
	}
	if path.Base(keys[len(keys)-1]) != SignFileName {
		t.Errorf("last object %s", keys[len(keys)-1])
	}
	var sf SignFile
	json.Unmarshal(store.read(t, "results-bucket", keys[len(keys)-1]), &sf)
	if len(sf.Files) != len(keys)-1 {
		t.Errorf("sign file lists %d files, %d written", len(sf.Files), len(keys)-1)
	}
	if string(signer.data[0]) != SigningString(sf.Files) || strings.Count(string(signer.data[0]), " ") != len(sf.Files)-1 {
		t.Errorf("signed %q", signer.data[0])
	}
	if err := verifyLocal(store.path("results-bucket", path.Dir(keys[0])), signer.der); err != nil {
		t.Error(err)
	}
}

func TestDeliver_InvalidInput(t *testing.T) {
	for name, mutate := range map[string]func(*Delivery){
		"bad URI":        func(d *Delivery) { d.URI = "s3://UPPER/x" },
		"no account":     func(d *Delivery) { d.Account = "" },
		"slash in query": func(d *Delivery) { d.QueryID = "a/b" },
		"dotdot query":   func(d *Delivery) { d.QueryID = ".." },
		"no region":      func(d *Delivery) { d.Region = "" },
		"no time":        func(d *Delivery) { d.Completed = time.Time{} },
		"no columns":     func(d *Delivery) { d.Columns = nil; d.Rows = nil },
		"short row":      func(d *Delivery) { d.Rows = rowsOf(append(sampleRows(), []*string{str("x")})...) },
	} {
		d := sampleDelivery("s3://results-bucket")
		mutate(&d)
		store := newDirStore(t)
		keys, err := Deliver(context.Background(), store, newRSASigner(), d)
		if err == nil || len(keys) != 0 {
			t.Errorf("%s: keys %q, err %v; want an error and nothing written", name, keys, err)
		}
		if entries, _ := os.ReadDir(store.root); len(entries) != 0 {
			t.Errorf("%s: objects were written", name)
		}
	}
}

func TestDeliver_Failures(t *testing.T) {
	old := maxFileBytes
	maxFileBytes = 40
	t.Cleanup(func() { maxFileBytes = old })
	d := sampleDelivery("s3://results-bucket")
	rows := sampleRows()
	for range 5 {
		rows = append(rows, []*string{str("PutEventSelectors"), str("12")})
	}
	d.Rows = rowsOf(rows...)

	t.Run("store", func(t *testing.T) {
		store := newDirStore(t)
		store.failOn = "result_2.csv.gz"
		keys, err := Deliver(context.Background(), store, newRSASigner(), d)
		if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("err = %v", err)
		}
		if len(keys) != 1 || path.Base(keys[0]) != "result_1.csv.gz" {
			t.Errorf("keys written before the failure: %q", keys)
		}
		var signErr *SigningError
		if errors.As(err, &signErr) {
			t.Errorf("a result file failure is a SigningError")
		}
	})
	t.Run("sign file write", func(t *testing.T) {
		store := newDirStore(t)
		store.failOn = SignFileName
		keys, err := Deliver(context.Background(), store, newRSASigner(), d)
		var signErr *SigningError
		if !errors.As(err, &signErr) || !strings.Contains(err.Error(), "AccessDenied") {
			t.Fatalf("err = %v, want a SigningError carrying AccessDenied", err)
		}
		if len(keys) == 0 || path.Base(keys[len(keys)-1]) == SignFileName {
			t.Errorf("keys %q", keys)
		}
	})
	t.Run("signer", func(t *testing.T) {
		store, signer := newDirStore(t), newRSASigner()
		signer.err = errors.New("no key")
		keys, err := Deliver(context.Background(), store, signer, d)
		var signErr *SigningError
		if !errors.As(err, &signErr) || !strings.Contains(err.Error(), "no key") {
			t.Fatalf("err = %v, want a SigningError", err)
		}
		for _, k := range keys {
			if path.Base(k) == SignFileName {
				t.Errorf("sign file written despite the signing failure")
			}
		}
		if _, statErr := os.Stat(filepath.Join(store.path("results-bucket", path.Dir(keys[0])), SignFileName)); statErr == nil {
			t.Errorf("sign file exists")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		keys, err := Deliver(ctx, newDirStore(t), newRSASigner(), d)
		if !errors.Is(err, context.Canceled) || len(keys) != 0 {
			t.Errorf("keys %q, err %v", keys, err)
		}
	})
}

func TestDeliver_WithSigningKeyStore(t *testing.T) {
	keys := openKeys(t)
	store := newDirStore(t)
	written, err := Deliver(context.Background(), store, storeSigner{keys}, sampleDelivery("s3://results-bucket"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.SigningKey("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyLocal(store.path("results-bucket", path.Dir(written[0])), k.PublicDER); err != nil {
		t.Error(err)
	}
}
