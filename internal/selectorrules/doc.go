// Package selectorrules validates advanced event selectors for the two
// things that carry them, trails and event data stores, so both apply the
// same rules and answer with the same InvalidEventSelectorsException
// messages.
//
// Validate checks the shape of every selector (at least one field
// selector, no field twice, every operator given with values), reads its
// eventCategory (required, Equals, one value) and then checks each field
// against the rules for that category on that target: which fields are
// allowed or required, which operators they take, and which values. All
// values of all conditions of all selectors count against one limit of
// 500.
//
// Trails take the Management, Data and NetworkActivity categories. Event
// data stores additionally take Insight, ConfigurationItem,
// ActivityAuditLog and Evidence, each of which allows no field but
// eventCategory and makes a store of its own kind: a store may mix
// Management, Data and NetworkActivity selectors (a CloudTrail-events
// store) but not combine any other category with a different one.
// Management selectors of an event data store may also filter on
// eventName, eventType, sessionCredentialFromConsole and userIdentity.arn,
// and on eventSource with any operator, where a trail may only exclude the
// KMS and RDS Data API sources. An event data store has at most five
// selectors. StoreKind names the kind of store a validated set of
// selectors makes.
//
// The rules follow the CloudTrail API reference (AdvancedEventSelector,
// AdvancedFieldSelector, CreateEventDataStore, UpdateEventDataStore) and
// the user guide. The exact texts of AWS's error messages are mostly
// undocumented; these follow the one documented form, "Value v for field
// is invalid.", where it fits.
package selectorrules
