package tagging

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/identity"
	"github.com/cairnhq/cairn/internal/store"
)

// MaxListTagsResources is the most ARNs one ListTags call may name.
const MaxListTagsResources = 20

// Resolver is implemented by the package that owns a resource type.
type Resolver interface {
	// CheckResource returns nil when the resource named by arn exists in
	// arn's account and Region, and otherwise the CloudTrail error AWS
	// answers for it (for example ResourceNotFoundException). The tagging
	// package has already checked that arn names the caller's account and
	// Region. It runs inside the tagging transaction.
	CheckResource(tx store.Tx, arn ARN) error
}

// Config wires a Service.
type Config struct {
	Store store.Store
	// Resolvers maps a resource type (ResourceTrail, ResourceEventDataStore,
	// ResourceChannel, ResourceDashboard) to its owner.
	Resolvers map[string]Resolver
}

// Service answers AddTags, ListTags and RemoveTags.
type Service struct {
	store     store.Store
	resolvers map[string]Resolver
}

// New returns a Service over cfg.
func New(cfg Config) *Service {
	resolvers := make(map[string]Resolver, len(cfg.Resolvers))
	for k, v := range cfg.Resolvers {
		resolvers[k] = v
	}
	return &Service{store: cfg.Store, resolvers: resolvers}
}

// Register installs the tagging operations in h.
func (s *Service) Register(h *cloudtrail.Handlers) {
	h.AddTags = s.AddTags
	h.ListTags = s.ListTags
	h.RemoveTags = s.RemoveTags
}

// AddTags adds tags to a resource, overwriting values of existing keys.
func (s *Service) AddTags(ctx context.Context, req *cloudtrail.AddTagsRequest) (*cloudtrail.AddTagsResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := ValidateTags(req.TagsList)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		arn, err := s.resolve(tx, caller, deref(req.ResourceId))
		if err != nil {
			return err
		}
		return PutTagsInTx(tx, arn.String(), tags)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.AddTagsResponse{}, nil
}

// RemoveTags removes tags from a resource by key.
func (s *Service) RemoveTags(ctx context.Context, req *cloudtrail.RemoveTagsRequest) (*cloudtrail.RemoveTagsResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := ValidateTagKeys(req.TagsList)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		arn, err := s.resolve(tx, caller, deref(req.ResourceId))
		if err != nil {
			return err
		}
		return RemoveTagsInTx(tx, arn.String(), keys)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.RemoveTagsResponse{}, nil
}

// ListTags returns the tags of up to MaxListTagsResources resources, in the
// order they were named. Every result fits in one page, so no NextToken is
// ever issued and any NextToken given is answered with InvalidTokenException.
func (s *Service) ListTags(ctx context.Context, req *cloudtrail.ListTagsRequest) (*cloudtrail.ListTagsResponse, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.NextToken != nil {
		return nil, cloudtrail.NewInvalidTokenException("The NextToken %s is not valid.", *req.NextToken)
	}
	if n := len(req.ResourceIdList); n > MaxListTagsResources {
		return nil, api.ValidationError([]api.Violation{{
			Path:       "resourceIdList",
			Member:     "ResourceIdList",
			Value:      "[" + strconv.Itoa(n) + " elements]",
			Constraint: "Member must have length less than or equal to " + strconv.Itoa(MaxListTagsResources),
		}})
	}
	out := &cloudtrail.ListTagsResponse{ResourceTagList: make([]cloudtrail.ResourceTag, 0, len(req.ResourceIdList))}
	err = s.store.View(ctx, func(tx store.Tx) error {
		out.ResourceTagList = out.ResourceTagList[:0]
		for _, id := range req.ResourceIdList {
			arn, err := s.resolve(tx, caller, id)
			if err != nil {
				return err
			}
			tags, err := TagsInTx(tx, arn.String())
			if err != nil {
				return err
			}
			resourceID := arn.String()
			out.ResourceTagList = append(out.ResourceTagList, cloudtrail.ResourceTag{
				ResourceId: &resourceID,
				TagsList:   ToAPI(tags),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resolve checks that id is the ARN of an existing resource of the caller's
// account and Region, answering with the error AWS gives when it is not.
func (s *Service) resolve(tx store.Tx, caller *identity.Caller, id string) (ARN, error) {
	arn, ok := ParseARN(id)
	if !ok {
		return ARN{}, cloudtrail.NewCloudTrailARNInvalidException(
			"%s is not a valid ARN. The ResourceId must be the ARN of a trail, event data store, dashboard, or channel.", id)
	}
	if arn.Service != "cloudtrail" || !knownResourceType(arn.ResourceType) {
		return ARN{}, cloudtrail.NewResourceTypeNotSupportedException(
			"Resource type of %s is not supported. Only trails, event data stores, dashboards, and channels can be tagged.", id)
	}
	if !IsAccountID(arn.AccountID) || !IsRegionName(arn.Region) {
		return ARN{}, invalidARN(arn.ResourceType, "%s is not a valid ARN.", id)
	}
	if arn.Region != caller.Region {
		return ARN{}, invalidARN(arn.ResourceType,
			"Region in ARN is wrong, you can only access resources in region %s.", caller.Region)
	}
	if arn.AccountID != caller.Principal.AccountID {
		return ARN{}, cloudtrail.NewResourceNotFoundException("Resource %s not found.", id)
	}
	if r := s.resolvers[arn.ResourceType]; r != nil {
		return arn, r.CheckResource(tx, arn)
	}
	return ARN{}, missingResource(arn)
}

func knownResourceType(t string) bool {
	switch t {
	case ResourceTrail, ResourceEventDataStore, ResourceChannel, ResourceDashboard:
		return true
	}
	return false
}

// invalidARN answers a malformed ARN with the exception of its resource type.
func invalidARN(resourceType, format string, args ...any) error {
	switch resourceType {
	case ResourceEventDataStore:
		return cloudtrail.NewEventDataStoreARNInvalidException(format, args...)
	case ResourceChannel:
		return cloudtrail.NewChannelARNInvalidException(format, args...)
	}
	return cloudtrail.NewCloudTrailARNInvalidException(format, args...)
}

// missingResource answers a resource type nobody has registered yet: such a
// resource cannot exist, so it gets that type's not-found error.
func missingResource(arn ARN) error {
	switch arn.ResourceType {
	case ResourceEventDataStore:
		return cloudtrail.NewEventDataStoreNotFoundException("The event data store %s does not exist.", arn.String())
	case ResourceChannel:
		return cloudtrail.NewChannelNotFoundException("The channel %s does not exist.", arn.String())
	}
	return cloudtrail.NewResourceNotFoundException("Resource %s not found.", arn.String())
}

func callerOf(ctx context.Context) (*identity.Caller, error) {
	c := identity.FromContext(ctx)
	if c == nil || c.Principal.AccountID == "" || c.Region == "" {
		return nil, api.NewCommonError(api.CodeInternalFailure, http.StatusInternalServerError,
			"The request reached the tagging service without a caller.")
	}
	return c, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
