package lake

import (
	"context"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/policy"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// PutResourcePolicy attaches a resource-based policy to a channel, event
// data store or dashboard of the caller, replacing any policy it had.
func (s *Service) PutResourcePolicy(ctx context.Context, req *cloudtrail.PutResourcePolicyRequest) (*cloudtrail.PutResourcePolicyResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	arn := deref(req.ResourceArn)
	document := deref(req.ResourcePolicy)
	err = s.store.Update(ctx, func(tx store.Tx) error {
		res, err := s.policyResource(tx, sc, arn)
		if err != nil {
			return err
		}
		if _, err := policy.Parse(document, res); err != nil {
			return cloudtrail.NewResourcePolicyNotValidException("%s", err.Error())
		}
		return putJSON(tx, policyBucket, arn, policyRecord{Version: recordVersion, Document: document})
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.PutResourcePolicyResponse{ResourceArn: ptr(arn), ResourcePolicy: ptr(document)}, nil
}

// GetResourcePolicy returns the policy attached to a resource.
func (s *Service) GetResourcePolicy(ctx context.Context, req *cloudtrail.GetResourcePolicyRequest) (*cloudtrail.GetResourcePolicyResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	arn := deref(req.ResourceArn)
	var rec *policyRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		if _, err := s.policyResource(tx, sc, arn); err != nil {
			return err
		}
		if rec, err = getJSON[policyRecord](tx, policyBucket, arn); err != nil {
			return err
		}
		if rec == nil {
			return policyNotFound(arn)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetResourcePolicyResponse{ResourceArn: ptr(arn), ResourcePolicy: ptr(rec.Document)}, nil
}

// DeleteResourcePolicy removes the policy attached to a resource.
func (s *Service) DeleteResourcePolicy(ctx context.Context, req *cloudtrail.DeleteResourcePolicyRequest) (*cloudtrail.DeleteResourcePolicyResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	arn := deref(req.ResourceArn)
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.policyResource(tx, sc, arn); err != nil {
			return err
		}
		rec, err := getJSON[policyRecord](tx, policyBucket, arn)
		if err != nil {
			return err
		}
		if rec == nil {
			return policyNotFound(arn)
		}
		return tx.Delete(policyBucket, arn)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.DeleteResourcePolicyResponse{}, nil
}

// policyResource checks that arn names an existing channel, event data
// store or dashboard of the caller's account and Region.
func (s *Service) policyResource(tx store.Tx, sc scope, arn string) (policy.Resource, error) {
	parsed, ok := tagging.ParseARN(arn)
	if !ok || parsed.Service != "cloudtrail" || !tagging.IsAccountID(parsed.AccountID) || !tagging.IsRegionName(parsed.Region) {
		return policy.Resource{}, cloudtrail.NewResourceARNNotValidException(
			"%s is not a valid resource ARN. Specify the ARN of a channel, event data store or dashboard.", arn)
	}
	var typ policy.ResourceType
	switch parsed.ResourceType {
	case tagging.ResourceChannel:
		typ = policy.Channel
	case tagging.ResourceEventDataStore:
		typ = policy.EventDataStore
	case tagging.ResourceDashboard:
		typ = policy.Dashboard
	default:
		return policy.Resource{}, cloudtrail.NewResourceTypeNotSupportedException(
			"Resource-based policies can be attached to channels, event data stores and dashboards, not to %s resources.", parsed.ResourceType)
	}
	if parsed.AccountID != sc.account || parsed.Region != sc.region {
		return policy.Resource{}, resourceNotFound(arn)
	}
	switch typ {
	case policy.Channel:
		if _, err := findChannel(tx, sc, arn); err != nil {
			return policy.Resource{}, resourceNotFound(arn)
		}
	case policy.EventDataStore:
		if _, err := s.findDataStore(tx, sc, arn); err != nil {
			return policy.Resource{}, resourceNotFound(arn)
		}
	case policy.Dashboard:
		// Dashboards are not built yet, so none exists.
		return policy.Resource{}, resourceNotFound(arn)
	}
	return policy.Resource{Type: typ, ARN: arn, OwnerAccount: sc.account}, nil
}

func resourceNotFound(arn string) error {
	return cloudtrail.NewResourceNotFoundException("The resource %s does not exist in this account and Region.", arn)
}

func policyNotFound(arn string) error {
	return cloudtrail.NewResourcePolicyNotFoundException("The resource %s has no resource-based policy.", arn)
}

// loadPolicy returns the parsed policy attached to a resource, or nil.
func loadPolicy(tx store.Tx, res policy.Resource) (*policy.Policy, error) {
	rec, err := getJSON[policyRecord](tx, policyBucket, res.ARN)
	if err != nil || rec == nil {
		return nil, err
	}
	return policy.Parse(rec.Document, res)
}
