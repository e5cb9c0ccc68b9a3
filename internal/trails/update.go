package trails

import (
	"context"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
)

// UpdateTrail changes a trail's settings from its home Region. Empty
// strings remove S3KeyPrefix, SnsTopicName, KmsKeyId and the CloudWatch Logs
// settings. Turning a single-Region trail into a multi-Region one creates
// its shadows, which must not collide with other trails' names or exceed
// any Region's trail quota.
func (s *Service) UpdateTrail(ctx context.Context, req *cloudtrail.UpdateTrailRequest) (*cloudtrail.UpdateTrailResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := parseTrailRef(deref(req.Name))
	if err != nil {
		return nil, err
	}
	if err := s.store.View(ctx, func(tx store.Tx) error {
		_, err := findOwned(tx, sc, ref)
		return err
	}); err != nil {
		return nil, err
	}
	if err := checkOrganizationTrail(req.IsOrganizationTrail); err != nil {
		return nil, err
	}
	change := settingsChange{
		S3BucketName:              req.S3BucketName,
		S3KeyPrefix:               req.S3KeyPrefix,
		SnsTopicName:              req.SnsTopicName,
		KmsKeyID:                  req.KmsKeyId,
		CloudWatchLogsLogGroupARN: req.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleARN:     req.CloudWatchLogsRoleArn,
	}
	if req.S3BucketName != nil {
		if err := validateBucketName(*req.S3BucketName); err != nil {
			return nil, err
		}
		if err := s.checkBucketExists(ctx, *req.S3BucketName); err != nil {
			return nil, err
		}
	}
	var updated *trailRecord
	err = s.store.Update(ctx, func(tx store.Tx) error {
		t, err := findOwned(tx, sc, ref)
		if err != nil {
			return err
		}
		if err := change.apply(t); err != nil {
			return err
		}
		if req.IncludeGlobalServiceEvents != nil {
			t.IncludeGlobalServiceEvents = *req.IncludeGlobalServiceEvents
		}
		if req.EnableLogFileValidation != nil {
			t.LogFileValidation = *req.EnableLogFileValidation
		}
		becomesMultiRegion := req.IsMultiRegionTrail != nil && *req.IsMultiRegionTrail && !t.MultiRegion
		if req.IsMultiRegionTrail != nil {
			t.MultiRegion = *req.IsMultiRegionTrail
		}
		if err := checkMultiRegionGlobalEvents(t); err != nil {
			return err
		}
		if becomesMultiRegion {
			if err := checkNameFree(tx, t, true); err != nil {
				return err
			}
			if err := checkTrailLimit(tx, t); err != nil {
				return err
			}
		}
		updated = t
		return putRecord(tx, t)
	})
	if err != nil {
		return nil, err
	}
	return toUpdateResponse(updated), nil
}
