package queryresults

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cairnhq/cairn/internal/signingkeys"
)

// dirStore is an ObjectStore writing <root>/<bucket>/<key>.
type dirStore struct {
	root string

	mu           sync.Mutex
	contentTypes map[string]string // bucket/key -> content type
	failOn       string            // key suffix whose write fails
}

func newDirStore(t *testing.T) *dirStore {
	return &dirStore{root: t.TempDir(), contentTypes: map[string]string{}}
}

func (s *dirStore) PutObject(_ context.Context, bucket, key string, body []byte, contentType string, _ map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failOn != "" && filepath.Base(key) == s.failOn {
		return errors.New("AccessDenied: injected failure")
	}
	p := filepath.Join(s.root, bucket, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	s.contentTypes[bucket+"/"+key] = contentType
	return os.WriteFile(p, body, 0o644)
}

func (s *dirStore) path(bucket, key string) string {
	return filepath.Join(s.root, bucket, filepath.FromSlash(key))
}

func (s *dirStore) read(t *testing.T, bucket, key string) []byte {
	t.Helper()
	b, err := os.ReadFile(s.path(bucket, key))
	if err != nil {
		t.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return b
}

// rsaSigner signs with one fixed RSA key and records what it was asked to
// sign.
type rsaSigner struct {
	key         *rsa.PrivateKey
	der         []byte // PKCS #1 public key
	fingerprint string

	mu      sync.Mutex
	regions []string
	data    [][]byte
	err     error
}

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func newRSASigner() *rsaSigner {
	k := testKey()
	der := x509.MarshalPKCS1PublicKey(&k.PublicKey)
	return &rsaSigner{key: k, der: der, fingerprint: signingkeys.Fingerprint(der)}
}

func (s *rsaSigner) Sign(region string, data []byte) ([]byte, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regions = append(s.regions, region)
	s.data = append(s.data, bytes.Clone(data))
	if s.err != nil {
		return nil, "", s.err
	}
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	return sig, s.fingerprint, err
}

// storeSigner adapts Cairn's key store to Signer, as the query service will.
type storeSigner struct{ keys *signingkeys.Store }

func (s storeSigner) Sign(region string, data []byte) ([]byte, string, error) {
	k, err := s.keys.SigningKey(region)
	if err != nil {
		return nil, "", err
	}
	sig, err := k.Sign(data)
	if err != nil {
		return nil, "", err
	}
	return sig, k.Fingerprint, nil
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func str(s string) *string { return &s }

// verifyLocal checks a delivered directory the way the user guide's custom
// validation steps describe (and the CLI does): every listed file's SHA-256
// of its stored (compressed) bytes equals its fileHashValue, and
// hashSignature is a SHA256withRSA signature of the hash values joined by
// single spaces under the public key whose fingerprint the sign file names.
func verifyLocal(dir string, publicDER []byte) error {
	raw, err := os.ReadFile(filepath.Join(dir, SignFileName))
	if err != nil {
		return err
	}
	var sf SignFile
	if err := json.Unmarshal(raw, &sf); err != nil {
		return fmt.Errorf("sign file: %w", err)
	}
	if len(sf.Files) == 0 {
		return errors.New("no files in sign file")
	}
	for _, f := range sf.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.FileName))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != f.FileHashValue {
			return fmt.Errorf("file %s: hash %s, sign file says %s", f.FileName, got, f.FileHashValue)
		}
	}
	if signingkeys.Fingerprint(publicDER) != sf.PublicKeyFingerprint {
		return fmt.Errorf("fingerprint %s does not name the key", sf.PublicKeyFingerprint)
	}
	sig, err := hex.DecodeString(sf.HashSignature)
	if err != nil {
		return fmt.Errorf("hashSignature: %w", err)
	}
	return signingkeys.Verify(publicDER, []byte(SigningString(sf.Files)), sig)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func openKeys(t *testing.T) *signingkeys.Store {
	t.Helper()
	s, err := signingkeys.Open(t.TempDir(), signingkeys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
