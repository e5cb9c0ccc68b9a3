package history

import (
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// MapViolations answers constraint violations of LookupEvents with the
// exceptions AWS uses: InvalidLookupAttributesException for anything in
// LookupAttributes, InvalidMaxResultsException for MaxResults and
// InvalidEventCategoryException for EventCategory.
func (s *Service) MapViolations(op string, vs []api.Violation) error {
	if op != "LookupEvents" {
		return nil
	}
	for _, v := range vs {
		msg := api.ValidationError([]api.Violation{v}).Message
		switch {
		case strings.HasPrefix(v.Path, "lookupAttributes"):
			return cloudtrail.NewInvalidLookupAttributesException("%s", msg)
		case v.Path == "maxResults":
			return cloudtrail.NewInvalidMaxResultsException("%s", msg)
		case v.Path == "eventCategory":
			return cloudtrail.NewInvalidEventCategoryException("%s", msg)
		}
	}
	return nil
}
