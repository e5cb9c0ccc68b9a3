package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/ids"
	"github.com/cairnhq/cairn/internal/protocol/awsjson"
	"github.com/cairnhq/cairn/internal/protocol/restjson"
)

// Identity is what authentication establishes about a request.
type Identity struct {
	Principal identity.Principal
	Region    string
	Service   string // signing name from the credential scope; empty when unsigned
}

// Authenticator identifies the caller of a request. payloadHash returns the
// hex SHA-256 of the body already read (JSON protocols); for S3 the
// authenticator takes the hash from X-Amz-Content-Sha256. Errors are
// api.Error values with the JSON protocols' codes.
type Authenticator interface {
	Authenticate(r *http.Request, payloadHash func() string) (Identity, error)
}

// JSONService is an AWS JSON 1.1 service.
type JSONService struct {
	Name          string // signing name, e.g. cloudtrail
	Target        awsjson.Target
	Operations    map[string]*api.Operation
	MapViolations api.ViolationMapper
}

// RESTService is a REST-JSON service; operations are matched on method and path.
type RESTService struct {
	Name          string
	Operations    map[string]*api.Operation
	MapViolations api.ViolationMapper
	// MaxBodyBytes, when set, is the service's own request size limit,
	// applied when it is below the gateway's.
	MaxBodyBytes int64
}

// Call describes one served API call, for observers such as the event recorder.
type Call struct {
	Service   string
	Operation string
	Input     api.Input // nil when the request could not be decoded
	Output    any       // nil on error
	Err       api.Error // nil on success
	Caller    *identity.Caller
}

// Observer is told about every API call after it ran and before its response
// is written; an error turns the response into InternalFailure.
type Observer interface {
	ObserveCall(ctx context.Context, c *Call) error
}

// S3ErrorWriter writes an S3 XML error for authentication failures.
type S3ErrorWriter func(w http.ResponseWriter, r *http.Request, code string, status int, message string)

// Backend is everything that exists only once storage is open.
type Backend struct {
	Auth       Authenticator
	CloudTrail *JSONService
	Data       *RESTService
	S3         http.Handler
	S3Error    S3ErrorWriter
	Observer   Observer // may be nil
	// Ingest takes CloudTrail records posted to /_cairn/events (JSON or
	// gzip) for the authenticated caller; nil answers UnsupportedOperation.
	Ingest func(ctx context.Context, body []byte) (any, error)

	jsonProtocol, restProtocol *apiProtocol
}

// Config is the static configuration of the gateway.
type Config struct {
	MaxBodyBytes int64
	// MaxIngestBytes bounds one body posted to the native ingestion endpoint.
	MaxIngestBytes int64
	// AdminEnabled allows the state-reset endpoints (open auth mode only).
	AdminEnabled bool
	// Reset clears all state; called with every other request excluded.
	Reset   func(ctx context.Context) error
	Health  func() map[string]any
	Logger  *slog.Logger
	Now     func() time.Time
	Version string
}

// Gateway is the http.Handler of the whole API surface.
type Gateway struct {
	cfg     Config
	backend atomic.Pointer[Backend]
	// exclusive is held for reading by every API request and for writing by
	// a state reset.
	exclusive sync.RWMutex
}

// New returns a gateway that answers 503 until SetBackend is called.
func New(cfg Config) *Gateway {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 2 << 20
	}
	if cfg.MaxIngestBytes <= 0 {
		cfg.MaxIngestBytes = 64 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Gateway{cfg: cfg}
}

// SetBackend makes the gateway ready to serve the API.
func (g *Gateway) SetBackend(b *Backend) {
	b.jsonProtocol = jsonProtocol(b.CloudTrail)
	b.restProtocol = restProtocol(b.Data)
	g.backend.Store(b)
}

// Ready reports whether the backend is set.
func (g *Gateway) Ready() bool { return g.backend.Load() != nil }

const (
	cloudTrailDataPath = "/PutAuditEvents"
	adminPrefix        = "/_cairn/"
	ingestPath         = adminPrefix + "events"
)

// ServeHTTP routes one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := ids.NewUUID()
	switch {
	case r.URL.Path == ingestPath:
		g.serveIngest(w, r, requestID)
		return
	case strings.HasPrefix(r.URL.Path, adminPrefix) || r.URL.Path == "/moto-api/reset":
		g.serveAdmin(w, r, requestID)
		return
	}
	g.exclusive.RLock()
	defer g.exclusive.RUnlock()
	b := g.backend.Load()
	kind := classify(r)
	if b == nil {
		g.writeError(w, r, kind, requestID, api.NewCommonError(api.CodeServiceUnavailable, http.StatusServiceUnavailable, "Cairn is starting; storage is not open yet."))
		return
	}
	caller := &identity.Caller{
		RequestID: requestID,
		SourceIP:  sourceIP(r),
		UserAgent: r.UserAgent(),
		Received:  g.cfg.Now().UTC(),
		TLS:       tlsDetails(r),
	}
	switch kind {
	case kindS3:
		g.serveS3(w, r, b, caller)
	case kindJSON:
		g.serveAPI(w, r, b, caller, b.jsonProtocol)
	case kindREST:
		g.serveAPI(w, r, b, caller, b.restProtocol)
	case kindUnknownService:
		g.writeError(w, r, kind, requestID, api.NewCommonError("UnrecognizedServiceException", http.StatusBadRequest,
			"Cairn does not serve the %q service; it serves cloudtrail, cloudtrail-data and s3.", scopeService(r)))
	}
}

type requestKind int

const (
	kindS3 requestKind = iota
	kindJSON
	kindREST
	kindUnknownService
)

// classify routes by the credential scope's service when the request is
// signed, else by the shape of the request.
func classify(r *http.Request) requestKind {
	switch scopeService(r) {
	case "s3":
		return kindS3
	case "cloudtrail-data":
		return kindREST
	case "cloudtrail":
		return kindJSON
	case "":
	default:
		return kindUnknownService
	}
	if r.Header.Get("X-Amz-Target") != "" {
		return kindJSON
	}
	if r.Method == http.MethodPost && r.URL.Path == cloudTrailDataPath {
		return kindREST
	}
	return kindS3
}

// scopeService extracts the service of a SigV4 credential scope without
// fully parsing the signature.
func scopeService(r *http.Request) string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return ""
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if q := r.URL.RawQuery; strings.Contains(q, "X-Amz-Credential=") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	// <key>/<date>/<region>/<service>/aws4_request: the fourth of five
	// slash-separated parts, found without allocating.
	if strings.Count(cred, "/") != 4 {
		return ""
	}
	for range 3 {
		cred = cred[strings.IndexByte(cred, '/')+1:]
	}
	return cred[:strings.IndexByte(cred, '/')]
}

// exactBodyLimit is the largest declared body length allocated up front.
const exactBodyLimit = 64 << 10

func (g *Gateway) readBody(r *http.Request, p *apiProtocol) ([]byte, api.Error) {
	limit := g.cfg.MaxBodyBytes
	if p.maxBody > 0 && p.maxBody < limit {
		limit = p.maxBody
	}
	return readBodyUpTo(r, limit)
}

func readBodyUpTo(r *http.Request, limit int64) ([]byte, api.Error) {
	if r.ContentLength > limit {
		return nil, api.ErrRequestEntityTooLarge(limit)
	}
	if r.ContentLength > 0 && r.ContentLength <= exactBodyLimit {
		// The usual case: a small body of known length, read into a buffer
		// of exactly that size (the server ends the body at that length).
		// Larger bodies grow their buffer as data arrives instead.
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, api.ErrSerialization("Could not read the request body")
		}
		return body, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, api.ErrSerialization("Could not read the request body")
	}
	if int64(len(body)) > limit {
		return nil, api.ErrRequestEntityTooLarge(limit)
	}
	return body, nil
}

func hashOf(body []byte) func() string {
	return func() string {
		sum := sha256.Sum256(body)
		return hex.EncodeToString(sum[:])
	}
}

func (g *Gateway) authenticate(r *http.Request, b *Backend, caller *identity.Caller, payloadHash func() string) api.Error {
	id, err := b.Auth.Authenticate(r, payloadHash)
	if err != nil {
		return asAPIError(g.cfg.Logger, caller.RequestID, err)
	}
	caller.Principal = id.Principal
	caller.Region = id.Region
	caller.Service = id.Service
	return nil
}

// apiProtocol is what differs between the JSON protocols: how the
// operation is found, how input is decoded, how results are written.
type apiProtocol struct {
	service     string
	maxBody     int64 // 0: the gateway's limit
	mapper      api.ViolationMapper
	operation   func(r *http.Request) *api.Operation
	decode      func(r *http.Request, body []byte, in api.Input) error
	writeError  func(w http.ResponseWriter, requestID string, err api.Error)
	writeOutput func(w http.ResponseWriter, requestID string, body []byte)
	encode      func(out any) ([]byte, error)
}

func jsonProtocol(svc *JSONService) *apiProtocol {
	return &apiProtocol{
		service: svc.Name,
		mapper:  svc.MapViolations,
		operation: func(r *http.Request) *api.Operation {
			name, ok := svc.Target.Operation(r.Header.Get("X-Amz-Target"))
			if !ok || r.Method != http.MethodPost {
				return nil
			}
			return svc.Operations[name]
		},
		decode:      func(_ *http.Request, body []byte, in api.Input) error { return awsjson.DecodeInput(body, in) },
		writeError:  awsjson.WriteError,
		writeOutput: awsjson.WriteOutput,
		encode:      awsjson.EncodeOutput,
	}
}

func restProtocol(svc *RESTService) *apiProtocol {
	return &apiProtocol{
		service: svc.Name,
		maxBody: svc.MaxBodyBytes,
		mapper:  svc.MapViolations,
		operation: func(r *http.Request) *api.Operation {
			for _, candidate := range svc.Operations {
				if candidate.HTTPMethod == r.Method && candidate.HTTPPath == r.URL.Path {
					return candidate
				}
			}
			return nil
		},
		decode: func(r *http.Request, body []byte, in api.Input) error {
			return restjson.DecodeInput(r.URL.Query(), body, in)
		},
		writeError:  restjson.WriteError,
		writeOutput: restjson.WriteOutput,
		encode:      restjson.EncodeOutput,
	}
}

// serveAPI serves one call of a JSON protocol: read, authenticate, find the
// operation, decode, validate, invoke, and leave through finish.
func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request, b *Backend, caller *identity.Caller, p *apiProtocol) {
	fail := func(err api.Error) { p.writeError(w, caller.RequestID, err) }
	body, apiErr := g.readBody(r, p)
	if apiErr != nil {
		fail(apiErr)
		return
	}
	if apiErr := g.authenticate(r, b, caller, hashOf(body)); apiErr != nil {
		fail(apiErr)
		return
	}
	op := p.operation(r)
	if op == nil {
		fail(api.ErrUnknownOperation())
		return
	}
	ctx := identity.WithCaller(r.Context(), caller)
	in := op.NewInput()
	if err := p.decode(r, body, in); err != nil {
		g.finish(ctx, b, p.service, op.Name, nil, nil, err, caller, fail, nil)
		return
	}
	out, err := g.invoke(ctx, op, in, p.mapper)
	g.finish(ctx, b, p.service, op.Name, in, out, err, caller, fail, func(out any) {
		encoded, err := p.encode(out)
		if err != nil {
			fail(asAPIError(g.cfg.Logger, caller.RequestID, err))
			return
		}
		p.writeOutput(w, caller.RequestID, encoded)
	})
}

func (g *Gateway) invoke(ctx context.Context, op *api.Operation, in api.Input, mapper api.ViolationMapper) (out any, err error) {
	var v api.Validator
	in.ValidateConstraints(&v)
	if len(v.Violations) > 0 {
		var mapped error
		if mapper != nil {
			mapped = mapper(op.Name, v.Violations)
		}
		switch {
		case errors.Is(mapped, api.ErrViolationsAccepted):
		case mapped != nil:
			return nil, mapped
		default:
			return nil, api.ValidationError(v.Violations)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			g.cfg.Logger.Error("handler panicked", "operation", op.Name, "panic", p)
			out, err = nil, fmt.Errorf("handler %s panicked: %v", op.Name, p)
		}
	}()
	return op.Invoke(ctx, in)
}

// finish is the single exit of the API protocols: it tells the observer and
// then writes either the output or the error.
func (g *Gateway) finish(ctx context.Context, b *Backend, service, operation string, in api.Input, out any, err error, caller *identity.Caller, fail func(api.Error), succeed func(any)) {
	var apiErr api.Error
	if err != nil {
		apiErr = asAPIError(g.cfg.Logger, caller.RequestID, err)
		out = nil
	}
	if b.Observer != nil {
		call := &Call{Service: service, Operation: operation, Input: in, Output: out, Err: apiErr, Caller: caller}
		if obsErr := b.Observer.ObserveCall(ctx, call); obsErr != nil {
			g.cfg.Logger.Error("recording the call failed", "operation", operation, "request_id", caller.RequestID, "error", obsErr)
			fail(api.ErrInternalFailure())
			return
		}
	}
	if g.cfg.Logger.Enabled(ctx, slog.LevelDebug) { // spares building the attributes per call
		g.cfg.Logger.Debug("call", "service", service, "operation", operation, "request_id", caller.RequestID,
			"account", caller.Principal.AccountID, "region", caller.Region, "error", errorCode(apiErr))
	}
	if apiErr != nil {
		fail(apiErr)
		return
	}
	succeed(out)
}

func errorCode(err api.Error) string {
	if err == nil {
		return ""
	}
	return err.ErrorCode()
}

// asAPIError turns any error into an api.Error: modelled errors pass
// through, context cancellation is reported as such, anything else is
// logged and answered as InternalFailure.
func asAPIError(logger *slog.Logger, requestID string, err error) api.Error {
	var apiErr api.Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	if errors.Is(err, context.Canceled) {
		return api.NewCommonError("RequestCanceled", 499, "The request was canceled by the client.")
	}
	logger.Error("internal failure", "request_id", requestID, "error", err)
	return api.ErrInternalFailure()
}

func (g *Gateway) serveS3(w http.ResponseWriter, r *http.Request, b *Backend, caller *identity.Caller) {
	if apiErr := g.authenticate(r, b, caller, nil); apiErr != nil {
		code, status, message := s3AuthError(apiErr)
		w.Header().Set("x-amz-request-id", caller.RequestID)
		b.S3Error(w, r, code, status, message)
		return
	}
	b.S3.ServeHTTP(w, r.WithContext(identity.WithCaller(r.Context(), caller)))
}

// s3Coded is an authentication error that knows S3's code for itself.
type s3Coded interface {
	S3Code() string
	S3Message() string
}

// s3AuthError gives S3's code for an authentication failure.
func s3AuthError(err api.Error) (code string, status int, message string) {
	if coded, ok := err.(s3Coded); ok {
		return coded.S3Code(), err.HTTPStatus(), coded.S3Message()
	}
	if err.HTTPStatus() >= 500 {
		return "InternalError", err.HTTPStatus(), err.ErrorMessage()
	}
	return "AccessDenied", http.StatusForbidden, "Access Denied"
}

func (g *Gateway) writeError(w http.ResponseWriter, r *http.Request, kind requestKind, requestID string, err api.Error) {
	switch kind {
	case kindREST:
		restjson.WriteError(w, requestID, err)
	case kindJSON:
		awsjson.WriteError(w, requestID, err)
	case kindUnknownService:
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			w.Header().Set("x-amzn-RequestId", requestID)
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(err.HTTPStatus())
			fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>",
				err.ErrorCode(), html.EscapeString(err.ErrorMessage()), requestID)
			return
		}
		awsjson.WriteError(w, requestID, err)
	default:
		w.Header().Set("x-amz-request-id", requestID)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(err.HTTPStatus())
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>", err.ErrorCode(), html.EscapeString(err.ErrorMessage()), requestID)
	}
}

// serveIngest is the native ingestion endpoint: POST /_cairn/events,
// authenticated like the API (signing service cloudtrail), answered in
// JSON.
func (g *Gateway) serveIngest(w http.ResponseWriter, r *http.Request, requestID string) {
	g.exclusive.RLock()
	defer g.exclusive.RUnlock()
	fail := func(err api.Error) { awsjson.WriteError(w, requestID, err) }
	b := g.backend.Load()
	if b == nil {
		fail(api.NewCommonError(api.CodeServiceUnavailable, http.StatusServiceUnavailable, "Cairn is starting; storage is not open yet."))
		return
	}
	if r.Method != http.MethodPost {
		fail(api.NewCommonError("MethodNotAllowed", http.StatusMethodNotAllowed, "Use POST to ingest events."))
		return
	}
	caller := &identity.Caller{RequestID: requestID, SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Received: g.cfg.Now().UTC(), TLS: tlsDetails(r)}
	body, apiErr := readBodyUpTo(r, g.cfg.MaxIngestBytes)
	if apiErr != nil {
		fail(apiErr)
		return
	}
	if apiErr := g.authenticate(r, b, caller, hashOf(body)); apiErr != nil {
		fail(apiErr)
		return
	}
	if caller.Service != "" && caller.Service != "cloudtrail" {
		fail(api.NewCommonError(api.CodeInvalidSignature, http.StatusForbidden, "Credential should be scoped to correct service: 'cloudtrail'."))
		return
	}
	if b.Ingest == nil {
		fail(api.NewCommonError("UnsupportedOperationException", http.StatusBadRequest, "Event ingestion is not available."))
		return
	}
	out, err := b.Ingest(identity.WithCaller(r.Context(), caller), body)
	if err != nil {
		fail(asAPIError(g.cfg.Logger, requestID, err))
		return
	}
	encoded, err := json.Marshal(out)
	if err != nil {
		fail(asAPIError(g.cfg.Logger, requestID, err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(encoded)
}

func (g *Gateway) serveAdmin(w http.ResponseWriter, r *http.Request, requestID string) {
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-amzn-RequestId", requestID)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.URL.Path == adminPrefix+"health":
		status := map[string]any{"status": "ok", "version": g.cfg.Version}
		if g.cfg.Health != nil {
			for k, v := range g.cfg.Health() {
				status[k] = v
			}
		}
		if !g.Ready() {
			status["status"] = "starting"
			writeJSON(http.StatusServiceUnavailable, status)
			return
		}
		writeJSON(http.StatusOK, status)
	case r.URL.Path == adminPrefix+"reset" || r.URL.Path == "/moto-api/reset":
		if r.Method != http.MethodPost {
			writeJSON(http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
			return
		}
		if !g.cfg.AdminEnabled || g.cfg.Reset == nil {
			writeJSON(http.StatusForbidden, map[string]string{"error": "state reset is available only with --auth open"})
			return
		}
		g.exclusive.Lock()
		err := g.cfg.Reset(r.Context())
		g.exclusive.Unlock()
		if err != nil {
			g.cfg.Logger.Error("reset failed", "error", err)
			writeJSON(http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(http.StatusOK, map[string]string{"status": "ok"})
	default:
		writeJSON(http.StatusNotFound, map[string]string{"error": "no such Cairn endpoint"})
	}
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func tlsDetails(r *http.Request) *identity.TLSDetails {
	if r.TLS == nil {
		return nil
	}
	return &identity.TLSDetails{
		TLSVersion:               tls.VersionName(r.TLS.Version),
		CipherSuite:              tls.CipherSuiteName(r.TLS.CipherSuite),
		ClientProvidedHostHeader: r.Host,
	}
}
