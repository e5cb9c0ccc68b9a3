package logcheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"time"

	"github.com/cairnhq/cairn/internal/signingkeys"
)

// ErrNotFound is returned by Objects.Get for a missing object.
var ErrNotFound = errors.New("logcheck: object not found")

// Objects reads the bucket holding the files.
type Objects interface {
	// List returns every key under prefix, in any order.
	List(ctx context.Context, bucket, prefix string) ([]string, error)
	// Get returns an object's bytes and user metadata, or ErrNotFound.
	Get(ctx context.Context, bucket, key string) ([]byte, map[string]string, error)
}

// PublicKey is a digest signing key as ListPublicKeys reports it.
type PublicKey struct {
	Fingerprint string
	DER         []byte // PKCS#1 RSAPublicKey
}

// Keys lists the public keys valid in a period.
type Keys interface {
	PublicKeys(ctx context.Context, start, end time.Time) ([]PublicKey, error)
}

// Trail identifies the trail whose files are checked.
type Trail struct {
	Account    string
	Name       string
	HomeRegion string
	Bucket     string
	KeyPrefix  string
}

// Item is the verdict on one file.
type Item struct {
	Kind   string // "Digest file" or "Log file"
	Bucket string
	Key    string
	Valid  bool
	Reason string // why it is invalid
}

func (i Item) String() string {
	if i.Valid {
		return i.Kind + "\ts3://" + i.Bucket + "/" + i.Key + "\tvalid"
	}
	return i.Kind + "\ts3://" + i.Bucket + "/" + i.Key + "\tINVALID: " + i.Reason
}

// Report is the outcome of a validation.
type Report struct {
	Items []Item
	// Gaps are periods with no digest in the chain.
	Gaps []string
	// FoundStart and FoundEnd bound the digests found.
	FoundStart, FoundEnd time.Time
}

// Counts returns valid and total digest and log files.
func (r *Report) Counts() (digestValid, digests, logValid, logs int) {
	for _, it := range r.Items {
		switch it.Kind {
		case "Digest file":
			digests++
			if it.Valid {
				digestValid++
			}
		default:
			logs++
			if it.Valid {
				logValid++
			}
		}
	}
	return
}

// OK reports whether every file checked is valid.
func (r *Report) OK() bool {
	for _, it := range r.Items {
		if !it.Valid {
			return false
		}
	}
	return true
}

const stampFormat = "20060102T150405Z"

// digestDoc is the part of a digest the check reads.
type digestDoc struct {
	DigestStartTime            *string `json:"digestStartTime"`
	DigestEndTime              *string `json:"digestEndTime"`
	DigestS3Bucket             *string `json:"digestS3Bucket"`
	DigestS3Object             *string `json:"digestS3Object"`
	DigestPublicKeyFingerprint *string `json:"digestPublicKeyFingerprint"`
	PreviousDigestS3Bucket     *string `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object     *string `json:"previousDigestS3Object"`
	PreviousDigestSignature    *string `json:"previousDigestSignature"`
	LogFiles                   []struct {
		S3Bucket  string `json:"s3Bucket"`
		S3Object  string `json:"s3Object"`
		HashValue string `json:"hashValue"`
	} `json:"logFiles"`
}

// Validate checks the files of trail t for [start, end] in sourceRegion.
func Validate(ctx context.Context, objects Objects, keys Keys, t Trail, sourceRegion string, start, end time.Time) (*Report, error) {
	start, end = start.UTC(), end.UTC()
	if start.After(end) {
		return nil, errors.New("Invalid time range specified: start-time must occur before end-time")
	}
	pubKeys, err := keys.PublicKeys(ctx, start, end.Add(2*time.Hour))
	if err != nil {
		return nil, err
	}
	if len(pubKeys) == 0 {
		return nil, fmt.Errorf("No public keys found between %s and %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	byFingerprint := map[string][]byte{}
	for _, k := range pubKeys {
		byFingerprint[k.Fingerprint] = k.DER
	}
	prefix := ""
	if t.KeyPrefix != "" {
		prefix = t.KeyPrefix + "/"
	}
	listPrefix := prefix + "AWSLogs/" + t.Account + "/CloudTrail-Digest/" + sourceRegion
	pattern := regexp.MustCompile("^" + regexp.QuoteMeta(listPrefix+"/") + `\d+/\d+/\d+/` +
		regexp.QuoteMeta(t.Account+"_CloudTrail-Digest_"+sourceRegion+"_"+t.Name+"_"+t.HomeRegion+"_") + `.+\.json\.gz$`)
	all, err := objects.List(ctx, t.Bucket, listPrefix)
	if err != nil {
		return nil, err
	}
	sort.Strings(all)
	lo, hi := start.Format(stampFormat), end.Add(time.Hour).Format(stampFormat)
	var listed []string
	for _, k := range all {
		if !pattern.MatchString(k) || len(k) < 24 {
			continue
		}
		stamp := k[len(k)-24 : len(k)-8]
		if stamp > hi {
			break
		}
		if stamp >= lo {
			listed = append(listed, k)
		}
	}
	rep := &Report{}
	if len(listed) == 0 {
		return rep, nil
	}
	pop := func(before string) string {
		for len(listed) > 0 {
			k := listed[len(listed)-1]
			listed = listed[:len(listed)-1]
			if before == "" || k[len(k)-24:len(k)-8] < before[len(before)-24:len(before)-8] {
				return k
			}
		}
		return ""
	}
	bucket := t.Bucket
	key := pop("")
	lastStart := end
	for key != "" && !start.After(lastStart) {
		d, reason, err := checkDigest(ctx, objects, byFingerprint, t.HomeRegion, bucket, key)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			rep.Items = append(rep.Items, Item{Kind: "Digest file", Bucket: bucket, Key: key, Reason: reason})
			key = pop(key)
			continue
		}
		rep.Items = append(rep.Items, Item{Kind: "Digest file", Bucket: bucket, Key: key, Valid: true})
		digestStart, _ := time.Parse(time.RFC3339, *d.DigestStartTime)
		digestEnd, _ := time.Parse(time.RFC3339, *d.DigestEndTime)
		lastStart = digestStart
		if rep.FoundEnd.IsZero() || digestEnd.After(rep.FoundEnd) {
			rep.FoundEnd = digestEnd
		}
		if s := maxTime(digestStart, start); rep.FoundStart.IsZero() || s.Before(rep.FoundStart) {
			rep.FoundStart = s
		}
		for _, lf := range d.LogFiles {
			rep.Items = append(rep.Items, checkLog(ctx, objects, lf.S3Bucket, lf.S3Object, lf.HashValue))
		}
		if d.PreviousDigestS3Bucket == nil || d.PreviousDigestS3Object == nil {
			next := pop(key)
			if next != "" {
				nextEnd, _ := time.Parse(stampFormat, next[len(next)-24:len(next)-8])
				rep.Gaps = append(rep.Gaps, fmt.Sprintf("No log files were delivered by CloudTrail between %s and %s",
					nextEnd.Format(time.RFC3339), digestStart.Format(time.RFC3339)))
			}
			key = next
			continue
		}
		key = *d.PreviousDigestS3Object
		if *d.PreviousDigestS3Bucket != bucket {
			return nil, fmt.Errorf("digest chain continues in another bucket (%s), which Cairn's validator does not follow", *d.PreviousDigestS3Bucket)
		}
	}
	return rep, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// checkDigest returns the digest, or why it is invalid. Errors other than
// a missing object abort the validation.
func checkDigest(ctx context.Context, objects Objects, keys map[string][]byte, homeRegion, bucket, key string) (*digestDoc, string, error) {
	body, meta, err := objects.Get(ctx, bucket, key)
	if errors.Is(err, ErrNotFound) {
		return nil, "not found", nil
	}
	if err != nil {
		return nil, "", err
	}
	raw, err := gunzip(body)
	if err != nil {
		return nil, "invalid format", nil
	}
	var d digestDoc
	if err := json.Unmarshal(raw, &d); err != nil || d.DigestPublicKeyFingerprint == nil || d.DigestS3Bucket == nil ||
		d.DigestS3Object == nil || d.DigestEndTime == nil || d.DigestStartTime == nil || !hasKey(raw, "previousDigestSignature") {
		return nil, "invalid format", nil
	}
	if *d.DigestS3Bucket != bucket || *d.DigestS3Object != key {
		return nil, "has been moved from its original location", nil
	}
	der, ok := keys[*d.DigestPublicKeyFingerprint]
	if !ok {
		return nil, "public key not found in region " + homeRegion + " for fingerprint " + *d.DigestPublicKeyFingerprint, nil
	}
	sigHex, algo := meta["signature"], meta["signature-algorithm"]
	sig, err := hex.DecodeString(sigHex)
	if sigHex == "" || algo == "" || err != nil {
		return nil, "signature verification failed", nil
	}
	sum := sha256.Sum256(raw)
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	toSign := *d.DigestEndTime + "\n" + bucket + "/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev
	if err := signingkeys.Verify(der, []byte(toSign), sig); err != nil {
		if _, perr := x509.ParsePKCS1PublicKey(der); perr != nil {
			return nil, "Unable to load PKCS #1 key with fingerprint " + *d.DigestPublicKeyFingerprint, nil
		}
		return nil, "signature verification failed", nil
	}
	if _, err := time.Parse(time.RFC3339, *d.DigestStartTime); err != nil {
		return nil, "invalid format", nil
	}
	if _, err := time.Parse(time.RFC3339, *d.DigestEndTime); err != nil {
		return nil, "invalid format", nil
	}
	return &d, "", nil
}

func hasKey(raw []byte, name string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	_, ok := m[name]
	return ok
}

func checkLog(ctx context.Context, objects Objects, bucket, key, hash string) Item {
	it := Item{Kind: "Log file", Bucket: bucket, Key: key}
	body, _, err := objects.Get(ctx, bucket, key)
	switch {
	case errors.Is(err, ErrNotFound):
		it.Reason = "not found"
	case err != nil:
		it.Reason = err.Error()
	default:
		raw, err := gunzip(body)
		if err != nil {
			it.Reason = "invalid format"
			break
		}
		sum := sha256.Sum256(raw)
		if hex.EncodeToString(sum[:]) != hash {
			it.Reason = "hash value doesn't match"
			break
		}
		it.Valid = true
	}
	return it
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	r.Multistream(false)
	return io.ReadAll(r)
}
