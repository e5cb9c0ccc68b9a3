package trails

import (
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// TagResolver returns the resolver that lets package tagging tag trails;
// register it under tagging.ResourceTrail.
func (s *Service) TagResolver() tagging.Resolver { return trailTagResolver{} }

// trailTagResolver accepts the ARN of a trail whose home is the ARN's
// Region and answers a missing trail with ResourceNotFoundException.
type trailTagResolver struct{}

func (trailTagResolver) CheckResource(tx store.Tx, arn tagging.ARN) error {
	if validateTrailName(arn.ResourceID) != nil {
		return invalidTrailARN(arn.String())
	}
	t, err := getRecord(tx, recordKey(arn.AccountID, arn.ResourceID, arn.Region))
	if err != nil {
		return err
	}
	if t == nil {
		return cloudtrail.NewResourceNotFoundException("Resource %s not found.", arn.String())
	}
	return nil
}
