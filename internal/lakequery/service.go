package lakequery

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/ids"
	"github.com/cairnhq/cairn/internal/lake"
	"github.com/cairnhq/cairn/internal/lakesql"
	"github.com/cairnhq/cairn/internal/queryresults"
	"github.com/cairnhq/cairn/internal/store"
)

// Relations resolves the event data stores a statement names.
type Relations interface {
	QueryRelation(ctx context.Context, owner, ref string) (*lake.Relation, error)
	// StoreARN resolves a store of the caller's to its ARN.
	StoreARN(ctx context.Context, ref string) (string, error)
}

// Engine runs SQL over the event store (eventstore.Store).
type Engine interface {
	// QueryEach runs the queries builds make, one after the other over
	// the same events; fn reads the rows of the i-th.
	QueryEach(ctx context.Context, builds []func(events string) string, fn func(i int, rows *sql.Rows) error) error
	Prepare(ctx context.Context, build func(events string) string) error
}

// Buckets tells whether a bucket for delivered results exists.
type Buckets interface {
	BucketExists(ctx context.Context, name string) (bool, error)
}

// Config wires a Service.
type Config struct {
	Store     store.Store
	Dir       string // results files
	Relations Relations
	Engine    Engine
	// Objects and Signer deliver results to DeliveryS3Uri; Buckets checks
	// the bucket at StartQuery.
	Objects queryresults.ObjectStore
	Signer  queryresults.Signer
	Buckets Buckets
	Now     func() time.Time
	// Timeout ends a query TIMED_OUT; default an hour, as Lake.
	Timeout time.Duration
}

// Limits and periods Lake documents.
const (
	maxActivePerRegion = 10
	resultsKept        = 7 * 24 * time.Hour
	defaultTimeout     = time.Hour
	// workers is how many queries run at once; DuckDB runs each on every
	// core.
	workers = 2
)

// Service answers the Lake query operations.
type Service struct {
	cfg Config
	now func() time.Time

	queue chan *run
	stop  chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	active map[string]*run // queued or running, by query ID
}

// run is a query that is queued or running.
type run struct {
	id, account, region string
	translated          *lakesql.Query
	relations           []*lake.Relation
	delivery            string
	cancel              context.CancelCauseFunc
	ctx                 context.Context
}

// New opens the results directory, fails queries a previous process left
// unfinished, and starts the workers. Close stops them.
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, now: cfg.Now, queue: make(chan *run, 1024), stop: make(chan struct{}), active: map[string]*run{}}
	if err := s.failInterrupted(context.Background()); err != nil {
		return nil, err
	}
	for range workers {
		s.wg.Add(1)
		go s.worker()
	}
	s.wg.Add(1)
	go s.purgeLoop()
	return s, nil
}

// Close cancels running queries (they end FAILED at the next start if
// their record could not be written) and waits for the workers.
func (s *Service) Close() error {
	close(s.stop)
	s.mu.Lock()
	for _, r := range s.active {
		r.cancel(errShutdown)
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Register installs the query operations in h.
func (s *Service) Register(h *cloudtrail.Handlers) {
	h.StartQuery = s.StartQuery
	h.DescribeQuery = s.DescribeQuery
	h.GetQueryResults = s.GetQueryResults
	h.ListQueries = s.ListQueries
	h.CancelQuery = s.CancelQuery
	h.SearchSampleQueries = s.SearchSampleQueries
}

type scope struct{ account, region string }

func callerOf(ctx context.Context) (*identity.Caller, scope, error) {
	c := identity.FromContext(ctx)
	if c == nil || c.Principal.AccountID == "" || c.Region == "" {
		return nil, scope{}, api.NewCommonError(api.CodeInternalFailure, http.StatusInternalServerError,
			"The request reached the Lake query service without a caller.")
	}
	return c, scope{c.Principal.AccountID, c.Region}, nil
}

func newQueryID() string { return ids.NewUUID() }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
