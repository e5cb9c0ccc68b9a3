package trails

import "slices"

// Regions lists the Regions of the commercial AWS partition (aws), where a
// multi-Region trail has shadow trails. A multi-Region trail whose home
// Region is not in this list exists in its home Region and in all of these.
var Regions = []string{
	"af-south-1",
	"ap-east-1",
	"ap-east-2",
	"ap-northeast-1",
	"ap-northeast-2",
	"ap-northeast-3",
	"ap-south-1",
	"ap-south-2",
	"ap-southeast-1",
	"ap-southeast-2",
	"ap-southeast-3",
	"ap-southeast-4",
	"ap-southeast-5",
	"ap-southeast-6",
	"ap-southeast-7",
	"ca-central-1",
	"ca-west-1",
	"eu-central-1",
	"eu-central-2",
	"eu-north-1",
	"eu-south-1",
	"eu-south-2",
	"eu-west-1",
	"eu-west-2",
	"eu-west-3",
	"il-central-1",
	"me-central-1",
	"me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1",
	"us-east-2",
	"us-west-1",
	"us-west-2",
}

// partition is the ARN partition of every ARN Cairn builds.
const partition = "aws"

// visibleIn reports whether a trail with the given home Region and
// multi-Region setting exists (as itself or as a shadow) in region.
func visibleIn(homeRegion string, multiRegion bool, region string) bool {
	if homeRegion == region {
		return true
	}
	return multiRegion && slices.Contains(Regions, region)
}

// regionsOf lists the Regions where a trail exists, home Region first.
func regionsOf(homeRegion string, multiRegion bool) []string {
	if !multiRegion {
		return []string{homeRegion}
	}
	out := make([]string, 0, len(Regions)+1)
	out = append(out, homeRegion)
	for _, r := range Regions {
		if r != homeRegion {
			out = append(out, r)
		}
	}
	return out
}
