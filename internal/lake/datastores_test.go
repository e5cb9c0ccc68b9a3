package lake

import (
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func TestCreateEventDataStoreDefaults(t *testing.T) {
	h := newHarness(t)
	out := h.createStore(in(home), "my-store", nil)
	if out.Status != cloudtrail.EventDataStoreStatusCreated {
		t.Errorf("create Status = %s, want CREATED", out.Status)
	}
	if !*out.MultiRegionEnabled || *out.OrganizationEnabled || !*out.TerminationProtectionEnabled {
		t.Errorf("defaults: multi-region %v, organization %v, termination protection %v", *out.MultiRegionEnabled, *out.OrganizationEnabled, *out.TerminationProtectionEnabled)
	}
	if *out.RetentionPeriod != 366 || out.BillingMode != cloudtrail.BillingModeExtendableRetentionPricing {
		t.Errorf("retention %d, billing %s", *out.RetentionPeriod, out.BillingMode)
	}
	if len(out.AdvancedEventSelectors) != 1 || *out.AdvancedEventSelectors[0].Name != "Default management events" ||
		*out.AdvancedEventSelectors[0].FieldSelectors[0].Field != "eventCategory" ||
		!slices.Equal(out.AdvancedEventSelectors[0].FieldSelectors[0].Equals, []string{"Management"}) {
		t.Errorf("default selectors = %+v", out.AdvancedEventSelectors)
	}
	wantARN := "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/00000000-0000-4000-8000-000000000001"
	if *out.EventDataStoreArn != wantARN {
		t.Errorf("ARN = %s", *out.EventDataStoreArn)
	}
	for _, ref := range []string{wantARN, "00000000-0000-4000-8000-000000000001"} {
		got := must[*cloudtrail.GetEventDataStoreResponse](t)(h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: ptr(ref)}))
		if got.Status != cloudtrail.EventDataStoreStatusEnabled || *got.Name != "my-store" {
			t.Errorf("Get(%s) = %s %s", ref, got.Status, *got.Name)
		}
	}
	h.restart()
	got := must[*cloudtrail.GetEventDataStoreResponse](t)(h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: ptr(wantARN)}))
	if got.Status != cloudtrail.EventDataStoreStatusEnabled {
		t.Errorf("after restart Status = %s", got.Status)
	}
}

func TestCreateEventDataStoreRules(t *testing.T) {
	h := newHarness(t)
	fixed := h.createStore(in(home), "fixed", nil, func(r *cloudtrail.CreateEventDataStoreRequest) {
		r.BillingMode = cloudtrail.BillingModeFixedRetentionPricing
	})
	if *fixed.RetentionPeriod != 2557 {
		t.Errorf("fixed default retention = %d", *fixed.RetentionPeriod)
	}
	stopped := h.createStore(in(home), "stopped", nil, func(r *cloudtrail.CreateEventDataStoreRequest) { r.StartIngestion = ptr(false) })
	got := must[*cloudtrail.GetEventDataStoreResponse](t)(h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: stopped.EventDataStoreArn}))
	if got.Status != cloudtrail.EventDataStoreStatusStoppedIngestion {
		t.Errorf("StartIngestion=false: Status = %s", got.Status)
	}
	cases := []struct {
		name string
		req  cloudtrail.CreateEventDataStoreRequest
		code string
	}{
		{"name taken", cloudtrail.CreateEventDataStoreRequest{Name: ptr("fixed")}, "EventDataStoreAlreadyExistsException"},
		{"fixed too long", cloudtrail.CreateEventDataStoreRequest{Name: ptr("x1"), BillingMode: cloudtrail.BillingModeFixedRetentionPricing, RetentionPeriod: ptr(int32(3000))}, "InvalidParameterException"},
		{"organization", cloudtrail.CreateEventDataStoreRequest{Name: ptr("x2"), OrganizationEnabled: ptr(true)}, "OrganizationsNotInUseException"},
		{"kms", cloudtrail.CreateEventDataStoreRequest{Name: ptr("x3"), KmsKeyId: ptr("alias/x")}, "UnsupportedOperationException"},
		{"bad selectors", cloudtrail.CreateEventDataStoreRequest{Name: ptr("x4"), AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{{Field: ptr("eventCategory"), Equals: []string{"Bogus"}}}}}}, "InvalidEventSelectorsException"},
	}
	for _, c := range cases {
		_, err := h.h.CreateEventDataStore(in(home), &c.req)
		wantCode(t, err, c.code)
	}
	// The same name is free in another Region and another account.
	h.createStore(in(away), "fixed", nil)
	h.createStore(callerCtx(other, home), "fixed", nil)
}

func TestEventDataStoreLimitCountsPendingDeletion(t *testing.T) {
	h := newHarness(t)
	var first string
	for i := range maxDataStoresPerRegion {
		out := h.createStore(in(home), "store-"+string(rune('a'+i)), nil, func(r *cloudtrail.CreateEventDataStoreRequest) {
			r.TerminationProtectionEnabled = ptr(false)
		})
		if i == 0 {
			first = *out.EventDataStoreArn
		}
	}
	_, err := h.h.CreateEventDataStore(in(home), &cloudtrail.CreateEventDataStoreRequest{Name: ptr("one-more")})
	wantCode(t, err, "EventDataStoreMaxLimitExceededException")
	must[*cloudtrail.DeleteEventDataStoreResponse](t)(h.h.DeleteEventDataStore(in(home), &cloudtrail.DeleteEventDataStoreRequest{EventDataStore: &first}))
	_, err = h.h.CreateEventDataStore(in(home), &cloudtrail.CreateEventDataStoreRequest{Name: ptr("one-more")})
	wantCode(t, err, "EventDataStoreMaxLimitExceededException")
	h.now = h.now.Add(pendingDeletionPeriod)
	h.createStore(in(home), "one-more", nil)
	// Other Regions have their own limit.
	h.createStore(in(away), "elsewhere", nil)
}

func TestDeleteAndRestore(t *testing.T) {
	h := newHarness(t)
	arn := h.createStore(in(home), "precious", nil).EventDataStoreArn
	ref := &cloudtrail.DeleteEventDataStoreRequest{EventDataStore: arn}
	_, err := h.h.DeleteEventDataStore(in(home), ref)
	wantCode(t, err, "EventDataStoreTerminationProtectedException")
	must[*cloudtrail.UpdateEventDataStoreResponse](t)(h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{EventDataStore: arn, TerminationProtectionEnabled: ptr(false)}))
	_, err = h.h.RestoreEventDataStore(in(home), &cloudtrail.RestoreEventDataStoreRequest{EventDataStore: arn})
	wantCode(t, err, "InvalidEventDataStoreStatusException")
	must[*cloudtrail.DeleteEventDataStoreResponse](t)(h.h.DeleteEventDataStore(in(home), ref))
	got := must[*cloudtrail.GetEventDataStoreResponse](t)(h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: arn}))
	if got.Status != cloudtrail.EventDataStoreStatusPendingDeletion {
		t.Fatalf("after delete Status = %s", got.Status)
	}
	_, err = h.h.DeleteEventDataStore(in(home), ref)
	wantCode(t, err, "InactiveEventDataStoreException")
	_, err = h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{EventDataStore: arn, RetentionPeriod: ptr(int32(30))})
	wantCode(t, err, "InactiveEventDataStoreException")
	_, err = h.h.StartEventDataStoreIngestion(in(home), &cloudtrail.StartEventDataStoreIngestionRequest{EventDataStore: arn})
	wantCode(t, err, "InvalidEventDataStoreStatusException")
	list := must[*cloudtrail.ListEventDataStoresResponse](t)(h.h.ListEventDataStores(in(home), &cloudtrail.ListEventDataStoresRequest{}))
	if len(list.EventDataStores) != 1 || list.EventDataStores[0].Status != cloudtrail.EventDataStoreStatusPendingDeletion {
		t.Fatalf("list while pending deletion = %+v", list.EventDataStores)
	}
	restored := must[*cloudtrail.RestoreEventDataStoreResponse](t)(h.h.RestoreEventDataStore(in(home), &cloudtrail.RestoreEventDataStoreRequest{EventDataStore: arn}))
	if restored.Status != cloudtrail.EventDataStoreStatusEnabled {
		t.Fatalf("restored Status = %s", restored.Status)
	}
	must[*cloudtrail.DeleteEventDataStoreResponse](t)(h.h.DeleteEventDataStore(in(home), ref))
	h.now = h.now.Add(pendingDeletionPeriod - time.Second)
	must[*cloudtrail.GetEventDataStoreResponse](t)(h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: arn}))
	h.now = h.now.Add(time.Second)
	_, err = h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: arn})
	wantCode(t, err, "EventDataStoreNotFoundException")
	_, err = h.h.RestoreEventDataStore(in(home), &cloudtrail.RestoreEventDataStoreRequest{EventDataStore: arn})
	wantCode(t, err, "EventDataStoreNotFoundException")
	if n, err := h.svc.PurgeExpired(in(home)); err != nil || n != 1 {
		t.Fatalf("PurgeExpired = %d, %v", n, err)
	}
}

func TestIngestionStateMachine(t *testing.T) {
	h := newHarness(t)
	arn := h.createStore(in(home), "s", nil).EventDataStoreArn
	_, err := h.h.StartEventDataStoreIngestion(in(home), &cloudtrail.StartEventDataStoreIngestionRequest{EventDataStore: arn})
	wantCode(t, err, "InvalidEventDataStoreStatusException")
	must[*cloudtrail.StopEventDataStoreIngestionResponse](t)(h.h.StopEventDataStoreIngestion(in(home), &cloudtrail.StopEventDataStoreIngestionRequest{EventDataStore: arn}))
	_, err = h.h.StopEventDataStoreIngestion(in(home), &cloudtrail.StopEventDataStoreIngestionRequest{EventDataStore: arn})
	wantCode(t, err, "InvalidEventDataStoreStatusException")
	must[*cloudtrail.StartEventDataStoreIngestionResponse](t)(h.h.StartEventDataStoreIngestion(in(home), &cloudtrail.StartEventDataStoreIngestionRequest{EventDataStore: arn}))

	activity := h.createStore(in(home), "activity", activitySelectors()).EventDataStoreArn
	_, err = h.h.StopEventDataStoreIngestion(in(home), &cloudtrail.StopEventDataStoreIngestionRequest{EventDataStore: activity})
	wantCode(t, err, "InvalidEventDataStoreCategoryException")
}

func TestResolveErrors(t *testing.T) {
	h := newHarness(t)
	arn := *h.createStore(in(home), "s", nil).EventDataStoreArn
	cases := map[string]string{
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/x": "EventDataStoreARNInvalidException",
		"arn:aws:s3:::bucket":                               "EventDataStoreARNInvalidException",
		"arn:aws:cloudtrail:us-east-1:210987654321:eventdatastore/00000000-0000-4000-8000-000000000001": "EventDataStoreNotFoundException",
		"arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/00000000-0000-4000-8000-000000000001": "EventDataStoreNotFoundException",
		"no-such-id": "EventDataStoreNotFoundException",
	}
	for ref, code := range cases {
		_, err := h.h.GetEventDataStore(in(home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: ptr(ref)})
		wantCode(t, err, code)
	}
	_, err := h.h.GetEventDataStore(callerCtx(other, home), &cloudtrail.GetEventDataStoreRequest{EventDataStore: &arn})
	wantCode(t, err, "EventDataStoreNotFoundException")
}

func TestUpdateEventDataStore(t *testing.T) {
	h := newHarness(t)
	arn := h.createStore(in(home), "s", nil, func(r *cloudtrail.CreateEventDataStoreRequest) {
		r.BillingMode = cloudtrail.BillingModeFixedRetentionPricing
	}).EventDataStoreArn
	h.createStore(in(home), "taken", nil)
	_, err := h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{EventDataStore: arn, Name: ptr("taken")})
	wantCode(t, err, "EventDataStoreAlreadyExistsException")
	_, err = h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{EventDataStore: arn, AdvancedEventSelectors: activitySelectors()})
	wantCode(t, err, "InvalidEventSelectorsException")
	h.now = h.now.Add(time.Hour)
	out := must[*cloudtrail.UpdateEventDataStoreResponse](t)(h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{
		EventDataStore: arn, Name: ptr("renamed"), BillingMode: cloudtrail.BillingModeExtendableRetentionPricing,
		RetentionPeriod: ptr(int32(3000)), MultiRegionEnabled: ptr(false),
	}))
	if *out.Name != "renamed" || *out.RetentionPeriod != 3000 || *out.MultiRegionEnabled || out.BillingMode != cloudtrail.BillingModeExtendableRetentionPricing {
		t.Fatalf("update = %+v", out)
	}
	if !out.UpdatedTimestamp.After(out.CreatedTimestamp.Time) {
		t.Errorf("UpdatedTimestamp %v not after CreatedTimestamp %v", out.UpdatedTimestamp, out.CreatedTimestamp)
	}
	_, err = h.h.UpdateEventDataStore(in(home), &cloudtrail.UpdateEventDataStoreRequest{EventDataStore: arn, BillingMode: cloudtrail.BillingModeFixedRetentionPricing})
	wantCode(t, err, "InvalidParameterException")
}

func TestListEventDataStoresPages(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"a1", "a2", "a3"} {
		h.createStore(in(home), n, nil)
	}
	h.createStore(in(away), "elsewhere", nil)
	var names []string
	req := &cloudtrail.ListEventDataStoresRequest{MaxResults: ptr(int32(2))}
	for {
		out := must[*cloudtrail.ListEventDataStoresResponse](t)(h.h.ListEventDataStores(in(home), req))
		for _, d := range out.EventDataStores {
			names = append(names, *d.Name)
		}
		if out.NextToken == nil {
			break
		}
		req.NextToken = out.NextToken
		_, err := h.h.ListEventDataStores(in(away), req)
		wantCode(t, err, "InvalidNextTokenException")
	}
	if !slices.Equal(names, []string{"a1", "a2", "a3"}) {
		t.Fatalf("listed %v", names)
	}
	_, err := h.h.ListEventDataStores(in(home), &cloudtrail.ListEventDataStoresRequest{NextToken: ptr("garbage")})
	wantCode(t, err, "InvalidNextTokenException")
}

func TestTagsOnEventDataStores(t *testing.T) {
	h := newHarness(t)
	arn := h.createStore(in(home), "s", nil, func(r *cloudtrail.CreateEventDataStoreRequest) {
		r.TagsList = []cloudtrail.Tag{{Key: ptr("team"), Value: ptr("audit")}}
		r.TerminationProtectionEnabled = ptr(false)
	}).EventDataStoreArn
	must[*cloudtrail.AddTagsResponse](t)(h.h.AddTags(in(home), &cloudtrail.AddTagsRequest{ResourceId: arn, TagsList: []cloudtrail.Tag{{Key: ptr("env"), Value: ptr("prod")}}}))
	list := must[*cloudtrail.ListTagsResponse](t)(h.h.ListTags(in(home), &cloudtrail.ListTagsRequest{ResourceIdList: []string{*arn}}))
	if len(list.ResourceTagList) != 1 || len(list.ResourceTagList[0].TagsList) != 2 {
		t.Fatalf("tags = %+v", list.ResourceTagList)
	}
	must[*cloudtrail.DeleteEventDataStoreResponse](t)(h.h.DeleteEventDataStore(in(home), &cloudtrail.DeleteEventDataStoreRequest{EventDataStore: arn}))
	_, err := h.h.AddTags(in(home), &cloudtrail.AddTagsRequest{ResourceId: arn, TagsList: []cloudtrail.Tag{{Key: ptr("k")}}})
	wantCode(t, err, "InactiveEventDataStoreException")
	_, err = h.h.AddTags(in(home), &cloudtrail.AddTagsRequest{ResourceId: ptr("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/nope"), TagsList: []cloudtrail.Tag{{Key: ptr("k")}}})
	wantCode(t, err, "EventDataStoreNotFoundException")
}
