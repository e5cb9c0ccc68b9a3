package trails

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

func field(name string, equals ...string) cloudtrail.AdvancedFieldSelector {
	return cloudtrail.AdvancedFieldSelector{Field: ptr(name), Equals: equals}
}

func managementSelector() cloudtrail.AdvancedEventSelector {
	return cloudtrail.AdvancedEventSelector{Name: ptr("mgmt"), FieldSelectors: []cloudtrail.AdvancedFieldSelector{
		field("eventCategory", "Management"),
	}}
}

func TestPutEventSelectorsBasic(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", false)
	out, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{
		TrailName: ptr("main"),
		EventSelectors: []cloudtrail.EventSelector{
			{ReadWriteType: "WriteOnly", ExcludeManagementEventSources: []string{"kms.amazonaws.com"}},
			{IncludeManagementEvents: ptr(false), DataResources: []cloudtrail.DataResource{
				{Type: ptr("AWS::S3::Object"), Values: []string{"arn:aws:s3:::bucket-one/", "arn:aws:s3:::bucket-two/images"}},
				{Type: ptr("AWS::Lambda::Function"), Values: []string{"arn:aws:lambda"}},
			}},
		},
	})
	mustOK(t, err)
	if *out.TrailARN != mainARN || out.AdvancedEventSelectors != nil || len(out.EventSelectors) != 2 {
		t.Fatalf("response %+v", out)
	}
	first := out.EventSelectors[0]
	if first.ReadWriteType != "WriteOnly" || !*first.IncludeManagementEvents || first.DataResources == nil ||
		first.ExcludeManagementEventSources[0] != "kms.amazonaws.com" {
		t.Fatalf("first selector %+v", first)
	}
	if second := out.EventSelectors[1]; second.ReadWriteType != "All" || *second.IncludeManagementEvents || len(second.DataResources) != 2 {
		t.Fatalf("second selector %+v", second)
	}
	if tr := h.get(in(home), "main"); !*tr.HasCustomEventSelectors {
		t.Fatal("HasCustomEventSelectors not set")
	}
	got, err := h.h.GetEventSelectors(in(home), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr(mainARN)})
	mustOK(t, err)
	gotJSON, _ := json.Marshal(got)
	putJSON, _ := json.Marshal(out)
	if string(gotJSON) != string(putJSON) {
		t.Fatalf("GetEventSelectors %+v", got)
	}
}

func TestPutEventSelectorsReplacesTheOtherKind(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "main", false)
	_, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
		AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{managementSelector()}})
	mustOK(t, err)
	got, err := h.h.GetEventSelectors(in(home), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr("main")})
	mustOK(t, err)
	if got.EventSelectors != nil || len(got.AdvancedEventSelectors) != 1 || *got.AdvancedEventSelectors[0].Name != "mgmt" {
		t.Fatalf("after advanced %+v", got)
	}
	_, err = h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
		EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "ReadOnly"}}})
	mustOK(t, err)
	got, err = h.h.GetEventSelectors(in(home), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr("main")})
	mustOK(t, err)
	if got.AdvancedEventSelectors != nil || len(got.EventSelectors) != 1 || got.EventSelectors[0].ReadWriteType != "ReadOnly" {
		t.Fatalf("after basic %+v", got)
	}
}

func TestEventSelectorsAcrossRegions(t *testing.T) {
	h := newHarness(t)
	h.create(in(home), "global", true)
	req := &cloudtrail.PutEventSelectorsRequest{TrailName: ptr(globalARN),
		AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{managementSelector()}}
	_, err := h.h.PutEventSelectors(in(away), req)
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = h.h.PutEventSelectors(in(home), req)
	mustOK(t, err)
	got, err := h.h.GetEventSelectors(in(away), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr(globalARN)})
	mustOK(t, err)
	if len(got.AdvancedEventSelectors) != 1 {
		t.Fatalf("shadow selectors %+v", got)
	}
	_, err = h.h.GetEventSelectors(in(away), &cloudtrail.GetEventSelectorsRequest{TrailName: ptr("global")})
	wantCode(t, err, "TrailNotFoundException")
	_, err = h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("nothere"),
		EventSelectors: []cloudtrail.EventSelector{{}}})
	wantCode(t, err, "TrailNotFoundException")
}

func TestPutEventSelectorsErrors(t *testing.T) {
	s3 := func(values ...string) cloudtrail.EventSelector {
		return cloudtrail.EventSelector{DataResources: []cloudtrail.DataResource{{Type: ptr("AWS::S3::Object"), Values: values}}}
	}
	many := make([]string, 251)
	for i := range many {
		many[i] = fmt.Sprintf("arn:aws:s3:::bucket-%03d/", i)
	}
	tests := []struct {
		name    string
		req     cloudtrail.PutEventSelectorsRequest
		code    string
		message string
	}{
		{"neither", cloudtrail.PutEventSelectorsRequest{}, "InvalidParameterCombinationException", ""},
		{"both", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{{}},
			AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{managementSelector()}}, "InvalidParameterCombinationException", ""},
		{"no selectors", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{}}, "InvalidEventSelectorsException", ""},
		{"six selectors", cloudtrail.PutEventSelectorsRequest{EventSelectors: make([]cloudtrail.EventSelector, 6)}, "InvalidEventSelectorsException", ""},
		{"read write type", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "read-only"}}},
			"InvalidEventSelectorsException", "Value read-only for ReadWriteType is invalid."},
		{"excluded source", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{
			{ExcludeManagementEventSources: []string{"s3.amazonaws.com"}}}},
			"InvalidEventSelectorsException", "Value s3.amazonaws.com for ExcludeManagementEventSources is invalid."},
		{"data type", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{
			{DataResources: []cloudtrail.DataResource{{Type: ptr("AWS::EC2::Snapshot"), Values: []string{"arn:aws:ec2"}}}}}},
			"InvalidEventSelectorsException", "Value AWS::EC2::Snapshot for DataResources.Type is invalid."},
		{"s3 wildcard", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{s3("arn:aws:s3:::*")}},
			"InvalidEventSelectorsException", "Value arn:aws:s3:::* for DataResources.Values is invalid."},
		{"s3 bucket without slash", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{s3("arn:aws:s3:::bucket")}},
			"InvalidEventSelectorsException", "Value arn:aws:s3:::bucket for DataResources.Values is invalid."},
		{"lambda wildcard", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{
			{DataResources: []cloudtrail.DataResource{{Type: ptr("AWS::Lambda::Function"), Values: []string{"arn:aws:lambda:*"}}}}}},
			"InvalidEventSelectorsException", "Value arn:aws:lambda:* for DataResources.Values is invalid."},
		{"dynamodb bad", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{
			{DataResources: []cloudtrail.DataResource{{Type: ptr("AWS::DynamoDB::Table"), Values: []string{"arn:aws:s3"}}}}}},
			"InvalidEventSelectorsException", "Value arn:aws:s3 for DataResources.Values is invalid."},
		{"no values", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{s3()}}, "InvalidEventSelectorsException", ""},
		{"nothing logged", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{{IncludeManagementEvents: ptr(false)}}},
			"InvalidEventSelectorsException",
			"Invalid combination of parameters in EventSelectors. When includeManagementEvents is false, DataResources must not be empty"},
		{"251 data resources", cloudtrail.PutEventSelectorsRequest{EventSelectors: []cloudtrail.EventSelector{s3(many[:200]...), s3(many[200:]...)}},
			"InvalidEventSelectorsException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.create(in(home), "main", false)
			tc.req.TrailName = ptr("main")
			_, err := h.h.PutEventSelectors(in(home), &tc.req)
			if tc.message != "" {
				wantMessage(t, err, tc.code, tc.message)
			} else {
				wantCode(t, err, tc.code)
			}
			if tr := h.get(in(home), "main"); *tr.HasCustomEventSelectors {
				t.Fatal("a rejected PutEventSelectors changed the trail")
			}
		})
	}
}

func TestBasicSelectorValuesAccepted(t *testing.T) {
	valid := map[string][]string{
		"AWS::S3::Object":       {"arn:aws:s3", "arn:aws:s3:::", "arn:aws:s3:::my.bucket-1/", "arn:aws:s3:::bucket/prefix/key"},
		"AWS::Lambda::Function": {"arn:aws:lambda", "arn:aws:lambda:us-west-2:111111111111:function:helloworld"},
		"AWS::DynamoDB::Table":  {"arn:aws:dynamodb", "arn:aws:dynamodb:us-east-1:111111111111:table/Orders"},
	}
	h := newHarness(t)
	h.create(in(home), "main", false)
	var resources []cloudtrail.DataResource
	for typ, values := range valid {
		resources = append(resources, cloudtrail.DataResource{Type: ptr(typ), Values: values})
	}
	_, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
		EventSelectors: []cloudtrail.EventSelector{{DataResources: resources}}})
	mustOK(t, err)

	// 250 specific resources fit; values that select everything do not count.
	many := make([]string, 250)
	for i := range many {
		many[i] = fmt.Sprintf("arn:aws:s3:::bucket-%03d/", i)
	}
	_, err = h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"),
		EventSelectors: []cloudtrail.EventSelector{{DataResources: []cloudtrail.DataResource{
			{Type: ptr("AWS::S3::Object"), Values: append(many, "arn:aws:s3")},
		}}}})
	mustOK(t, err)
}

func TestAdvancedSelectorRules(t *testing.T) {
	sel := func(fields ...cloudtrail.AdvancedFieldSelector) cloudtrail.AdvancedEventSelector {
		return cloudtrail.AdvancedEventSelector{FieldSelectors: fields}
	}
	data := field("eventCategory", "Data")
	s3Type := field("resources.type", "AWS::S3::Object")
	network := field("eventCategory", "NetworkActivity")
	tests := []struct {
		name    string
		sels    []cloudtrail.AdvancedEventSelector
		message string // empty: accepted
	}{
		{"management", []cloudtrail.AdvancedEventSelector{managementSelector()}, ""},
		{"management write only without kms", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Management"),
			field("readOnly", "false"),
			cloudtrail.AdvancedFieldSelector{Field: ptr("eventSource"), NotEquals: []string{"kms.amazonaws.com", "rdsdata.amazonaws.com"}})}, ""},
		{"data s3 prefix", []cloudtrail.AdvancedEventSelector{sel(data, s3Type,
			cloudtrail.AdvancedFieldSelector{Field: ptr("resources.ARN"), StartsWith: []string{"arn:aws:s3:::bucket/"}},
			cloudtrail.AdvancedFieldSelector{Field: ptr("eventName"), NotEquals: []string{"GetObject"}, NotStartsWith: []string{"List"}},
			cloudtrail.AdvancedFieldSelector{Field: ptr("userIdentity.arn"), NotEndsWith: []string{"/robot"}},
			cloudtrail.AdvancedFieldSelector{Field: ptr("sessionCredentialFromConsole"), NotEquals: []string{"true"}})}, ""},
		{"data newer resource type", []cloudtrail.AdvancedEventSelector{sel(data, field("resources.type", "AWS::Bedrock::AgentAlias"))}, ""},
		{"network activity", []cloudtrail.AdvancedEventSelector{sel(network, field("eventSource", "kms.amazonaws.com"),
			field("errorCode", "VpceAccessDenied"),
			cloudtrail.AdvancedFieldSelector{Field: ptr("vpcEndpointId"), StartsWith: []string{"vpce-"}})}, ""},
		{"several selectors", []cloudtrail.AdvancedEventSelector{managementSelector(), sel(data, s3Type)}, ""},

		{"none", []cloudtrail.AdvancedEventSelector{}, "AdvancedEventSelectors must contain at least one advanced event selector."},
		{"no field selectors", []cloudtrail.AdvancedEventSelector{sel()}, "An advanced event selector must have at least one field selector."},
		{"no category", []cloudtrail.AdvancedEventSelector{sel(field("readOnly", "true"))},
			"Each advanced event selector must include the eventCategory field."},
		{"unknown category", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Insight"))},
			"Value Insight for eventCategory is invalid."},
		{"category not equals", []cloudtrail.AdvancedEventSelector{sel(cloudtrail.AdvancedFieldSelector{Field: ptr("eventCategory"), NotEquals: []string{"Data"}})},
			"Field eventCategory only supports the Equals operator."},
		{"two categories", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Data", "Management"))},
			"Field eventCategory must have exactly one value."},
		{"readOnly operator", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Management"),
			cloudtrail.AdvancedFieldSelector{Field: ptr("readOnly"), NotEquals: []string{"true"}})},
			"Field readOnly does not support the NotEquals operator."},
		{"readOnly value", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Management"), field("readOnly", "yes"))},
			"Value yes for readOnly is invalid."},
		{"management eventSource equals", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Management"), field("eventSource", "kms.amazonaws.com"))},
			"Field eventSource does not support the Equals operator."},
		{"management eventSource value", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Management"),
			cloudtrail.AdvancedFieldSelector{Field: ptr("eventSource"), NotEquals: []string{"s3.amazonaws.com"}})},
			"Value s3.amazonaws.com for eventSource is invalid."},
		{"management eventName", []cloudtrail.AdvancedEventSelector{sel(field("eventCategory", "Management"), field("eventName", "CreateTrail"))},
			"Field eventName is not supported in advanced event selectors for Management events on a trail."},
		{"data without type", []cloudtrail.AdvancedEventSelector{sel(data)},
			"Advanced event selectors for Data events must include the resources.type field."},
		{"data type operator", []cloudtrail.AdvancedEventSelector{sel(data,
			cloudtrail.AdvancedFieldSelector{Field: ptr("resources.type"), StartsWith: []string{"AWS::S3"}})},
			"Field resources.type does not support the StartsWith operator."},
		{"data type value", []cloudtrail.AdvancedEventSelector{sel(data, field("resources.type", "S3Object"))},
			"Value S3Object for resources.type is invalid."},
		{"data two types", []cloudtrail.AdvancedEventSelector{sel(data, field("resources.type", "AWS::S3::Object", "AWS::Lambda::Function"))},
			"Field resources.type must have exactly one value."},
		{"data ARN equals not an ARN", []cloudtrail.AdvancedEventSelector{sel(data, s3Type, field("resources.ARN", "bucket/key"))},
			"Value bucket/key for resources.ARN is invalid."},
		{"console flag value", []cloudtrail.AdvancedEventSelector{sel(data, s3Type, field("sessionCredentialFromConsole", "false"))},
			"Value false for sessionCredentialFromConsole is invalid."},
		{"unknown field", []cloudtrail.AdvancedEventSelector{sel(data, s3Type, field("awsRegion", "us-east-1"))},
			"Field awsRegion is not supported in advanced event selectors for Data events on a trail."},
		{"duplicate field", []cloudtrail.AdvancedEventSelector{sel(data, s3Type, s3Type)},
			"Field resources.type appears more than once in an advanced event selector."},
		{"no operator", []cloudtrail.AdvancedEventSelector{sel(data, s3Type, cloudtrail.AdvancedFieldSelector{Field: ptr("eventName")})},
			"Field eventName must have at least one operator with values."},
		{"empty operator", []cloudtrail.AdvancedEventSelector{sel(data, s3Type, cloudtrail.AdvancedFieldSelector{Field: ptr("eventName"), Equals: []string{}})},
			"Operator Equals of field eventName must have at least one value."},
		{"network without source", []cloudtrail.AdvancedEventSelector{sel(network)},
			"Advanced event selectors for NetworkActivity events must include the eventSource field."},
		{"network two sources", []cloudtrail.AdvancedEventSelector{sel(network, field("eventSource", "kms.amazonaws.com", "s3.amazonaws.com"))},
			"Field eventSource must have exactly one value."},
		{"network error code", []cloudtrail.AdvancedEventSelector{sel(network, field("eventSource", "kms.amazonaws.com"), field("errorCode", "AccessDenied"))},
			"Value AccessDenied for errorCode is invalid."},
		{"network readOnly", []cloudtrail.AdvancedEventSelector{sel(network, field("eventSource", "kms.amazonaws.com"), field("readOnly", "true"))},
			"Field readOnly is not supported in advanced event selectors for NetworkActivity events on a trail."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.create(in(home), "main", false)
			_, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"), AdvancedEventSelectors: tc.sels})
			if tc.message == "" {
				mustOK(t, err)
				return
			}
			wantMessage(t, err, "InvalidEventSelectorsException", tc.message)
		})
	}
}

func TestAdvancedSelectorValueLimit(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("Event%d", i)
		}
		return out
	}
	build := func(eventNames int) []cloudtrail.AdvancedEventSelector {
		return []cloudtrail.AdvancedEventSelector{{FieldSelectors: []cloudtrail.AdvancedFieldSelector{
			field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"),
			{Field: ptr("eventName"), Equals: names(eventNames)},
		}}}
	}
	h := newHarness(t)
	h.create(in(home), "main", false)
	_, err := h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"), AdvancedEventSelectors: build(498)})
	mustOK(t, err)
	_, err = h.h.PutEventSelectors(in(home), &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("main"), AdvancedEventSelectors: build(499)})
	wantMessage(t, err, "InvalidEventSelectorsException",
		"The advanced event selectors of a trail can have at most 500 values for all conditions; 501 were specified.")
}
