// Package testenv starts real Cairn servers in-process, on a random
// loopback port with a temporary data directory, and builds SDK clients
// pointed at them. Integration tests in any package use it.
package testenv

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/app"
	"github.com/cairnhq/cairn/internal/config"
)

// Server is a running in-process Cairn.
type Server struct {
	*app.Server
	Config config.Config
	t      testing.TB
}

// Option adjusts the configuration before the server starts.
type Option func(*config.Config)

// WithDataDir uses dir instead of a fresh temporary directory.
func WithDataDir(dir string) Option { return func(c *config.Config) { c.DataDir = dir } }

// WithSigV4 switches to sigv4 authentication with the given credentials
// file contents.
func WithSigV4(credentialsYAML string) Option {
	return func(c *config.Config) {
		path := filepath.Join(c.DataDir + "-credentials.yaml")
		if err := os.WriteFile(path, []byte(credentialsYAML), 0o600); err != nil {
			panic(err)
		}
		c.Auth = config.AuthSigV4
		c.CredentialsFile = path
	}
}

// WithLookupEventsRate throttles LookupEvents to rate requests per second.
func WithLookupEventsRate(rate float64) Option {
	return func(c *config.Config) { c.LookupEventsRate = rate }
}

// WithQueryTimeout ends Lake queries that run longer than d TIMED_OUT.
func WithQueryTimeout(d time.Duration) Option {
	return func(c *config.Config) { c.QueryTimeout = d }
}

// Start starts a server and stops it when the test ends.
// WithSyncReadEvents makes read-only calls wait for their event's
// fdatasync, as --sync-read-events does.
func WithSyncReadEvents() Option { return func(c *config.Config) { c.SyncReadEvents = true } }

func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Auth = config.AuthOpen
	for _, opt := range opts {
		opt(&cfg)
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	srv, err := app.Start(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Server: srv, Config: cfg, t: t}
	t.Cleanup(func() { s.Stop() })
	return s
}

// Stop shuts the server down; stopping twice is harmless.
func (s *Server) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		s.t.Errorf("shutdown: %v", err)
	}
}

// AWSConfig is an SDK configuration signing as accessKey in region.
func (s *Server) AWSConfig(accessKey, secret, region string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secret, ""),
		BaseEndpoint:     aws.String(s.URL()),
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient,
	}
}

// CloudTrail is a CloudTrail client for the account accessKey selects in
// open mode.
func (s *Server) CloudTrail(accessKey, region string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(s.AWSConfig(accessKey, "secret", region))
}

// S3 is a path-style S3 client.
func (s *Server) S3(accessKey, region string) *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(accessKey, "secret", region), func(o *s3.Options) { o.UsePathStyle = true })
}

// HTTPClient is the HTTP client test SDK clients use. It hands the
// transport a private copy of each request body: aws-sdk-go-v2 closes a
// request's body stream when the response arrives, which races with
// net/http's final read of that body and can close the connection under
// the response being read (aws/aws-sdk-go-v2 issues 1825 and 2737). Against
// a server on loopback that answers within microseconds the race is hit
// often; against AWS it is rare. The copy takes the SDK out of it.
var HTTPClient = &http.Client{Transport: privateBodies{http.DefaultTransport}}

type privateBodies struct{ next http.RoundTripper }

func (p privateBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return p.next.RoundTrip(r)
}

// EnvInt is the positive integer in the environment variable name, or def:
// how measurements read their sizes (CAIRN_BENCH_*).
func EnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
