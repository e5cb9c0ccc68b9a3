package trails

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// ListPublicKeys returns the caller Region's digest-signing public keys
// whose validity overlaps [StartTime, EndTime]; a missing bound is the
// current time, so a request without either lists the keys valid now. All
// keys fit in one page, so no NextToken is issued and any NextToken given is
// answered with InvalidTokenException.
func (s *Service) ListPublicKeys(ctx context.Context, req *cloudtrail.ListPublicKeysRequest) (*cloudtrail.ListPublicKeysResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.NextToken != nil {
		return nil, cloudtrail.NewInvalidTokenException("The NextToken %s is not valid.", *req.NextToken)
	}
	now := s.clock()
	start, end := now, now
	if req.StartTime != nil {
		start = req.StartTime.Time
	}
	if req.EndTime != nil {
		end = req.EndTime.Time
	}
	if start.After(end) {
		return nil, invalidTimeRange()
	}
	if s.keys == nil {
		return nil, api.NewCommonError(api.CodeServiceUnavailable, http.StatusServiceUnavailable,
			"No digest signing keys are configured.")
	}
	keys, err := s.keys.PublicKeys(ctx, sc.region, start, end)
	if errors.Is(err, ErrInvalidTimeRange) {
		return nil, invalidTimeRange()
	}
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.ListPublicKeysResponse{PublicKeyList: make([]cloudtrail.PublicKey, 0, len(keys))}
	for _, k := range keys {
		out.PublicKeyList = append(out.PublicKeyList, cloudtrail.PublicKey{
			Value:             slices.Clone(k.DER),
			ValidityStartTime: api.NewTimestamp(k.ValidityStart.UTC()),
			ValidityEndTime:   api.NewTimestamp(k.ValidityEnd.UTC()),
			Fingerprint:       ptr(k.Fingerprint),
		})
	}
	return out, nil
}

func invalidTimeRange() error {
	return cloudtrail.NewInvalidTimeRangeException("The start time must be before the end time.")
}
