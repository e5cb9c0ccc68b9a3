package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnhq/cairn/internal/config"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/journal"
)

// Options are the non-configuration inputs of a server.
type Options struct {
	Logger  *slog.Logger
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is a running Cairn.
type Server struct {
	cfg     config.Config
	opts    Options
	logger  *slog.Logger
	ln      net.Listener
	http    *http.Server
	gateway *gateway.Gateway
	done    chan error
	// activity counts requests for releaseWhenIdle.
	activity     *activity
	stopIdle     chan struct{}
	stopIdleOnce sync.Once
	idleReleases atomic.Int64

	mu      sync.Mutex // guards storage
	storage *storage
}

// Start listens on cfg.Listen, serves (answering 503 until storage is open),
// opens storage, and returns once the API is ready.
func Start(ctx context.Context, cfg config.Config, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	s := &Server{cfg: cfg, opts: opts, logger: opts.Logger, done: make(chan error, 1)}
	s.gateway = gateway.New(gateway.Config{
		MaxBodyBytes: cfg.MaxBodyBytes,
		AdminEnabled: cfg.Auth == config.AuthOpen,
		Reset:        s.reset,
		Health:       s.health,
		Logger:       opts.Logger,
		Now:          opts.Now,
		Version:      opts.Version,
	})
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	s.ln = ln
	s.activity = &activity{next: s.gateway}
	s.http = &http.Server{
		Handler:           s.activity,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	if err := s.openStorage(ctx); err != nil {
		_ = s.http.Close()
		return nil, err
	}
	s.stopIdle = make(chan struct{})
	go s.releaseWhenIdle(s.stopIdle)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the base URL of the API.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Done delivers the error that stopped the HTTP server, if it stops by itself.
func (s *Server) Done() <-chan error { return s.done }

// Shutdown stops accepting requests, lets in-flight requests finish (until
// ctx ends), and closes storage cleanly.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopIdleOnce.Do(func() { close(s.stopIdle) })
	err := s.http.Shutdown(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.storage != nil {
		if cerr := s.storage.close(); cerr != nil && err == nil {
			err = cerr
		}
		s.storage = nil
	}
	return err
}

func (s *Server) openStorage(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := openStorage(s.cfg, s.opts)
	if err != nil {
		return err
	}
	backend, err := s.buildBackend(st)
	if err != nil {
		_ = st.close()
		return err
	}
	s.storage = st
	s.gateway.SetBackend(backend)
	return nil
}

// reset wipes every piece of state and starts over on empty storage. The
// gateway calls it with all other requests excluded.
func (s *Server) reset(ctx context.Context) error {
	s.mu.Lock()
	if s.storage != nil {
		if err := s.storage.close(); err != nil {
			s.mu.Unlock()
			return err
		}
		s.storage = nil
	}
	s.mu.Unlock()
	for _, name := range stateEntries {
		if err := os.RemoveAll(filepath.Join(s.cfg.DataDir, name)); err != nil {
			return fmt.Errorf("removing %s: %w", name, err)
		}
	}
	s.logger.Info("state reset: all data removed")
	return s.openStorage(ctx)
}

func (s *Server) health() map[string]any {
	return map[string]any{"auth": s.cfg.Auth}
}

// JournalStats returns the journal's group commits since storage opened,
// for benchmarks.
func (s *Server) JournalStats() journal.Stats {
	s.mu.Lock()
	st := s.storage
	s.mu.Unlock()
	if st == nil || st.journal == nil {
		return journal.Stats{}
	}
	return st.journal.Stats()
}

// EventDataStoreEvents returns the records an event data store holds (named
// by ARN or ID in the given account and Region), in sequence order, read
// by the Go implementation of the membership rules (lake.Service.Members),
// not through a Lake query: tests use it to check what a store ingested.
func (s *Server) EventDataStoreEvents(ctx context.Context, account, region, ref string) ([][]byte, error) {
	s.mu.Lock()
	st := s.storage
	s.mu.Unlock()
	if st == nil || st.lake == nil {
		return nil, errors.New("app: storage is not open")
	}
	var out [][]byte
	err := st.lake.Members(ctx, account, region, ref, func(_ int64, record []byte) error {
		out = append(out, bytes.Clone(record))
		return nil
	})
	return out, err
}
