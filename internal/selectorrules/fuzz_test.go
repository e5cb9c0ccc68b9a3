package selectorrules

import (
	"errors"
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// fuzzFields and fuzzValues are the vocabulary fuzz input picks from, so
// that most generated selectors get past the shape checks and exercise the
// per-category rules; input bytes can also spell raw names and values.
var (
	fuzzFields = []string{
		"eventCategory", "readOnly", "eventSource", "eventName", "eventType", "resources.type",
		"resources.ARN", "sessionCredentialFromConsole", "userIdentity.arn", "errorCode", "vpcEndpointId",
	}
	fuzzValues = []string{
		Management, Data, NetworkActivity, Insight, ConfigurationItem, ActivityAuditLog, Evidence,
		"true", "false", "kms.amazonaws.com", "rdsdata.amazonaws.com", "s3.amazonaws.com",
		"AWS::S3::Object", "arn:aws:s3:::bucket/", "VpceAccessDenied", "vpce-1", "",
	}
)

// fuzzInput hands out bytes of fuzz input, zero once it is used up.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) next() int {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return int(c)
}

// raw takes a string of up to 15 bytes from the input.
func (in *fuzzInput) raw() string {
	n := min(in.next()%16, len(in.b))
	s := string(in.b[:n])
	in.b = in.b[n:]
	return s
}

func (in *fuzzInput) pick(vocab []string) string {
	i := in.next()
	if i < 4*len(vocab) {
		return vocab[i%len(vocab)]
	}
	return in.raw()
}

// values returns nil (operator absent), an empty list, a few values, or
// occasionally many, to reach the value limit.
func (in *fuzzInput) values() []string {
	switch c := in.next(); {
	case c < 128:
		return nil
	case c < 136:
		return []string{}
	case c < 144:
		n := in.next() * 3
		out := make([]string, n)
		for i := range out {
			out[i] = "v"
		}
		return out
	default:
		n := c%4 + 1
		out := make([]string, 0, n)
		for range n {
			out = append(out, in.pick(fuzzValues))
		}
		return out
	}
}

func (in *fuzzInput) selectors() []cloudtrail.AdvancedEventSelector {
	n := in.next() % 8
	out := make([]cloudtrail.AdvancedEventSelector, 0, n)
	for range n {
		var s cloudtrail.AdvancedEventSelector
		if in.next()%2 == 1 {
			name := in.raw()
			s.Name = &name
		}
		for range in.next() % 7 {
			var f cloudtrail.AdvancedFieldSelector
			if in.next()%16 != 0 {
				name := in.pick(fuzzFields)
				f.Field = &name
			}
			f.Equals, f.StartsWith, f.EndsWith = in.values(), in.values(), in.values()
			f.NotEquals, f.NotStartsWith, f.NotEndsWith = in.values(), in.values(), in.values()
			s.FieldSelectors = append(s.FieldSelectors, f)
		}
		out = append(out, s)
	}
	return out
}

// FuzzValidate builds selectors from fuzz input and checks that Validate
// never panics, fails only with InvalidEventSelectorsException, and returns
// one well-formed Selector per input selector when it succeeds.
func FuzzValidate(f *testing.F) {
	// Indexes into fuzzFields and fuzzValues.
	const (
		category, readOnly, source, name, resourceType = 0, 1, 2, 3, 5
		mgmt, data, network, insight, config           = 0, 1, 2, 3, 4
		yes, kms, s3Object                             = 7, 9, 12
	)
	f.Add(seed(seedSel(seedField(category, mgmt))), false)
	f.Add(seed(seedSel(seedField(category, mgmt), seedField(readOnly, yes))), true)
	f.Add(seed(seedSel(seedField(category, data), seedField(resourceType, s3Object), seedField(name, kms, yes))), false)
	f.Add(seed(seedSel(seedField(category, network), seedField(source, kms))), true)
	f.Add(seed(seedSel(seedField(category, mgmt), seedField(source, kms))), true)
	f.Add(seed(seedSel(seedField(category, insight)), seedSel(seedField(category, config))), true)
	f.Add(seed(seedSel(seedField(category, mgmt)), seedSel(seedField(category, insight))), true)
	f.Add(seed(seedSel(seedField(category, mgmt)), seedSel(seedField(category, mgmt)), seedSel(seedField(category, mgmt)),
		seedSel(seedField(category, mgmt)), seedSel(seedField(category, mgmt)), seedSel(seedField(category, mgmt))), true)
	f.Fuzz(func(t *testing.T, b []byte, eds bool) {
		target := Trail
		if eds {
			target = EventDataStore
		}
		in := (&fuzzInput{b: b}).selectors()
		out, err := Validate(in, target)
		if err != nil {
			var ies *cloudtrail.InvalidEventSelectorsException
			if !errors.As(err, &ies) || ies.Message == "" {
				t.Fatalf("error %v (%T)", err, err)
			}
			if out != nil {
				t.Fatal("selectors returned with an error")
			}
			return
		}
		if len(out) != len(in) {
			t.Fatalf("%d selectors for %d", len(out), len(in))
		}
		total := 0
		for i, s := range out {
			if _, ok := rulesFor[target][s.Category]; !ok {
				t.Fatalf("selector %d: category %q accepted for %v", i, s.Category, target)
			}
			if len(s.Fields) != len(in[i].FieldSelectors) {
				t.Fatalf("selector %d: %d fields for %d", i, len(s.Fields), len(in[i].FieldSelectors))
			}
			for _, fld := range s.Fields {
				total += len(fld.Equals) + len(fld.StartsWith) + len(fld.EndsWith) +
					len(fld.NotEquals) + len(fld.NotStartsWith) + len(fld.NotEndsWith)
			}
		}
		if total > maxValues {
			t.Fatalf("%d values accepted", total)
		}
		kind := StoreKind(out)
		if target == EventDataStore && (kind == "" || len(out) > maxStoreSelectors) {
			t.Fatalf("accepted for an event data store: kind %q, %d selectors", kind, len(out))
		}
	})
}

// seed encodes selectors for the fuzzInput reader.
func seed(selectors ...[]byte) []byte {
	out := []byte{byte(len(selectors))}
	for _, s := range selectors {
		out = append(out, s...)
	}
	return out
}

// seedSel encodes an unnamed selector with the given fields.
func seedSel(fields ...[]byte) []byte {
	out := []byte{0, byte(len(fields))}
	for _, f := range fields {
		out = append(out, f...)
	}
	return out
}

// seedField encodes a field (index into fuzzFields) with Equals values
// (indexes into fuzzValues) and no other operator.
func seedField(field int, equals ...int) []byte {
	out := []byte{1, byte(field), byte(144 + len(equals) - 1)}
	for _, v := range equals {
		out = append(out, byte(v))
	}
	return append(out, 0, 0, 0, 0, 0)
}
