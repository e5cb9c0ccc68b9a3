package tagging

import (
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// MapViolations answers constraint violations of the tagging operations
// with CloudTrail's own exceptions: a TagsList over the model's limit is
// TagsLimitExceededException and a bad tag key or value is
// InvalidTagParameterException. Other violations keep the generic
// ValidationException.
func (s *Service) MapViolations(op string, vs []api.Violation) error {
	switch op {
	case "AddTags", "RemoveTags":
		return MapTagViolations(vs)
	}
	return nil
}

// MapTagViolations maps the violations found in a TagsList member (of
// AddTags, RemoveTags, or an operation that creates a tagged resource) and
// returns nil when none of vs concerns tags.
func MapTagViolations(vs []api.Violation) error {
	for _, v := range vs {
		if v.Path == "tagsList" && v.Value != "null" {
			return cloudtrail.NewTagsLimitExceededException("%s", api.ValidationError([]api.Violation{v}).Message)
		}
	}
	for _, v := range vs {
		if strings.HasPrefix(v.Path, "tagsList.") {
			return cloudtrail.NewInvalidTagParameterException("%s", api.ValidationError([]api.Violation{v}).Message)
		}
	}
	return nil
}
