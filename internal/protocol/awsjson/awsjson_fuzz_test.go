package awsjson_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/protocol/awsjson"
)

// cloudTrailOperations lists every CloudTrail operation in a fixed order,
// so that a byte of fuzz input always picks the same one.
func cloudTrailOperations() ([]string, map[string]*api.Operation) {
	ops := (&cloudtrail.Handlers{}).Operations()
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, ops
}

// selectorOf returns the byte that picks op in FuzzDecodeInput.
func selectorOf(names []string, op string) byte {
	return byte(slices.Index(names, op))
}

func FuzzDecodeInput(f *testing.F) {
	names, ops := cloudTrailOperations()
	seeds := map[string][]string{
		"CreateTrail": {
			`{"Name":"t","S3BucketName":"b","IsMultiRegionTrail":true,"TagsList":[{"Key":"k","Value":"v"}]}`,
			`{"Name":5}`,
			`{"TagsList":{"Key":"k"}}`,
		},
		"LookupEvents": {
			`{"StartTime":1700000000.123,"EndTime":1700000001,"MaxResults":50,"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"x"}]}`,
			`{"StartTime":"yesterday"}`,
			`{"StartTime":1e400}`,
			`{"MaxResults":99999999999}`,
			`{"EventCategory":"insight","NextToken":null}`,
		},
		"PutEventSelectors": {
			`{"TrailName":"t","EventSelectors":[{"ReadWriteType":"All","DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]}`,
			`{"TrailName":"t","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"],"StartsWith":[]}]}]}`,
		},
		"ListPublicKeys":      {`{"StartTime":-1.5,"EndTime":0}`, `{"StartTime":true}`},
		"PutInsightSelectors": {`{"TrailName":"t","InsightSelectors":[{"InsightType":"ApiCallRateInsight","EventCategories":["Management"]}]}`},
		"DescribeTrails":      {`{"trailNameList":["a","b"],"includeShadowTrails":false}`, ``, `  `, `[]`, `null`, `{}{}`, `{"trailNameList":[null]}`},
		"GetTrail":            {`{"Name":"\u0000\ud800"}`, "{\"Name\":\"\xff\xfe\"}", `{"Name":`},
	}
	for op, bodies := range seeds {
		if _, ok := ops[op]; !ok {
			f.Fatalf("seed operation %s is not a CloudTrail operation", op)
		}
		for _, body := range bodies {
			f.Add(selectorOf(names, op), []byte(body))
		}
	}

	f.Fuzz(func(t *testing.T, selector byte, body []byte) {
		op := ops[names[int(selector)%len(names)]]
		in := op.NewInput()
		err := awsjson.DecodeInput(body, in)
		if err != nil {
			var apiErr api.Error
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != api.CodeSerialization || apiErr.HTTPStatus() != http.StatusBadRequest {
				t.Fatalf("%s: decode error %T %v, want a 400 SerializationException", op.Name, err, err)
			}
			return
		}
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] != '{' {
			t.Fatalf("%s: accepted a body that is not a JSON object: %q", op.Name, body)
		}
		var v api.Validator
		in.ValidateConstraints(&v)
		if len(v.Violations) > 0 {
			msg := api.ValidationError(v.Violations).Message
			if !strings.HasPrefix(msg, "1 validation error detected: ") && !strings.Contains(msg, " validation errors detected: ") {
				t.Fatalf("%s: odd validation message %q", op.Name, msg)
			}
		}

		// What was decoded encodes again, and decoding that succeeds.
		encoded, err := awsjson.EncodeOutput(in)
		if err != nil {
			t.Fatalf("%s: re-encoding a decoded input: %v", op.Name, err)
		}
		again := op.NewInput()
		if err := awsjson.DecodeInput(encoded, again); err != nil {
			t.Fatalf("%s: decoding the re-encoded input %s: %v", op.Name, encoded, err)
		}
	})
}

// cloudTrailTarget has the prefixes CloudTrail clients send.
var cloudTrailTarget = awsjson.Target{
	FullPrefix:  "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
	ShortPrefix: "CloudTrail_20131101.",
}

func FuzzTarget(f *testing.F) {
	names, _ := cloudTrailOperations()
	for _, name := range names[:3] {
		f.Add(cloudTrailTarget.FullPrefix + name)
		f.Add(cloudTrailTarget.ShortPrefix + name)
	}
	for _, s := range []string{
		"", "CloudTrail_20131101.", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
		"CloudTrail_20131101", "cloudtrail_20131101.DescribeTrails", "Other_20131101.DescribeTrails",
		"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CloudTrail_20131101.GetTrail",
		"CloudTrail_20131101.Get.Trail", "CloudTrail_20131101.\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		op, ok := cloudTrailTarget.Operation(target)
		if !ok {
			if op != "" {
				t.Fatalf("Operation(%q) = %q with ok false", target, op)
			}
			for _, prefix := range []string{cloudTrailTarget.FullPrefix, cloudTrailTarget.ShortPrefix} {
				if len(target) > len(prefix) && strings.HasPrefix(target, prefix) {
					t.Fatalf("Operation(%q) rejected a target with prefix %q", target, prefix)
				}
			}
			return
		}
		if op == "" {
			t.Fatalf("Operation(%q) accepted an empty operation", target)
		}
		if target != cloudTrailTarget.FullPrefix+op && target != cloudTrailTarget.ShortPrefix+op {
			t.Fatalf("Operation(%q) = %q, which is not the target without a prefix", target, op)
		}
		// The full form wins when both prefixes apply.
		if rest, full := strings.CutPrefix(target, cloudTrailTarget.FullPrefix); full && rest != op {
			t.Fatalf("Operation(%q) = %q, want %q", target, op, rest)
		}
		// The answer does not depend on which form named the operation.
		for _, form := range []string{cloudTrailTarget.FullPrefix + op, cloudTrailTarget.ShortPrefix + op} {
			if got, ok := cloudTrailTarget.Operation(form); !ok || got != op {
				t.Fatalf("Operation(%q) = %q, %v; want %q", form, got, ok, op)
			}
		}
	})
}
