package logcheck

import (
	"crypto/rsa"
	"crypto/x509"
)

func parseKey(der []byte) (*rsa.PublicKey, error) { return x509.ParsePKCS1PublicKey(der) }
