package auth

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/sigv4"
)

// Directory knows the principals behind access keys.
type Directory interface {
	// Lookup returns the principal and secret of a known access key.
	Lookup(accessKeyID string) (identity.Principal, string, bool)
	// Resolve returns the principal an access key stands for in open mode.
	Resolve(accessKeyID string) identity.Principal
}

// Mode is open or sigv4.
type Mode string

// Modes.
const (
	Open  Mode = "open"
	SigV4 Mode = "sigv4"
)

// Authenticator implements gateway.Authenticator.
type Authenticator struct {
	Mode          Mode
	Directory     Directory
	DefaultRegion string
	Now           func() time.Time
}

var _ gateway.Authenticator = (*Authenticator)(nil)

// Error is an authentication failure, carrying both the JSON protocols' code
// and S3's.
type Error struct {
	sig *sigv4.Error
}

func (e *Error) Error() string        { return e.sig.Error() }
func (e *Error) ErrorCode() string    { return e.sig.JSONCode() }
func (e *Error) HTTPStatus() int      { return e.sig.HTTPStatus() }
func (e *Error) ErrorMessage() string { return e.sig.Message }

// S3Code is the code S3 answers with.
func (e *Error) S3Code() string { return e.sig.S3Code() }

// S3Message is the message S3 answers with.
func (e *Error) S3Message() string { return e.sig.S3Message() }

var _ api.Error = (*Error)(nil)

func wrap(err error) error {
	var sig *sigv4.Error
	if errors.As(err, &sig) {
		return &Error{sig: sig}
	}
	return err
}

// Authenticate identifies the caller of r. For S3 requests (payloadHash nil)
// it also replaces r.Body with a reader that strips aws-chunked framing and,
// in sigv4 mode, verifies the payload against what was signed.
func (a *Authenticator) Authenticate(r *http.Request, payloadHash func() string) (gateway.Identity, error) {
	parsed, err := sigv4.ParseRequest(r)
	if err != nil {
		if a.Mode == Open {
			// Unsigned or malformed: open mode serves the default identity.
			return a.anonymous(), nil
		}
		return gateway.Identity{}, wrap(err)
	}
	id := gateway.Identity{Region: parsed.Region, Service: parsed.Service}
	if a.Mode == Open {
		id.Principal = a.Directory.Resolve(parsed.AccessKeyID)
		id.Principal.AccessKeyID = parsed.AccessKeyID
		return id, nil
	}
	principal, secret, ok := a.Directory.Lookup(parsed.AccessKeyID)
	if !ok {
		return gateway.Identity{}, wrap(sigv4.UnknownAccessKey(parsed.AccessKeyID))
	}
	var hash string
	if payloadHash != nil {
		hash = payloadHash()
	} else {
		hash = sigv4.ClaimedPayloadHash(r, parsed)
	}
	if err := sigv4.Verify(r, parsed, secret, hash, a.now()); err != nil {
		return gateway.Identity{}, wrap(err)
	}
	if payloadHash == nil {
		reader, err := sigv4.NewPayloadReader(r, parsed, secret)
		if err != nil {
			return gateway.Identity{}, wrap(err)
		}
		if err := unwrapChunked(r, reader); err != nil {
			return gateway.Identity{}, wrap(err)
		}
	}
	id.Principal = principal
	id.Principal.AccessKeyID = parsed.AccessKeyID
	return id, nil
}

func (a *Authenticator) anonymous() gateway.Identity {
	p := a.Directory.Resolve("")
	return gateway.Identity{Principal: p, Region: a.DefaultRegion}
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// unwrapChunked gives an S3 request, whose signature has been verified, a
// body that checks the payload against what was signed: for aws-chunked
// uploads every chunk signature, otherwise the signed SHA-256. The S3
// handler recognises the verified aws-chunked body by its Trailers method
// and does not decode it again.
func unwrapChunked(r *http.Request, verified *sigv4.PayloadReader) error {
	r.Body = verifiedBody{PayloadReader: verified, underlying: r.Body}
	return nil
}

type verifiedBody struct {
	*sigv4.PayloadReader
	underlying io.Closer
}

func (b verifiedBody) Close() error { return b.underlying.Close() }
