package trails

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/store"
)

// Limits on basic event selectors.
const (
	maxEventSelectors     = 5
	maxDataResourceValues = 250
)

// Data resource types basic event selectors accept.
const (
	dataTypeS3Object       = "AWS::S3::Object"
	dataTypeLambdaFunction = "AWS::Lambda::Function"
	dataTypeDynamoDBTable  = "AWS::DynamoDB::Table"
)

// PutEventSelectors replaces a trail's event selectors with basic or
// advanced selectors, from the trail's home Region.
func (s *Service) PutEventSelectors(ctx context.Context, req *cloudtrail.PutEventSelectorsRequest) (*cloudtrail.PutEventSelectorsResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := parseTrailRef(deref(req.TrailName))
	if err != nil {
		return nil, err
	}
	if (req.EventSelectors == nil) == (req.AdvancedEventSelectors == nil) {
		return nil, cloudtrail.NewInvalidParameterCombinationException(
			"Specify either EventSelectors or AdvancedEventSelectors, but not both.")
	}
	var selectors eventSelectors
	if req.EventSelectors != nil {
		selectors.Basic, err = validateBasicSelectors(req.EventSelectors)
	} else {
		selectors.Advanced, err = selectorrules.Validate(req.AdvancedEventSelectors, selectorrules.Trail)
	}
	if err != nil {
		return nil, err
	}
	var arn string
	err = s.store.Update(ctx, func(tx store.Tx) error {
		t, err := findOwned(tx, sc, ref)
		if err != nil {
			return err
		}
		t.Selectors = selectors
		t.CustomEventSelectors = true
		arn = t.arn()
		return putRecord(tx, t)
	})
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.PutEventSelectorsResponse{TrailARN: &arn}
	out.EventSelectors, out.AdvancedEventSelectors = selectorsToAPI(selectors)
	return out, nil
}

// GetEventSelectors returns a trail's basic or advanced event selectors. A
// shadow trail is found by its ARN.
func (s *Service) GetEventSelectors(ctx context.Context, req *cloudtrail.GetEventSelectorsRequest) (*cloudtrail.GetEventSelectorsResponse, error) {
	t, err := s.readTrail(ctx, deref(req.TrailName))
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.GetEventSelectorsResponse{TrailARN: ptr(t.arn())}
	out.EventSelectors, out.AdvancedEventSelectors = selectorsToAPI(t.Selectors)
	return out, nil
}

func invalidSelectors(format string, args ...any) error {
	return cloudtrail.NewInvalidEventSelectorsException(format, args...)
}

// invalidValue answers in the form AWS uses for a bad selector value.
func invalidValue(value, field string) error {
	return invalidSelectors("Value %s for %s is invalid.", value, field)
}

func validateBasicSelectors(in []cloudtrail.EventSelector) ([]basicSelector, error) {
	if len(in) == 0 || len(in) > maxEventSelectors {
		return nil, invalidSelectors(
			"A trail can have between 1 and %d event selectors; %d were specified.", maxEventSelectors, len(in))
	}
	out := make([]basicSelector, 0, len(in))
	resources := 0
	for _, es := range in {
		sel := basicSelector{ReadWriteType: string(es.ReadWriteType), IncludeManagementEvents: true}
		if sel.ReadWriteType == "" {
			sel.ReadWriteType = string(cloudtrail.ReadWriteTypeAll)
		}
		if !slices.Contains(cloudtrail.ReadWriteTypeValues(), sel.ReadWriteType) {
			return nil, invalidValue(sel.ReadWriteType, "ReadWriteType")
		}
		if es.IncludeManagementEvents != nil {
			sel.IncludeManagementEvents = *es.IncludeManagementEvents
		}
		for _, src := range es.ExcludeManagementEventSources {
			if !slices.Contains(selectorrules.ExcludableManagementSources, src) {
				return nil, invalidValue(src, "ExcludeManagementEventSources")
			}
			if !slices.Contains(sel.ExcludeManagementEventSources, src) {
				sel.ExcludeManagementEventSources = append(sel.ExcludeManagementEventSources, src)
			}
		}
		for _, dr := range es.DataResources {
			r, counted, err := validateDataResource(dr)
			if err != nil {
				return nil, err
			}
			resources += counted
			sel.DataResources = append(sel.DataResources, r)
		}
		if !sel.IncludeManagementEvents && len(sel.DataResources) == 0 {
			return nil, invalidSelectors(
				"Invalid combination of parameters in EventSelectors. When includeManagementEvents is false, DataResources must not be empty")
		}
		out = append(out, sel)
	}
	if resources > maxDataResourceValues {
		return nil, invalidSelectors(
			"A trail can have at most %d data resources across all event selectors; %d were specified.",
			maxDataResourceValues, resources)
	}
	return out, nil
}

var (
	s3ObjectPrefixPattern = lazyRegexp(`^arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.*)$`)
	lambdaFunctionPattern = lazyRegexp(`^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$`)
	dynamoDBTablePattern  = lazyRegexp(`^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}$`)
)

// validateDataResource checks one DataResource and reports how many of its
// values count against the data resource quota; values that select every
// resource of the type do not.
func validateDataResource(dr cloudtrail.DataResource) (dataResource, int, error) {
	typ := deref(dr.Type)
	var allResources string
	var specific *regexp.Regexp
	switch typ {
	case dataTypeS3Object:
		allResources, specific = "arn:aws:s3", s3ObjectPrefixPattern()
	case dataTypeLambdaFunction:
		allResources, specific = "arn:aws:lambda", lambdaFunctionPattern()
	case dataTypeDynamoDBTable:
		allResources, specific = "arn:aws:dynamodb", dynamoDBTablePattern()
	default:
		return dataResource{}, 0, invalidValue(typ, "DataResources.Type")
	}
	if len(dr.Values) == 0 {
		return dataResource{}, 0, invalidSelectors("DataResources.Values for type %s must not be empty.", typ)
	}
	counted := 0
	for _, v := range dr.Values {
		switch {
		case v == allResources || typ == dataTypeS3Object && v == "arn:aws:s3:::":
		case specific.MatchString(v) && !strings.Contains(v, "*"):
			counted++
		default:
			return dataResource{}, 0, invalidValue(v, "DataResources.Values")
		}
	}
	return dataResource{Type: typ, Values: slices.Clone(dr.Values)}, counted, nil
}

// selectorsToAPI renders stored selectors; exactly one result is non-nil.
// Basic selectors carry every member, empty lists as [], as AWS returns them.
func selectorsToAPI(sel eventSelectors) ([]cloudtrail.EventSelector, []cloudtrail.AdvancedEventSelector) {
	if sel.Advanced != nil {
		out := make([]cloudtrail.AdvancedEventSelector, 0, len(sel.Advanced))
		for _, a := range sel.Advanced {
			out = append(out, a.ToAPI())
		}
		return nil, out
	}
	out := make([]cloudtrail.EventSelector, 0, len(sel.Basic))
	for _, b := range sel.Basic {
		resources := make([]cloudtrail.DataResource, 0, len(b.DataResources))
		for _, r := range b.DataResources {
			resources = append(resources, cloudtrail.DataResource{Type: ptr(r.Type), Values: slices.Clone(r.Values)})
		}
		out = append(out, cloudtrail.EventSelector{
			ReadWriteType:                 cloudtrail.ReadWriteType(b.ReadWriteType),
			IncludeManagementEvents:       ptr(b.IncludeManagementEvents),
			DataResources:                 resources,
			ExcludeManagementEventSources: append([]string{}, b.ExcludeManagementEventSources...),
		})
	}
	return out, nil
}
