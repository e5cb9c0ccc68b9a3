package trails

import (
	"errors"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/tagging"
)

// trailNameShape is the naming rule without its length and IP-address
// parts: letters and digits, with single periods, hyphens or underscores
// between them.
var trailNameShape = regexp.MustCompile(`^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`)

var trailNameSeeds = []string{
	"my-trail", "abc", "ab", "", strings.Repeat("a", 128), strings.Repeat("a", 129),
	"-trail", "trail-", "a..b", "a-_b", "a._b", "192.168.5.4", "192.168.5", "1.2.3.4.5", "::1",
	"a b", "trail\x00", "tráil", "\xff\xfe\xfd", "Trail_1.v2-final", "arn:aws:cloudtrail:us-east-1:123456789012:trail/t",
}

func FuzzValidateTrailName(f *testing.F) {
	for _, s := range trailNameSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := validateTrailName(name)
		valid := len(name) >= minTrailNameLength && len(name) <= maxTrailNameLength && trailNameShape.MatchString(name)
		if addr, perr := netip.ParseAddr(name); perr == nil && addr.Is4() {
			valid = false
		}
		if err == nil {
			if !valid {
				t.Fatalf("validateTrailName(%q) accepted a name that breaks the rules", name)
			}
			if n := len(name); n < 3 || n > 128 {
				t.Fatalf("validateTrailName accepted a name of length %d", n)
			}
			return
		}
		var nameErr *cloudtrail.InvalidTrailNameException
		if !errors.As(err, &nameErr) || nameErr.HTTPStatus() != 400 || nameErr.ErrorMessage() == "" {
			t.Fatalf("validateTrailName(%q) = %T %v, want InvalidTrailNameException", name, err, err)
		}
		if valid {
			t.Fatalf("validateTrailName(%q) rejected a valid name: %v", name, err)
		}
	})
}

func FuzzParseTrailRef(f *testing.F) {
	for _, s := range trailNameSeeds {
		f.Add(s)
	}
	for _, s := range []string{
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/my-trail",
		"arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/t.1",
		"arn:aws:cloudtrail:us-east-1:12345678901:trail/my-trail",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/a/b",
		"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc",
		"arn:aws:s3:::bucket",
		"arn:aws:cloudtrail:US-EAST-1:123456789012:trail/t",
		"arn:aws:cloudtrail::123456789012:trail/t",
		"arn:", "arn", "ARN:aws:cloudtrail:us-east-1:123456789012:trail/t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		ref, err := parseTrailRef(value)
		if !strings.HasPrefix(value, "arn:") {
			if (err == nil) != (validateTrailName(value) == nil) {
				t.Fatalf("parseTrailRef(%q) = %v, but validateTrailName says %v", value, err, validateTrailName(value))
			}
			if err == nil && (ref.byARN || ref.name != value || ref.region != "" || ref.account != "") {
				t.Fatalf("parseTrailRef(%q) = %+v", value, ref)
			}
			return
		}
		if err != nil {
			var arnErr *cloudtrail.CloudTrailARNInvalidException
			if !errors.As(err, &arnErr) || arnErr.HTTPStatus() != 400 {
				t.Fatalf("parseTrailRef(%q) = %T %v, want CloudTrailARNInvalidException", value, err, err)
			}
			return
		}
		if !ref.byARN || validateTrailName(ref.name) != nil || !tagging.IsAccountID(ref.account) || !tagging.IsRegionName(ref.region) {
			t.Fatalf("parseTrailRef(%q) accepted %+v", value, ref)
		}
		// The ARN re-renders from its parts; only the partition is not kept.
		suffix := ":cloudtrail:" + ref.region + ":" + ref.account + ":trail/" + ref.name
		partition, ok := strings.CutSuffix(strings.TrimPrefix(value, "arn:"), suffix)
		if !ok || partition == "" || strings.Contains(partition, ":") {
			t.Fatalf("parseTrailRef(%q) = %+v, which does not re-render to the input", value, ref)
		}
		if partition == "aws" && trailARN(ref.region, ref.account, ref.name) != value {
			t.Fatalf("trailARN(%+v) = %q, want %q", ref, trailARN(ref.region, ref.account, ref.name), value)
		}
	})
}
