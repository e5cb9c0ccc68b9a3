package trails

import (
	"net/netip"
	"strings"

	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/tagging"
)

// Trail name limits.
const (
	minTrailNameLength = 3
	maxTrailNameLength = 128
)

// validateTrailName checks a trail name against CloudTrail's naming rules and
// answers InvalidTrailNameException naming the first rule it breaks.
func validateTrailName(name string) error {
	switch {
	case len(name) < minTrailNameLength:
		return cloudtrail.NewInvalidTrailNameException(
			"The trail name must be at least %d characters long; it is %d.",
			minTrailNameLength, len(name))
	case len(name) > maxTrailNameLength:
		return cloudtrail.NewInvalidTrailNameException(
			"The trail name must be at most %d characters long; it is %d.",
			maxTrailNameLength, len(name))
	case !isAlphanumeric(name[0]):
		return cloudtrail.NewInvalidTrailNameException("The trail name must begin with an ASCII letter or digit.")
	case !isAlphanumeric(name[len(name)-1]):
		return cloudtrail.NewInvalidTrailNameException("The trail name must end with an ASCII letter or digit.")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlphanumeric(c) && !isNameSeparator(c) {
			return cloudtrail.NewInvalidTrailNameException(
				"The trail name may contain only ASCII letters, digits, periods (.), underscores (_) and hyphens (-).")
		}
		if i > 0 && isNameSeparator(c) && isNameSeparator(name[i-1]) {
			return cloudtrail.NewInvalidTrailNameException(
				"Trail name must not contain adjacent periods, hyphens, or underscores (%s).", name[i-1:i+1])
		}
	}
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		return cloudtrail.NewInvalidTrailNameException("Trail name must not be formatted as an IP address.")
	}
	return nil
}

func isAlphanumeric(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isNameSeparator(c byte) bool { return c == '.' || c == '_' || c == '-' }

// trailARN builds the ARN of a trail.
func trailARN(region, account, name string) string {
	return "arn:" + partition + ":cloudtrail:" + region + ":" + account + ":trail/" + name
}

// trailRef is a trail named in a request, by name or by ARN.
type trailRef struct {
	name string
	// region and account are set only when the trail was named by ARN.
	region  string
	account string
	byARN   bool
}

// parseTrailRef reads the Name (or TrailName) member of a request. A value
// starting with "arn:" must be a well-formed trail ARN
// (CloudTrailARNInvalidException); anything else must be a valid trail name
// (InvalidTrailNameException).
func parseTrailRef(value string) (trailRef, error) {
	if !strings.HasPrefix(value, "arn:") {
		if err := validateTrailName(value); err != nil {
			return trailRef{}, err
		}
		return trailRef{name: value}, nil
	}
	arn, ok := tagging.ParseARN(value)
	if !ok || arn.Service != "cloudtrail" || arn.ResourceType != tagging.ResourceTrail ||
		!tagging.IsAccountID(arn.AccountID) || !tagging.IsRegionName(arn.Region) ||
		validateTrailName(arn.ResourceID) != nil {
		return trailRef{}, invalidTrailARN(value)
	}
	return trailRef{name: arn.ResourceID, region: arn.Region, account: arn.AccountID, byARN: true}, nil
}

func invalidTrailARN(value string) error {
	return cloudtrail.NewCloudTrailARNInvalidException(
		"%s is not a valid trail ARN. A trail ARN has the form arn:aws:cloudtrail:<region>:<account-id>:trail/<name>.",
		value)
}

// notFound answers a trail the caller cannot see. AWS names the trail by the
// ARN it would have in the caller's account.
func (r trailRef) notFound(sc scope) error {
	region := sc.region
	if r.byARN {
		region = r.region
	}
	return cloudtrail.NewTrailNotFoundException("Unknown trail: %s for the user: %s",
		trailARN(region, sc.account, r.name), sc.account)
}
