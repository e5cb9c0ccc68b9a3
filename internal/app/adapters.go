package app

import (
	"context"
	"errors"
	"time"

	"github.com/cairnhq/cairn/internal/bucketstore"
	"github.com/cairnhq/cairn/internal/signingkeys"
	"github.com/cairnhq/cairn/internal/trails"
)

// bucketLookup answers the trails service's bucket questions from the
// built-in bucket store.
type bucketLookup struct{ buckets *bucketstore.Store }

func (b bucketLookup) LookupBucket(ctx context.Context, name string) (trails.BucketInfo, error) {
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
