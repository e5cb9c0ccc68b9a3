package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Verify checks that a, parsed from r by ParseRequest, is a valid signature
// of r made with secret. payloadHash is the hash the client signed (see
// ClaimedPayloadHash and PayloadSHA256). now is the server's clock.
//
// Failures are *Error values: RequestTimeTooSkewed or RequestExpired when the
// signing time is unacceptable, InvalidSignature when the signature does not
// match.
func Verify(r *http.Request, a *Auth, secret, payloadHash string, now time.Time) error {
	if err := checkSigningTime(a, now.UTC()); err != nil {
		return err
	}
	provided, decodeErr := hex.DecodeString(a.Signature)
	signatureUsable := decodeErr == nil && len(provided) == sha256.Size

	key := signingKey(secret, a.ScopeDate, a.Region, a.Service)
	amzDate := a.Time.Format(amzDateLayout)
	scope := a.Scope()
	headers := canonicalHeaders(r, a.SignedHeaders)

	var firstCanonicalRequest, firstStringToSign string
	for _, uri := range canonicalURIs(r, a.Service) {
		for _, query := range canonicalQueries(r.URL.RawQuery, a.Presigned) {
			canonicalRequest := buildCanonicalRequest(r.Method, uri, query, headers, a.SignedHeaders, payloadHash)
			stringToSign := requestStringToSign(amzDate, scope, canonicalRequest)
			if signatureUsable && hmac.Equal(hmacSHA256(key, stringToSign), provided) {
				return nil
			}
			if firstCanonicalRequest == "" {
				firstCanonicalRequest, firstStringToSign = canonicalRequest, stringToSign
			}
		}
	}
	return &Error{
		Kind:              InvalidSignature,
		Message:           messageSignatureMismatch,
		Presigned:         a.Presigned,
		AccessKeyID:       a.AccessKeyID,
		SignatureProvided: a.Signature,
		StringToSign:      firstStringToSign,
		CanonicalRequest:  firstCanonicalRequest,
	}
}

func checkSigningTime(a *Auth, now time.Time) error {
	if a.Presigned {
		if a.Time.Sub(now) > MaxClockSkew {
			return &Error{Kind: RequestTimeTooSkewed, Presigned: true, Message: "Request is not valid yet: X-Amz-Date " +
				a.Time.Format(amzDateLayout) + " is more than 15 minutes after the server time " + now.Format(amzDateLayout) + "."}
		}
		if now.After(a.ExpiresAt()) {
			return &Error{Kind: RequestExpired, Presigned: true, Message: "Request has expired: it was valid until " +
				a.ExpiresAt().Format(amzDateLayout) + " and it is now " + now.Format(amzDateLayout) + "."}
		}
		return nil
	}
	switch {
	case now.Sub(a.Time) > MaxClockSkew:
		return &Error{Kind: RequestTimeTooSkewed, Message: "Signature expired: " + a.Time.Format(amzDateLayout) +
			" is now earlier than " + now.Add(-MaxClockSkew).Format(amzDateLayout) +
			" (" + now.Format(amzDateLayout) + " - 15 min.)"}
	case a.Time.Sub(now) > MaxClockSkew:
		return &Error{Kind: RequestTimeTooSkewed, Message: "Signature not yet current: " + a.Time.Format(amzDateLayout) +
			" is still later than " + now.Add(MaxClockSkew).Format(amzDateLayout) +
			" (" + now.Format(amzDateLayout) + " + 15 min.)"}
	}
	return nil
}

func requestStringToSign(amzDate, scope, canonicalRequest string) string {
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex([]byte(canonicalRequest))
}

func hmacSHA256(key []byte, data string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(data))
	return mac.Sum(nil)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// equalHexSignature compares a computed MAC with a client's hex signature in
// constant time.
func equalHexSignature(computed []byte, providedHex string) bool {
	provided, err := hex.DecodeString(providedHex)
	return err == nil && hmac.Equal(computed, provided)
}

type signingKeyID struct{ secret, date, region, service string }

// maxCachedSigningKeys bounds the cache; it is emptied when full, which
// only costs four HMACs per key on the next request.
const maxCachedSigningKeys = 1024

var signingKeyCache = struct {
	sync.RWMutex
	keys map[signingKeyID][]byte
}{keys: make(map[signingKeyID][]byte)}

func signingKey(secret, date, region, service string) []byte {
	id := signingKeyID{secret, date, region, service}
	signingKeyCache.RLock()
	key, ok := signingKeyCache.keys[id]
	signingKeyCache.RUnlock()
	if ok {
		return key
	}
	key = hmacSHA256([]byte("AWS4"+secret), date)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, scopeTerminator)
	signingKeyCache.Lock()
	if len(signingKeyCache.keys) >= maxCachedSigningKeys {
		clear(signingKeyCache.keys)
	}
	signingKeyCache.keys[id] = key
	signingKeyCache.Unlock()
	return key
}
