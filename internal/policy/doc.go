// Package policy owns CloudTrail resource-based policies: the JSON documents
// PutResourcePolicy attaches to channels, event data stores and dashboards.
//
// Parse validates a document for the resource it is attached to and returns
// a *ValidationError whose message is what the API returns in
// ResourcePolicyNotValidException. Evaluate answers, for one request, whether
// the policy explicitly denies it, allows it, or says nothing about it.
//
// The rules follow the CloudTrail User Guide ("AWS CloudTrail resource-based
// policy examples": channels, event data stores, dashboards), the
// PutResourcePolicy API reference (at most 8,192 characters) and IAM's
// policy grammar and condition semantics:
//
//   - Channels: only cloudtrail-data:PutAuditEvents; principals are accounts,
//     IAM users, IAM roles, role sessions and federated users; the Resource,
//     when given, must match the channel; conditions may use
//     cloudtrail:ExternalId.
//   - Event data stores: the Lake query actions the guide lists, for AWS
//     principals; a statement for the cloudtrail.amazonaws.com service
//     principal (dashboard refreshes) may only allow cloudtrail:StartQuery
//     and condition only on aws:SourceArn and aws:SourceAccount.
//   - Dashboards: only the cloudtrail.amazonaws.com service principal, only
//     cloudtrail:StartDashboardRefresh, conditions only on aws:SourceArn and
//     aws:SourceAccount.
//
// What the package does not decide: a resource's owner keeps access that no
// policy statement denies (the guide says so for channels), and a caller
// that is not the owner and gets NotApplicable is refused. Both belong to
// the API that calls Evaluate.
package policy
