package trails

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/store"
)

// BucketLookup tells whether an S3 bucket exists. Buckets live in one global
// namespace, so the lookup is by name alone.
type BucketLookup interface {
	LookupBucket(ctx context.Context, name string) (BucketInfo, error)
}

// BucketInfo describes a bucket found by a BucketLookup.
type BucketInfo struct {
	Exists bool
	// Region and OwnerAccountID describe an existing bucket; they may be
	// empty when the lookup does not know them.
	Region         string
	OwnerAccountID string
}

// PublicKeySource lists the digest-signing public keys of a Region whose
// validity overlaps [start, end]. It returns an error wrapping
// ErrInvalidTimeRange when start is after end.
type PublicKeySource interface {
	PublicKeys(ctx context.Context, region string, start, end time.Time) ([]PublicKey, error)
}

// PublicKey is one digest-signing public key.
type PublicKey struct {
	Fingerprint   string
	ValidityStart time.Time
	ValidityEnd   time.Time
	// DER is the DER-encoded PKCS#1 RSAPublicKey, ListPublicKeys' Value.
	DER []byte
}

// ErrInvalidTimeRange is returned by a PublicKeySource for a start time
// after the end time.
var ErrInvalidTimeRange = errors.New("trails: start time is after end time")

// DeliveryStatus reports what delivery of a trail's files has achieved in one
// Region, for GetTrailStatus.
type DeliveryStatus interface {
	TrailDelivery(ctx context.Context, trailARN, region string) (Delivery, error)
}

// Delivery is the latest delivery state of a trail in one Region. Zero
// times and empty errors are left out of GetTrailStatus.
type Delivery struct {
	LatestDeliveryTime                 time.Time
	LatestDeliveryError                string
	LatestDigestDeliveryTime           time.Time
	LatestDigestDeliveryError          string
	LatestNotificationTime             time.Time
	LatestNotificationError            string
	LatestCloudWatchLogsDeliveryTime   time.Time
	LatestCloudWatchLogsDeliveryError  string
	LatestDeliveryAttemptTime          time.Time
	LatestDeliveryAttemptSucceeded     time.Time
	LatestNotificationAttemptTime      time.Time
	LatestNotificationAttemptSucceeded time.Time
}

// Config wires a Service.
type Config struct {
	Store store.Store
	Now   func() time.Time // defaults to time.Now
	// Buckets answers whether a trail's S3 bucket exists. Without it every
	// bucket is reported missing.
	Buckets BucketLookup
	// Keys lists digest-signing keys. Without it ListPublicKeys answers
	// ServiceUnavailable.
	Keys PublicKeySource
	// Delivery may be nil; GetTrailStatus then reports no delivery.
	Delivery DeliveryStatus
}

// Service answers the trail operations.
type Service struct {
	store    store.Store
	now      func() time.Time
	buckets  BucketLookup
	keys     PublicKeySource
	delivery DeliveryStatus

	listTrailsPageSize int
}

// defaultListTrailsPageSize is how many trails one ListTrails page holds.
const defaultListTrailsPageSize = 50

// New returns a Service over cfg.
func New(cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		store:              cfg.Store,
		now:                now,
		buckets:            cfg.Buckets,
		keys:               cfg.Keys,
		delivery:           cfg.Delivery,
		listTrailsPageSize: defaultListTrailsPageSize,
	}
}

// Register installs the trail operations in h.
func (s *Service) Register(h *cloudtrail.Handlers) {
	h.CreateTrail = s.CreateTrail
	h.UpdateTrail = s.UpdateTrail
	h.DeleteTrail = s.DeleteTrail
	h.GetTrail = s.GetTrail
	h.DescribeTrails = s.DescribeTrails
	h.ListTrails = s.ListTrails
	h.GetTrailStatus = s.GetTrailStatus
	h.StartLogging = s.StartLogging
	h.StopLogging = s.StopLogging
	h.PutEventSelectors = s.PutEventSelectors
	h.GetEventSelectors = s.GetEventSelectors
	h.PutInsightSelectors = s.PutInsightSelectors
	h.GetInsightSelectors = s.GetInsightSelectors
	h.ListPublicKeys = s.ListPublicKeys
}

// scope is the account and Region a request is answered in.
type scope struct {
	account string
	region  string
}

func scopeOf(ctx context.Context) (scope, error) {
	c := identity.FromContext(ctx)
	if c == nil || c.Principal.AccountID == "" || c.Region == "" {
		return scope{}, api.NewCommonError(api.CodeInternalFailure, http.StatusInternalServerError,
			"The request reached the trail service without a caller.")
	}
	return scope{account: c.Principal.AccountID, region: c.Region}, nil
}

// clock returns the current time in UTC, truncated to the millisecond that
// the wire format keeps.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ptr[T any](v T) *T { return &v }
