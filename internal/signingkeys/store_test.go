package signingkeys_test

import (
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/signingkeys"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func open(t *testing.T, dir string, period time.Duration, c *clock) *signingkeys.Store {
	t.Helper()
	s, err := signingkeys.Open(dir, signingkeys.Options{RotationPeriod: period, Now: c.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func signingKey(t *testing.T, s *signingkeys.Store, region string) *signingkeys.Key {
	t.Helper()
	k, err := s.SigningKey(region)
	if err != nil {
		t.Fatalf("SigningKey(%s): %v", region, err)
	}
	return k
}

func fingerprints(keys []signingkeys.PublicKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.Fingerprint)
	}
	return out
}

// filesIn lists a directory's file names, sorted.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}

// privateKeyOnDisk reads the private key behind fingerprint straight from its
// PEM file, without going through the package.
func privateKeyOnDisk(t *testing.T, dir, region, fingerprint string) *rsa.PrivateKey {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, region, "*-"+fingerprint+".pem"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("PEM file for %s: %v %v", fingerprint, paths, err)
	}
	raw, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		t.Fatalf("%s: not a PKCS#1 PEM file", paths[0])
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func TestSigningKey_CreateAndReuse(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	c := &clock{t: t0.Add(1500 * time.Millisecond)}
	s := open(t, dir, 0, c)

	k1 := signingKey(t, s, "us-east-1")
	if k1.Region != "us-east-1" {
		t.Errorf("Region = %q", k1.Region)
	}
	wantStart := t0.Add(time.Second)
	if !k1.ValidityStart.Equal(wantStart) || k1.ValidityStart.Location() != time.UTC {
		t.Errorf("ValidityStart = %v, want %v UTC", k1.ValidityStart, wantStart)
	}
	if want := wantStart.Add(30 * 24 * time.Hour); !k1.ValidityEnd.Equal(want) {
		t.Errorf("ValidityEnd = %v, want %v (default period)", k1.ValidityEnd, want)
	}

	c.Set(t0.Add(10 * 24 * time.Hour))
	if k2 := signingKey(t, s, "us-east-1"); k2 != k1 {
		t.Errorf("second call returned a different key %s, want %s", k2.Fingerprint, k1.Fingerprint)
	}
	other := signingKey(t, s, "eu-west-1")
	if other.Fingerprint == k1.Fingerprint {
		t.Error("two regions share a key")
	}

	base := "20260301T120001Z-" + k1.Fingerprint
	if got, want := filesIn(t, filepath.Join(dir, "us-east-1")), []string{base + ".json", base + ".pem"}; !slices.Equal(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
}

func TestOpen_RestartKeepsKeys(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "keys")
	c := &clock{t: t0}
	k1 := signingKey(t, open(t, dir, 0, c), "us-west-2")

	c.Set(t0.Add(time.Hour))
	s2 := open(t, dir, 0, c)
	k2 := signingKey(t, s2, "us-west-2")
	if k2.Fingerprint != k1.Fingerprint || !k2.ValidityStart.Equal(k1.ValidityStart) || !k2.ValidityEnd.Equal(k1.ValidityEnd) {
		t.Fatalf("after restart got %+v, want %+v", k2.PublicKey, k1.PublicKey)
	}
	if !slices.Equal(k2.PublicDER, k1.PublicDER) {
		t.Error("public key changed across restart")
	}
	sig, err := k2.Sign([]byte("digest"))
	if err != nil {
		t.Fatal(err)
	}
	if err := k1.Verify([]byte("digest"), sig); err != nil {
		t.Errorf("signature by reloaded key does not verify with original: %v", err)
	}

	checkMode(t, dir, 0o700)
	rdir := filepath.Join(dir, "us-west-2")
	checkMode(t, rdir, 0o700)
	for _, name := range filesIn(t, rdir) {
		checkMode(t, filepath.Join(rdir, name), 0o600)
	}
}

func TestSigningKey_Rotation(t *testing.T) {
	t.Parallel()
	const period = 24 * time.Hour
	dir := t.TempDir()
	c := &clock{t: t0}
	s := open(t, dir, period, c)
	k1 := signingKey(t, s, "us-east-1")

	c.Set(k1.ValidityEnd.Add(-time.Nanosecond))
	if k := signingKey(t, s, "us-east-1"); k != k1 {
		t.Fatal("key rotated before its validity ended")
	}

	c.Set(k1.ValidityEnd)
	k2 := signingKey(t, s, "us-east-1")
	if k2.Fingerprint == k1.Fingerprint {
		t.Fatal("key did not rotate when its validity ended")
	}
	if !k2.ValidityStart.Equal(k1.ValidityEnd) || !k2.ValidityEnd.Equal(k1.ValidityEnd.Add(period)) {
		t.Errorf("new key valid [%v, %v], want [%v, %v]", k2.ValidityStart, k2.ValidityEnd, k1.ValidityEnd, k1.ValidityEnd.Add(period))
	}

	// At the rotation instant both windows touch "now".
	got, err := s.List("us-east-1", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{k1.Fingerprint, k2.Fingerprint}; !slices.Equal(fingerprints(got), want) {
		t.Errorf("List(now) at rotation = %v, want %v", fingerprints(got), want)
	}

	c.Set(k1.ValidityEnd.Add(time.Second))
	got, err = s.List("us-east-1", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{k2.Fingerprint}; !slices.Equal(fingerprints(got), want) {
		t.Errorf("List(now) after rotation = %v, want %v", fingerprints(got), want)
	}
	got, err = s.List("us-east-1", t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{k1.Fingerprint}; !slices.Equal(fingerprints(got), want) {
		t.Errorf("List(old window) = %v, want %v", fingerprints(got), want)
	}
	if !slices.Equal(got[0].PublicDER, k1.PublicDER) || !got[0].ValidityEnd.Equal(k1.ValidityEnd) {
		t.Errorf("old key listed as %+v", got[0])
	}

	s2 := open(t, dir, period, c)
	if k := signingKey(t, s2, "us-east-1"); k.Fingerprint != k2.Fingerprint {
		t.Errorf("after restart the active key is %s, want %s", k.Fingerprint, k2.Fingerprint)
	}
	got, err = s2.List("us-east-1", t0, k2.ValidityEnd)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{k1.Fingerprint, k2.Fingerprint}; !slices.Equal(fingerprints(got), want) {
		t.Errorf("List after restart = %v, want %v", fingerprints(got), want)
	}
}

func TestSigningKey_RotationAfterDowntime(t *testing.T) {
	t.Parallel()
	const period = 24 * time.Hour
	c := &clock{t: t0}
	s := open(t, t.TempDir(), period, c)
	k1 := signingKey(t, s, "ap-south-1")

	now := t0.Add(100 * time.Hour)
	c.Set(now)
	k2 := signingKey(t, s, "ap-south-1")
	if !k2.ValidityStart.Equal(k1.ValidityEnd) || !k2.ValidityEnd.Equal(now.Add(period)) {
		t.Errorf("key after downtime valid [%v, %v], want [%v, %v]", k2.ValidityStart, k2.ValidityEnd, k1.ValidityEnd, now.Add(period))
	}
	inGap := k1.ValidityEnd.Add(time.Hour)
	got, err := s.List("ap-south-1", inGap, inGap)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{k2.Fingerprint}; !slices.Equal(fingerprints(got), want) {
		t.Errorf("List inside the downtime = %v, want %v", fingerprints(got), want)
	}
}

func TestSigningKey_ClockBackwards(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{t: t0}
	s := open(t, dir, time.Hour, c)
	k1 := signingKey(t, s, "us-east-1")
	c.Set(t0.Add(-24 * time.Hour))
	if k := signingKey(t, s, "us-east-1"); k != k1 {
		t.Error("a clock going back created a new key")
	}
	if n := len(filesIn(t, filepath.Join(dir, "us-east-1"))); n != 2 {
		t.Errorf("%d files, want 2", n)
	}
}

func TestList_Boundaries(t *testing.T) {
	t.Parallel()
	const p = 24 * time.Hour
	c := &clock{t: t0}
	s := open(t, t.TempDir(), p, c)
	k1 := signingKey(t, s, "us-east-1")
	c.Set(t0.Add(p))
	k2 := signingKey(t, s, "us-east-1")
	c.Set(t0.Add(p + time.Hour))
	a, b := k1.Fingerprint, k2.Fingerprint

	tests := []struct {
		name       string
		start, end time.Time
		want       []string
	}{
		{"before first key", t0.Add(-2 * time.Hour), t0.Add(-time.Second), nil},
		{"ends at first key's start", t0.Add(-time.Hour), t0, []string{a}},
		{"inside first key", t0.Add(time.Hour), t0.Add(2 * time.Hour), []string{a}},
		{"last second of first key", t0.Add(p - time.Second), t0.Add(p - time.Second), []string{a}},
		{"rotation instant", t0.Add(p), t0.Add(p), []string{a, b}},
		{"just after rotation", t0.Add(p + time.Second), t0.Add(p + 2*time.Second), []string{b}},
		{"spans both", t0.Add(-time.Hour), t0.Add(3 * p), []string{a, b}},
		{"starts at second key's end", t0.Add(2 * p), t0.Add(3 * p), []string{b}},
		{"after second key", t0.Add(2*p + time.Second), t0.Add(3 * p), nil},
		{"start omitted means now", time.Time{}, t0.Add(3 * p), []string{b}},
		{"end omitted means now", t0, time.Time{}, []string{a, b}},
		{"both omitted means now", time.Time{}, time.Time{}, []string{b}},
		{"validate-logs window (end+2h)", t0.Add(p - 3*time.Hour), t0.Add(p - time.Hour + 2*time.Hour), []string{a, b}},
	}
	for _, tt := range tests {
		got, err := s.List("us-east-1", tt.start, tt.end)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !slices.Equal(fingerprints(got), tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, fingerprints(got), tt.want)
		}
	}
}

func TestList_InvalidTimeRange(t *testing.T) {
	t.Parallel()
	c := &clock{t: t0}
	s := open(t, t.TempDir(), 0, c)
	if _, err := s.List("us-east-1", t0.Add(time.Second), t0); !errors.Is(err, signingkeys.ErrInvalidTimeRange) {
		t.Errorf("start after end: err = %v", err)
	}
	if _, err := s.List("us-east-1", t0.Add(time.Hour), time.Time{}); !errors.Is(err, signingkeys.ErrInvalidTimeRange) {
		t.Errorf("start after the default end (now): err = %v", err)
	}
	if _, err := s.List("us-east-1", time.Time{}, t0.Add(-time.Hour)); !errors.Is(err, signingkeys.ErrInvalidTimeRange) {
		t.Errorf("end before the default start (now): err = %v", err)
	}
}

func TestList_CreatesCurrentKey(t *testing.T) {
	t.Parallel()
	c := &clock{t: t0}
	s := open(t, t.TempDir(), 0, c)
	got, err := s.List("sa-east-1", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	k := signingKey(t, s, "sa-east-1")
	if want := []string{k.Fingerprint}; !slices.Equal(fingerprints(got), want) {
		t.Errorf("List on a fresh region = %v, want the active key %v", fingerprints(got), want)
	}
	got[0].PublicDER[0] ^= 0xff
	if k.PublicDER[0] == got[0].PublicDER[0] {
		t.Error("List shares PublicDER with the store")
	}
}

func TestSigningKey_ConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{t: t0}
	s := open(t, dir, 0, c)

	const n = 16
	keys := make([]*signingkeys.Key, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				keys[i], errs[i] = s.SigningKey("us-east-2")
			} else {
				var l []signingkeys.PublicKey
				l, errs[i] = s.List("us-east-2", time.Time{}, time.Time{})
				if len(l) == 1 {
					keys[i] = &signingkeys.Key{PublicKey: l[0]}
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if keys[i] == nil || keys[i].Fingerprint != keys[0].Fingerprint {
			t.Fatalf("goroutine %d got a different key", i)
		}
	}
	if got := filesIn(t, filepath.Join(dir, "us-east-2")); len(got) != 2 {
		t.Errorf("files on disk = %v, want one key (.pem and .json)", got)
	}
}

func TestSignVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{t: t0}
	s := open(t, dir, 0, c)
	k := signingKey(t, s, "us-east-1")
	other := signingKey(t, s, "us-west-1")

	msg := []byte("2026-03-01T13:00:00Z\nbucket/key.json.gz\n" + strings.Repeat("ab", 32) + "\nnull")
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != 256 {
		t.Errorf("signature is %d bytes, want 256", len(sig))
	}
	if err := signingkeys.Verify(k.PublicDER, msg, sig); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := k.Verify(msg, sig); err != nil {
		t.Errorf("PublicKey.Verify: %v", err)
	}

	// Independently: RSASSA-PKCS1-v1_5 over SHA-256 with the key read from disk.
	priv := privateKeyOnDisk(t, dir, "us-east-1", k.Fingerprint)
	sum := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("independent verification: %v", err)
	}

	if err := k.Verify(append(slices.Clone(msg), '!'), sig); err == nil {
		t.Error("tampered message verified")
	}
	bad := slices.Clone(sig)
	bad[10] ^= 1
	if err := k.Verify(msg, bad); err == nil {
		t.Error("tampered signature verified")
	}
	if err := other.Verify(msg, sig); err == nil {
		t.Error("another region's key verified the signature")
	}
	if err := signingkeys.Verify([]byte("not DER"), msg, sig); err == nil {
		t.Error("garbage public key accepted")
	}
}

func TestFingerprint_MatchesValidateLogsAlgorithm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{t: t0}
	s := open(t, dir, 0, c)
	k := signingKey(t, s, "eu-central-1")

	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(k.Fingerprint) {
		t.Errorf("fingerprint %q is not 32 lowercase hex characters", k.Fingerprint)
	}

	// The reference: Value is DER PKCS#1 RSAPublicKey and the fingerprint is
	// MD5 of those bytes. Rebuild both from the private key on disk.
	priv := privateKeyOnDisk(t, dir, "eu-central-1", k.Fingerprint)
	if priv.N.BitLen() != 2048 {
		t.Errorf("key is %d bits, want 2048", priv.N.BitLen())
	}
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	if !slices.Equal(k.PublicDER, der) {
		t.Fatal("PublicDER is not the PKCS#1 DER of the stored key")
	}
	sum := md5.Sum(der)
	if want := hex.EncodeToString(sum[:]); k.Fingerprint != want {
		t.Errorf("fingerprint %s, want MD5(PKCS#1 DER) %s", k.Fingerprint, want)
	}
	if signingkeys.Fingerprint(der) != k.Fingerprint {
		t.Error("Fingerprint() disagrees with the key")
	}

	if b64 := base64.StdEncoding.EncodeToString(k.PublicDER); !strings.HasPrefix(b64, "MIIBCgKCAQEA") {
		t.Errorf("Value on the wire starts %q, want the RSA-2048 PKCS#1 prefix MIIBCgKCAQEA", b64[:12])
	}
	if _, err := x509.ParsePKIXPublicKey(k.PublicDER); err == nil {
		t.Error("PublicDER parses as SubjectPublicKeyInfo; python-rsa needs PKCS#1")
	}

	paths, _ := filepath.Glob(filepath.Join(dir, "eu-central-1", "*.json"))
	if len(paths) != 1 {
		t.Fatalf("metadata files: %v", paths)
	}
	raw, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	var meta struct{ Fingerprint string }
	if err := json.Unmarshal(raw, &meta); err != nil || meta.Fingerprint != k.Fingerprint {
		t.Errorf("metadata fingerprint %q (%v), want %s", meta.Fingerprint, err, k.Fingerprint)
	}
}

func TestOpen_IgnoresCrashLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{t: t0}
	k := signingKey(t, open(t, dir, 0, c), "us-east-1")
	rdir := filepath.Join(dir, "us-east-1")

	tmp := filepath.Join(rdir, ".tmp-20260301T130000Z-x.json-123")
	orphan := filepath.Join(rdir, "20260301T130000Z-0123456789abcdef0123456789abcdef.pem")
	for _, p := range []string{tmp, orphan} {
		if err := os.WriteFile(p, []byte("-----BEGIN RSA PRIV"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	s := open(t, dir, 0, c)
	if got := signingKey(t, s, "us-east-1"); got.Fingerprint != k.Fingerprint {
		t.Errorf("active key %s, want %s", got.Fingerprint, k.Fingerprint)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file still present: %v", err)
	}
	got, err := s.List("us-east-1", t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || len(got) != 1 {
		t.Errorf("List = %v, %v; want only the committed key", fingerprints(got), err)
	}
}

func TestOpen_CorruptKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		damage func(t *testing.T, pemPath, jsonPath string)
		path   func(pemPath, jsonPath string) string
	}{
		{
			name: "garbage private key",
			damage: func(t *testing.T, pemPath, _ string) {
				writeFile(t, pemPath, "not a key\n")
			},
			path: func(p, _ string) string { return p },
		},
		{
			name: "truncated PEM body",
			damage: func(t *testing.T, pemPath, _ string) {
				raw, _ := os.ReadFile(pemPath)
				block, _ := pem.Decode(raw)
				block.Bytes = block.Bytes[:100]
				writeFile(t, pemPath, string(pem.EncodeToMemory(block)))
			},
			path: func(p, _ string) string { return p },
		},
		{
			name:   "missing private key",
			damage: func(t *testing.T, pemPath, _ string) { os.Remove(pemPath) },
			path:   func(p, _ string) string { return p },
		},
		{
			name: "truncated metadata",
			damage: func(t *testing.T, _, jsonPath string) {
				raw, _ := os.ReadFile(jsonPath)
				writeFile(t, jsonPath, string(raw[:len(raw)/2]))
			},
			path: func(_, j string) string { return j },
		},
		{
			name: "fingerprint mismatch",
			damage: func(t *testing.T, _, jsonPath string) {
				raw, _ := os.ReadFile(jsonPath)
				var m map[string]any
				json.Unmarshal(raw, &m)
				m["fingerprint"] = "00000000000000000000000000000000"
				out, _ := json.Marshal(m)
				writeFile(t, jsonPath, string(out))
			},
			path: func(p, _ string) string { return p },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c := &clock{t: t0}
			k := signingKey(t, open(t, dir, 0, c), "us-east-1")
			base := filepath.Join(dir, "us-east-1", "20260301T120000Z-"+k.Fingerprint)
			pemPath, jsonPath := base+".pem", base+".json"
			tt.damage(t, pemPath, jsonPath)

			_, err := signingkeys.Open(dir, signingkeys.Options{Now: c.Now})
			if !errors.Is(err, signingkeys.ErrCorruptKey) {
				t.Fatalf("Open: err = %v, want ErrCorruptKey", err)
			}
			if want := tt.path(pemPath, jsonPath); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		})
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_InvalidOptions(t *testing.T) {
	t.Parallel()
	for _, p := range []time.Duration{-time.Hour, 500 * time.Millisecond} {
		if _, err := signingkeys.Open(t.TempDir(), signingkeys.Options{RotationPeriod: p}); err == nil {
			t.Errorf("RotationPeriod %v accepted", p)
		}
	}
}

func TestInvalidRegion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := open(t, dir, 0, &clock{t: t0})
	for _, r := range []string{"", "..", "../us-east-1", "us/east", "US-EAST-1", "-x", "us_east_1"} {
		if _, err := s.SigningKey(r); !errors.Is(err, signingkeys.ErrInvalidRegion) {
			t.Errorf("SigningKey(%q): err = %v", r, err)
		}
		if _, err := s.List(r, time.Time{}, time.Time{}); !errors.Is(err, signingkeys.ErrInvalidRegion) {
			t.Errorf("List(%q): err = %v", r, err)
		}
	}
	if got := filesIn(t, dir); len(got) != 0 {
		t.Errorf("files created for invalid regions: %v", got)
	}
}
