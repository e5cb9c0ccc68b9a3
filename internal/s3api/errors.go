package s3api

import (
	"github.com/cairnhq/cairn/internal/sigv4"

	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/cairnhq/cairn/internal/bucketstore"
)

// s3Error is an error in the form S3 reports it: a code, a message, an HTTP
// status and extra elements of the <Error> document (BucketName, Key, ...).
type s3Error struct {
	Code    string
	Message string
	Status  int
	Fields  []errorField
}

type errorField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, message string, fields ...string) *s3Error {
	e := &s3Error{Code: code, Message: message, Status: status}
	for i := 0; i+1 < len(fields); i += 2 {
		e.Fields = append(e.Fields, errorField{XMLName: xml.Name{Local: fields[i]}, Value: fields[i+1]})
	}
	return e
}

type errorDocument struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Fields    []errorField
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

func errNoSuchBucket(bucket string) *s3Error {
	return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", "BucketName", bucket)
}

func errNoSuchKey(key string) *s3Error {
	return newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", "Key", key)
}

func errBucketAlreadyExists(bucket string) *s3Error {
	return newError(http.StatusConflict, "BucketAlreadyExists",
		"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
		"BucketName", bucket)
}

func errBucketAlreadyOwnedByYou(bucket string) *s3Error {
	return newError(http.StatusConflict, "BucketAlreadyOwnedByYou",
		"Your previous request to create the named bucket succeeded and you already own it.", "BucketName", bucket)
}

func errBucketNotEmpty(bucket string) *s3Error {
	return newError(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty", "BucketName", bucket)
}

func errInvalidBucketName(bucket string) *s3Error {
	return newError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.", "BucketName", bucket)
}

func errAccessDenied() *s3Error {
	return newError(http.StatusForbidden, "AccessDenied", "Access Denied")
}

func errMethodNotAllowed(method, resourceType string) *s3Error {
	return newError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.",
		"Method", method, "ResourceType", resourceType)
}

func errInvalidArgument(message, name, value string) *s3Error {
	return newError(http.StatusBadRequest, "InvalidArgument", message, "ArgumentName", name, "ArgumentValue", value)
}

func errInvalidRequest(message string) *s3Error {
	return newError(http.StatusBadRequest, "InvalidRequest", message)
}

func errNotImplemented(operation string) *s3Error {
	return newError(http.StatusNotImplemented, "NotImplemented",
		fmt.Sprintf("%s is not implemented by Cairn's bucket store.", operation))
}

func errHeaderNotImplemented(header string) *s3Error {
	return newError(http.StatusNotImplemented, "NotImplemented",
		"A header you provided implies functionality that is not implemented", "Header", header)
}

func errInternal() *s3Error {
	return newError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

func errIncompleteBody(message string) *s3Error {
	return newError(http.StatusBadRequest, "IncompleteBody", message)
}

func errMalformedXML() *s3Error {
	return newError(http.StatusBadRequest, "MalformedXML",
		"The XML you provided was not well-formed or did not validate against our published schema")
}

func errInvalidRange(rangeRequested string, size int64) *s3Error {
	return newError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable",
		"RangeRequested", rangeRequested, "ActualObjectSize", strconv.FormatInt(size, 10))
}

func errPreconditionFailed(condition string) *s3Error {
	return newError(http.StatusPreconditionFailed, "PreconditionFailed",
		"At least one of the pre-conditions you specified did not hold", "Condition", condition)
}

func errBadDigest(message string, fields ...string) *s3Error {
	return newError(http.StatusBadRequest, "BadDigest", message, fields...)
}

func errEntityTooLarge(proposed int64) *s3Error {
	return newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
		"ProposedSize", strconv.FormatInt(proposed, 10), "MaxSizeAllowed", strconv.Itoa(bucketstore.MaxObjectSize))
}

// toS3Error turns any error from serving a request into the S3 error to
// answer with. The second result is false for errors that S3 would not
// blame on the client, which deserve a log line.
func toS3Error(err error, bucket, key string) (*s3Error, bool) {
	var e *s3Error
	if errors.As(err, &e) {
		return e, true
	}
	var bodyErr *bodyReadError
	var rangeErr *bucketstore.RangeError
	var sigErr *sigv4.Error
	switch {
	case errors.As(err, &sigErr):
		return newError(sigErr.HTTPStatus(), sigErr.S3Code(), sigErr.S3Message()), true
	case errors.As(err, &bodyErr):
		return errIncompleteBody("The request body could not be read to its end."), true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return newError(http.StatusBadRequest, "RequestTimeout",
			"Your socket connection to the server was not read from or written to within the timeout period."), true
	case errors.Is(err, bucketstore.ErrNoSuchBucket):
		return errNoSuchBucket(bucket), true
	case errors.Is(err, bucketstore.ErrNoSuchKey):
		return errNoSuchKey(key), true
	case errors.Is(err, bucketstore.ErrBucketExists):
		return errBucketAlreadyExists(bucket), true
	case errors.Is(err, bucketstore.ErrBucketAlreadyOwnedByYou):
		return errBucketAlreadyOwnedByYou(bucket), true
	case errors.Is(err, bucketstore.ErrBucketNotEmpty):
		return errBucketNotEmpty(bucket), true
	case errors.Is(err, bucketstore.ErrInvalidBucketName):
		return errInvalidBucketName(bucket), true
	case errors.Is(err, bucketstore.ErrKeyTooLong):
		return newError(http.StatusBadRequest, "KeyTooLongError", "Your key is too long",
			"Size", strconv.Itoa(len(key)), "MaxSizeAllowed", strconv.Itoa(bucketstore.MaxKeyLength)), true
	case errors.Is(err, bucketstore.ErrInvalidKey):
		return newError(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.", "URI", key), true
	case errors.Is(err, bucketstore.ErrEntityTooLarge):
		return errEntityTooLarge(bucketstore.MaxObjectSize + 1), true
	case errors.As(err, &rangeErr):
		return errInvalidRange("", rangeErr.Size), true
	case errors.Is(err, bucketstore.ErrPreconditionFailed):
		return errPreconditionFailed("If-Match"), true
	}
	return errInternal(), false
}
