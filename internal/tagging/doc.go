// Package tagging owns the tags of CloudTrail resources and the AddTags,
// ListTags and RemoveTags operations.
//
// Tags are stored per resource ARN in one metadata bucket, so every resource
// type (trails, event data stores, channels, dashboards) shares the same
// storage and rules: at most 50 tags per resource, keys of 1 to 128 and
// values of 1 to 256 characters drawn from the character set AWS allows in
// tags, and no keys in the reserved "aws:" namespace.
//
// Whether a resource exists is not this package's business: the package that
// owns a resource type registers a Resolver for it, which answers inside the
// tagging transaction with that resource's own not-found error. Resource
// types without a Resolver answer as AWS does for a resource that does not
// exist. Owners call PutTagsInTx and DeleteAllInTx from their own
// transactions so that creating a resource with tags, and deleting a
// resource together with its tags, are atomic.
package tagging
