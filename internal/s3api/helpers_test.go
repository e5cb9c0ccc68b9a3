package s3api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/identity"
)

const (
	ownerAccount = "123456789012"
	otherAccount = "210987654321"
)

// fakeGateway stands in for Cairn's gateway in open mode: the SigV4
// credential scope's access key selects the account when it is 12 digits,
// its region becomes the caller's region, and request IDs are numbered.
type fakeGateway struct {
	next     http.Handler
	requests atomic.Int64

	mu         sync.Mutex
	putHeaders []http.Header // headers of every PUT of an object
}

var credentialScope = regexp.MustCompile(`Credential=([^/]+)/\d{8}/([^/]+)/`)

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	caller := &identity.Caller{
		Principal: identity.Principal{Type: identity.PrincipalRoot, AccountID: identity.DefaultAccountID},
		Service:   "s3",
		RequestID: fmt.Sprintf("TESTREQ%06d", g.requests.Add(1)),
	}
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		if regexp.MustCompile(`^\d{12}$`).MatchString(m[1]) {
			caller.Principal.AccountID = m[1]
		}
		caller.Region = m[2]
	}
	if r.Method == http.MethodPut {
		g.mu.Lock()
		g.putHeaders = append(g.putHeaders, r.Header.Clone())
		g.mu.Unlock()
	}
	g.next.ServeHTTP(w, r.WithContext(identity.WithCaller(r.Context(), caller)))
}

type testEnv struct {
	t       *testing.T
	store   *bucketstore.Store
	handler *Handler
	gateway *fakeGateway
	server  *httptest.Server

	mu    sync.Mutex
	calls []Call
}

// newTestEnv serves a fresh store over HTTPS (where the SDKs send
// aws-chunked bodies with trailing checksums) or plain HTTP (where they
// send checksums in headers).
func newTestEnv(t *testing.T, useTLS bool) *testEnv {
	t.Helper()
	store, err := bucketstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	env := &testEnv{t: t, store: store}
	env.handler = New(store, Options{
		Logger: slog.New(slog.DiscardHandler),
		OnCall: func(_ context.Context, c Call) {
			env.mu.Lock()
			env.calls = append(env.calls, c)
			env.mu.Unlock()
		},
	})
	env.gateway = &fakeGateway{next: env.handler}
	if useTLS {
		env.server = httptest.NewTLSServer(env.gateway)
	} else {
		env.server = httptest.NewServer(env.gateway)
	}
	t.Cleanup(env.server.Close)
	return env
}

// client returns an S3 client of the aws-sdk-go-v2, configured the way
// config.LoadDefaultConfig configures it (so with the SDK's default
// checksum behaviour), signing as accessKey in region.
func (env *testEnv) client(accessKey, region string) *s3.Client {
	env.t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKey, "secret", "")),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		env.t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(env.server.URL)
		o.UsePathStyle = true
		o.HTTPClient = env.server.Client()
	})
}

func (env *testEnv) lastCall() Call {
	env.mu.Lock()
	defer env.mu.Unlock()
	if len(env.calls) == 0 {
		env.t.Fatal("no call recorded")
	}
	return env.calls[len(env.calls)-1]
}

// expectAPIError checks that err is an S3 error with code and HTTP status,
// carrying the request ID the gateway assigned.
func expectAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s (%d), got %v", code, status, err)
	}
	if apiErr.ErrorCode() != code {
		t.Errorf("error code = %s (%v), want %s", apiErr.ErrorCode(), err, code)
	}
	var withStatus interface{ HTTPStatusCode() int }
	if !errors.As(err, &withStatus) || withStatus.HTTPStatusCode() != status {
		t.Errorf("%s: HTTP status = %v, want %d", code, err, status)
	}
	var withRequestID interface{ ServiceRequestID() string }
	if !errors.As(err, &withRequestID) || !regexp.MustCompile(`^TESTREQ\d{6}$`).MatchString(withRequestID.ServiceRequestID()) {
		t.Errorf("%s: request ID missing from %v", code, err)
	}
}
