package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairnhq/cairn/internal/selectors"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/trails"
)

// stateBucket holds one trailState per trail, keyed by trail ARN.
const stateBucket = "delivery"

// trailState is a trail's delivery progress, as stored.
type trailState struct {
	// Cursor is the sequence number of the last event dealt with.
	Cursor int64 `json:"cursor"`

	LatestDeliveryTime        time.Time `json:"latestDeliveryTime,omitzero"`
	LatestDeliveryAttempt     time.Time `json:"latestDeliveryAttempt,omitzero"`
	LatestDeliveryError       string    `json:"latestDeliveryError,omitempty"`
	LatestDigestDeliveryTime  time.Time `json:"latestDigestDeliveryTime,omitzero"`
	LatestDigestDeliveryError string    `json:"latestDigestDeliveryError,omitempty"`

	Intent       *logIntent        `json:"intent,omitempty"`
	DigestIntent *digestIntent     `json:"digestIntent,omitempty"`
	Chains       map[string]*chain `json:"chains,omitempty"`
}

// logIntent is a delivery begun but not yet committed.
type logIntent struct {
	From  int64     `json:"from"` // exclusive
	To    int64     `json:"to"`   // inclusive
	Time  time.Time `json:"time"`
	Trail snapshot  `json:"trail"`
}

// snapshot is the trail settings a delivery applies, fixed in its intent.
type snapshot struct {
	ARN                        string        `json:"arn"`
	Account                    string        `json:"account"`
	Name                       string        `json:"name"`
	HomeRegion                 string        `json:"homeRegion"`
	Bucket                     string        `json:"bucket"`
	KeyPrefix                  string        `json:"keyPrefix,omitempty"`
	MultiRegion                bool          `json:"multiRegion"`
	IncludeGlobalServiceEvents bool          `json:"includeGlobalServiceEvents"`
	LogFileValidation          bool          `json:"logFileValidation"`
	Logging                    bool          `json:"logging"`
	StartLoggingTime           time.Time     `json:"startLoggingTime,omitzero"`
	StopLoggingTime            time.Time     `json:"stopLoggingTime,omitzero"`
	Selectors                  selectors.Set `json:"selectors"`
}

func snapshotOf(t trails.DeliveryTrail) snapshot {
	return snapshot{
		ARN: t.ARN, Account: t.Account, Name: t.Name, HomeRegion: t.HomeRegion,
		Bucket: t.Bucket, KeyPrefix: t.KeyPrefix, MultiRegion: t.MultiRegion,
		IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents, LogFileValidation: t.LogFileValidation,
		Logging: t.Logging, StartLoggingTime: t.StartLoggingTime, StopLoggingTime: t.StopLoggingTime,
		Selectors: t.Selectors,
	}
}

// chain is the digest chain of one source Region.
type chain struct {
	Open bool `json:"open"`
	// Start is where the next digest's period begins.
	Start time.Time `json:"start"`
	// Prev is the last digest written, nil at the start of a chain.
	Prev    *digestRef     `json:"prev,omitempty"`
	Pending []logFileEntry `json:"pending,omitempty"`
}

// digestRef locates a digest and carries what its successor signs.
type digestRef struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	Hash      string `json:"hash"`
	Signature string `json:"signature"`
}

// logFileEntry is a delivered log file waiting for its digest.
type logFileEntry struct {
	Region string    `json:"-"`
	Bucket string    `json:"bucket"`
	Key    string    `json:"key"`
	Hash   string    `json:"hash"`
	Newest time.Time `json:"newest"`
	Oldest time.Time `json:"oldest"`
}

// digestIntent is a digest written but not yet committed to its chain.
type digestIntent struct {
	Region    string    `json:"region"`
	End       time.Time `json:"end"`
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Body      []byte    `json:"body"`
	Signature string    `json:"signature"`
	// Pending is how many of the chain's pending log files it lists.
	Pending int `json:"pending"`
	// Close ends the chain after this digest (logging or validation off).
	Close bool `json:"close"`
}

func loadState(tx store.Tx, arn string) (*trailState, error) {
	raw, err := tx.Get(stateBucket, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st trailState
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("delivery: decode state of %s: %w", arn, err)
	}
	return &st, nil
}

func saveState(tx store.Tx, arn string, st *trailState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return tx.Put(stateBucket, arn, raw)
}
