package api

import (
	"fmt"
	"net/http"
)

// Error is an AWS error as it appears on the wire: a code (the `__type` of
// JSON protocols), an HTTP status and a message. Every generated exception
// type and every CommonError implements it.
type Error interface {
	error
	ErrorCode() string
	HTTPStatus() int
	ErrorMessage() string
}

// CommonError is an AWS error that no service model lists, such as the
// protocol and authentication errors every AWS endpoint can answer.
type CommonError struct {
	Code    string
	Status  int
	Message string
}

func (e *CommonError) Error() string        { return e.Code + ": " + e.Message }
func (e *CommonError) ErrorCode() string    { return e.Code }
func (e *CommonError) HTTPStatus() int      { return e.Status }
func (e *CommonError) ErrorMessage() string { return e.Message }

// Codes of the common errors.
const (
	CodeUnknownOperation           = "UnknownOperationException"
	CodeSerialization              = "SerializationException"
	CodeValidation                 = "ValidationException"
	CodeInternalFailure            = "InternalFailure"
	CodeServiceUnavailable         = "ServiceUnavailable"
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeInvalidSignature           = "InvalidSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeAccessDenied               = "AccessDeniedException"
	CodeRequestEntityTooLarge      = "RequestEntityTooLargeException"
	CodeThrottling                 = "ThrottlingException"
)

// NewCommonError builds a CommonError with a formatted message.
func NewCommonError(code string, status int, format string, args ...any) *CommonError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &CommonError{Code: code, Status: status, Message: msg}
}

// ErrUnknownOperation answers a target naming no operation of the service.
func ErrUnknownOperation() *CommonError {
	return &CommonError{Code: CodeUnknownOperation, Status: http.StatusBadRequest}
}

// ErrSerialization answers a request body that is not valid for the protocol.
func ErrSerialization(format string, args ...any) *CommonError {
	return NewCommonError(CodeSerialization, http.StatusBadRequest, format, args...)
}

// ErrInternalFailure answers an unexpected server-side failure.
func ErrInternalFailure() *CommonError {
	return &CommonError{Code: CodeInternalFailure, Status: http.StatusInternalServerError,
		Message: "An internal error occurred. Try again later."}
}

// ErrRequestEntityTooLarge answers a body above the service's limit.
func ErrRequestEntityTooLarge(limit int64) *CommonError {
	return NewCommonError(CodeRequestEntityTooLarge, http.StatusRequestEntityTooLarge,
		"Request body exceeds the maximum allowed size of %d bytes", limit)
}
