package recorder

import (
	"strings"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/api/cloudtraildata"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/gateway"
	"github.com/cairnhq/cairn/internal/identity"
)

// Resource types of CloudTrail's own resources, by ARN resource prefix.
var resourceTypes = map[string]string{
	"trail":          "AWS::CloudTrail::Trail",
	"eventdatastore": "AWS::CloudTrail::EventDataStore",
	"channel":        "AWS::CloudTrail::Channel",
	"dashboard":      "AWS::CloudTrail::Dashboard",
}

const bucketResourceType = "AWS::S3::Bucket"

// resourcesOf lists the resources a call names: the record's resources
// (CloudTrail resources by ARN) and the LookupEvents view of them, which
// also includes the S3 bucket a trail is configured with.
func resourcesOf(c *gateway.Call, caller *identity.Caller) ([]events.Resource, []events.LookupResource) {
	var refs []string
	bucket := ""
	switch in := c.Input.(type) {
	case *cloudtrail.CreateTrailRequest:
		refs, bucket = trailRefs(in.Name), deref(in.S3BucketName)
	case *cloudtrail.UpdateTrailRequest:
		refs, bucket = trailRefs(in.Name), deref(in.S3BucketName)
	case *cloudtrail.DeleteTrailRequest:
		refs = trailRefs(in.Name)
	case *cloudtrail.GetTrailRequest:
		refs = trailRefs(in.Name)
	case *cloudtrail.GetTrailStatusRequest:
		refs = trailRefs(in.Name)
	case *cloudtrail.StartLoggingRequest:
		refs = trailRefs(in.Name)
	case *cloudtrail.StopLoggingRequest:
		refs = trailRefs(in.Name)
	case *cloudtrail.PutEventSelectorsRequest:
		refs = trailRefs(in.TrailName)
	case *cloudtrail.GetEventSelectorsRequest:
		refs = trailRefs(in.TrailName)
	case *cloudtrail.PutInsightSelectorsRequest:
		refs = trailRefs(in.TrailName)
	case *cloudtrail.GetInsightSelectorsRequest:
		refs = trailRefs(in.TrailName)
	case *cloudtrail.AddTagsRequest:
		refs = trailRefs(in.ResourceId)
	case *cloudtrail.RemoveTagsRequest:
		refs = trailRefs(in.ResourceId)
	case *cloudtrail.ListTagsRequest:
		refs = in.ResourceIdList
	case *cloudtrail.CreateEventDataStoreRequest:
		if out, ok := c.Output.(*cloudtrail.CreateEventDataStoreResponse); ok {
			refs = trailRefs(out.EventDataStoreArn)
		}
	case *cloudtrail.GetEventDataStoreRequest:
		refs = lakeRefs("eventdatastore", in.EventDataStore, caller)
	case *cloudtrail.UpdateEventDataStoreRequest:
		refs = lakeRefs("eventdatastore", in.EventDataStore, caller)
	case *cloudtrail.DeleteEventDataStoreRequest:
		refs = lakeRefs("eventdatastore", in.EventDataStore, caller)
	case *cloudtrail.RestoreEventDataStoreRequest:
		refs = lakeRefs("eventdatastore", in.EventDataStore, caller)
	case *cloudtrail.StartEventDataStoreIngestionRequest:
		refs = lakeRefs("eventdatastore", in.EventDataStore, caller)
	case *cloudtrail.StopEventDataStoreIngestionRequest:
		refs = lakeRefs("eventdatastore", in.EventDataStore, caller)
	case *cloudtrail.CreateChannelRequest:
		if out, ok := c.Output.(*cloudtrail.CreateChannelResponse); ok {
			refs = trailRefs(out.ChannelArn)
		}
	case *cloudtrail.GetChannelRequest:
		refs = lakeRefs("channel", in.Channel, caller)
	case *cloudtrail.UpdateChannelRequest:
		refs = lakeRefs("channel", in.Channel, caller)
	case *cloudtrail.DeleteChannelRequest:
		refs = lakeRefs("channel", in.Channel, caller)
	case *cloudtrail.PutResourcePolicyRequest:
		refs = trailRefs(in.ResourceArn)
	case *cloudtrail.GetResourcePolicyRequest:
		refs = trailRefs(in.ResourceArn)
	case *cloudtrail.DeleteResourcePolicyRequest:
		refs = trailRefs(in.ResourceArn)
	case *cloudtraildata.PutAuditEventsRequest:
		refs = lakeRefs("channel", in.ChannelArn, caller)
	}
	var resources []events.Resource
	var lookup []events.LookupResource
	for _, ref := range refs {
		arn, kind, ok := resourceARN(ref, caller)
		if !ok {
			continue
		}
		resources = append(resources, events.Resource{ARN: arn, AccountID: caller.Principal.AccountID, Type: kind})
		lookup = append(lookup, events.LookupResource{Type: kind, Name: arn})
	}
	if bucket != "" {
		lookup = append(lookup, events.LookupResource{Type: bucketResourceType, Name: bucket})
	}
	return resources, lookup
}

// lakeRefs names an event data store or channel given by ARN or ID; an ID
// is completed into an ARN of the caller's account and Region.
func lakeRefs(kind string, ref *string, caller *identity.Caller) []string {
	if ref == nil || *ref == "" {
		return nil
	}
	if strings.HasPrefix(*ref, "arn:") {
		return []string{*ref}
	}
	return []string{"arn:aws:cloudtrail:" + caller.Region + ":" + caller.Principal.AccountID + ":" + kind + "/" + *ref}
}

func trailRefs(ref *string) []string {
	if ref == nil || *ref == "" {
		return nil
	}
	return []string{*ref}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// resourceARN turns a name or ARN into a CloudTrail resource ARN and type.
// Bare names are trail names in the caller's account and region.
func resourceARN(ref string, caller *identity.Caller) (arn, kind string, ok bool) {
	if !strings.HasPrefix(ref, "arn:") {
		return "arn:aws:cloudtrail:" + caller.Region + ":" + caller.Principal.AccountID + ":trail/" + ref, resourceTypes["trail"], true
	}
	parts := strings.SplitN(ref, ":", 6)
	if len(parts) != 6 || parts[2] != "cloudtrail" {
		return "", "", false
	}
	resource, _, _ := strings.Cut(parts[5], "/")
	kind, ok = resourceTypes[resource]
	return ref, kind, ok
}
