package selectorrules

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func ptr(s string) *string { return &s }

// eq is a field selector with Equals values.
func eq(field string, values ...string) cloudtrail.AdvancedFieldSelector {
	return cloudtrail.AdvancedFieldSelector{Field: ptr(field), Equals: values}
}

// op is a field selector with values for one named operator.
func op(field, operator string, values ...string) cloudtrail.AdvancedFieldSelector {
	f := cloudtrail.AdvancedFieldSelector{Field: ptr(field)}
	switch operator {
	case opEquals:
		f.Equals = values
	case opStartsWith:
		f.StartsWith = values
	case opEndsWith:
		f.EndsWith = values
	case opNotEquals:
		f.NotEquals = values
	case opNotStartsWith:
		f.NotStartsWith = values
	case opNotEndsWith:
		f.NotEndsWith = values
	default:
		panic("unknown operator " + operator)
	}
	return f
}

func sel(fields ...cloudtrail.AdvancedFieldSelector) cloudtrail.AdvancedEventSelector {
	return cloudtrail.AdvancedEventSelector{FieldSelectors: fields}
}

func sels(s ...cloudtrail.AdvancedEventSelector) []cloudtrail.AdvancedEventSelector { return s }

var (
	mgmt    = eq("eventCategory", Management)
	data    = eq("eventCategory", Data)
	network = eq("eventCategory", NetworkActivity)
	s3Type  = eq("resources.type", "AWS::S3::Object")
	kmsSrc  = eq("eventSource", "kms.amazonaws.com")
)

// ruleCase is one Validate call and the message it must fail with; an
// empty message means it must succeed.
type ruleCase struct {
	name    string
	in      []cloudtrail.AdvancedEventSelector
	message string
}

func runCases(t *testing.T, target Target, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Validate(tc.in, target)
			if tc.message == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if len(out) != len(tc.in) {
					t.Fatalf("got %d selectors, want %d", len(out), len(tc.in))
				}
				return
			}
			var ies *cloudtrail.InvalidEventSelectorsException
			if !errors.As(err, &ies) {
				t.Fatalf("error = %v (%T), want InvalidEventSelectorsException", err, err)
			}
			if ies.Message != tc.message {
				t.Fatalf("message = %q\nwant      %q", ies.Message, tc.message)
			}
			if out != nil {
				t.Fatalf("selectors returned with an error: %+v", out)
			}
		})
	}
}

// commonCases hold for both targets, with the target's noun substituted.
func commonCases(noun string) []ruleCase {
	return []ruleCase{
		{"none", sels(), "AdvancedEventSelectors must contain at least one advanced event selector."},
		{"nil", nil, "AdvancedEventSelectors must contain at least one advanced event selector."},
		{"no field selectors", sels(sel()), "An advanced event selector must have at least one field selector."},
		{"no category", sels(sel(eq("readOnly", "true"))), "Each advanced event selector must include the eventCategory field."},
		{"nil field name", sels(sel(mgmt, cloudtrail.AdvancedFieldSelector{Equals: []string{"x"}})),
			"Field  is not supported in advanced event selectors for Management events on " + noun + "."},
		{"unknown category", sels(sel(eq("eventCategory", "Everything"))), "Value Everything for eventCategory is invalid."},
		{"category lower case", sels(sel(eq("eventCategory", "management"))), "Value management for eventCategory is invalid."},
		{"category not equals", sels(sel(op("eventCategory", opNotEquals, Data))),
			"Field eventCategory only supports the Equals operator."},
		{"category starts with besides equals", sels(sel(cloudtrail.AdvancedFieldSelector{Field: ptr("eventCategory"),
			Equals: []string{Data}, StartsWith: []string{"D"}})),
			"Field eventCategory only supports the Equals operator."},
		{"two categories", sels(sel(eq("eventCategory", Data, Management))), "Field eventCategory must have exactly one value."},
		{"duplicate category", sels(sel(mgmt, mgmt)), "Field eventCategory appears more than once in an advanced event selector."},
		{"duplicate field", sels(sel(data, s3Type, s3Type)), "Field resources.type appears more than once in an advanced event selector."},
		{"no operator", sels(sel(data, s3Type, cloudtrail.AdvancedFieldSelector{Field: ptr("eventName")})),
			"Field eventName must have at least one operator with values."},
		{"empty operator", sels(sel(data, s3Type, cloudtrail.AdvancedFieldSelector{Field: ptr("eventName"), Equals: []string{}})),
			"Operator Equals of field eventName must have at least one value."},
		{"empty operator beside a good one", sels(sel(data, s3Type, cloudtrail.AdvancedFieldSelector{Field: ptr("eventName"),
			Equals: []string{"GetObject"}, NotEndsWith: []string{}})),
			"Operator NotEndsWith of field eventName must have at least one value."},
		{"shape checked before category", sels(sel(eq("eventCategory", "Bogus"), cloudtrail.AdvancedFieldSelector{Field: ptr("x")})),
			"Field x must have at least one operator with values."},
		{"first bad selector reported", sels(sel(mgmt, eq("readOnly", "maybe")), sel(data)),
			"Value maybe for readOnly is invalid."},

		// Management fields both targets take.
		{"management", sels(sel(mgmt)), ""},
		{"management read only", sels(sel(mgmt, eq("readOnly", "true"))), ""},
		{"management readOnly operator", sels(sel(mgmt, op("readOnly", opNotEquals, "true"))),
			"Field readOnly does not support the NotEquals operator."},
		{"management readOnly value", sels(sel(mgmt, eq("readOnly", "yes"))), "Value yes for readOnly is invalid."},
		{"management readOnly two values", sels(sel(mgmt, eq("readOnly", "true", "false"))),
			"Field readOnly must have exactly one value."},
		{"management exclude kms and rds", sels(sel(mgmt, eq("readOnly", "false"),
			op("eventSource", opNotEquals, "kms.amazonaws.com", "rdsdata.amazonaws.com"))), ""},
		{"management resources.type", sels(sel(mgmt, s3Type)),
			"Field resources.type is not supported in advanced event selectors for Management events on " + noun + "."},
		{"management errorCode", sels(sel(mgmt, eq("errorCode", "VpceAccessDenied"))),
			"Field errorCode is not supported in advanced event selectors for Management events on " + noun + "."},

		// Data: the same rules for both targets.
		{"data s3 prefix", sels(sel(data, s3Type,
			op("resources.ARN", opStartsWith, "arn:aws:s3:::bucket/"),
			cloudtrail.AdvancedFieldSelector{Field: ptr("eventName"), NotEquals: []string{"GetObject"}, NotStartsWith: []string{"List"}},
			op("userIdentity.arn", opNotEndsWith, "/robot"),
			op("sessionCredentialFromConsole", opNotEquals, "true"),
			op("eventSource", opEndsWith, ".amazonaws.com"),
			op("eventType", opNotEquals, "AwsServiceEvent"),
			eq("readOnly", "false"))), ""},
		{"data newer resource type", sels(sel(data, eq("resources.type", "AWS::Bedrock::AgentAlias"))), ""},
		{"data without type", sels(sel(data)), "Advanced event selectors for Data events must include the resources.type field."},
		{"data without type but other fields", sels(sel(data, eq("eventName", "PutObject"))),
			"Advanced event selectors for Data events must include the resources.type field."},
		{"data type operator", sels(sel(data, op("resources.type", opStartsWith, "AWS::S3"))),
			"Field resources.type does not support the StartsWith operator."},
		{"data type value", sels(sel(data, eq("resources.type", "S3Object"))), "Value S3Object for resources.type is invalid."},
		{"data two types", sels(sel(data, eq("resources.type", "AWS::S3::Object", "AWS::Lambda::Function"))),
			"Field resources.type must have exactly one value."},
		{"data ARN equals full ARN", sels(sel(data, s3Type, eq("resources.ARN", "arn:aws:s3:::bucket/key"))), ""},
		{"data ARN equals not an ARN", sels(sel(data, s3Type, eq("resources.ARN", "bucket/key"))),
			"Value bucket/key for resources.ARN is invalid."},
		{"data ARN not equals not an ARN", sels(sel(data, s3Type, op("resources.ARN", opNotEquals, "bucket"))),
			"Value bucket for resources.ARN is invalid."},
		{"data ARN ends with any text", sels(sel(data, s3Type, op("resources.ARN", opEndsWith, ".jpg"))), ""},
		{"console flag equals", sels(sel(data, s3Type, eq("sessionCredentialFromConsole", "true"))), ""},
		{"console flag value", sels(sel(data, s3Type, eq("sessionCredentialFromConsole", "false"))),
			"Value false for sessionCredentialFromConsole is invalid."},
		{"console flag operator", sels(sel(data, s3Type, op("sessionCredentialFromConsole", opStartsWith, "t"))),
			"Field sessionCredentialFromConsole does not support the StartsWith operator."},
		{"data unknown field", sels(sel(data, s3Type, eq("awsRegion", "us-east-1"))),
			"Field awsRegion is not supported in advanced event selectors for Data events on " + noun + "."},
		{"data vpcEndpointId", sels(sel(data, s3Type, eq("vpcEndpointId", "vpce-1"))),
			"Field vpcEndpointId is not supported in advanced event selectors for Data events on " + noun + "."},

		// NetworkActivity: the same rules for both targets.
		{"network activity", sels(sel(network, kmsSrc, eq("errorCode", "VpceAccessDenied"),
			op("vpcEndpointId", opStartsWith, "vpce-"), op("eventName", opNotEquals, "Decrypt"))), ""},
		{"network without source", sels(sel(network)),
			"Advanced event selectors for NetworkActivity events must include the eventSource field."},
		{"network two sources", sels(sel(network, eq("eventSource", "kms.amazonaws.com", "s3.amazonaws.com"))),
			"Field eventSource must have exactly one value."},
		{"network source operator", sels(sel(network, op("eventSource", opNotEquals, "kms.amazonaws.com"))),
			"Field eventSource does not support the NotEquals operator."},
		{"network source value", sels(sel(network, eq("eventSource", "kms"))), "Value kms for eventSource is invalid."},
		{"network error code", sels(sel(network, kmsSrc, eq("errorCode", "AccessDenied"))),
			"Value AccessDenied for errorCode is invalid."},
		{"network error code operator", sels(sel(network, kmsSrc, op("errorCode", opNotEquals, "VpceAccessDenied"))),
			"Field errorCode does not support the NotEquals operator."},
		{"network readOnly", sels(sel(network, kmsSrc, eq("readOnly", "true"))),
			"Field readOnly is not supported in advanced event selectors for NetworkActivity events on " + noun + "."},
		{"network userIdentity.arn", sels(sel(network, kmsSrc, op("userIdentity.arn", opStartsWith, "arn:aws:iam::"))),
			"Field userIdentity.arn is not supported in advanced event selectors for NetworkActivity events on " + noun + "."},

		{"management, data and network together", sels(sel(mgmt), sel(data, s3Type), sel(network, kmsSrc)), ""},
	}
}

func TestTrailRules(t *testing.T) {
	cases := append(commonCases("a trail"), []ruleCase{
		{"management eventSource equals", sels(sel(mgmt, kmsSrc)), "Field eventSource does not support the Equals operator."},
		{"management eventSource other source", sels(sel(mgmt, op("eventSource", opNotEquals, "s3.amazonaws.com"))),
			"Value s3.amazonaws.com for eventSource is invalid."},
		{"management eventName", sels(sel(mgmt, eq("eventName", "CreateTrail"))),
			"Field eventName is not supported in advanced event selectors for Management events on a trail."},
		{"management eventType", sels(sel(mgmt, op("eventType", opNotEquals, "AwsServiceEvent"))),
			"Field eventType is not supported in advanced event selectors for Management events on a trail."},
		{"management userIdentity.arn", sels(sel(mgmt, op("userIdentity.arn", opStartsWith, "arn:aws:iam::"))),
			"Field userIdentity.arn is not supported in advanced event selectors for Management events on a trail."},
		{"management console flag", sels(sel(mgmt, eq("sessionCredentialFromConsole", "true"))),
			"Field sessionCredentialFromConsole is not supported in advanced event selectors for Management events on a trail."},
		{"insight", sels(sel(eq("eventCategory", Insight))), "Value Insight for eventCategory is invalid."},
		{"configuration item", sels(sel(eq("eventCategory", ConfigurationItem))), "Value ConfigurationItem for eventCategory is invalid."},
		{"activity audit log", sels(sel(eq("eventCategory", ActivityAuditLog))), "Value ActivityAuditLog for eventCategory is invalid."},
		{"evidence", sels(sel(eq("eventCategory", Evidence))), "Value Evidence for eventCategory is invalid."},
		{"six selectors", sels(sel(mgmt), sel(mgmt), sel(mgmt), sel(data, s3Type), sel(data, s3Type), sel(network, kmsSrc)), ""},
	}...)
	runCases(t, Trail, cases)
}

func TestEventDataStoreRules(t *testing.T) {
	only := func(category string) cloudtrail.AdvancedEventSelector { return sel(eq("eventCategory", category)) }
	cases := append(commonCases("an event data store"), []ruleCase{
		// Management selectors of an event data store take more fields.
		{"management eventSource equals", sels(sel(mgmt, eq("eventSource", "ec2.amazonaws.com"))), ""},
		{"management eventSource any operator", sels(sel(mgmt, cloudtrail.AdvancedFieldSelector{Field: ptr("eventSource"),
			StartsWith: []string{"ec2"}, EndsWith: []string{".amazonaws.com"}, NotEquals: []string{"s3.amazonaws.com"},
			NotStartsWith: []string{"kms"}, NotEndsWith: []string{"x"}})), ""},
		{"management eventName", sels(sel(mgmt, op("eventName", opStartsWith, "Create"))), ""},
		{"management eventType", sels(sel(mgmt, op("eventType", opNotEquals, "AwsServiceEvent"))), ""},
		{"management userIdentity.arn", sels(sel(mgmt, op("userIdentity.arn", opNotStartsWith, "arn:aws:iam::111122223333:role/"))), ""},
		{"management console flag", sels(sel(mgmt, eq("sessionCredentialFromConsole", "true"))), ""},
		{"management console flag not equals", sels(sel(mgmt, op("sessionCredentialFromConsole", opNotEquals, "true"))), ""},
		{"management console flag value", sels(sel(mgmt, eq("sessionCredentialFromConsole", "false"))),
			"Value false for sessionCredentialFromConsole is invalid."},
		{"management console flag operator", sels(sel(mgmt, op("sessionCredentialFromConsole", opEndsWith, "e"))),
			"Field sessionCredentialFromConsole does not support the EndsWith operator."},
		{"management resources.ARN", sels(sel(mgmt, op("resources.ARN", opStartsWith, "arn:"))),
			"Field resources.ARN is not supported in advanced event selectors for Management events on an event data store."},
		{"management vpcEndpointId", sels(sel(mgmt, eq("vpcEndpointId", "vpce-1"))),
			"Field vpcEndpointId is not supported in advanced event selectors for Management events on an event data store."},

		// Categories only event data stores take, each eventCategory only.
		{"insight", sels(only(Insight)), ""},
		{"configuration item", sels(only(ConfigurationItem)), ""},
		{"activity audit log", sels(only(ActivityAuditLog)), ""},
		{"evidence", sels(only(Evidence)), ""},
		{"two insight selectors", sels(only(Insight), only(Insight)), ""},
		{"insight readOnly", sels(sel(eq("eventCategory", Insight), eq("readOnly", "true"))),
			"Field readOnly is not supported in advanced event selectors for Insight events on an event data store."},
		{"configuration item resources.type", sels(sel(eq("eventCategory", ConfigurationItem), eq("resources.type", "AWS::EC2::Instance"))),
			"Field resources.type is not supported in advanced event selectors for ConfigurationItem events on an event data store."},
		{"activity audit log eventSource", sels(sel(eq("eventCategory", ActivityAuditLog), eq("eventSource", "x"))),
			"Field eventSource is not supported in advanced event selectors for ActivityAuditLog events on an event data store."},
		{"evidence eventName", sels(sel(eq("eventCategory", Evidence), eq("eventName", "x"))),
			"Field eventName is not supported in advanced event selectors for Evidence events on an event data store."},
		{"insight category operator", sels(sel(op("eventCategory", opStartsWith, "Ins"))),
			"Field eventCategory only supports the Equals operator."},

		// Kinds of store do not mix.
		{"management then insight", sels(sel(mgmt), only(Insight)),
			"Advanced event selectors for Insight events cannot be combined with selectors for Management events in an event data store."},
		{"insight then data", sels(only(Insight), sel(data, s3Type)),
			"Advanced event selectors for Data events cannot be combined with selectors for Insight events in an event data store."},
		{"configuration item then evidence", sels(only(ConfigurationItem), only(Evidence)),
			"Advanced event selectors for Evidence events cannot be combined with selectors for ConfigurationItem events in an event data store."},
		{"network then activity audit log", sels(sel(network, kmsSrc), only(ActivityAuditLog)),
			"Advanced event selectors for ActivityAuditLog events cannot be combined with selectors for NetworkActivity events in an event data store."},
		{"bad field reported before mixing", sels(sel(mgmt), sel(eq("eventCategory", Insight), eq("readOnly", "true"))),
			"Field readOnly is not supported in advanced event selectors for Insight events on an event data store."},

		// At most five selectors.
		{"five selectors", sels(sel(mgmt), sel(mgmt), sel(data, s3Type), sel(data, s3Type), sel(network, kmsSrc)), ""},
		{"six selectors", sels(sel(mgmt), sel(mgmt), sel(mgmt), sel(data, s3Type), sel(data, s3Type), sel(network, kmsSrc)),
			"An event data store can have at most 5 advanced event selectors; 6 were specified."},
		{"six bad selectors report the count", sels(sel(), sel(), sel(), sel(), sel(), sel()),
			"An event data store can have at most 5 advanced event selectors; 6 were specified."},
	}...)
	runCases(t, EventDataStore, cases)
}

func TestValueLimit(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("Event%d", i)
		}
		return out
	}
	// build returns selectors holding 2 values (eventCategory and
	// resources.type) per selector plus the event names of the last one.
	build := func(selectors, eventNames int) []cloudtrail.AdvancedEventSelector {
		out := make([]cloudtrail.AdvancedEventSelector, selectors)
		for i := range out {
			out[i] = sel(data, s3Type)
		}
		out[len(out)-1].FieldSelectors = append(out[len(out)-1].FieldSelectors, eq("eventName", names(eventNames)...))
		return out
	}
	tests := []struct {
		name      string
		target    Target
		selectors int
		names     int
		message   string
	}{
		{"trail at limit", Trail, 1, 498, ""},
		{"trail over limit", Trail, 1, 499,
			"The advanced event selectors of a trail can have at most 500 values for all conditions; 501 were specified."},
		{"trail over limit across selectors", Trail, 8, 485,
			"The advanced event selectors of a trail can have at most 500 values for all conditions; 501 were specified."},
		{"store at limit across selectors", EventDataStore, 5, 490, ""},
		{"store over limit", EventDataStore, 5, 491,
			"The advanced event selectors of an event data store can have at most 500 values for all conditions; 501 were specified."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runCases(t, tc.target, []ruleCase{{tc.name, build(tc.selectors, tc.names), tc.message}})
		})
	}
}

func TestValidateOutput(t *testing.T) {
	names := []string{"PutObject", "DeleteObject"}
	in := sels(
		cloudtrail.AdvancedEventSelector{Name: ptr("writes"), FieldSelectors: []cloudtrail.AdvancedFieldSelector{
			s3Type, // eventCategory need not come first
			{Field: ptr("eventName"), Equals: names, NotStartsWith: []string{"Get"}},
			data,
		}},
		sel(mgmt),
	)
	for _, target := range []Target{Trail, EventDataStore} {
		t.Run(target.String(), func(t *testing.T) {
			out, err := Validate(in, target)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 2 || out[0].Category != Data || out[1].Category != Management {
				t.Fatalf("categories: %+v", out)
			}
			if out[0].Name == nil || *out[0].Name != "writes" || out[1].Name != nil {
				t.Fatalf("names: %v, %v", out[0].Name, out[1].Name)
			}
			var fields []string
			for _, f := range out[0].Fields {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, []string{"resources.type", "eventName", "eventCategory"}) {
				t.Fatalf("fields in order: %v", fields)
			}
			got := out[0].Fields[1]
			if !slices.Equal(got.Equals, names) || !slices.Equal(got.NotStartsWith, []string{"Get"}) ||
				got.StartsWith != nil || got.EndsWith != nil || got.NotEquals != nil || got.NotEndsWith != nil {
				t.Fatalf("eventName field: %+v", got)
			}
			// The result shares nothing with the request.
			got.Equals[0] = "changed"
			*out[0].Name = "changed"
			if names[0] != "PutObject" || *in[0].Name != "writes" {
				t.Fatal("Validate's result aliases its input")
			}
			if len(out[1].Fields) != 1 || out[1].Fields[0].Field != "eventCategory" {
				t.Fatalf("management fields: %+v", out[1].Fields)
			}
		})
	}
}

func TestStoreKind(t *testing.T) {
	s := func(categories ...string) []Selector {
		out := make([]Selector, 0, len(categories))
		for _, c := range categories {
			out = append(out, Selector{Category: c})
		}
		return out
	}
	tests := []struct {
		sel  []Selector
		want string
	}{
		{s(Management), KindCloudTrail},
		{s(Data), KindCloudTrail},
		{s(NetworkActivity), KindCloudTrail},
		{s(Management, Data, NetworkActivity, Management), KindCloudTrail},
		{s(Insight), Insight},
		{s(Insight, Insight), Insight},
		{s(ConfigurationItem), ConfigurationItem},
		{s(ActivityAuditLog), ActivityAuditLog},
		{s(Evidence), Evidence},
		{nil, ""},
		{s(Management, Insight), ""},
		{s(Evidence, ConfigurationItem), ""},
	}
	for _, tc := range tests {
		if got := StoreKind(tc.sel); got != tc.want {
			t.Errorf("StoreKind(%+v) = %q, want %q", tc.sel, got, tc.want)
		}
	}

	// StoreKind of what Validate accepts.
	out, err := Validate(sels(sel(eq("eventCategory", ConfigurationItem))), EventDataStore)
	if err != nil {
		t.Fatal(err)
	}
	if got := StoreKind(out); got != ConfigurationItem {
		t.Fatalf("StoreKind = %q", got)
	}
}

func TestUnknownTargetPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Validate accepted Target(0)")
		}
	}()
	_, _ = Validate(sels(sel(mgmt)), Target(0))
}

func TestTargetString(t *testing.T) {
	if Trail.String() != "trail" || EventDataStore.String() != "event data store" || Target(9).String() != "Target(9)" {
		t.Fatal(Trail.String(), EventDataStore.String(), Target(9).String())
	}
}
