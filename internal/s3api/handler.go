package s3api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/identity"
)

// Store is the bucket storage the handler serves. *bucketstore.Store
// implements it.
type Store interface {
	CreateBucket(ctx context.Context, name, ownerAccountID, region string) (bucketstore.Bucket, error)
	DeleteBucket(ctx context.Context, name string) error
	GetBucket(ctx context.Context, name string) (bucketstore.Bucket, error)
	ListBuckets(ctx context.Context, ownerAccountID string) ([]bucketstore.Bucket, error)
	PutObjectWithOptions(ctx context.Context, bucket, key string, body io.Reader, opts bucketstore.PutObjectOptions) (bucketstore.ObjectInfo, error)
	GetObject(ctx context.Context, bucket, key string, rng *bucketstore.ByteRange) (*bucketstore.Object, error)
	DeleteObject(ctx context.Context, bucket, key string) error
	ListObjects(ctx context.Context, bucket string, in bucketstore.ListObjectsInput) (bucketstore.ListObjectsResult, error)
}

// defaultRegion is the region a request acts in when no identity.Caller
// names one, and the region S3 means by an empty LocationConstraint.
const defaultRegion = "us-east-1"

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// Call describes one request the handler answered, for recording as a
// CloudTrail event.
type Call struct {
	// Operation is the S3 operation name ("PutObject", "ListObjectsV2",
	// "GetBucketAcl", ...), including operations answered with
	// NotImplemented; empty when the request maps to no operation.
	Operation string
	Bucket    string
	Key       string
	ReadOnly  bool

	Caller    *identity.Caller // from the request context; nil if there was none
	AccountID string           // the account the request acted as
	Region    string
	RequestID string

	// BucketOwnerAccountID and BucketRegion describe the addressed bucket
	// when it was looked up and exists.
	BucketOwnerAccountID string
	BucketRegion         string

	HTTPStatus   int
	ErrorCode    string // empty on success
	ErrorMessage string

	// RequestParameters holds bucketName, key, Host, the query parameters
	// and, for CreateBucket, CreateBucketConfiguration, as CloudTrail
	// records them for S3.
	RequestParameters map[string]any
	BytesIn           int64 // object bytes received (decoded, for aws-chunked bodies)
	BytesOut          int64 // response body bytes sent
}

// Options configure a Handler. The zero value is usable.
type Options struct {
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock for the Date response header; time.Now when nil.
	Now func() time.Time
	// OnCall, when set, is called after each request has been answered.
	OnCall func(ctx context.Context, call Call)
}

// Handler serves path-style S3 requests (/bucket, /bucket/key) from a
// Store. It expects the gateway to have authenticated the request and put
// an identity.Caller in its context; it never checks signatures itself.
// The handler must see the request path as sent: mounting it behind
// http.ServeMux would clean keys such as "a/../b".
type Handler struct {
	store  Store
	logger *slog.Logger
	now    func() time.Time
	onCall func(ctx context.Context, call Call)
}

// New returns a Handler serving store.
func New(store Store, opts Options) *Handler {
	h := &Handler{store: store, logger: opts.Logger, now: opts.Now, onCall: opts.OnCall}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// request is the state of one request while an operation serves it.
type request struct {
	w         *responseRecorder
	r         *http.Request
	ctx       context.Context
	bucket    string
	key       string
	caller    *identity.Caller
	accountID string
	region    string
	requestID string
	hostID    string

	bucketInfo *bucketstore.Bucket // set once the bucket has been looked up
	params     map[string]any
	bytesIn    int64
}

// operation is what a request routes to: an S3 operation name and the
// method serving it.
type operation struct {
	name  string
	serve func(h *Handler, rq *request) error
}

// ServeHTTP answers one S3 request and then reports it to OnCall.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rq := newRequest(w, r)
	rq.w.Header().Set("Date", h.now().UTC().Format(http.TimeFormat))
	op := route(r, rq.bucket, rq.key)
	// Hold the answer back until the call is recorded, except for object
	// reads, whose bodies are streamed (their events follow the response).
	rq.w.held = h.onCall != nil && op.name != "GetObject"
	err := op.serve(h, rq)
	var failure *s3Error
	if err != nil {
		var expected bool
		failure, expected = toS3Error(err, rq.bucket, rq.key)
		if !expected {
			h.logger.ErrorContext(rq.ctx, "s3api: request failed", "operation", op.name,
				"bucket", rq.bucket, "key", rq.key, "requestID", rq.requestID, "error", err)
		}
		if !rq.w.wroteHeader {
			writeError(rq, failure)
		}
	}
	if h.onCall != nil {
		h.onCall(rq.ctx, rq.call(op.name, failure))
	}
	rq.w.release()
}

func newRequest(w http.ResponseWriter, r *http.Request) *request {
	rq := &request{
		w:         &responseRecorder{ResponseWriter: w},
		r:         r,
		ctx:       r.Context(),
		accountID: identity.DefaultAccountID,
		region:    defaultRegion,
	}
	if c := identity.FromContext(r.Context()); c != nil {
		rq.caller = c
		if c.Principal.AccountID != "" {
			rq.accountID = c.Principal.AccountID
		}
		if c.Region != "" {
			rq.region = c.Region
		}
		rq.requestID = c.RequestID
	}
	if rq.requestID == "" {
		rq.requestID = newRequestID()
	}
	rq.hostID = newHostID()
	rq.w.Header().Set("x-amz-request-id", rq.requestID)
	rq.w.Header().Set("x-amz-id-2", rq.hostID)

	path := strings.TrimPrefix(r.URL.Path, "/")
	rq.bucket, rq.key, _ = strings.Cut(path, "/")

	rq.params = map[string]any{"Host": r.Host}
	if rq.bucket != "" {
		rq.params["bucketName"] = rq.bucket
	}
	if rq.key != "" {
		rq.params["key"] = rq.key
	}
	for name, values := range r.URL.Query() {
		switch strings.ToLower(name) {
		case "x-amz-signature", "x-amz-credential", "x-amz-security-token":
			continue
		}
		rq.params[name] = strings.Join(values, ",")
	}
	return rq
}

// newRequestID makes an S3-style request ID (16 uppercase hex digits) for
// requests that arrive without one.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// newHostID makes the opaque x-amz-id-2 value S3 returns with every
// response.
func newHostID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func (rq *request) call(operation string, failure *s3Error) Call {
	c := Call{
		Operation:         operation,
		Bucket:            rq.bucket,
		Key:               rq.key,
		ReadOnly:          isReadOnly(operation),
		Caller:            rq.caller,
		AccountID:         rq.accountID,
		Region:            rq.region,
		RequestID:         rq.requestID,
		HTTPStatus:        rq.w.status,
		RequestParameters: rq.params,
		BytesIn:           rq.bytesIn,
		BytesOut:          rq.w.bytes,
	}
	if c.HTTPStatus == 0 {
		c.HTTPStatus = http.StatusOK
	}
	if rq.bucketInfo != nil {
		c.BucketOwnerAccountID = rq.bucketInfo.OwnerAccountID
		c.BucketRegion = rq.bucketInfo.Region
	}
	if failure != nil {
		c.ErrorCode, c.ErrorMessage = failure.Code, failure.Message
	}
	return c
}

func isReadOnly(operation string) bool {
	for _, p := range []string{"Get", "Head", "List"} {
		if strings.HasPrefix(operation, p) {
			return true
		}
	}
	return false
}

// ownedBucket looks up the request's bucket and checks that the caller's
// account owns it.
func (h *Handler) ownedBucket(rq *request) (bucketstore.Bucket, error) {
	b, err := h.store.GetBucket(rq.ctx, rq.bucket)
	if err != nil {
		return b, err
	}
	rq.bucketInfo = &b
	if b.OwnerAccountID != rq.accountID {
		return b, errAccessDenied()
	}
	return b, nil
}

// writeXML answers with status and v marshalled as an XML document.
func writeXML(rq *request, status int, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	rq.w.WriteHeader(status)
	if rq.r.Method != http.MethodHead {
		io.WriteString(rq.w, xml.Header)
		rq.w.Write(body)
	}
	return nil
}

func writeError(rq *request, e *s3Error) {
	writeErrorDocument(rq.w, rq.r, e, rq.requestID, rq.hostID)
}

// WriteError answers r with an S3 error document, for failures found
// before the Handler runs (authentication). The request ID is taken from
// the x-amz-request-id response header or the identity.Caller in r's
// context, and made up if neither has one.
func WriteError(w http.ResponseWriter, r *http.Request, code string, status int, message string) {
	requestID := w.Header().Get("x-amz-request-id")
	if c := identity.FromContext(r.Context()); requestID == "" && c != nil {
		requestID = c.RequestID
	}
	if requestID == "" {
		requestID = newRequestID()
	}
	hostID := newHostID()
	w.Header().Set("x-amz-request-id", requestID)
	w.Header().Set("x-amz-id-2", hostID)
	writeErrorDocument(w, r, newError(status, code, message), requestID, hostID)
}

func writeErrorDocument(w http.ResponseWriter, r *http.Request, e *s3Error, requestID, hostID string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	doc := errorDocument{Code: e.Code, Message: e.Message, Fields: e.Fields, RequestID: requestID, HostID: hostID}
	body, err := xml.Marshal(doc)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(e.Status)
	io.WriteString(w, xml.Header)
	w.Write(body)
}

// canonicalUserID is the 64-hex-digit S3 canonical user ID Cairn reports
// for an account.
func canonicalUserID(accountID string) string {
	sum := sha256.Sum256([]byte("cairn canonical user " + accountID))
	return hex.EncodeToString(sum[:])
}

type owner struct {
	ID string `xml:"ID"`
}

// responseRecorder remembers the status, counts the body bytes sent and
// keeps the first write error (a client that went away).
type responseRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	writeErr    error
	// held, when set, keeps the status and body back until release, so
	// that the call can be recorded before the client sees its answer.
	held     bool
	heldBody []byte
}

func (w *responseRecorder) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.status, w.wroteHeader = status, true
	if !w.held {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *responseRecorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.held {
		w.heldBody = append(w.heldBody, p...)
		w.bytes += int64(len(p))
		return len(p), nil
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
	return n, err
}

// release sends what was held back.
func (w *responseRecorder) release() {
	if !w.held {
		return
	}
	w.held = false
	if w.wroteHeader {
		w.ResponseWriter.WriteHeader(w.status)
	}
	if len(w.heldBody) > 0 {
		if _, err := w.ResponseWriter.Write(w.heldBody); err != nil && w.writeErr == nil {
			w.writeErr = err
		}
	}
}

func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
