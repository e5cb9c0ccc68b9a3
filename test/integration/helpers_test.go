package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func nowUTC() time.Time { return time.Now().UTC() }
