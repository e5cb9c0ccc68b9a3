package tagging

import (
	"regexp"
	"strings"
	"testing"
)

var (
	accountIDShape  = regexp.MustCompile(`^[0-9]{12}$`)
	regionNameShape = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

func FuzzParseARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/my-trail",
		"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
		"arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567890",
		"arn:aws:cloudtrail:us-east-1:123456789012:dashboard/d",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/a/b:c",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail",
		"arn:aws:cloudtrail:us-east-1:123456789012:trail/",
		"arn:aws:cloudtrail:us-east-1:123456789012:/id",
		"arn:aws:s3:::bucket/key",
		"arn:aws:iam::123456789012:role/x",
		"arn:aws:cloudtrail:a:b:c:d/e",
		"arn:::::/", "arn:", "", "ARN:aws:cloudtrail:us-east-1:123456789012:trail/t", "arn:aws:cloudtrail:us-east-1:123456789012:x:y/z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseARN(s)
		if !ok {
			if a != (ARN{}) {
				t.Fatalf("ParseARN(%q) failed but returned %+v", s, a)
			}
			if strings.HasPrefix(s, "arn:") && strings.Count(s, ":") >= 5 {
				parts := strings.SplitN(s, ":", 6)
				typ, id, found := strings.Cut(parts[5], "/")
				if found && parts[1] != "" && parts[2] != "" && parts[3] != "" && parts[4] != "" && typ != "" && id != "" {
					t.Fatalf("ParseARN(%q) rejected a well-formed ARN", s)
				}
			}
			return
		}
		if got := a.String(); got != s {
			t.Fatalf("ParseARN(%q).String() = %q", s, got)
		}
		for name, part := range map[string]string{"partition": a.Partition, "service": a.Service, "region": a.Region, "account": a.AccountID} {
			if part == "" || strings.Contains(part, ":") {
				t.Fatalf("ParseARN(%q): %s %q", s, name, part)
			}
		}
		if a.ResourceType == "" || a.ResourceID == "" || strings.Contains(a.ResourceType, "/") {
			t.Fatalf("ParseARN(%q): resource %q / %q", s, a.ResourceType, a.ResourceID)
		}
		again, ok := ParseARN(a.String())
		if !ok || again != a {
			t.Fatalf("ParseARN(String()) = %+v, %v; want %+v", again, ok, a)
		}
	})
}

func FuzzAccountAndRegionNames(f *testing.F) {
	for _, s := range []string{"123456789012", "12345678901", "1234567890123", "12345678901a", "us-east-1", "US-EAST-1", "1us", "-", "a", "", "eu-west-1\n", "١٢٣٤٥٦٧٨٩٠١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := IsAccountID(s), accountIDShape.MatchString(s); got != want {
			t.Fatalf("IsAccountID(%q) = %v, want %v", s, got, want)
		}
		if got, want := IsRegionName(s), regionNameShape.MatchString(s); got != want {
			t.Fatalf("IsRegionName(%q) = %v, want %v", s, got, want)
		}
	})
}
