package events

import "strings"

// LookupResource is a resource as LookupEvents reports it and filters on
// (the ResourceType and ResourceName lookup attributes).
type LookupResource struct {
	Type string // e.g. AWS::CloudTrail::Trail; empty when unknown
	Name string // a name, ID or ARN
}

// Username is the value LookupEvents reports and filters on as Username:
// "root" for the root user, the user name of an IAM user, the role session
// name of an assumed role, the federated user's name, and otherwise
// userIdentity.userName (empty when absent).
func (r *Record) Username() string {
	u := r.UserIdentity
	if u == nil {
		return ""
	}
	switch u.Type {
	case "Root":
		return "root"
	case "AssumedRole", "FederatedUser":
		if i := strings.LastIndexByte(u.ARN, '/'); i >= 0 && i < len(u.ARN)-1 {
			return u.ARN[i+1:]
		}
	}
	return u.UserName
}

// AccessKeyID is userIdentity.accessKeyId, or empty.
func (r *Record) AccessKeyID() string {
	if r.UserIdentity == nil {
		return ""
	}
	return r.UserIdentity.AccessKeyID
}

// LookupResourceList returns LookupResources when set, and otherwise the
// record's resources with their ARNs as names.
func (r *Record) LookupResourceList() []LookupResource {
	if r.LookupResources != nil {
		return r.LookupResources
	}
	if len(r.Resources) == 0 {
		return nil
	}
	out := make([]LookupResource, 0, len(r.Resources))
	for _, res := range r.Resources {
		name := res.ARN
		if name == "" {
			name = res.ARNPrefix
		}
		out = append(out, LookupResource{Type: res.Type, Name: name})
	}
	return out
}

// IsManagement reports whether r is a management event: managementEvent
// when the record has it, else an eventCategory of Management, else (a
// record older than both fields) any event that is not an Insights event.
func (r *Record) IsManagement() bool {
	if r.ManagementEvent != nil {
		return *r.ManagementEvent
	}
	switch r.EventCategory {
	case CategoryManagement:
		return true
	case "":
		return !r.IsInsight()
	}
	return false
}
