package lake

import (
	"context"
	"strings"

	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/auditevents"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/policy"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// putAuditEventsAction is the action a channel's resource policy grants.
const putAuditEventsAction = "cloudtrail-data:PutAuditEvents"

// PutAuditEvents ingests events from outside AWS through a channel into
// the channel's event data stores. Each event is validated on its own:
// the valid ones are stored (durably, before the answer) and listed in
// successful, the others in failed with the reason.
func (s *Service) PutAuditEvents(ctx context.Context, req *cloudtraildata.PutAuditEventsRequest) (*cloudtraildata.PutAuditEventsResponse, error) {
	caller, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(req.AuditEvents))
	for _, e := range req.AuditEvents {
		id := deref(e.Id)
		if seen[id] {
			return nil, cloudtraildata.NewDuplicatedAuditEventId(
				"Two or more entries in the request have the same event ID %s. Each entry's id must be unique within a request.", id)
		}
		seen[id] = true
	}
	var ch *channelRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		if ch, err = channelForPut(tx, sc, deref(req.ChannelArn)); err != nil {
			return err
		}
		p, err := loadPolicy(tx, policy.Resource{Type: policy.Channel, ARN: ch.arn(), OwnerAccount: ch.Account})
		if err != nil {
			return err
		}
		request := policy.Request{
			PrincipalAccount: caller.Principal.AccountID,
			PrincipalARN:     caller.Principal.ARN,
			Action:           putAuditEventsAction,
			Resource:         ch.arn(),
			Context:          map[string]string{},
		}
		if req.ExternalId != nil {
			request.Context["cloudtrail:ExternalId"] = *req.ExternalId
		}
		decision := policy.NotApplicable
		if p != nil {
			decision = p.Evaluate(request)
		}
		// The owner may put events unless its own policy denies it
		// explicitly; anyone else needs an Allow.
		owner := ch.Account == caller.Principal.AccountID
		if owner && decision != policy.Deny {
			return nil
		}
		if decision != policy.Allow {
			reason := "the channel's resource policy does not allow it"
			switch {
			case decision == policy.Deny:
				reason = "the channel's resource policy denies it"
			case p == nil:
				reason = "the channel has no resource policy"
			case p.RequiresExternalID() && req.ExternalId == nil:
				reason = "the channel's resource policy requires an externalId, and none was given"
			case p.RequiresExternalID():
				reason = "the channel's resource policy does not allow this caller with this externalId"
			}
			return cloudtraildata.NewChannelInsufficientPermission(
				"The caller %s may not put events to channel %s: the caller's account must be the channel owner's, or %s.",
				caller.Principal.ARN, ch.arn(), reason)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	out := &cloudtraildata.PutAuditEventsResponse{
		Successful: []cloudtraildata.AuditEventResultEntry{},
		Failed:     []cloudtraildata.ResultErrorEntry{},
	}
	channel := auditevents.Channel{ARN: ch.arn(), OwnerAccount: ch.Account, Region: ch.Region}
	now := s.now().UTC()
	recs := make([]events.Record, 0, len(req.AuditEvents))
	var lastAttempt, lastError string
	for _, e := range req.AuditEvents {
		eventID := s.newID()
		lastAttempt = eventID
		rec, failure := auditevents.Build(auditevents.Entry{
			ID: deref(e.Id), EventData: deref(e.EventData), Checksum: e.EventDataChecksum,
		}, channel, eventID, now)
		if failure != nil {
			lastError = failure.Code
			out.Failed = append(out.Failed, cloudtraildata.ResultErrorEntry{
				Id: e.Id, ErrorCode: ptr(failure.Code), ErrorMessage: ptr(failure.Message),
			})
			continue
		}
		recs = append(recs, rec)
		out.Successful = append(out.Successful, cloudtraildata.AuditEventResultEntry{Id: e.Id, EventID: ptr(eventID)})
	}
	if len(recs) > 0 {
		if err := s.appender.Append(ctx, recs); err != nil {
			return nil, err
		}
	}
	lastSuccess := ""
	if n := len(out.Successful); n > 0 {
		lastSuccess = *out.Successful[n-1].EventID
	}
	s.ingestion.record(ch.arn(), lastSuccess, lastAttempt, lastError)
	return out, nil
}

// channelForPut finds the channel PutAuditEvents names: an ARN, which may
// belong to another account of the caller's Region, or the ID of a channel
// of the caller's account.
func channelForPut(tx store.Tx, sc scope, ref string) (*channelRecord, error) {
	owner := sc
	id := ref
	if strings.HasPrefix(ref, "arn:") {
		arn, ok := tagging.ParseARN(ref)
		if !ok || arn.Service != "cloudtrail" || arn.ResourceType != tagging.ResourceChannel ||
			!tagging.IsAccountID(arn.AccountID) || !tagging.IsRegionName(arn.Region) || arn.ResourceID == "" {
			return nil, cloudtraildata.NewInvalidChannelARN(
				"The channel ARN %s is not valid. Specify arn:aws:cloudtrail:<region>:<account>:channel/<id>, or the channel's ID.", ref)
		}
		if arn.Region != sc.region {
			return nil, cloudtraildata.NewChannelNotFound(
				"The channel %s is in Region %s; call PutAuditEvents in that Region.", ref, arn.Region)
		}
		owner = scope{account: arn.AccountID, region: arn.Region}
		id = arn.ResourceID
	} else if !validChannelID(ref) {
		return nil, cloudtraildata.NewInvalidChannelARN(
			"The channel %s is not valid. Specify arn:aws:cloudtrail:<region>:<account>:channel/<id>, or the channel's ID.", ref)
	}
	ch, err := getJSON[channelRecord](tx, channelBucket, scopedKey(owner.account, owner.region, id))
	if err != nil {
		return nil, err
	}
	if ch == nil {
		return nil, cloudtraildata.NewChannelNotFound("The channel %s does not exist.", ref)
	}
	return ch, nil
}

// validChannelID accepts what a channel ID (a UUID) can be.
func validChannelID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// MaxPutAuditEventsBytes is the largest PutAuditEvents request AWS
// accepts: 1 MB.
const MaxPutAuditEventsBytes = 1 << 20
