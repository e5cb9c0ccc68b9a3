package s3api

import (
	"github.com/cairnhq/cairn/internal/sigv4"

	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/internal/bucketstore"
)

// maxUserMetadataSize is S3's limit on the summed length of x-amz-meta-*
// names and values.
const maxUserMetadataSize = 2048

func (h *Handler) getObject(rq *request) error  { return h.serveObject(rq, true) }
func (h *Handler) headObject(rq *request) error { return h.serveObject(rq, false) }

// serveObject answers GetObject (withBody) and HeadObject, which S3 answers
// with the same status and headers.
func (h *Handler) serveObject(rq *request, withBody bool) error {
	if _, err := h.ownedBucket(rq); err != nil {
		return err
	}
	query := rq.r.URL.Query()
	rangeHeader := rq.r.Header.Get("Range")
	rng := parseRange(rangeHeader)
	partial := rng != nil
	if v := query.Get("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1 || n > 10000:
			return errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
		case rangeHeader != "":
			return errInvalidRequest("Cannot specify both Range header and partNumber query parameter")
		case n != 1:
			// Every object here was uploaded in a single part.
			return newError(http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber",
				"The requested partnumber is not satisfiable", "PartNumberRequested", v, "ActualPartCount", "1")
		}
		rng, partial = nil, true
	}

	obj, err := h.store.GetObject(rq.ctx, rq.bucket, rq.key, rng)
	var rangeErr *bucketstore.RangeError
	if errors.As(err, &rangeErr) {
		return errInvalidRange(rangeHeader, rangeErr.Size)
	}
	if err != nil {
		return err
	}
	defer obj.Body.Close()

	header := rq.w.Header()
	notModified, err := evaluateConditions(rq.r.Header, obj.Info)
	if err != nil {
		return err
	}
	if notModified {
		header.Set("ETag", quoteETag(obj.Info.ETag))
		header.Set("Last-Modified", formatHTTPTime(obj.Info))
		rq.w.WriteHeader(http.StatusNotModified)
		return nil
	}

	setObjectHeaders(header, obj.Info, query)
	header.Set("Content-Length", strconv.FormatInt(obj.Length, 10))
	status := http.StatusOK
	if partial && obj.Info.Size > 0 {
		status = http.StatusPartialContent
		header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", obj.Start, obj.Start+obj.Length-1, obj.Info.Size))
	} else if strings.EqualFold(rq.r.Header.Get("x-amz-checksum-mode"), "ENABLED") && obj.Info.ChecksumAlgorithm != "" {
		setChecksumHeaders(header, obj.Info)
	}
	rq.w.WriteHeader(status)
	if !withBody {
		return nil
	}
	if _, err := io.Copy(rq.w, obj.Body); err != nil && rq.w.writeErr == nil {
		return err // a storage read failure; a vanished client is not worth reporting
	}
	return nil
}

// parseRange parses a Range header as S3 does: a single byte range. Other
// forms (several ranges, other units, bad syntax) are ignored, so the whole
// object is served.
func parseRange(v string) *bucketstore.ByteRange {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil
	}
	firstText, lastText, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	if firstText == "" {
		n, err := strconv.ParseInt(lastText, 10, 64)
		if err != nil || n < 0 {
			return nil
		}
		return &bucketstore.ByteRange{FromEnd: true, SuffixLength: n}
	}
	first, err := strconv.ParseInt(firstText, 10, 64)
	if err != nil || first < 0 {
		return nil
	}
	if lastText == "" {
		return &bucketstore.ByteRange{First: first, Last: -1}
	}
	last, err := strconv.ParseInt(lastText, 10, 64)
	if err != nil || last < first {
		return nil
	}
	return &bucketstore.ByteRange{First: first, Last: last}
}

// evaluateConditions applies If-Match, If-Unmodified-Since, If-None-Match
// and If-Modified-Since in the precedence of RFC 9110, which S3 follows.
func evaluateConditions(header http.Header, info bucketstore.ObjectInfo) (notModified bool, err error) {
	if v := header.Get("If-Match"); v != "" {
		if !etagListMatches(v, info.ETag) {
			return false, errPreconditionFailed("If-Match")
		}
	} else if t, err := http.ParseTime(header.Get("If-Unmodified-Since")); err == nil && info.LastModified.After(t) {
		return false, errPreconditionFailed("If-Unmodified-Since")
	}
	if v := header.Get("If-None-Match"); v != "" {
		return etagListMatches(v, info.ETag), nil
	}
	if t, err := http.ParseTime(header.Get("If-Modified-Since")); err == nil && !info.LastModified.After(t) {
		return true, nil
	}
	return false, nil
}

func etagListMatches(list, etag string) bool {
	for _, candidate := range strings.Split(list, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || strings.Trim(candidate, `"`) == etag {
			return true
		}
	}
	return false
}

// responseHeaderOverrides are GetObject's query parameters that replace a
// stored header in the response.
var responseHeaderOverrides = map[string]string{
	"response-content-type":        "Content-Type",
	"response-content-language":    "Content-Language",
	"response-expires":             "Expires",
	"response-cache-control":       "Cache-Control",
	"response-content-disposition": "Content-Disposition",
	"response-content-encoding":    "Content-Encoding",
}

func setObjectHeaders(header http.Header, info bucketstore.ObjectInfo, query url.Values) {
	header.Set("Content-Type", info.ContentType)
	header.Set("ETag", quoteETag(info.ETag))
	header.Set("Last-Modified", formatHTTPTime(info))
	header.Set("Accept-Ranges", "bytes")
	header.Set("x-amz-server-side-encryption", "AES256")
	for name, value := range map[string]string{
		"Content-Encoding":    info.ContentEncoding,
		"Content-Disposition": info.ContentDisposition,
		"Content-Language":    info.ContentLanguage,
		"Cache-Control":       info.CacheControl,
		"Expires":             info.Expires,
	} {
		if value != "" {
			header.Set(name, value)
		}
	}
	// Written in lowercase as S3 does, bypassing Go's canonical form: botocore
	// takes metadata keys from the header names as they arrive.
	for k, v := range info.UserMetadata {
		header["x-amz-meta-"+k] = []string{v}
	}
	for param, name := range responseHeaderOverrides {
		if v := query.Get(param); v != "" {
			header.Set(name, v)
		}
	}
}

func setChecksumHeaders(header http.Header, info bucketstore.ObjectInfo) {
	header.Set("x-amz-checksum-"+strings.ToLower(info.ChecksumAlgorithm), info.Checksum)
	header.Set("x-amz-checksum-type", "FULL_OBJECT")
}

func formatHTTPTime(info bucketstore.ObjectInfo) string {
	return info.LastModified.UTC().Format(http.TimeFormat)
}

// unsupportedPutHeaders imply object features Cairn does not keep (tags,
// object lock, customer keys, ACL grants, appends, redirects); S3 answers
// headers it cannot honour with NotImplemented.
var unsupportedPutHeaders = []string{
	"x-amz-tagging",
	"x-amz-object-lock-mode",
	"x-amz-object-lock-retain-until-date",
	"x-amz-object-lock-legal-hold",
	"x-amz-server-side-encryption-customer-algorithm",
	"x-amz-website-redirect-location",
	"x-amz-write-offset-bytes",
	"x-amz-grant-full-control",
	"x-amz-grant-read",
	"x-amz-grant-read-acp",
	"x-amz-grant-write-acp",
}

// cannedACLsWithoutEffect are the canned ACLs that change nothing when the
// bucket owner is the only principal with access.
var cannedACLsWithoutEffect = []string{"private", "bucket-owner-full-control", "bucket-owner-read"}

func (h *Handler) putObject(rq *request) error {
	if _, err := h.ownedBucket(rq); err != nil {
		return err
	}
	header := rq.r.Header
	for _, name := range unsupportedPutHeaders {
		if header.Get(name) != "" {
			return errHeaderNotImplemented(name)
		}
	}
	if acl := header.Get("x-amz-acl"); acl != "" && !slices.Contains(cannedACLsWithoutEffect, acl) {
		return errHeaderNotImplemented("x-amz-acl")
	}

	opts := bucketstore.PutObjectOptions{
		ContentType:        header.Get("Content-Type"),
		ContentEncoding:    storedContentEncoding(header),
		ContentDisposition: header.Get("Content-Disposition"),
		ContentLanguage:    header.Get("Content-Language"),
		CacheControl:       header.Get("Cache-Control"),
		Expires:            header.Get("Expires"),
		IfMatch:            header.Get("If-Match"),
	}
	var err error
	if opts.UserMetadata, err = userMetadata(header); err != nil {
		return err
	}
	switch v := strings.TrimSpace(header.Get("If-None-Match")); v {
	case "":
	case "*":
		opts.IfAbsent = true
	default:
		return errHeaderNotImplemented("If-None-Match")
	}

	var contentMD5 []byte
	if v := header.Get("Content-MD5"); v != "" {
		contentMD5, err = base64.StdEncoding.DecodeString(v)
		if err != nil || len(contentMD5) != 16 {
			return newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.", "Content-MD5", v)
		}
	}

	var body io.Reader = &clientBody{r: rq.r.Body}
	declaredSize := rq.r.ContentLength
	var chunked trailerSource
	if isAWSChunked(header) {
		declaredSize = -1
		if v := header.Get("x-amz-decoded-content-length"); v != "" {
			if declaredSize, err = strconv.ParseInt(v, 10, 64); err != nil || declaredSize < 0 {
				return errInvalidArgument("Invalid x-amz-decoded-content-length", "x-amz-decoded-content-length", v)
			}
		}
		if verified, ok := rq.r.Body.(trailerSource); ok {
			// The gateway already removed the framing and checked every
			// chunk signature.
			chunked = verified
			body = &clientBody{r: verified}
		} else {
			decoded := sigv4.NewUnverifiedChunkedReader(body, declaredSize)
			chunked = decoded
			body = decoded
		}
	}
	if declaredSize > bucketstore.MaxObjectSize {
		return errEntityTooLarge(declaredSize)
	}

	claimedPayloadSHA256 := header.Get("x-amz-content-sha256")
	var payloadSHA256 hash.Hash
	if chunked == nil && isHexSHA256(claimedPayloadSHA256) {
		payloadSHA256 = sha256.New()
		body = io.TeeReader(body, payloadSHA256)
	}

	checksum, err := requestedChecksum(header, chunked != nil)
	if err != nil {
		return err
	}
	opts.ChecksumAlgorithm = checksum.algorithm

	opts.Verify = func(info bucketstore.ObjectInfo) error {
		if contentMD5 != nil && hex.EncodeToString(contentMD5) != info.ETag {
			calculated, _ := hex.DecodeString(info.ETag)
			return errBadDigest("The Content-MD5 you specified did not match what we received.",
				"ExpectedDigest", header.Get("Content-MD5"), "CalculatedDigest", base64.StdEncoding.EncodeToString(calculated))
		}
		if payloadSHA256 != nil {
			if computed := hex.EncodeToString(payloadSHA256.Sum(nil)); !strings.EqualFold(computed, claimedPayloadSHA256) {
				return newError(http.StatusBadRequest, "XAmzContentSHA256Mismatch",
					"The provided 'x-amz-content-sha256' header does not match what was computed.",
					"ClientComputedContentSHA256", claimedPayloadSHA256, "S3ComputedContentSHA256", computed)
			}
		}
		if checksum.algorithm != "" {
			claimed := checksum.value
			if checksum.inTrailer {
				claimed = chunked.Trailers().Get(checksum.headerName)
			}
			if claimed == "" {
				return errInvalidRequest(fmt.Sprintf("The %s trailer named by x-amz-trailer was not sent.", checksum.headerName))
			}
			if claimed != info.Checksum {
				return errBadDigest(fmt.Sprintf("The %s you specified did not match the calculated checksum.", checksum.algorithm))
			}
		}
		return nil
	}

	counted := &countingReader{r: body}
	info, err := h.store.PutObjectWithOptions(rq.ctx, rq.bucket, rq.key, counted, opts)
	rq.bytesIn = counted.n
	if errors.Is(err, bucketstore.ErrPreconditionFailed) {
		if opts.IfAbsent {
			return errPreconditionFailed("If-None-Match")
		}
		return errPreconditionFailed("If-Match")
	}
	if err != nil {
		return err
	}

	out := rq.w.Header()
	out.Set("ETag", quoteETag(info.ETag))
	out.Set("x-amz-server-side-encryption", "AES256")
	if info.ChecksumAlgorithm != "" {
		setChecksumHeaders(out, info)
	}
	out.Set("Content-Length", "0")
	rq.w.WriteHeader(http.StatusOK)
	return nil
}

func userMetadata(header http.Header) (map[string]string, error) {
	meta := map[string]string{}
	size := 0
	for name, values := range header {
		key, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-")
		if !ok || key == "" {
			continue
		}
		value := strings.Join(values, ",")
		meta[key] = value
		size += len(key) + len(value)
	}
	if size > maxUserMetadataSize {
		return nil, newError(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size",
			"Size", strconv.Itoa(size), "MaxSizeAllowed", strconv.Itoa(maxUserMetadataSize))
	}
	return meta, nil
}

func isHexSHA256(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// checksumRequest is the additional checksum a put carries, in a header or
// (for aws-chunked bodies) as a trailer.
type checksumRequest struct {
	algorithm  string // CRC32, CRC32C, CRC64NVME, SHA1 or SHA256; empty for none
	headerName string // x-amz-checksum-<lowercase algorithm>
	value      string // base64, when sent as a header
	inTrailer  bool
}

func requestedChecksum(header http.Header, chunked bool) (checksumRequest, error) {
	var found checksumRequest
	multiple := errInvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	for _, algorithm := range bucketstore.ChecksumAlgorithms {
		name := "x-amz-checksum-" + strings.ToLower(algorithm)
		if v := header.Get(name); v != "" {
			if found.algorithm != "" {
				return found, multiple
			}
			found = checksumRequest{algorithm: algorithm, headerName: name, value: v}
		}
	}
	for _, name := range strings.Split(header.Get("x-amz-trailer"), ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		algorithm, ok := strings.CutPrefix(name, "x-amz-checksum-")
		if !ok {
			continue
		}
		algorithm = strings.ToUpper(algorithm)
		switch {
		case !slices.Contains(bucketstore.ChecksumAlgorithms, algorithm):
			return found, errInvalidRequest("The value specified in the x-amz-trailer header is not supported")
		case !chunked:
			return found, errInvalidRequest("x-amz-trailer requires an aws-chunked request body")
		case found.algorithm != "":
			return found, multiple
		}
		found = checksumRequest{algorithm: algorithm, headerName: name, inTrailer: true}
	}
	if header.Get("x-amz-sdk-checksum-algorithm") != "" && found.algorithm == "" {
		return found, errInvalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	}
	return found, nil
}

func (h *Handler) deleteObject(rq *request) error {
	if _, err := h.ownedBucket(rq); err != nil {
		return err
	}
	if err := h.store.DeleteObject(rq.ctx, rq.bucket, rq.key); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// clientBody reads the request body, marking read failures as the
// client's.
type clientBody struct{ r io.Reader }

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &bodyReadError{err: err}
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// trailerSource is an aws-chunked body with its framing removed; its
// trailing headers are known once it has been read to the end.
type trailerSource interface {
	io.Reader
	Trailers() http.Header
}
