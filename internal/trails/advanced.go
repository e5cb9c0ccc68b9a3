package trails

import (
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/selectorrules"
)

// validateAdvancedSelectors checks a trail's advanced event selectors with
// the rules shared with event data stores and converts them to the records
// the trail stores.
func validateAdvancedSelectors(in []cloudtrail.AdvancedEventSelector) ([]advancedSelector, error) {
	valid, err := selectorrules.Validate(in, selectorrules.Trail)
	if err != nil {
		return nil, err
	}
	out := make([]advancedSelector, 0, len(valid))
	for _, s := range valid {
		stored := advancedSelector{Name: s.Name, Fields: make([]fieldSelector, 0, len(s.Fields))}
		for _, f := range s.Fields {
			stored.Fields = append(stored.Fields, fieldSelector{
				Field:         f.Field,
				Equals:        f.Equals,
				StartsWith:    f.StartsWith,
				EndsWith:      f.EndsWith,
				NotEquals:     f.NotEquals,
				NotStartsWith: f.NotStartsWith,
				NotEndsWith:   f.NotEndsWith,
			})
		}
		out = append(out, stored)
	}
	return out, nil
}
