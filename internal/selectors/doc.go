// Package selectors decides which events a trail (and, later, an event
// data store) receives: basic event selectors (ReadWriteType,
// IncludeManagementEvents, ExcludeManagementEventSources, DataResources)
// and advanced event selectors (field conditions AND'd within a selector,
// selectors OR'd), evaluated as CloudTrail documents them. It also
// extracts from an event's JSON the few fields selectors look at, without
// decoding the whole record.
package selectors
