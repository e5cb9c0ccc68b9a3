package sigv4

import (
	"fmt"
	"net/http"
)

// Kind classifies an authentication failure independently of the wire
// protocol that reports it.
type Kind int

const (
	// MissingAuthentication: the request carries no signature at all.
	MissingAuthentication Kind = iota + 1
	// IncompleteSignature: a signature is present but malformed or missing
	// parts (bad Authorization header, bad credential scope, host unsigned,
	// no date, unsupported algorithm, ...).
	IncompleteSignature
	// InvalidSignature: the signature (or an aws-chunked chunk signature)
	// does not match the one computed from the request.
	InvalidSignature
	// RequestTimeTooSkewed: the signing time is more than MaxClockSkew away
	// from the server's clock.
	RequestTimeTooSkewed
	// RequestExpired: a presigned URL used after X-Amz-Date + X-Amz-Expires.
	RequestExpired
	// UnrecognizedClient: the access key is unknown. The verifier never
	// produces it; the caller does, with UnknownAccessKey.
	UnrecognizedClient
	// ContentHashMismatch: the body does not hash to X-Amz-Content-Sha256.
	ContentHashMismatch
	// MalformedBody: an aws-chunked body is truncated or badly framed, or
	// its length differs from X-Amz-Decoded-Content-Length.
	MalformedBody
)

var kindNames = map[Kind]string{
	MissingAuthentication: "MissingAuthentication",
	IncompleteSignature:   "IncompleteSignature",
	InvalidSignature:      "InvalidSignature",
	RequestTimeTooSkewed:  "RequestTimeTooSkewed",
	RequestExpired:        "RequestExpired",
	UnrecognizedClient:    "UnrecognizedClient",
	ContentHashMismatch:   "ContentHashMismatch",
	MalformedBody:         "MalformedBody",
}

func (k Kind) String() string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Messages AWS JSON-protocol services send with these errors.
const (
	messageMissingToken      = "Missing Authentication Token"
	messageSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	messageUnknownAccessKey  = "The security token included in the request is invalid."
)

// Error is the one error type the package returns for authentication
// failures. Message is the text for AWS JSON-protocol services; S3Message
// gives S3's wording.
type Error struct {
	Kind    Kind
	Message string
	// Presigned is set when the failing request used query-string auth; S3
	// reports malformed query auth under a different code.
	Presigned bool

	// Diagnostics S3 includes in SignatureDoesNotMatch error bodies. Set
	// only for InvalidSignature from Verify.
	AccessKeyID       string
	SignatureProvided string
	StringToSign      string
	CanonicalRequest  string
}

func (e *Error) Error() string {
	return "sigv4: " + e.Kind.String() + ": " + e.Message
}

// HTTPStatus is the status code AWS answers with for this kind of failure.
func (e *Error) HTTPStatus() int {
	switch e.Kind {
	case IncompleteSignature, ContentHashMismatch, MalformedBody:
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

// JSONCode is the error code (the "__type" and X-Amzn-ErrorType value) an
// AWS JSON or REST-JSON service such as CloudTrail returns.
func (e *Error) JSONCode() string {
	switch e.Kind {
	case MissingAuthentication:
		return "MissingAuthenticationTokenException"
	case IncompleteSignature:
		return "IncompleteSignatureException"
	case UnrecognizedClient:
		return "UnrecognizedClientException"
	case MalformedBody:
		return "SerializationException"
	}
	return "InvalidSignatureException"
}

// S3Code is the <Code> of S3's XML error body.
func (e *Error) S3Code() string {
	switch e.Kind {
	case MissingAuthentication, RequestExpired:
		return "AccessDenied"
	case IncompleteSignature:
		if e.Presigned {
			return "AuthorizationQueryParametersError"
		}
		return "AuthorizationHeaderMalformed"
	case RequestTimeTooSkewed:
		return "RequestTimeTooSkewed"
	case UnrecognizedClient:
		return "InvalidAccessKeyId"
	case ContentHashMismatch:
		return "XAmzContentSHA256Mismatch"
	case MalformedBody:
		return "IncompleteBody"
	}
	return "SignatureDoesNotMatch"
}

// S3Message is the <Message> of S3's XML error body.
func (e *Error) S3Message() string {
	switch e.Kind {
	case MissingAuthentication:
		return "Access Denied"
	case InvalidSignature:
		return "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	case RequestTimeTooSkewed:
		return "The difference between the request time and the current time is too large."
	case RequestExpired:
		return "Request has expired"
	case UnrecognizedClient:
		return "The AWS Access Key Id you provided does not exist in our records."
	case ContentHashMismatch:
		return "The provided 'x-amz-content-sha256' header does not match what was computed."
	}
	return e.Message
}

// UnknownAccessKey is the error to return when a parsed request names an
// access key the credentials directory does not know.
func UnknownAccessKey(accessKeyID string) *Error {
	return &Error{Kind: UnrecognizedClient, Message: messageUnknownAccessKey, AccessKeyID: accessKeyID}
}

func incomplete(presigned bool, format string, args ...any) *Error {
	return &Error{Kind: IncompleteSignature, Presigned: presigned, Message: fmt.Sprintf(format, args...)}
}

func malformedBody(format string, args ...any) *Error {
	return &Error{Kind: MalformedBody, Message: fmt.Sprintf(format, args...)}
}
