package tagging

import (
	"strings"

	"github.com/cairnhq/cairn/internal/events"
)

// Resource types that can appear in a CloudTrail ARN's resource part.
const (
	ResourceTrail          = "trail"
	ResourceEventDataStore = "eventdatastore"
	ResourceChannel        = "channel"
	ResourceDashboard      = "dashboard"
)

// ARN is a parsed Amazon Resource Name of the form
// arn:<partition>:<service>:<region>:<account>:<type>/<id>.
type ARN struct {
	Partition    string
	Service      string
	Region       string
	AccountID    string
	ResourceType string
	ResourceID   string
}

// String renders the ARN in its canonical form.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" +
		a.ResourceType + "/" + a.ResourceID
}

// ParseARN splits s into its parts. It reports false when s is not an ARN
// with a "<type>/<id>" resource part, or when any part is empty.
func ParseARN(s string) (ARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, false
	}
	resourceType, resourceID, ok := strings.Cut(parts[5], "/")
	a := ARN{
		Partition:    parts[1],
		Service:      parts[2],
		Region:       parts[3],
		AccountID:    parts[4],
		ResourceType: resourceType,
		ResourceID:   resourceID,
	}
	if !ok || a.Partition == "" || a.Service == "" || a.Region == "" || a.AccountID == "" ||
		a.ResourceType == "" || a.ResourceID == "" {
		return ARN{}, false
	}
	return a, true
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool { return events.IsAccountID(s) }

// IsRegionName reports whether s looks like an AWS Region name: lower-case
// letters, digits and dashes, starting with a letter.
func IsRegionName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
