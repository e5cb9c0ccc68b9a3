package signingkeys

import (
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"
)

// KeyBits is the size of the RSA keys the Store generates.
const KeyBits = 2048

// SignatureAlgorithm is the name digest files give the signature scheme
// (digestSignatureAlgorithm and the signature-algorithm object metadata).
const SignatureAlgorithm = "SHA256withRSA"

// PublicKey is one entry of a ListPublicKeys response.
type PublicKey struct {
	Region        string
	Fingerprint   string    // 32 lowercase hex characters
	ValidityStart time.Time // UTC, whole seconds
	ValidityEnd   time.Time // UTC, whole seconds
	PublicDER     []byte    // DER PKCS#1 RSAPublicKey; the API's Value
}

// Verify checks an SHA256withRSA signature made by this key's private half.
func (p PublicKey) Verify(data, sig []byte) error {
	return Verify(p.PublicDER, data, sig)
}

// Key is a signing key pair. Values returned by a Store are shared and must
// not be modified.
type Key struct {
	PublicKey
	private *rsa.PrivateKey
}

// Sign returns the SHA256withRSA (RSASSA-PKCS1-v1_5 with SHA-256) signature
// of data.
func (k *Key) Sign(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.private, crypto.SHA256, sum[:])
	if err != nil {
		return nil, fmt.Errorf("signingkeys: sign with %s: %w", k.Fingerprint, err)
	}
	return sig, nil
}

// Fingerprint returns the fingerprint of a DER PKCS#1 RSAPublicKey: the
// lowercase hex MD5 of those bytes.
func Fingerprint(publicDER []byte) string {
	sum := md5.Sum(publicDER)
	return hex.EncodeToString(sum[:])
}

// Verify checks an SHA256withRSA signature of data against a DER PKCS#1
// RSAPublicKey, as `aws cloudtrail validate-logs` does.
func Verify(publicDER, data, sig []byte) error {
	pub, err := x509.ParsePKCS1PublicKey(publicDER)
	if err != nil {
		return fmt.Errorf("signingkeys: parse public key: %w", err)
	}
	sum := sha256.Sum256(data)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("signingkeys: %w", err)
	}
	return nil
}

func newKey(region string, priv *rsa.PrivateKey, start, end time.Time) *Key {
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	return &Key{
		PublicKey: PublicKey{
			Region:        region,
			Fingerprint:   Fingerprint(der),
			ValidityStart: start,
			ValidityEnd:   end,
			PublicDER:     der,
		},
		private: priv,
	}
}
