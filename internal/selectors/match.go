package selectors

import "strings"

// Set is the event selectors of one trail or event data store: basic
// selectors or advanced selectors (never both). An event is selected when
// any selector matches it.
type Set struct {
	Basic    []Basic
	Advanced []Advanced
}

// Basic is one basic event selector.
type Basic struct {
	ReadWriteType                 string // ReadOnly, WriteOnly or All (empty means All)
	IncludeManagementEvents       bool
	ExcludeManagementEventSources []string
	DataResources                 []DataResource
}

// DataResource names data events to log: a resource type and ARN values.
type DataResource struct {
	Type   string
	Values []string
}

// Advanced is one advanced event selector: every field condition must hold.
type Advanced struct {
	Fields []Field
}

// Field is one advanced field selector. Within a field the positive
// operators (Equals, StartsWith, EndsWith) are OR'd, the negative ones
// (NotEquals, NotStartsWith, NotEndsWith) must all hold, and both groups
// must hold.
type Field struct {
	Name          string
	Equals        []string
	StartsWith    []string
	EndsWith      []string
	NotEquals     []string
	NotStartsWith []string
	NotEndsWith   []string
}

// Match reports whether the selectors select e.
func (s Set) Match(e *Event) bool {
	for i := range s.Basic {
		if s.Basic[i].match(e) {
			return true
		}
	}
	for i := range s.Advanced {
		if s.Advanced[i].match(e) {
			return true
		}
	}
	return false
}

func (b *Basic) match(e *Event) bool {
	switch b.ReadWriteType {
	case "ReadOnly":
		if e.ReadOnly != "true" {
			return false
		}
	case "WriteOnly":
		if e.ReadOnly == "true" {
			return false
		}
	}
	switch e.Category() {
	case "Management":
		if !b.IncludeManagementEvents {
			return false
		}
		for _, src := range b.ExcludeManagementEventSources {
			if src == e.EventSource {
				return false
			}
		}
		return true
	case "Data":
		for _, dr := range b.DataResources {
			for _, r := range e.Resources {
				if r.Type == dr.Type && dataResourceMatches(dr, r.ARN) {
					return true
				}
			}
		}
	}
	return false
}

// dataResourceMatches applies a basic selector's DataResources values to
// one resource ARN: a bare "arn:<partition>:<service>" selects every
// resource of the type; S3 object values are prefixes of object ARNs;
// other values name one resource exactly.
func dataResourceMatches(dr DataResource, arn string) bool {
	for _, v := range dr.Values {
		if strings.Count(v, ":") == 2 {
			if strings.HasPrefix(arn, v+":") {
				return true
			}
			continue
		}
		if dr.Type == "AWS::S3::Object" {
			if strings.HasPrefix(arn, v) {
				return true
			}
			continue
		}
		if arn == v {
			return true
		}
	}
	return false
}

func (a *Advanced) match(e *Event) bool {
	resourceType := ""
	for i := range a.Fields {
		if a.Fields[i].Name == "resources.type" && len(a.Fields[i].Equals) > 0 {
			resourceType = a.Fields[i].Equals[0]
		}
	}
	for i := range a.Fields {
		f := &a.Fields[i]
		switch f.Name {
		case "resources.type", "resources.ARN":
			if !f.matchResources(e, resourceType) {
				return false
			}
		default:
			if !f.matchValue(fieldValue(e, f.Name)) {
				return false
			}
		}
	}
	return true
}

// matchResources holds when one of the event's resources (of the
// selector's resource type, when it names one) satisfies the field.
func (f *Field) matchResources(e *Event, resourceType string) bool {
	for _, r := range e.Resources {
		if f.Name == "resources.type" {
			if f.matchValue(r.Type) {
				return true
			}
			continue
		}
		if resourceType != "" && r.Type != resourceType {
			continue
		}
		if f.matchValue(r.ARN) {
			return true
		}
	}
	return false
}

func fieldValue(e *Event, name string) string {
	switch name {
	case "eventCategory":
		return e.Category()
	case "eventSource":
		return e.EventSource
	case "eventName":
		return e.EventName
	case "eventType":
		return e.EventType
	case "readOnly":
		return e.ReadOnly
	case "errorCode":
		return e.ErrorCode
	case "userIdentity.arn":
		return e.UserIdentityARN
	case "sessionCredentialFromConsole":
		return e.SessionCredentialFromConsole
	case "vpcEndpointId":
		return e.VPCEndpointID
	}
	return ""
}

func (f *Field) matchValue(v string) bool {
	positive := len(f.Equals)+len(f.StartsWith)+len(f.EndsWith) > 0
	if positive && !anyOf(f.Equals, func(x string) bool { return v == x }) &&
		!anyOf(f.StartsWith, func(x string) bool { return strings.HasPrefix(v, x) }) &&
		!anyOf(f.EndsWith, func(x string) bool { return strings.HasSuffix(v, x) }) {
		return false
	}
	return !anyOf(f.NotEquals, func(x string) bool { return v == x }) &&
		!anyOf(f.NotStartsWith, func(x string) bool { return strings.HasPrefix(v, x) }) &&
		!anyOf(f.NotEndsWith, func(x string) bool { return strings.HasSuffix(v, x) })
}

func anyOf(values []string, pred func(string) bool) bool {
	for _, v := range values {
		if pred(v) {
			return true
		}
	}
	return false
}
