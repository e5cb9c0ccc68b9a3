package trails

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func TestInsightSelectors(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)

	_, err := h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{TrailName: ptr("global")})
	wantMessage(t, err, "InsightNotEnabledException",
		"Trail arn:aws:cloudtrail:us-east-1:"+acct+":trail/global does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.")

	out, err := h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{
		TrailName: ptr("global"),
		InsightSelectors: []cloudtrail.InsightSelector{
			{InsightType: "ApiCallRateInsight"},
			{InsightType: "ApiErrorRateInsight", EventCategories: []cloudtrail.SourceEventCategory{"Management", "Management"}},
		},
	})
	mustOK(t, err)
	if *out.TrailARN != globalARN || len(out.InsightSelectors) != 2 ||
		len(out.InsightSelectors[0].EventCategories) != 1 || out.InsightSelectors[0].EventCategories[0] != "Management" ||
		len(out.InsightSelectors[1].EventCategories) != 1 {
		t.Fatalf("put response %+v", out)
	}
	if tr := h.get(in(home), "global"); !*tr.HasInsightSelectors {
		t.Fatal("HasInsightSelectors not set")
	}
	got, err := h.h.GetInsightSelectors(in(away), &cloudtrail.GetInsightSelectorsRequest{TrailName: ptr(globalARN)})
	mustOK(t, err)
	if *got.TrailARN != globalARN || len(got.InsightSelectors) != 2 || got.InsightSelectors[1].InsightType != "ApiErrorRateInsight" {
		t.Fatalf("get response %+v", got)
	}

	_, err = h.h.PutInsightSelectors(in(away), &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr(globalARN),
		InsightSelectors: []cloudtrail.InsightSelector{}})
	wantCode(t, err, "InvalidHomeRegionException")

	// An empty list turns Insights off.
	off, err := h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr("global"),
		InsightSelectors: []cloudtrail.InsightSelector{}})
	mustOK(t, err)
	if off.InsightSelectors == nil || len(off.InsightSelectors) != 0 {
		t.Fatalf("disable response %+v", off)
	}
	if tr := h.get(in(home), "global"); *tr.HasInsightSelectors {
		t.Fatal("HasInsightSelectors still set")
	}
	_, err = h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{TrailName: ptr("global")})
	wantCode(t, err, "InsightNotEnabledException")
}

func TestInsightSelectorErrors(t *testing.T) {
	writeOnly := []cloudtrail.EventSelector{{ReadWriteType: "WriteOnly"}}
	readOnly := []cloudtrail.EventSelector{{ReadWriteType: "ReadOnly"}}
	dataOnly := []cloudtrail.EventSelector{{IncludeManagementEvents: ptr(false),
		DataResources: []cloudtrail.DataResource{{Type: ptr("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}
	advancedReadOnly := []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
		field("eventCategory", "Management"), field("readOnly", "true")}}}
	tests := []struct {
		name      string
		selectors []cloudtrail.EventSelector
		advanced  []cloudtrail.AdvancedEventSelector
		req       cloudtrail.PutInsightSelectorsRequest
		code      string
	}{
		{"call rate needs write events", readOnly, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}}}, "InvalidInsightSelectorsException"},
		{"call rate needs write events (advanced)", nil, advancedReadOnly, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}}}, "InvalidInsightSelectorsException"},
		{"error rate needs management events", dataOnly, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiErrorRateInsight"}}}, "InvalidInsightSelectorsException"},
		{"data insights need data events", writeOnly, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiErrorRateInsight",
				EventCategories: []cloudtrail.SourceEventCategory{"Data"}}}}, "InvalidInsightSelectorsException"},
		{"unknown type", nil, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiLatencyInsight"}}}, "InvalidInsightSelectorsException"},
		{"missing type", nil, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{}}}, "InvalidInsightSelectorsException"},
		{"duplicate type", nil, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}, {InsightType: "ApiCallRateInsight"}}},
			"InvalidInsightSelectorsException"},
		{"unknown category", nil, nil, cloudtrail.PutInsightSelectorsRequest{
			InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight",
				EventCategories: []cloudtrail.SourceEventCategory{"Network"}}}}, "InvalidInsightSelectorsException"},
		{"trail and event data store", nil, nil, cloudtrail.PutInsightSelectorsRequest{EventDataStore: ptr("eds-id"),
			InsightSelectors: []cloudtrail.InsightSelector{}}, "InvalidParameterCombinationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.create(in(home), "main", false)
			if tc.selectors != nil || tc.advanced != nil {
				_, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
					EventSelectors: tc.selectors, AdvancedEventSelectors: tc.advanced})
				mustOK(t, err)
			}
			tc.req.TrailName = ptr("main")
			_, err := h.h.PutInsightSelectors(in(home), &tc.req)
			wantCode(t, err, tc.code)
			if tr := h.get(in(home), "main"); *tr.HasInsightSelectors {
				t.Fatal("rejected PutInsightSelectors enabled Insights")
			}
		})
	}
}

func TestInsightPrerequisitesMet(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", false)
	_, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
		AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{
			{FieldSelectors: []cloudtrail.AdvancedFieldSelector{field("eventCategory", "Management"), field("readOnly", "false")}},
			{FieldSelectors: []cloudtrail.AdvancedFieldSelector{field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object")}},
		}})
	mustOK(t, err)
	_, err = h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr("main"),
		InsightSelectors: []cloudtrail.InsightSelector{
			{InsightType: "ApiCallRateInsight", EventCategories: []cloudtrail.SourceEventCategory{"Management", "Data"}},
			{InsightType: "ApiErrorRateInsight", EventCategories: []cloudtrail.SourceEventCategory{"Data"}},
		}})
	mustOK(t, err)
}

func TestInsightSelectorsForEventDataStores(t *testing.T) {
	h := newHarness(t)
	_, err := h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{EventDataStore: ptr("eds-source"),
		InsightsDestination: ptr("eds-dest"), InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}}})
	wantCode(t, err, "EventDataStoreNotFoundException")
	_, err = h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{EventDataStore: ptr("eds-source")})
	wantCode(t, err, "EventDataStoreNotFoundException")
	_, err = h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{})
	wantCode(t, err, "InvalidParameterCombinationException")
	_, err = h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{TrailName: ptr("main"), EventDataStore: ptr("eds")})
	wantCode(t, err, "InvalidParameterCombinationException")
	_, err = h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{InsightSelectors: []cloudtrail.InsightSelector{}})
	wantCode(t, err, "InvalidParameterCombinationException")
	_, err = h.h.PutInsightSelectors(in(home), &cloudtrail.PutInsightSelectorsRequest{TrailName: ptr("main"),
		InsightsDestination: ptr("eds-dest"), InsightSelectors: []cloudtrail.InsightSelector{}})
	wantCode(t, err, "InvalidParameterCombinationException")
	_, err = h.h.GetInsightSelectors(in(home), &cloudtrail.GetInsightSelectorsRequest{TrailName: ptr("nothere")})
	wantCode(t, err, "TrailNotFoundException")
}

func TestListPublicKeys(t *testing.T) {
	h := newHarness(t)
	day := 24 * time.Hour
	old := PublicKey{Fingerprint: "old", ValidityStart: t0.Add(-60 * day), ValidityEnd: t0.Add(-30 * day), DER: []byte{1}}
	current := PublicKey{Fingerprint: "current", ValidityStart: t0.Add(-30 * day), ValidityEnd: t0.Add(30 * day), DER: []byte{2, 3}}
	h.keys.keys = []PublicKey{old, current}

	fingerprints := func(out *cloudtrail.ListPublicKeysResponse) []string {
		var fps []string
		for _, k := range out.PublicKeyList {
			fps = append(fps, *k.Fingerprint)
		}
		return fps
	}
	out, err := h.h.ListPublicKeys(in(away), &cloudtrail.ListPublicKeysRequest{})
	mustOK(t, err)
	if fp := fingerprints(out); len(fp) != 1 || fp[0] != "current" || h.keys.gotRegion != away {
		t.Fatalf("keys valid now: %v (region %s)", fp, h.keys.gotRegion)
	}
	k := out.PublicKeyList[0]
	if string(k.Value) != "\x02\x03" || !k.ValidityStartTime.Equal(current.ValidityStart) || !k.ValidityEndTime.Equal(current.ValidityEnd) {
		t.Fatalf("key %+v", k)
	}

	out, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{StartTime: h.clock.ago(45 * day)})
	mustOK(t, err)
	if fp := fingerprints(out); len(fp) != 2 {
		t.Fatalf("keys since 45 days: %v", fp)
	}
	out, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{
		StartTime: h.clock.ago(50 * day), EndTime: h.clock.ago(40 * day)})
	mustOK(t, err)
	if fp := fingerprints(out); len(fp) != 1 || fp[0] != "old" {
		t.Fatalf("keys 50-40 days ago: %v", fp)
	}
	out, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{
		StartTime: h.clock.ago(100 * day), EndTime: h.clock.ago(90 * day)})
	mustOK(t, err)
	if out.PublicKeyList == nil || len(out.PublicKeyList) != 0 {
		t.Fatalf("PublicKeyList must be [], got %+v", out)
	}

	_, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{StartTime: h.clock.at(), EndTime: h.clock.ago(time.Hour)})
	wantCode(t, err, "InvalidTimeRangeException")
	_, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{StartTime: api.NewTimestamp(t0.Add(day))})
	wantCode(t, err, "InvalidTimeRangeException")
	_, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{NextToken: ptr("x")})
	wantCode(t, err, "InvalidTokenException")
}

type rangeErrorKeys struct{}

func (rangeErrorKeys) PublicKeys(context.Context, string, time.Time, time.Time) ([]PublicKey, error) {
	return nil, fmt.Errorf("signing keys: %w", ErrInvalidTimeRange)
}

func TestListPublicKeysSourceErrors(t *testing.T) {
	h := newHarness(t)
	h.svc.keys = rangeErrorKeys{}
	_, err := h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{})
	wantCode(t, err, "InvalidTimeRangeException")
	h.svc.keys = nil
	_, err = h.h.ListPublicKeys(in(home), &cloudtrail.ListPublicKeysRequest{})
	wantCode(t, err, "ServiceUnavailable")
}
