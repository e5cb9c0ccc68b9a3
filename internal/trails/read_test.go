package trails

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

const (
	mainARN   = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
	globalARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/global"
)

func TestGetTrailByNameAndARN(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", false)
	h.create(in(home), "global", true)

	if got := h.get(in(home), mainARN); *got.Name != "main" {
		t.Fatalf("by ARN: %+v", got)
	}
	// A shadow is found by ARN from any Region, and reports its home.
	shadow := h.get(in(away), globalARN)
	if *shadow.HomeRegion != home || *shadow.TrailARN != globalARN || !*shadow.IsMultiRegionTrail {
		t.Fatalf("shadow %+v", shadow)
	}

	tests := []struct {
		name, region, code, message string
	}{
		{"unknown", home, "TrailNotFoundException",
			"Unknown trail: arn:aws:cloudtrail:us-east-1:123456789012:trail/unknown for the user: 123456789012"},
		{"main", away, "TrailNotFoundException",
			"Unknown trail: arn:aws:cloudtrail:eu-west-1:123456789012:trail/main for the user: 123456789012"},
		{mainARN, away, "TrailNotFoundException",
			"Unknown trail: arn:aws:cloudtrail:us-east-1:123456789012:trail/main for the user: 123456789012"},
		{"global", away, "TrailNotFoundException",
			"Unknown trail: arn:aws:cloudtrail:eu-west-1:123456789012:trail/global for the user: 123456789012"},
		{"arn:aws:cloudtrail:us-east-1:123456789012:trail/ghost", home, "TrailNotFoundException",
			"Unknown trail: arn:aws:cloudtrail:us-east-1:123456789012:trail/ghost for the user: 123456789012"},
		{"ab", home, "InvalidTrailNameException", ""},
		{"arn:aws:cloudtrail:us-east-1:123456789012:main", home, "CloudTrailARNInvalidException", ""},
		{"arn:aws:s3:::main", home, "CloudTrailARNInvalidException", ""},
		{"arn:aws:cloudtrail:us-east-1:1234:trail/main", home, "CloudTrailARNInvalidException", ""},
		{"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/main", home, "CloudTrailARNInvalidException", ""},
		{"arn:aws:cloudtrail:us-east-1:123456789012:trail/a b", home, "CloudTrailARNInvalidException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name+"@"+tc.region, func(t *testing.T) {
			_, err := h.h.GetTrail(in(tc.region), &cloudtrail.GetTrailRequest{Name: ptr(tc.name)})
			if tc.message != "" {
				wantMessage(t, err, tc.code, tc.message)
			} else {
				wantCode(t, err, tc.code)
			}
		})
	}
}

func TestAccountIsolation(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", true)
	other := callerCtx(otherAcc, home)

	_, err := h.h.GetTrail(other, &cloudtrail.GetTrailRequest{Name: ptr("main")})
	wantMessage(t, err, "TrailNotFoundException",
		"Unknown trail: arn:aws:cloudtrail:us-east-1:210987654321:trail/main for the user: 210987654321")
	_, err = h.h.GetTrail(other, &cloudtrail.GetTrailRequest{Name: ptr(mainARN)})
	wantMessage(t, err, "TrailNotFoundException",
		"Unknown trail: arn:aws:cloudtrail:us-east-1:210987654321:trail/main for the user: 210987654321")
	_, err = h.h.DeleteTrail(other, &cloudtrail.DeleteTrailRequest{Name: ptr(mainARN)})
	wantCode(t, err, "TrailNotFoundException")

	list, err := h.h.ListTrails(other, &cloudtrail.ListTrailsRequest{})
	mustOK(t, err)
	desc, err := h.h.DescribeTrails(other, &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{mainARN}})
	mustOK(t, err)
	if len(list.Trails) != 0 || len(desc.TrailList) != 0 {
		t.Fatalf("other account sees trails: %+v %+v", list, desc)
	}
	// The same name is free in the other account.
	h.create(other, "main", true)
}

func TestDescribeTrails(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "zeta", false)
	h.create(in(home), "alpha", false)
	h.create(in(away), "global", true)
	h.create(in(away), "local", false)

	names := func(list []cloudtrail.Trail) []string {
		var out []string
		for _, tr := range list {
			out = append(out, *tr.Name)
		}
		return out
	}
	describe := func(req *cloudtrail.DescribeTrailsRequest) []string {
		t.Helper()
		out, err := h.h.DescribeTrails(in(home), req)
		mustOK(t, err)
		if out.TrailList == nil {
			t.Fatal("trailList must be [] rather than absent")
		}
		return names(out.TrailList)
	}
	awayGlobal := "arn:aws:cloudtrail:eu-west-1:123456789012:trail/global"
	awayLocal := "arn:aws:cloudtrail:eu-west-1:123456789012:trail/local"
	tests := []struct {
		name string
		req  *cloudtrail.DescribeTrailsRequest
		want []string
	}{
		{"default includes shadows", &cloudtrail.DescribeTrailsRequest{}, []string{"alpha", "global", "zeta"}},
		{"empty list", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{}}, []string{"alpha", "global", "zeta"}},
		{"without shadows", &cloudtrail.DescribeTrailsRequest{IncludeShadowTrails: ptr(false)}, []string{"alpha", "zeta"}},
		{"by name in request order", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{"zeta", "alpha"}}, []string{"zeta", "alpha"}},
		{"shadow name does not match", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{"global"}}, nil},
		{"shadow ARN matches", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{awayGlobal}}, []string{"global"}},
		{"shadow ARN without shadows", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{awayGlobal}, IncludeShadowTrails: ptr(false)}, nil},
		{"other Region's trail", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{awayLocal}}, nil},
		{"unknown names skipped", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{"nothere", "alpha"}}, []string{"alpha"}},
		{"duplicates once", &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{"alpha", "arn:aws:cloudtrail:us-east-1:123456789012:trail/alpha"}}, []string{"alpha"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := describe(tc.req); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	_, err := h.h.DescribeTrails(in(home), &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{"x"}})
	wantCode(t, err, "InvalidTrailNameException")
	_, err = h.h.DescribeTrails(in(home), &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{"arn:aws:cloudtrail:bad"}})
	wantCode(t, err, "CloudTrailARNInvalidException")

	out, err := h.h.DescribeTrails(in(home), &cloudtrail.DescribeTrailsRequest{TrailNameList: []string{awayGlobal}})
	mustOK(t, err)
	if g := out.TrailList[0]; *g.HomeRegion != away || *g.TrailARN != awayGlobal {
		t.Fatalf("shadow trail %+v", g)
	}
}

func TestDescribeTrailsEmpty(t *testing.T) {
	h := newHarness(t)
	out, err := h.h.DescribeTrails(in(home), &cloudtrail.DescribeTrailsRequest{})
	mustOK(t, err)
	if out.TrailList == nil || len(out.TrailList) != 0 {
		t.Fatalf("got %+v", out)
	}
}

func TestListTrailsShowsShadowsWithHomeRegion(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)
	h.create(in(home), "local", false)
	out, err := h.h.ListTrails(in("ap-south-2"), &cloudtrail.ListTrailsRequest{})
	mustOK(t, err)
	if len(out.Trails) != 1 || *out.Trails[0].Name != "global" || *out.Trails[0].HomeRegion != home ||
		*out.Trails[0].TrailARN != globalARN || out.NextToken != nil {
		t.Fatalf("got %+v", out)
	}
	empty, err := h.h.ListTrails(in("local-1"), &cloudtrail.ListTrailsRequest{})
	mustOK(t, err)
	if empty.Trails == nil || len(empty.Trails) != 0 {
		t.Fatalf("Trails must be [], got %+v", empty)
	}
}

func TestListTrailsPagination(t *testing.T) {
	h := newHarness(t)
	h.svc.listTrailsPageSize = 2
	for _, n := range []string{"e-trail", "a-trail", "d-trail", "b-trail", "c-trail"} {
		h.create(in(home), n, false)
	}
	var got []string
	var token *string
	pages := 0
	for {
		out, err := h.h.ListTrails(in(home), &cloudtrail.ListTrailsRequest{NextToken: token})
		mustOK(t, err)
		pages++
		for _, tr := range out.Trails {
			got = append(got, *tr.Name)
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if want := []string{"a-trail", "b-trail", "c-trail", "d-trail", "e-trail"}; !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("got %v in %d pages", got, pages)
	}

	first, err := h.h.ListTrails(in(home), &cloudtrail.ListTrailsRequest{})
	mustOK(t, err)
	for _, bad := range []string{"garbage!", "dHJhaWxzLnYx", *first.NextToken + "x"} {
		_, err := h.h.ListTrails(in(home), &cloudtrail.ListTrailsRequest{NextToken: ptr(bad)})
		wantCode(t, err, "InvalidNextTokenException")
	}
	// A token is bound to the Region and account it was issued in.
	_, err = h.h.ListTrails(in(away), &cloudtrail.ListTrailsRequest{NextToken: first.NextToken})
	wantCode(t, err, "InvalidNextTokenException")
	_, err = h.h.ListTrails(callerCtx(otherAcc, home), &cloudtrail.ListTrailsRequest{NextToken: first.NextToken})
	wantCode(t, err, "InvalidNextTokenException")
}

func TestLoggingAndTrailStatus(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)
	status := func(region, name string) *cloudtrail.GetTrailStatusResponse {
		t.Helper()
		out, err := h.h.GetTrailStatus(in(region), &cloudtrail.GetTrailStatusRequest{Name: ptr(name)})
		mustOK(t, err)
		return out
	}
	fresh := status(home, "global")
	if *fresh.IsLogging || fresh.StartLoggingTime != nil || fresh.StopLoggingTime != nil ||
		*fresh.TimeLoggingStarted != "" || *fresh.TimeLoggingStopped != "" || *fresh.LatestDeliveryAttemptTime != "" ||
		*fresh.LatestNotificationAttemptSucceeded != "" || fresh.LatestDeliveryTime != nil {
		t.Fatalf("fresh status %+v", fresh)
	}

	started := h.clock.set(t0.Add(time.Hour + 1500*time.Millisecond))
	_, err := h.h.StartLogging(in(home), &cloudtrail.StartLoggingRequest{Name: ptr("global")})
	mustOK(t, err)
	h.clock.advance(time.Minute)
	_, err = h.h.StartLogging(in(home), &cloudtrail.StartLoggingRequest{Name: ptr(globalARN)})
	mustOK(t, err)
	st := status(home, "global")
	if !*st.IsLogging || !st.StartLoggingTime.Equal(started) || *st.TimeLoggingStarted != "2026-03-01T13:00:01Z" || st.StopLoggingTime != nil {
		t.Fatalf("after start %+v", st)
	}
	// The shadow in another Region reports the same state, by ARN only.
	if sh := status(away, globalARN); !*sh.IsLogging {
		t.Fatalf("shadow status %+v", sh)
	}
	_, err = h.h.GetTrailStatus(in(away), &cloudtrail.GetTrailStatusRequest{Name: ptr("global")})
	wantCode(t, err, "TrailNotFoundException")

	// Only the home Region may start or stop logging.
	_, err = h.h.StopLogging(in(away), &cloudtrail.StopLoggingRequest{Name: ptr(globalARN)})
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = h.h.StartLogging(in(away), &cloudtrail.StartLoggingRequest{Name: ptr("global")})
	wantCode(t, err, "InvalidHomeRegionException")

	stopped := h.clock.set(t0.Add(2 * time.Hour))
	_, err = h.h.StopLogging(in(home), &cloudtrail.StopLoggingRequest{Name: ptr("global")})
	mustOK(t, err)
	st = status(home, "global")
	if *st.IsLogging || !st.StopLoggingTime.Equal(stopped) || *st.TimeLoggingStopped != "2026-03-01T14:00:00Z" ||
		!st.StartLoggingTime.Equal(started) {
		t.Fatalf("after stop %+v", st)
	}

	_, err = h.h.StartLogging(in(home), &cloudtrail.StartLoggingRequest{Name: ptr("missing")})
	wantCode(t, err, "TrailNotFoundException")
	_, err = h.h.StopLogging(in(home), &cloudtrail.StopLoggingRequest{Name: ptr("x")})
	wantCode(t, err, "InvalidTrailNameException")
}

type fakeDelivery struct{ gotARN, gotRegion string }

func (f *fakeDelivery) TrailDelivery(_ context.Context, trailARN, region string) (Delivery, error) {
	f.gotARN, f.gotRegion = trailARN, region
	return Delivery{
		LatestDeliveryTime:             t0,
		LatestDeliveryError:            "AccessDenied",
		LatestDigestDeliveryTime:       t0.Add(time.Minute),
		LatestDeliveryAttemptTime:      t0,
		LatestDeliveryAttemptSucceeded: t0,
	}, nil
}

func TestTrailStatusReportsDelivery(t *testing.T) {
	h := newHarness(t)
	d := &fakeDelivery{}
	h.svc.delivery = d
	h.create(in(home), "global", true)
	out, err := h.h.GetTrailStatus(in(away), &cloudtrail.GetTrailStatusRequest{Name: ptr(globalARN)})
	mustOK(t, err)
	if d.gotARN != globalARN || d.gotRegion != away {
		t.Fatalf("delivery asked for %s in %s", d.gotARN, d.gotRegion)
	}
	if !out.LatestDeliveryTime.Equal(t0) || *out.LatestDeliveryError != "AccessDenied" ||
		!out.LatestDigestDeliveryTime.Equal(t0.Add(time.Minute)) || out.LatestNotificationTime != nil ||
		out.LatestNotificationError != nil || *out.LatestDeliveryAttemptTime != "2026-03-01T12:00:00Z" ||
		*out.LatestDeliveryAttemptSucceeded != "2026-03-01T12:00:00Z" || *out.LatestNotificationAttemptTime != "" {
		t.Fatalf("status %+v", out)
	}
}
