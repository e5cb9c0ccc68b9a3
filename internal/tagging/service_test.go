package tagging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/store/memstore"
)

const (
	acct     = "123456789012"
	region   = "us-east-1"
	trailARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
)

// fakeTrails knows a fixed set of trail ARNs.
type fakeTrails map[string]bool

func (f fakeTrails) CheckResource(_ store.Tx, arn ARN) error {
	if !f[arn.String()] {
		return cloudtrail.NewResourceNotFoundException("Resource %s not found.", arn.String())
	}
	return nil
}

func ctxFor(account, region string) context.Context {
	return identity.WithCaller(context.Background(), &identity.Caller{
		Principal: identity.Principal{AccountID: account}, Region: region,
	})
}

func newHandlers(t *testing.T, st store.Store) cloudtrail.Handlers {
	t.Helper()
	var h cloudtrail.Handlers
	New(Config{Store: st, Resolvers: map[string]Resolver{ResourceTrail: fakeTrails{trailARN: true}}}).Register(&h)
	return h
}

func tag(k string, v ...string) cloudtrail.Tag {
	t := cloudtrail.Tag{Key: &k}
	if len(v) > 0 {
		t.Value = &v[0]
	}
	return t
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e api.Error
	if !errors.As(err, &e) || e.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func listTags(t *testing.T, h cloudtrail.Handlers, arns ...string) []cloudtrail.ResourceTag {
	t.Helper()
	out, err := h.ListTags(ctxFor(acct, region), &cloudtrail.ListTagsRequest{ResourceIdList: arns})
	if err != nil {
		t.Fatal(err)
	}
	return out.ResourceTagList
}

func render(tags []cloudtrail.Tag) string {
	var parts []string
	for _, t := range tags {
		if t.Value == nil {
			parts = append(parts, *t.Key)
		} else {
			parts = append(parts, *t.Key+"="+*t.Value)
		}
	}
	return strings.Join(parts, ",")
}

func TestAddListRemoveTags(t *testing.T) {
	st := memstore.New()
	h := newHandlers(t, st)
	ctx := ctxFor(acct, region)

	_, err := h.AddTags(ctx, &cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN),
		TagsList: []cloudtrail.Tag{tag("team", "sec"), tag("flag"), tag("env", "prod")}})
	if err != nil {
		t.Fatal(err)
	}
	// Re-adding a key overwrites its value in place.
	_, err = h.AddTags(ctx, &cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN),
		TagsList: []cloudtrail.Tag{tag("team", "ops"), tag("new", "x")}})
	if err != nil {
		t.Fatal(err)
	}
	got := listTags(t, h, trailARN)
	if len(got) != 1 || *got[0].ResourceId != trailARN || render(got[0].TagsList) != "team=ops,flag,env=prod,new=x" {
		t.Fatalf("tags %+v", render(got[0].TagsList))
	}

	_, err = h.RemoveTags(ctx, &cloudtrail.RemoveTagsRequest{ResourceId: ptr(trailARN),
		TagsList: []cloudtrail.Tag{tag("team", "whatever"), tag("absent")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := render(listTags(t, h, trailARN)[0].TagsList); got != "flag,env=prod,new=x" {
		t.Fatalf("after remove: %s", got)
	}

	// Tags survive a new Service over the same store.
	h = newHandlers(t, st)
	if got := render(listTags(t, h, trailARN)[0].TagsList); got != "flag,env=prod,new=x" {
		t.Fatalf("after restart: %s", got)
	}
}

func TestTagLimit(t *testing.T) {
	h := newHandlers(t, memstore.New())
	ctx := ctxFor(acct, region)
	many := func(prefix string, n int) []cloudtrail.Tag {
		out := make([]cloudtrail.Tag, n)
		for i := range out {
			out[i] = tag(fmt.Sprintf("%s%d", prefix, i), "v")
		}
		return out
	}
	if _, err := h.AddTags(ctx, &cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN), TagsList: many("a", 45)}); err != nil {
		t.Fatal(err)
	}
	_, err := h.AddTags(ctx, &cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN), TagsList: many("b", 6)})
	wantCode(t, err, "TagsLimitExceededException")
	if got := listTags(t, h, trailARN)[0].TagsList; len(got) != 45 {
		t.Fatalf("failed AddTags changed the tags: %d", len(got))
	}
	// Overwriting existing keys does not count twice.
	if _, err := h.AddTags(ctx, &cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN),
		TagsList: append(many("a", 45), many("b", 5)...)}); err != nil {
		t.Fatal(err)
	}
}

func TestTagValidation(t *testing.T) {
	tests := []struct {
		name string
		tags []cloudtrail.Tag
		code string
	}{
		{"missing key", []cloudtrail.Tag{{Value: ptr("v")}}, "InvalidTagParameterException"},
		{"empty key", []cloudtrail.Tag{tag("")}, "InvalidTagParameterException"},
		{"long key", []cloudtrail.Tag{tag(strings.Repeat("k", 129))}, "InvalidTagParameterException"},
		{"reserved key", []cloudtrail.Tag{tag("aws:cloudformation:stack")}, "InvalidTagParameterException"},
		{"reserved key any case", []cloudtrail.Tag{tag("AWS:thing")}, "InvalidTagParameterException"},
		{"bad key characters", []cloudtrail.Tag{tag("a*b")}, "InvalidTagParameterException"},
		{"empty value", []cloudtrail.Tag{tag("k", "")}, "InvalidTagParameterException"},
		{"long value", []cloudtrail.Tag{tag("k", strings.Repeat("v", 257))}, "InvalidTagParameterException"},
		{"bad value characters", []cloudtrail.Tag{tag("k", "a<b")}, "InvalidTagParameterException"},
		{"duplicate key", []cloudtrail.Tag{tag("k", "1"), tag("k", "2")}, "InvalidTagParameterException"},
		{"fine", []cloudtrail.Tag{tag("Name_1 .:/=+-@", "Ünïcode välue 1"), tag(strings.Repeat("k", 128), strings.Repeat("v", 256))}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandlers(t, memstore.New())
			_, err := h.AddTags(ctxFor(acct, region), &cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN), TagsList: tc.tags})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	h := newHandlers(t, memstore.New())
	_, err := h.RemoveTags(ctxFor(acct, region), &cloudtrail.RemoveTagsRequest{ResourceId: ptr(trailARN),
		TagsList: []cloudtrail.Tag{tag("aws:x")}})
	wantCode(t, err, "InvalidTagParameterException")
}

func TestResourceResolution(t *testing.T) {
	tests := []struct {
		name, id, account, region, code string
	}{
		{"not an ARN", "main", acct, region, "CloudTrailARNInvalidException"},
		{"truncated ARN", "arn:aws:cloudtrail:us-east-1:123456789012", acct, region, "CloudTrailARNInvalidException"},
		{"other service", "arn:aws:s3:us-east-1:123456789012:bucket/x", acct, region, "ResourceTypeNotSupportedException"},
		{"unknown type", "arn:aws:cloudtrail:us-east-1:123456789012:query/x", acct, region, "ResourceTypeNotSupportedException"},
		{"bad account", "arn:aws:cloudtrail:us-east-1:1234:trail/main", acct, region, "CloudTrailARNInvalidException"},
		{"other region", trailARN, acct, "eu-west-1", "CloudTrailARNInvalidException"},
		{"other region channel", "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc", acct, "eu-west-1", "ChannelARNInvalidException"},
		{"other region event data store", "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc", acct, "eu-west-1",
			"EventDataStoreARNInvalidException"},
		{"other account", trailARN, "210987654321", region, "ResourceNotFoundException"},
		{"missing trail", "arn:aws:cloudtrail:us-east-1:123456789012:trail/ghost", acct, region, "ResourceNotFoundException"},
		{"event data store", "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc", acct, region, "EventDataStoreNotFoundException"},
		{"channel", "arn:aws:cloudtrail:us-east-1:123456789012:channel/abc", acct, region, "ChannelNotFoundException"},
		{"dashboard", "arn:aws:cloudtrail:us-east-1:123456789012:dashboard/abc", acct, region, "ResourceNotFoundException"},
	}
	h := newHandlers(t, memstore.New())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := ctxFor(tc.account, tc.region)
			_, err := h.AddTags(ctx, &cloudtrail.AddTagsRequest{ResourceId: ptr(tc.id), TagsList: []cloudtrail.Tag{tag("k")}})
			wantCode(t, err, tc.code)
			_, err = h.RemoveTags(ctx, &cloudtrail.RemoveTagsRequest{ResourceId: ptr(tc.id), TagsList: []cloudtrail.Tag{tag("k")}})
			wantCode(t, err, tc.code)
			_, err = h.ListTags(ctx, &cloudtrail.ListTagsRequest{ResourceIdList: []string{tc.id}})
			wantCode(t, err, tc.code)
		})
	}
}

func TestListTags(t *testing.T) {
	h := newHandlers(t, memstore.New())
	ctx := ctxFor(acct, region)
	empty := listTags(t, h)
	if empty == nil || len(empty) != 0 {
		t.Fatalf("ResourceTagList must be [], got %+v", empty)
	}
	got := listTags(t, h, trailARN)
	if got[0].TagsList == nil || len(got[0].TagsList) != 0 {
		t.Fatalf("untagged resource must have TagsList [], got %+v", got[0])
	}
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = trailARN
	}
	_, err := h.ListTags(ctx, &cloudtrail.ListTagsRequest{ResourceIdList: ids})
	wantCode(t, err, "ValidationException")
	if got := listTags(t, h, ids[:20]...); len(got) != 20 {
		t.Fatalf("20 resources: %d", len(got))
	}
	_, err = h.ListTags(ctx, &cloudtrail.ListTagsRequest{ResourceIdList: []string{trailARN,
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/ghost"}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = h.ListTags(ctx, &cloudtrail.ListTagsRequest{ResourceIdList: []string{trailARN}, NextToken: ptr("abc")})
	wantCode(t, err, "InvalidTokenException")
}

func TestTagsInTxHelpers(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := PutTagsInTx(tx, trailARN, []Tag{{Key: "a"}, {Key: "b", Value: ptr("1")}}); err != nil {
			return err
		}
		return PutTagsInTx(tx, "arn:aws:cloudtrail:us-east-1:123456789012:trail/other", []Tag{{Key: "c"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx store.Tx) error { return DeleteAllInTx(tx, trailARN) })
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		gone, err := TagsInTx(tx, trailARN)
		if err != nil || len(gone) != 0 {
			return fmt.Errorf("tags after DeleteAllInTx: %v %v", gone, err)
		}
		kept, err := TagsInTx(tx, "arn:aws:cloudtrail:us-east-1:123456789012:trail/other")
		if err != nil || len(kept) != 1 {
			return fmt.Errorf("other resource's tags: %v %v", kept, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMapViolations(t *testing.T) {
	svc := New(Config{})
	validate := func(in api.Input) []api.Violation {
		var v api.Validator
		in.ValidateConstraints(&v)
		return v.Violations
	}
	many := make([]cloudtrail.Tag, 201)
	for i := range many {
		many[i] = tag(fmt.Sprint(i))
	}
	wantCode(t, svc.MapViolations("AddTags", validate(&cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN), TagsList: many})),
		"TagsLimitExceededException")
	wantCode(t, svc.MapViolations("AddTags", validate(&cloudtrail.AddTagsRequest{ResourceId: ptr(trailARN),
		TagsList: []cloudtrail.Tag{tag(strings.Repeat("k", 129))}})), "InvalidTagParameterException")
	wantCode(t, svc.MapViolations("RemoveTags", validate(&cloudtrail.RemoveTagsRequest{ResourceId: ptr(trailARN),
		TagsList: []cloudtrail.Tag{{}}})), "InvalidTagParameterException")
	if err := svc.MapViolations("AddTags", validate(&cloudtrail.AddTagsRequest{TagsList: []cloudtrail.Tag{}})); err != nil {
		t.Fatalf("missing ResourceId should stay a ValidationException, got %v", err)
	}
	if err := svc.MapViolations("ListTags", validate(&cloudtrail.ListTagsRequest{})); err != nil {
		t.Fatalf("ListTags: %v", err)
	}
}

func TestParseARN(t *testing.T) {
	a, ok := ParseARN("arn:aws:cloudtrail:us-east-2:123456789012:eventdatastore/EXAMPLE-f852-4e8f")
	if !ok || a.ResourceType != "eventdatastore" || a.ResourceID != "EXAMPLE-f852-4e8f" || a.Region != "us-east-2" ||
		a.String() != "arn:aws:cloudtrail:us-east-2:123456789012:eventdatastore/EXAMPLE-f852-4e8f" {
		t.Fatalf("parsed %+v %v", a, ok)
	}
	for _, bad := range []string{"", "arn:aws", "arn:aws:cloudtrail:us-east-1:123456789012:trail", "arn::cloudtrail:r:a:trail/x",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/", "urn:aws:cloudtrail:us-east-1:123456789012:trail/x"} {
		if _, ok := ParseARN(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func ptr[T any](v T) *T { return &v }
