package trails

import (
	"context"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// DeleteTrail deletes a trail, its shadows and its tags. Only the trail's
// home Region may delete it.
func (s *Service) DeleteTrail(ctx context.Context, req *cloudtrail.DeleteTrailRequest) (*cloudtrail.DeleteTrailResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := parseTrailRef(deref(req.Name))
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		t, err := findOwned(tx, sc, ref)
		if err != nil {
			return err
		}
		if err := tx.Delete(bucket, t.key()); err != nil {
			return err
		}
		return tagging.DeleteAllInTx(tx, t.arn())
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.DeleteTrailResponse{}, nil
}

// StartLogging turns logging on. StartLoggingTime records when logging last
// went from off to on; starting a trail that is logging changes nothing.
func (s *Service) StartLogging(ctx context.Context, req *cloudtrail.StartLoggingRequest) (*cloudtrail.StartLoggingResponse, error) {
	if err := s.setLogging(ctx, deref(req.Name), true); err != nil {
		return nil, err
	}
	return &cloudtrail.StartLoggingResponse{}, nil
}

// StopLogging turns logging off. StopLoggingTime records when logging last
// went from on to off; stopping a trail that is not logging changes nothing.
func (s *Service) StopLogging(ctx context.Context, req *cloudtrail.StopLoggingRequest) (*cloudtrail.StopLoggingResponse, error) {
	if err := s.setLogging(ctx, deref(req.Name), false); err != nil {
		return nil, err
	}
	return &cloudtrail.StopLoggingResponse{}, nil
}

func (s *Service) setLogging(ctx context.Context, name string, logging bool) error {
	sc, err := scopeOf(ctx)
	if err != nil {
		return err
	}
	ref, err := parseTrailRef(name)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.store.Update(ctx, func(tx store.Tx) error {
		t, err := findOwned(tx, sc, ref)
		if err != nil {
			return err
		}
		if t.Logging == logging {
			return nil
		}
		t.Logging = logging
		if logging {
			t.StartLoggingTime = &now
		} else {
			t.StopLoggingTime = &now
		}
		return putRecord(tx, t)
	})
}
