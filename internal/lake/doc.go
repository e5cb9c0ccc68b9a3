// Package lake owns CloudTrail Lake's storage side: event data stores
// (their settings, lifecycle and the ingestion windows that decide which
// pipeline events each one holds), channels, resource policies on
// channels, event data stores and dashboards, and PutAuditEvents, which
// brings events from outside AWS in through a channel.
//
// # Events are stored once
//
// An event data store does not copy events. Every event lives once in the
// event store; a data store is a view of it: the events whose sequence
// number falls in one of the store's ingestion windows and that the
// window's selectors select, in the store's account (and Region, unless it
// is multi-Region), not older than the store's retention period. A window
// opens when the store is created with ingestion on, or ingestion starts
// or resumes (StartEventDataStoreIngestion, RestoreEventDataStore), and
// closes when it stops (StopEventDataStoreIngestion, DeleteEventDataStore).
// A change of selectors, or of the channels that deliver to the store,
// closes the current window and opens another, so each event is judged by
// the settings in force when it arrived, as AWS does. Window bounds are
// sequence numbers taken after every acknowledged event has reached the
// event store (Sequencer), so an event acknowledged before a change is
// judged by the settings before it.
//
// Events from channels (eventCategory ActivityAuditLog) belong to a store
// when its window lists their channel (metadata.channelARN): an event
// reaches the destinations its channel had when it arrived.
//
// Members reads a store's events by applying exactly these rules to the
// stored records; Lake queries apply the same rules in SQL.
//
// # Metadata
//
// Records live in the metadata store, each a versioned JSON document of
// this package's own types: data stores in "eventdatastores" and channels
// in "channels", keyed "<account>/<region>/<id>"; resource policies in
// "resourcepolicies", keyed by the resource's ARN.
package lake
