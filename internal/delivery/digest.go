package delivery

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/trails"
)

// digestFile is a digest's JSON, members in the order AWS writes them.
type digestFile struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []digestLogFile `json:"logFiles"`
}

type digestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// digestRegions are the source Regions a trail writes digest chains for.
func (m *Manager) digestRegions(t trails.DeliveryTrail) []string {
	if !t.MultiRegion {
		return []string{t.HomeRegion}
	}
	regions := slices.Clone(m.o.Regions)
	if !slices.Contains(regions, t.HomeRegion) {
		regions = append(regions, t.HomeRegion)
	}
	return regions
}

// openChains starts a digest chain for every Region of a trail that logs
// with validation on.
func (m *Manager) openChains(ctx context.Context, t trails.DeliveryTrail, st *trailState, now time.Time) error {
	if !t.Logging || !t.LogFileValidation {
		return nil
	}
	changed := false
	for _, r := range m.digestRegions(t) {
		if c := st.Chains[r]; c == nil || !c.Open {
			if st.Chains == nil {
				st.Chains = map[string]*chain{}
			}
			st.Chains[r] = &chain{Open: true, Start: now.UTC().Truncate(time.Second)}
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return m.save(ctx, t.ARN, st)
}

// deliverDigests writes the digests whose period has ended.
func (m *Manager) deliverDigests(ctx context.Context, t trails.DeliveryTrail, st *trailState, now time.Time) error {
	if in := st.DigestIntent; in != nil {
		if in.Bucket != t.Bucket {
			st.DigestIntent = nil
		} else if err := m.writeDigest(ctx, t.ARN, st, now); err != nil {
			return err
		}
	}
	want := t.Logging && t.LogFileValidation
	wanted := m.digestRegions(t)
	regions := make([]string, 0, len(st.Chains))
	for r := range st.Chains {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	for _, r := range regions {
		c := st.Chains[r]
		if !c.Open || now.Sub(c.Start) < m.o.DigestInterval {
			continue
		}
		in, err := m.buildDigest(t, r, c, now, !want || !slices.Contains(wanted, r))
		if err != nil {
			return err
		}
		st.DigestIntent = in
		if err := m.save(ctx, t.ARN, st); err != nil {
			return err
		}
		if err := m.writeDigest(ctx, t.ARN, st, now); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) buildDigest(t trails.DeliveryTrail, region string, c *chain, now time.Time, closeChain bool) (*digestIntent, error) {
	key, err := m.o.Keys.SigningKey(region)
	if err != nil {
		return nil, err
	}
	s := snapshotOf(t)
	end := now.UTC().Truncate(time.Second)
	d := digestFile{
		AWSAccountID:               t.Account,
		DigestStartTime:            c.Start.UTC().Format(isoFormat),
		DigestEndTime:              end.Format(isoFormat),
		DigestS3Bucket:             t.Bucket,
		DigestS3Object:             digestKey(&s, region, end),
		DigestPublicKeyFingerprint: key.Fingerprint,
		DigestSignatureAlgorithm:   signingkeys.SignatureAlgorithm,
		LogFiles:                   []digestLogFile{},
	}
	var newest, oldest time.Time
	for _, f := range c.Pending {
		d.LogFiles = append(d.LogFiles, digestLogFile{
			S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.Hash, HashAlgorithm: "SHA-256",
			NewestEventTime: f.Newest.UTC().Format(isoFormat), OldestEventTime: f.Oldest.UTC().Format(isoFormat),
		})
		if newest.IsZero() || f.Newest.After(newest) {
			newest = f.Newest
		}
		if oldest.IsZero() || f.Oldest.Before(oldest) {
			oldest = f.Oldest
		}
	}
	if len(c.Pending) > 0 {
		d.NewestEventTime = ptr(newest.UTC().Format(isoFormat))
		d.OldestEventTime = ptr(oldest.UTC().Format(isoFormat))
	}
	if p := c.Prev; p != nil {
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = ptr(p.Bucket), ptr(p.Key)
		d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm = ptr(p.Hash), ptr("SHA-256")
		d.PreviousDigestSignature = ptr(p.Signature)
	}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	prevSig := "null"
	if c.Prev != nil {
		prevSig = c.Prev.Signature
	}
	toSign := d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + hex.EncodeToString(sum[:]) + "\n" + prevSig
	sig, err := key.Sign([]byte(toSign))
	if err != nil {
		return nil, err
	}
	return &digestIntent{
		Region: region, End: end, Bucket: d.DigestS3Bucket, Key: d.DigestS3Object,
		Body: body, Signature: hex.EncodeToString(sig), Pending: len(c.Pending), Close: closeChain,
	}, nil
}

// writeDigest writes st.DigestIntent and commits it to its chain.
func (m *Manager) writeDigest(ctx context.Context, arn string, st *trailState, now time.Time) error {
	in := st.DigestIntent
	gz, err := gzipBytes(in.Body)
	if err != nil {
		return err
	}
	meta := map[string]string{"signature": in.Signature, "signature-algorithm": signingkeys.SignatureAlgorithm}
	if err := m.o.Objects.PutObject(ctx, in.Bucket, in.Key, gz, logContentType, meta); err != nil {
		st.LatestDigestDeliveryError = errorCode(err)
		if serr := m.save(ctx, arn, st); serr != nil {
			return serr
		}
		return fmt.Errorf("delivering digest %s: %w", in.Key, err)
	}
	sum := sha256.Sum256(in.Body)
	return m.o.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := loadState(tx, arn)
		if err != nil || cur == nil {
			return err
		}
		if c := cur.Chains[in.Region]; c != nil {
			c.Prev = &digestRef{Bucket: in.Bucket, Key: in.Key, Hash: hex.EncodeToString(sum[:]), Signature: in.Signature}
			c.Start = in.End
			c.Pending = slices.Clone(c.Pending[min(in.Pending, len(c.Pending)):])
			if in.Close {
				c.Open, c.Prev, c.Pending = false, nil, nil
			}
		}
		cur.DigestIntent = nil
		cur.LatestDigestDeliveryTime = now.UTC()
		cur.LatestDigestDeliveryError = ""
		*st = *cur
		return saveState(tx, arn, cur)
	})
}

// gzipBytes compresses b into one gzip member.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func ptr[T any](v T) *T { return &v }
