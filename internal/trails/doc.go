// Package trails owns CloudTrail trails: their settings, logging state,
// event selectors and Insights selectors, and the operations that manage
// them (CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails,
// ListTrails, GetTrailStatus, StartLogging, StopLogging, PutEventSelectors,
// GetEventSelectors, PutInsightSelectors, GetInsightSelectors), plus
// ListPublicKeys, which reports the digest-signing keys trails use.
//
// Every trail belongs to one account and has a home Region, the Region it was
// created in. A multi-Region trail also appears as a shadow trail in every
// other Region of the commercial AWS partition (see Regions): it counts
// against those Regions' trail limit, occupies its name there, and can be
// read there by ARN, but only its home Region may change or delete it.
//
// Trails are persisted through store.Store as this package's own JSON
// records, never as API structures, so regenerating the API cannot change
// the stored format. Tags given to CreateTrail are written, and removed on
// DeleteTrail, through package tagging in the same transaction.
//
// Cairn has no KMS, SNS or CloudWatch Logs. Well-formed KMS key IDs, SNS
// topics and CloudWatch Logs settings are accepted and reported back as AWS
// reports them, but Cairn neither encrypts with the key nor notifies the
// topic nor delivers to the log group; a DeliveryStatus source can report
// that in GetTrailStatus.
package trails
