package lake

import (
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// DataStoreTagResolver lets package tagging tag event data stores.
func (s *Service) DataStoreTagResolver() tagging.Resolver { return dataStoreTags{s} }

// ChannelTagResolver lets package tagging tag channels.
func (s *Service) ChannelTagResolver() tagging.Resolver { return channelTags{} }

type dataStoreTags struct{ s *Service }

// CheckResource accepts an existing store; one pending deletion is
// inactive, as AWS answers.
func (r dataStoreTags) CheckResource(tx store.Tx, arn tagging.ARN) error {
	rec, err := r.s.findDataStore(tx, scope{account: arn.AccountID, region: arn.Region}, arn.String())
	if err != nil {
		return err
	}
	if rec.Status == statusPendingDeletion {
		return inactive(rec)
	}
	return nil
}

type channelTags struct{}

func (channelTags) CheckResource(tx store.Tx, arn tagging.ARN) error {
	_, err := findChannel(tx, scope{account: arn.AccountID, region: arn.Region}, arn.String())
	return err
}
