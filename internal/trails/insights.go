package trails

import (
	"context"
	"slices"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/store"
)

// PutInsightSelectors sets the Insights types a trail logs, from the
// trail's home Region; an empty list turns Insights off. Event data stores
// are not part of Cairn yet, so naming one answers as AWS does for an event
// data store that does not exist.
func (s *Service) PutInsightSelectors(ctx context.Context, req *cloudtrail.PutInsightSelectorsRequest) (*cloudtrail.PutInsightSelectorsResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.TrailName != nil && (req.EventDataStore != nil || req.InsightsDestination != nil) {
		return nil, cloudtrail.NewInvalidParameterCombinationException(
			"TrailName cannot be used with EventDataStore or InsightsDestination.")
	}
	if req.TrailName == nil {
		if req.EventDataStore == nil {
			return nil, cloudtrail.NewInvalidParameterCombinationException(
				"Specify either TrailName, or EventDataStore and InsightsDestination.")
		}
		return nil, eventDataStoreNotFound(*req.EventDataStore)
	}
	ref, err := parseTrailRef(*req.TrailName)
	if err != nil {
		return nil, err
	}
	rules, err := validateInsightSelectors(req.InsightSelectors)
	if err != nil {
		return nil, err
	}
	var arn string
	err = s.store.Update(ctx, func(tx store.Tx) error {
		t, err := findOwned(tx, sc, ref)
		if err != nil {
			return err
		}
		if err := checkInsightPrerequisites(t.Selectors, rules); err != nil {
			return err
		}
		t.InsightSelectors = rules
		arn = t.arn()
		return putRecord(tx, t)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.PutInsightSelectorsResponse{TrailARN: &arn, InsightSelectors: insightsToAPI(rules)}, nil
}

// GetInsightSelectors returns the Insights types a trail logs, or
// InsightNotEnabledException when it logs none. A shadow trail is found by
// its ARN.
func (s *Service) GetInsightSelectors(ctx context.Context, req *cloudtrail.GetInsightSelectorsRequest) (*cloudtrail.GetInsightSelectorsResponse, error) {
	if req.TrailName != nil && req.EventDataStore != nil {
		return nil, cloudtrail.NewInvalidParameterCombinationException("TrailName cannot be used with EventDataStore.")
	}
	if req.TrailName == nil {
		if req.EventDataStore == nil {
			return nil, cloudtrail.NewInvalidParameterCombinationException("Specify either TrailName or EventDataStore.")
		}
		return nil, eventDataStoreNotFound(*req.EventDataStore)
	}
	t, err := s.readTrail(ctx, *req.TrailName)
	if err != nil {
		return nil, err
	}
	if len(t.InsightSelectors) == 0 {
		return nil, cloudtrail.NewInsightNotEnabledException(
			"Trail %s does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.",
			t.arn())
	}
	return &cloudtrail.GetInsightSelectorsResponse{
		TrailARN:         ptr(t.arn()),
		InsightSelectors: insightsToAPI(t.InsightSelectors),
	}, nil
}

func eventDataStoreNotFound(id string) error {
	return cloudtrail.NewEventDataStoreNotFoundException("The event data store %s does not exist.", id)
}

// validateInsightSelectors checks the requested Insights types. Each type
// may appear once; a selector without EventCategories covers management
// events.
func validateInsightSelectors(in []cloudtrail.InsightSelector) ([]insightRule, error) {
	out := make([]insightRule, 0, len(in))
	for _, sel := range in {
		typ := string(sel.InsightType)
		if !slices.Contains(cloudtrail.InsightTypeValues(), typ) {
			return nil, cloudtrail.NewInvalidInsightSelectorsException(
				"InsightType %q is not valid. Valid values are ApiCallRateInsight and ApiErrorRateInsight.", typ)
		}
		if slices.ContainsFunc(out, func(r insightRule) bool { return r.Type == typ }) {
			return nil, cloudtrail.NewInvalidInsightSelectorsException("InsightType %s is specified more than once.", typ)
		}
		rule := insightRule{Type: typ}
		for _, c := range sel.EventCategories {
			if !slices.Contains(cloudtrail.SourceEventCategoryValues(), string(c)) {
				return nil, cloudtrail.NewInvalidInsightSelectorsException(
					"EventCategories value %q is not valid. Valid values are Management and Data.", string(c))
			}
			if !slices.Contains(rule.Categories, string(c)) {
				rule.Categories = append(rule.Categories, string(c))
			}
		}
		if len(rule.Categories) == 0 {
			rule.Categories = []string{string(cloudtrail.SourceEventCategoryManagement)}
		}
		out = append(out, rule)
	}
	return out, nil
}

// checkInsightPrerequisites enforces what Insights analyse: API call rate
// Insights on management events need write management events logged, API
// error rate Insights need management events, and Insights on data events
// need data events.
func checkInsightPrerequisites(sel eventSelectors, rules []insightRule) error {
	logged := loggedEvents(sel)
	for _, r := range rules {
		for _, c := range r.Categories {
			switch {
			case c == string(cloudtrail.SourceEventCategoryData) && !logged.data:
				return cloudtrail.NewInvalidInsightSelectorsException(
					"%s Insights on data events require the trail to log read or write data events.", r.Type)
			case c == string(cloudtrail.SourceEventCategoryManagement) && r.Type == string(cloudtrail.InsightTypeApiCallRateInsight) && !logged.writeManagement:
				return cloudtrail.NewInvalidInsightSelectorsException(
					"ApiCallRateInsight Insights on management events require the trail to log write management events.")
			case c == string(cloudtrail.SourceEventCategoryManagement) && !logged.readManagement && !logged.writeManagement:
				return cloudtrail.NewInvalidInsightSelectorsException(
					"%s Insights on management events require the trail to log read or write management events.", r.Type)
			}
		}
	}
	return nil
}

// eventKinds says which kinds of events a trail's selectors log.
type eventKinds struct {
	readManagement, writeManagement, data bool
}

func loggedEvents(sel eventSelectors) eventKinds {
	var k eventKinds
	for _, b := range sel.Basic {
		if b.IncludeManagementEvents {
			k.readManagement = k.readManagement || b.ReadWriteType != string(cloudtrail.ReadWriteTypeWriteOnly)
			k.writeManagement = k.writeManagement || b.ReadWriteType != string(cloudtrail.ReadWriteTypeReadOnly)
		}
		k.data = k.data || len(b.DataResources) > 0
	}
	for _, a := range sel.Advanced {
		category, readOnly := "", ""
		for _, f := range a.Fields {
			switch f.Field {
			case "eventCategory":
				category = f.Equals[0]
			case "readOnly":
				readOnly = f.Equals[0]
			}
		}
		switch category {
		case selectorrules.Management:
			k.readManagement = k.readManagement || readOnly != "false"
			k.writeManagement = k.writeManagement || readOnly != "true"
		case selectorrules.Data:
			k.data = true
		}
	}
	return k
}

func insightsToAPI(rules []insightRule) []cloudtrail.InsightSelector {
	out := make([]cloudtrail.InsightSelector, 0, len(rules))
	for _, r := range rules {
		categories := make([]cloudtrail.SourceEventCategory, 0, len(r.Categories))
		for _, c := range r.Categories {
			categories = append(categories, cloudtrail.SourceEventCategory(c))
		}
		out = append(out, cloudtrail.InsightSelector{InsightType: cloudtrail.InsightType(r.Type), EventCategories: categories})
	}
	return out
}
