package lake

import (
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/tagging"
)

// MapViolations answers constraint violations of this package's CloudTrail
// operations with the exceptions CloudTrail uses: the tagging exceptions
// for tags, InvalidEventSelectorsException inside selectors, the resource's
// ARN exception for a malformed resource reference, InvalidMaxResults and
// InvalidNextToken for paging, InvalidParameterException for the rest.
func (s *Service) MapViolations(op string, vs []api.Violation) error {
	message := func(v api.Violation) string { return api.ValidationError([]api.Violation{v}).Message }
	switch op {
	case "CreateEventDataStore", "UpdateEventDataStore", "GetEventDataStore", "DeleteEventDataStore",
		"RestoreEventDataStore", "StartEventDataStoreIngestion", "StopEventDataStoreIngestion", "ListEventDataStores",
		"CreateChannel", "UpdateChannel", "GetChannel", "DeleteChannel", "ListChannels",
		"PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy":
	default:
		return nil
	}
	if err := tagging.MapTagViolations(vs); err != nil {
		return err
	}
	for _, v := range vs {
		switch {
		case strings.HasPrefix(v.Path, "advancedEventSelectors"):
			return cloudtrail.NewInvalidEventSelectorsException("%s", message(v))
		case v.Path == "eventDataStore":
			return cloudtrail.NewEventDataStoreARNInvalidException("%s", message(v))
		case v.Path == "channel":
			return cloudtrail.NewChannelARNInvalidException("%s", message(v))
		case v.Path == "resourceArn":
			return cloudtrail.NewResourceARNNotValidException("%s", message(v))
		case v.Path == "resourcePolicy":
			return cloudtrail.NewResourcePolicyNotValidException("%s", message(v))
		case v.Path == "maxResults" && op == "ListEventDataStores":
			return cloudtrail.NewInvalidMaxResultsException("%s", message(v))
		case v.Path == "nextToken":
			return cloudtrail.NewInvalidNextTokenException("%s", message(v))
		}
	}
	return cloudtrail.NewInvalidParameterException("%s", api.ValidationError(vs).Message)
}

// MapDataViolations does the same for PutAuditEvents. The model's pattern
// for channelArn (^arn:.*$) is stricter than the service, which also takes
// a channel's ID: such a value is let through to the handler.
func (s *Service) MapDataViolations(op string, vs []api.Violation) error {
	if op != "PutAuditEvents" {
		return nil
	}
	others := vs[:0:0]
	for _, v := range vs {
		if v.Path != "channelArn" {
			others = append(others, v)
			continue
		}
		if v.Value == "null" {
			return nil
		}
		if !validChannelID(v.RawValue()) {
			return cloudtraildata.NewInvalidChannelARN("%s", api.ValidationError([]api.Violation{v}).Message)
		}
	}
	if len(others) == 0 {
		return api.ErrViolationsAccepted
	}
	return nil
}
