package lake

import (
	"context"
	"errors"
	"slices"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// maxChannelsPerRegion is AWS's limit on channels per account and Region.
const maxChannelsPerRegion = 25

// sourceCustom is the source of channels for any application's events.
const sourceCustom = "Custom"

// partnerSources are the partner integrations' source names AWS lists.
var partnerSources = []string{
	"CloudStorageSecurityConsole", "Clumio", "CrowdStrike", "CyberArk", "GitHub", "KongGatewayEnterprise",
	"LaunchDarkly", "NetskopeCloudExchange", "IBMMulticloud", "MontyCloud", "OktaSystemLogEvents", "OneLogin",
	"Shoreline", "Snyk", "WizAuditLogs",
}

// CreateChannel creates a channel that delivers events from outside AWS
// to event data stores of ActivityAuditLog events.
func (s *Service) CreateChannel(ctx context.Context, req *cloudtrail.CreateChannelRequest) (*cloudtrail.CreateChannelResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	source := deref(req.Source)
	if source != sourceCustom && !slices.Contains(partnerSources, source) {
		return nil, cloudtrail.NewInvalidSourceException(
			"The source %s is not valid. Use Custom, or the source name of a CloudTrail Lake partner integration.", source)
	}
	tags, err := tagging.ValidateTags(req.Tags)
	if err != nil {
		return nil, err
	}
	if len(tags) > tagging.MaxTagsPerResource {
		return nil, cloudtrail.NewTagsLimitExceededException(
			"A channel can have at most %d tags; %d were given.", tagging.MaxTagsPerResource, len(tags))
	}
	ch := &channelRecord{
		Version: recordVersion,
		ID:      s.newID(),
		Account: sc.account,
		Region:  sc.region,
		Name:    deref(req.Name),
		Source:  source,
		Created: s.clock(),
	}
	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		if ch.Destinations, err = s.resolveDestinations(tx, sc, req.Destinations); err != nil {
			return err
		}
		count, clash := 0, false
		err := scanJSON(tx, channelBucket, scopePrefix(sc.account, sc.region), func(_ string, c *channelRecord) error {
			count++
			clash = clash || c.Name == ch.Name
			return nil
		})
		if err != nil {
			return err
		}
		if clash {
			return cloudtrail.NewChannelAlreadyExistsException("A channel named %s already exists in this account and Region.", ch.Name)
		}
		if count >= maxChannelsPerRegion {
			return cloudtrail.NewChannelMaxLimitExceededException(
				"Your account has reached the limit of %d channels in Region %s.", maxChannelsPerRegion, sc.region)
		}
		if err := putJSON(tx, channelBucket, ch.key(), ch); err != nil {
			return err
		}
		if err := tagging.PutTagsInTx(tx, ch.arn(), tags); err != nil {
			return err
		}
		return s.rewindowStores(tx, sc, ch.destinationARNs(), seq)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.CreateChannelResponse{
		ChannelArn:   ptr(ch.arn()),
		Name:         ptr(ch.Name),
		Source:       ptr(ch.Source),
		Destinations: destinationsToAPI(ch.Destinations),
		Tags:         tagging.ToAPI(tags),
	}, nil
}

// GetChannel describes a channel and its latest ingestion.
func (s *Service) GetChannel(ctx context.Context, req *cloudtrail.GetChannelRequest) (*cloudtrail.GetChannelResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	var ch *channelRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		ch, err = findChannel(tx, sc, deref(req.Channel))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetChannelResponse{
		ChannelArn:      ptr(ch.arn()),
		Name:            ptr(ch.Name),
		Source:          ptr(ch.Source),
		Destinations:    destinationsToAPI(ch.Destinations),
		IngestionStatus: s.ingestion.status(ctx, ch.arn()),
	}, nil
}

// UpdateChannel renames a channel or changes its destinations.
func (s *Service) UpdateChannel(ctx context.Context, req *cloudtrail.UpdateChannelRequest) (*cloudtrail.UpdateChannelResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	var ch *channelRecord
	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		if ch, err = findChannel(tx, sc, deref(req.Channel)); err != nil {
			return err
		}
		if req.Name != nil && *req.Name != ch.Name {
			clash := false
			err := scanJSON(tx, channelBucket, scopePrefix(sc.account, sc.region), func(_ string, c *channelRecord) error {
				clash = clash || c.Name == *req.Name
				return nil
			})
			if err != nil {
				return err
			}
			if clash {
				return cloudtrail.NewChannelAlreadyExistsException("A channel named %s already exists in this account and Region.", *req.Name)
			}
			ch.Name = *req.Name
		}
		affected := ch.destinationARNs()
		if req.Destinations != nil {
			if ch.Destinations, err = s.resolveDestinations(tx, sc, req.Destinations); err != nil {
				return err
			}
			affected = append(affected, ch.destinationARNs()...)
		}
		if err := putJSON(tx, channelBucket, ch.key(), ch); err != nil {
			return err
		}
		return s.rewindowStores(tx, sc, affected, seq)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.UpdateChannelResponse{
		ChannelArn:   ptr(ch.arn()),
		Name:         ptr(ch.Name),
		Source:       ptr(ch.Source),
		Destinations: destinationsToAPI(ch.Destinations),
	}, nil
}

// DeleteChannel deletes a channel with its tags and resource policy. The
// events it brought stay in their event data stores.
func (s *Service) DeleteChannel(ctx context.Context, req *cloudtrail.DeleteChannelRequest) (*cloudtrail.DeleteChannelResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	var arn string
	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		ch, err := findChannel(tx, sc, deref(req.Channel))
		if err != nil {
			return err
		}
		arn = ch.arn()
		if err := tx.Delete(channelBucket, ch.key()); err != nil {
			return err
		}
		if err := tagging.DeleteAllInTx(tx, arn); err != nil {
			return err
		}
		if err := tx.Delete(policyBucket, arn); err != nil {
			return err
		}
		s.ingestion.forget(arn) // before the delete, so no flush writes the status again
		if err := tx.Delete(ingestionBucket, arn); err != nil {
			return err
		}
		return s.rewindowStores(tx, sc, ch.destinationARNs(), seq)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.DeleteChannelResponse{}, nil
}

// ListChannels lists the channels of the caller's account and Region.
func (s *Service) ListChannels(ctx context.Context, req *cloudtrail.ListChannelsRequest) (*cloudtrail.ListChannelsResponse, error) {
	out := &cloudtrail.ListChannelsResponse{Channels: []cloudtrail.Channel{}}
	token, err := listPage(ctx, s.store, channelBucket, "channels", req.MaxResults, req.NextToken, func(c *channelRecord) bool {
		out.Channels = append(out.Channels, cloudtrail.Channel{ChannelArn: ptr(c.arn()), Name: ptr(c.Name)})
		return true
	})
	if err != nil {
		return nil, err
	}
	out.NextToken = token
	return out, nil
}

// resolveDestinations checks a channel's destinations: event data stores
// of the caller's account and Region that log ActivityAuditLog events and
// are not pending deletion.
func (s *Service) resolveDestinations(tx store.Tx, sc scope, in []cloudtrail.Destination) ([]destinationRecord, error) {
	if len(in) == 0 {
		return nil, cloudtrail.NewInvalidParameterException("A channel needs at least one destination.")
	}
	out := make([]destinationRecord, 0, len(in))
	for _, d := range in {
		if d.Type != cloudtrail.DestinationTypeEventDataStore {
			return nil, cloudtrail.NewInvalidParameterException(
				"Destination type %s is not supported for channels you create; use EVENT_DATA_STORE.", d.Type)
		}
		eds, err := s.findDataStore(tx, sc, deref(d.Location))
		if err != nil {
			return nil, err
		}
		if eds.Status == statusPendingDeletion {
			return nil, inactive(eds)
		}
		if eds.Kind != kindActivityAuditLog {
			return nil, cloudtrail.NewInvalidEventDataStoreCategoryException(
				"The event data store %s logs %s events; a channel's destination must log ActivityAuditLog events (eventCategory Equals ActivityAuditLog).",
				eds.arn(), kindDescription(eds.Kind))
		}
		rec := destinationRecord{Type: string(d.Type), Location: eds.arn()}
		if slices.Contains(out, rec) {
			return nil, cloudtrail.NewInvalidParameterException("The destination %s is given more than once.", rec.Location)
		}
		out = append(out, rec)
	}
	return out, nil
}

// rewindowStores cuts the open windows of the given stores at seq so that
// later events follow the channels' current destinations.
func (s *Service) rewindowStores(tx store.Tx, sc scope, arns []string, seq int64) error {
	done := map[string]bool{}
	for _, arn := range arns {
		if done[arn] {
			continue
		}
		done[arn] = true
		eds, err := s.findDataStore(tx, sc, arn)
		if err != nil {
			return err
		}
		if !eds.ingesting() {
			continue
		}
		channels, err := s.channelsInto(tx, eds)
		if err != nil {
			return err
		}
		eds.closeWindow(seq)
		eds.openWindow(seq, channels)
		if err := putJSON(tx, dataStoreBucket, eds.key(), eds); err != nil {
			return err
		}
	}
	return nil
}

// channelsInto lists the channels whose destinations include eds.
func (s *Service) channelsInto(tx store.Tx, eds *dataStoreRecord) ([]string, error) {
	if eds.Kind != kindActivityAuditLog {
		return nil, nil
	}
	var out []string
	err := scanJSON(tx, channelBucket, scopePrefix(eds.Account, eds.Region), func(_ string, c *channelRecord) error {
		if c.hasDestination(eds.arn()) {
			out = append(out, c.arn())
		}
		return nil
	})
	return out, err
}

// findChannel resolves a channel ARN or ID in the caller's account and
// Region.
func findChannel(tx store.Tx, sc scope, ref string) (*channelRecord, error) {
	id, err := refID(ref, tagging.ResourceChannel, sc)
	switch {
	case errors.Is(err, errMalformedARN):
		return nil, cloudtrail.NewChannelARNInvalidException(
			"The channel ARN %s is not valid. Specify the ARN (arn:aws:cloudtrail:<region>:<account>:channel/<id>) or the ID of a channel.", ref)
	case err != nil:
		return nil, channelNotFound(ref)
	}
	ch, err := getJSON[channelRecord](tx, channelBucket, scopedKey(sc.account, sc.region, id))
	if err != nil {
		return nil, err
	}
	if ch == nil {
		return nil, channelNotFound(ref)
	}
	return ch, nil
}

func channelNotFound(ref string) error {
	return cloudtrail.NewChannelNotFoundException("The channel %s does not exist in this account and Region.", ref)
}

func (c *channelRecord) key() string { return scopedKey(c.Account, c.Region, c.ID) }

func (c *channelRecord) hasDestination(arn string) bool {
	for _, d := range c.Destinations {
		if d.Location == arn {
			return true
		}
	}
	return false
}

func (c *channelRecord) destinationARNs() []string {
	out := make([]string, 0, len(c.Destinations))
	for _, d := range c.Destinations {
		out = append(out, d.Location)
	}
	return out
}

func destinationsToAPI(in []destinationRecord) []cloudtrail.Destination {
	out := make([]cloudtrail.Destination, 0, len(in))
	for _, d := range in {
		out = append(out, cloudtrail.Destination{Type: cloudtrail.DestinationType(d.Type), Location: ptr(d.Location)})
	}
	return out
}
