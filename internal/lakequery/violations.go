package lakequery

import (
	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// MapViolations answers constraint violations of the query operations with
// the exceptions Lake uses for the members.
func (s *Service) MapViolations(op string, vs []api.Violation) error {
	switch op {
	case "StartQuery", "DescribeQuery", "GetQueryResults", "ListQueries", "CancelQuery", "SearchSampleQueries":
	default:
		return nil
	}
	message := func(v api.Violation) string { return api.ValidationError([]api.Violation{v}).Message }
	for _, v := range vs {
		switch v.Path {
		case "maxQueryResults":
			return cloudtrail.NewInvalidMaxResultsException("%s", message(v))
		case "maxResults":
			if op == "ListQueries" {
				return cloudtrail.NewInvalidMaxResultsException("%s", message(v))
			}
		case "nextToken":
			if op != "SearchSampleQueries" {
				return cloudtrail.NewInvalidNextTokenException("%s", message(v))
			}
		case "queryStatement":
			return cloudtrail.NewInvalidQueryStatementException("%s", message(v))
		case "queryStatus":
			return cloudtrail.NewInvalidQueryStatusException("%s", message(v))
		case "eventDataStore":
			return cloudtrail.NewEventDataStoreARNInvalidException("%s", message(v))
		case "deliveryS3Uri":
			return cloudtrail.NewInvalidS3BucketNameException("%s", message(v))
		case "queryId":
			if v.Value != "null" {
				return cloudtrail.NewQueryIdNotFoundException("%s", message(v))
			}
		}
	}
	return cloudtrail.NewInvalidParameterException("%s", api.ValidationError(vs).Message)
}
