package selectorrules

import "regexp"

// Event categories an advanced event selector can select (the values of its
// eventCategory field).
const (
	Management        = "Management"
	Data              = "Data"
	NetworkActivity   = "NetworkActivity"
	Insight           = "Insight"
	ConfigurationItem = "ConfigurationItem"
	ActivityAuditLog  = "ActivityAuditLog"
	Evidence          = "Evidence"
)

// KindCloudTrail is the StoreKind of an event data store of CloudTrail
// events: management, data and network activity events in any mix.
const KindCloudTrail = "CloudTrail"

const (
	// maxValues caps the values of all conditions of all selectors of one
	// trail or event data store.
	maxValues = 500
	// maxStoreSelectors caps the number of selectors of an event data store.
	maxStoreSelectors = 5
)

// Operator names of an advanced field selector.
const (
	opEquals        = "Equals"
	opStartsWith    = "StartsWith"
	opEndsWith      = "EndsWith"
	opNotEquals     = "NotEquals"
	opNotStartsWith = "NotStartsWith"
	opNotEndsWith   = "NotEndsWith"
)

// fieldRule says how one field may be used for one event category.
type fieldRule struct {
	// operators lists the operators allowed; nil allows all.
	operators []string
	// values lists the values allowed; nil allows any.
	values []string
	// pattern, when set, must match every value.
	pattern *regexp.Regexp
	// single requires exactly one value per operator.
	single bool
	// required fields must appear in the selector.
	required bool
	// exactARN requires Equals and NotEquals values to be whole ARNs.
	exactARN bool
}

// fieldSpec is one field allowed for a category.
type fieldSpec struct {
	name string
	rule fieldRule
}

// categoryRules lists the fields other than eventCategory a category
// allows, in a fixed order so the first missing required field reported is
// always the same.
type categoryRules []fieldSpec

func (c categoryRules) lookup(name string) (fieldRule, bool) {
	for _, f := range c {
		if f.name == name {
			return f.rule, true
		}
	}
	return fieldRule{}, false
}

var (
	resourceTypePattern = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)
	eventSourcePattern  = regexp.MustCompile(`^[a-z0-9-]+\.amazonaws\.com$`)
	arnValuePattern     = regexp.MustCompile(`^arn:[^:]+:[^:]+:`)
)

// ExcludableManagementSources are the only event sources a trail's
// management selectors may exclude.
var ExcludableManagementSources = []string{"kms.amazonaws.com", "rdsdata.amazonaws.com"}

var (
	anyValue     = fieldRule{}
	readOnly     = fieldRule{operators: []string{opEquals}, values: []string{"true", "false"}, single: true}
	consoleFlag  = fieldRule{operators: []string{opEquals, opNotEquals}, values: []string{"true"}}
	resourceType = fieldRule{operators: []string{opEquals}, pattern: resourceTypePattern, single: true, required: true}
	resourceARN  = fieldRule{exactARN: true}
	networkSrc   = fieldRule{operators: []string{opEquals}, pattern: eventSourcePattern, single: true, required: true}
	vpceDenied   = fieldRule{operators: []string{opEquals}, values: []string{"VpceAccessDenied"}}
)

// dataRules are the same for trails and event data stores.
var dataRules = categoryRules{
	{"resources.type", resourceType},
	{"readOnly", readOnly},
	{"eventName", anyValue},
	{"eventSource", anyValue},
	{"eventType", anyValue},
	{"resources.ARN", resourceARN},
	{"sessionCredentialFromConsole", consoleFlag},
	{"userIdentity.arn", anyValue},
}

// networkRules are the same for trails and event data stores.
var networkRules = categoryRules{
	{"eventSource", networkSrc},
	{"eventName", anyValue},
	{"errorCode", vpceDenied},
	{"vpcEndpointId", anyValue},
}

// eventCategoryOnly is the rule set of categories that allow no field but
// eventCategory.
var eventCategoryOnly = categoryRules{}

// rulesFor holds, per target and category, the fields a selector may use.
// A category missing from a target's map is not valid for that target.
var rulesFor = map[Target]map[string]categoryRules{
	Trail: {
		Management: {
			{"readOnly", readOnly},
			{"eventSource", fieldRule{operators: []string{opNotEquals}, values: ExcludableManagementSources}},
		},
		Data:            dataRules,
		NetworkActivity: networkRules,
	},
	EventDataStore: {
		Management: {
			{"readOnly", readOnly},
			{"eventSource", anyValue},
			{"eventName", anyValue},
			{"eventType", anyValue},
			{"sessionCredentialFromConsole", consoleFlag},
			{"userIdentity.arn", anyValue},
		},
		Data:              dataRules,
		NetworkActivity:   networkRules,
		Insight:           eventCategoryOnly,
		ConfigurationItem: eventCategoryOnly,
		ActivityAuditLog:  eventCategoryOnly,
		Evidence:          eventCategoryOnly,
	},
}

// kindOf returns the kind of event data store a category belongs to.
func kindOf(category string) string {
	switch category {
	case Management, Data, NetworkActivity:
		return KindCloudTrail
	}
	return category
}
