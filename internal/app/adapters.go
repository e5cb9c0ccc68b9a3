package app

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/delivery"
	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/eventstore"
	"github.com/cairnhq/cairn/internal/history"
	"github.com/cairnhq/cairn/internal/journal"
	"github.com/cairnhq/cairn/internal/lake"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/trails"
)

// bucketLookup answers the trails service's bucket questions from the
// built-in bucket store and the configured external buckets.
type bucketLookup struct {
	buckets  *bucketstore.Store
	external *delivery.Router
}

func (b bucketLookup) LookupBucket(ctx context.Context, name string) (trails.BucketInfo, error) {
	if b.external.External(name) {
		return trails.BucketInfo{Exists: true}, nil
	}
	bucket, ok, err := b.buckets.BucketInfo(ctx, name)
	if err != nil || !ok {
		return trails.BucketInfo{}, err
	}
	return trails.BucketInfo{Exists: true, Region: bucket.Region, OwnerAccountID: bucket.OwnerAccountID}, nil
}

// publicKeySource lists digest signing keys for ListPublicKeys.
type publicKeySource struct{ keys *signingkeys.Store }

func (p publicKeySource) PublicKeys(_ context.Context, region string, start, end time.Time) ([]trails.PublicKey, error) {
	keys, err := p.keys.List(region, start, end)
	if errors.Is(err, signingkeys.ErrInvalidTimeRange) {
		return nil, trails.ErrInvalidTimeRange
	}
	if err != nil {
		return nil, err
	}
	out := make([]trails.PublicKey, len(keys))
	for i, k := range keys {
		out[i] = trails.PublicKey{Fingerprint: k.Fingerprint, ValidityStart: k.ValidityStart, ValidityEnd: k.ValidityEnd, DER: k.PublicDER}
	}
	return out, nil
}

// historySource serves event history from the event store, after moving
// every acknowledged journal entry into it.
type historySource struct {
	events *eventstore.Store
	mover  *journal.Mover
}

func (h historySource) Lookup(ctx context.Context, q history.SourceQuery) (history.Page, error) {
	if err := h.mover.Flush(ctx); err != nil {
		return history.Page{}, err
	}
	sq := eventstore.LookupQuery{
		Account: q.Account, Region: q.Region,
		Start: q.Start, End: q.End,
		ManagementOnly: !q.Insights, InsightOnly: q.Insights,
		Limit: q.Limit, After: eventstore.Position(q.After),
	}
	if q.Attribute != nil {
		sq.Attribute = &eventstore.Attribute{Key: q.Attribute.Key, Value: q.Attribute.Value}
	}
	res, err := h.events.Lookup(ctx, sq)
	if errors.Is(err, eventstore.ErrInvalidPosition) {
		return history.Page{}, history.ErrInvalidPosition
	}
	if err != nil {
		return history.Page{}, err
	}
	page := history.Page{Next: string(res.Next), Events: make([]history.Event, len(res.Events))}
	for i, e := range res.Events {
		ev := history.Event{
			EventID: e.EventID, EventName: e.EventName, EventSource: e.EventSource, EventTime: e.EventTime,
			ReadOnly: e.ReadOnly, Username: e.Username, AccessKeyID: e.AccessKeyID, JSON: e.JSON,
		}
		for _, r := range e.Resources {
			ev.Resources = append(ev.Resources, history.Resource{Type: r.Type, Name: r.Name})
		}
		page.Events[i] = ev
	}
	return page, nil
}

// journalSink commits moved journal entries and the journal marker together.
type journalSink struct{ events *eventstore.Store }

func (j journalSink) AppendMarked(ctx context.Context, recs []events.Record, marker string, value int64) error {
	_, err := j.events.AppendMarked(ctx, recs, eventstore.Marker{Name: marker, Value: value})
	return err
}

// builtInObjects writes delivered files into the built-in bucket store.
type builtInObjects struct{ buckets *bucketstore.Store }

func (b builtInObjects) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string, metadata map[string]string) error {
	_, err := b.buckets.PutObjectWithOptions(ctx, bucket, key, bytes.NewReader(body), bucketstore.PutObjectOptions{
		ContentType: contentType, UserMetadata: metadata,
	})
	switch {
	case errors.Is(err, bucketstore.ErrNoSuchBucket):
		return &delivery.CodedError{Code: "NoSuchBucket", Err: err}
	case err != nil:
		return &delivery.CodedError{Code: "InternalError", Err: err}
	}
	return nil
}

// deliverySource reads the event store for trail delivery.
type deliverySource struct{ events *eventstore.Store }

func (d deliverySource) ReadFrom(ctx context.Context, after int64, limit int) ([]delivery.Event, error) {
	evs, err := d.events.ReadFrom(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]delivery.Event, len(evs))
	for i, e := range evs {
		out[i] = delivery.Event{Seq: e.Seq, IngestTime: e.IngestTime, EventTime: e.EventTime, Account: e.Account, Region: e.Region, JSON: e.JSON}
	}
	return out, nil
}

func (d deliverySource) LastSeq(context.Context) (int64, error) { return d.events.LastSequence(), nil }

// trailLister lists every trail for delivery.
type trailLister struct{ metadata store.Store }

func (t trailLister) DeliveryTrails(ctx context.Context) ([]trails.DeliveryTrail, error) {
	return trails.DeliveryTrails(ctx, t.metadata)
}

// lakeEvents serves the lake service: the pipeline's position after every
// acknowledged event has moved into the event store, and reads by sequence.
type lakeEvents struct {
	events *eventstore.Store
	mover  *journal.Mover
}

func (l lakeEvents) SyncedSequence(ctx context.Context) (int64, error) {
	if err := l.mover.Flush(ctx); err != nil {
		return 0, err
	}
	return l.events.LastSequence(), nil
}

func (l lakeEvents) ReadFrom(ctx context.Context, after int64, limit int) ([]lake.StoredEvent, error) {
	batch, err := l.events.ReadFrom(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]lake.StoredEvent, len(batch))
	for i, e := range batch {
		out[i] = lake.StoredEvent{Seq: e.Seq, JSON: e.JSON}
	}
	return out, nil
}

// resultSigner signs delivered query results with the Region's current
// digest signing key, the key ListPublicKeys lists.
type resultSigner struct{ keys *signingkeys.Store }

func (r resultSigner) Sign(region string, data []byte) ([]byte, string, error) {
	key, err := r.keys.SigningKey(region)
	if err != nil {
		return nil, "", err
	}
	sig, err := key.Sign(data)
	return sig, key.Fingerprint, err
}

// resultBuckets tells the query service whether a results bucket exists.
type resultBuckets struct{ lookup bucketLookup }

func (r resultBuckets) BucketExists(ctx context.Context, name string) (bool, error) {
	info, err := r.lookup.LookupBucket(ctx, name)
	return info.Exists, err
}

// directAppender appends straight to the event store, in its group
// commits, instead of through the journal.
type directAppender struct{ events *eventstore.Store }

func (d directAppender) Append(ctx context.Context, recs []events.Record) error {
	_, err := d.events.Append(ctx, recs)
	return err
}
