package trails

import (
	"strings"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/tagging"
)

// MapViolations answers constraint violations of the trail operations with
// the exception CloudTrail uses for the member: tags in CreateTrail get the
// tagging exceptions, anything inside the selectors of PutEventSelectors is
// InvalidEventSelectorsException, and anything inside the selectors of
// PutInsightSelectors is InvalidInsightSelectorsException. Other violations
// keep the generic ValidationException.
func (s *Service) MapViolations(op string, vs []api.Violation) error {
	switch op {
	case "CreateTrail":
		return tagging.MapTagViolations(vs)
	case "PutEventSelectors":
		for _, v := range vs {
			if strings.HasPrefix(v.Path, "eventSelectors") || strings.HasPrefix(v.Path, "advancedEventSelectors") {
				return invalidValue(v.RawValue(), selectorFieldName(v.Path))
			}
		}
	case "PutInsightSelectors":
		for _, v := range vs {
			if strings.HasPrefix(v.Path, "insightSelectors") {
				return cloudtrail.NewInvalidInsightSelectorsException("%s", api.ValidationError([]api.Violation{v}).Message)
			}
		}
		for _, v := range vs {
			if v.Path == "eventDataStore" || v.Path == "insightsDestination" {
				return cloudtrail.NewInvalidParameterException("%s", api.ValidationError([]api.Violation{v}).Message)
			}
		}
	case "GetInsightSelectors":
		for _, v := range vs {
			if v.Path == "eventDataStore" {
				return cloudtrail.NewInvalidParameterException("%s", api.ValidationError([]api.Violation{v}).Message)
			}
		}
	}
	return nil
}

// selectorFieldName turns a violation path such as
// "eventSelectors.1.member.readWriteType" into the member name AWS uses in
// its messages, "ReadWriteType".
func selectorFieldName(path string) string {
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if p == "member" || p == "" || p[0] >= '0' && p[0] <= '9' {
			continue
		}
		return strings.ToUpper(p[:1]) + p[1:]
	}
	return path
}
