package trails

import (
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// optional returns a pointer to s, or nil for an empty string, so that
// absent settings are left out of responses as AWS leaves them out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toTrail renders a trail for GetTrail and DescribeTrails.
func toTrail(t *trailRecord) cloudtrail.Trail {
	out := cloudtrail.Trail{
		Name:                       ptr(t.Name),
		S3BucketName:               ptr(t.S3BucketName),
		S3KeyPrefix:                optional(t.S3KeyPrefix),
		IncludeGlobalServiceEvents: ptr(t.IncludeGlobalServiceEvents),
		IsMultiRegionTrail:         ptr(t.MultiRegion),
		HomeRegion:                 ptr(t.HomeRegion),
		TrailARN:                   ptr(t.arn()),
		LogFileValidationEnabled:   ptr(t.LogFileValidation),
		CloudWatchLogsLogGroupArn:  optional(t.CloudWatchLogsLogGroupARN),
		CloudWatchLogsRoleArn:      optional(t.CloudWatchLogsRoleARN),
		KmsKeyId:                   optional(t.KmsKeyID),
		HasCustomEventSelectors:    ptr(t.CustomEventSelectors),
		HasInsightSelectors:        ptr(len(t.InsightSelectors) > 0),
		IsOrganizationTrail:        ptr(false),
	}
	if t.SnsTopicARN != "" {
		out.SnsTopicName = ptr(snsTopicName(t.SnsTopicARN))
		out.SnsTopicARN = ptr(t.SnsTopicARN)
	}
	return out
}

// toCreateResponse renders the settings CreateTrail reports.
func toCreateResponse(t *trailRecord) *cloudtrail.CreateTrailResponse {
	v := toTrail(t)
	return &cloudtrail.CreateTrailResponse{
		Name:                       v.Name,
		S3BucketName:               v.S3BucketName,
		S3KeyPrefix:                v.S3KeyPrefix,
		SnsTopicName:               v.SnsTopicName,
		SnsTopicARN:                v.SnsTopicARN,
		IncludeGlobalServiceEvents: v.IncludeGlobalServiceEvents,
		IsMultiRegionTrail:         v.IsMultiRegionTrail,
		TrailARN:                   v.TrailARN,
		LogFileValidationEnabled:   v.LogFileValidationEnabled,
		CloudWatchLogsLogGroupArn:  v.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn:      v.CloudWatchLogsRoleArn,
		KmsKeyId:                   v.KmsKeyId,
		IsOrganizationTrail:        v.IsOrganizationTrail,
	}
}

// toUpdateResponse renders the settings UpdateTrail reports, the same as
// CreateTrail's.
func toUpdateResponse(t *trailRecord) *cloudtrail.UpdateTrailResponse {
	c := toCreateResponse(t)
	return &cloudtrail.UpdateTrailResponse{
		Name:                       c.Name,
		S3BucketName:               c.S3BucketName,
		S3KeyPrefix:                c.S3KeyPrefix,
		SnsTopicName:               c.SnsTopicName,
		SnsTopicARN:                c.SnsTopicARN,
		IncludeGlobalServiceEvents: c.IncludeGlobalServiceEvents,
		IsMultiRegionTrail:         c.IsMultiRegionTrail,
		TrailARN:                   c.TrailARN,
		LogFileValidationEnabled:   c.LogFileValidationEnabled,
		CloudWatchLogsLogGroupArn:  c.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn:      c.CloudWatchLogsRoleArn,
		KmsKeyId:                   c.KmsKeyId,
		IsOrganizationTrail:        c.IsOrganizationTrail,
	}
}

func toTrailInfo(t *trailRecord) cloudtrail.TrailInfo {
	return cloudtrail.TrailInfo{
		Name:       ptr(t.Name),
		TrailARN:   ptr(t.arn()),
		HomeRegion: ptr(t.HomeRegion),
	}
}
