// Package awsjson is the AWS JSON 1.1 codec: X-Amz-Target parsing, request
// bodies decoded into generated input structures, outputs encoded as JSON,
// and errors as {"__type","message"} with the modelled HTTP status.
package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/cairnhq/cairn/internal/api"
)

// ContentType is the media type of requests and responses.
const ContentType = "application/x-amz-json-1.1"

// Target parses X-Amz-Target values of one service, accepting both the
// botocore form (<namespace prefix>.<service shape>.<Op>) and the Smithy SDK
// form (<service shape>.<Op>).
type Target struct {
	FullPrefix  string // e.g. com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.
	ShortPrefix string // e.g. CloudTrail_20131101.
}

// Operation returns the operation named by target, or false.
func (t Target) Operation(target string) (string, bool) {
	if op, ok := strings.CutPrefix(target, t.FullPrefix); ok && op != "" {
		return op, true
	}
	if op, ok := strings.CutPrefix(target, t.ShortPrefix); ok && op != "" {
		return op, true
	}
	return "", false
}

// DecodeInput decodes a request body into in. An empty body is an empty
// object. Malformed JSON or a value of the wrong type is a
// SerializationException.
func DecodeInput(body []byte, in api.Input) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return api.ErrSerialization("Start of structure or map expected: the request body must be a JSON object")
	}
	if err := json.Unmarshal(body, in); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return api.ErrSerialization("Invalid value for member %s: expected %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return api.ErrSerialization("Malformed JSON request body: %s", err.Error())
	}
	return nil
}

// EncodeOutput encodes an operation output.
func EncodeOutput(out any) ([]byte, error) {
	if out == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(out)
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// Response header names in canonical form, so that setting them needs no
// canonicalization (which allocates for x-amzn-RequestId on every response).
const (
	headerContentType = "Content-Type"
	headerRequestID   = "X-Amzn-Requestid" // x-amzn-RequestId
	headerErrorType   = "X-Amzn-Errortype" // X-Amzn-ErrorType
)

// WriteError writes err with its modelled status.
func WriteError(w http.ResponseWriter, requestID string, err api.Error) {
	body, _ := json.Marshal(errorBody{Type: err.ErrorCode(), Message: err.ErrorMessage()})
	h := w.Header()
	h[headerContentType] = []string{ContentType}
	h[headerRequestID] = []string{requestID}
	h[headerErrorType] = []string{err.ErrorCode()}
	w.WriteHeader(err.HTTPStatus())
	_, _ = w.Write(body)
}

// WriteOutput writes a successful response.
func WriteOutput(w http.ResponseWriter, requestID string, body []byte) {
	h := w.Header()
	h[headerContentType] = []string{ContentType}
	h[headerRequestID] = []string{requestID}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
