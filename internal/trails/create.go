package trails

import (
	"context"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// CreateTrail creates a trail in the caller's Region. The trail starts not
// logging, with the default event selector (all management events).
func (s *Service) CreateTrail(ctx context.Context, req *cloudtrail.CreateTrailRequest) (*cloudtrail.CreateTrailResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	name := deref(req.Name)
	if err := validateTrailName(name); err != nil {
		return nil, err
	}
	tags, err := tagging.ValidateTags(req.TagsList)
	if err != nil {
		return nil, err
	}
	if len(tags) > tagging.MaxTagsPerResource {
		return nil, cloudtrail.NewTagsLimitExceededException(
			"The number of tags on resource %s would exceed the limit of %d.",
			trailARN(sc.region, sc.account, name), tagging.MaxTagsPerResource)
	}
	t := &trailRecord{
		Account:                    sc.account,
		HomeRegion:                 sc.region,
		Name:                       name,
		Created:                    s.clock(),
		IncludeGlobalServiceEvents: true,
		Selectors:                  defaultSelectors(),
	}
	if req.IncludeGlobalServiceEvents != nil {
		t.IncludeGlobalServiceEvents = *req.IncludeGlobalServiceEvents
	}
	if req.IsMultiRegionTrail != nil {
		t.MultiRegion = *req.IsMultiRegionTrail
	}
	if req.EnableLogFileValidation != nil {
		t.LogFileValidation = *req.EnableLogFileValidation
	}
	if err := checkOrganizationTrail(req.IsOrganizationTrail); err != nil {
		return nil, err
	}
	if err := checkMultiRegionGlobalEvents(t); err != nil {
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
	if err := change.apply(t); err != nil {
		return nil, err
	}
	if err := s.checkBucketExists(ctx, t.S3BucketName); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkNameFree(tx, t, false); err != nil {
			return err
		}
		if err := checkTrailLimit(tx, t); err != nil {
			return err
		}
		if err := putRecord(tx, t); err != nil {
			return err
		}
		return tagging.PutTagsInTx(tx, t.arn(), tags)
	})
	if err != nil {
		return nil, err
	}
	return toCreateResponse(t), nil
}

// checkOrganizationTrail answers a request for an organization trail. Cairn
// accounts are never members of an organization.
func checkOrganizationTrail(isOrganizationTrail *bool) error {
	if isOrganizationTrail != nil && *isOrganizationTrail {
		return cloudtrail.NewOrganizationsNotInUseException(
			"This account is not a member of an organization in AWS Organizations, so it cannot have organization trails.")
	}
	return nil
}

// checkMultiRegionGlobalEvents enforces that multi-Region trails log global
// service events.
func checkMultiRegionGlobalEvents(t *trailRecord) error {
	if t.MultiRegion && !t.IncludeGlobalServiceEvents {
		return cloudtrail.NewInvalidParameterCombinationException("Multi-Region trail must include global service events.")
	}
	return nil
}
