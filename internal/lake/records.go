package lake

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// Metadata store buckets.
const (
	dataStoreBucket = "eventdatastores"
	channelBucket   = "channels"
	policyBucket    = "resourcepolicies"
)

// recordVersion is the version of this package's stored formats.
const recordVersion = 1

// Event data store statuses (the API's EventDataStoreStatus values).
const (
	statusCreated          = "CREATED"
	statusEnabled          = "ENABLED"
	statusPendingDeletion  = "PENDING_DELETION"
	statusStoppedIngestion = "STOPPED_INGESTION"
)

// Store kinds: what an event data store holds, from its selectors'
// categories.
const (
	kindCloudTrail       = selectorrules.KindCloudTrail // Management, Data and NetworkActivity events
	kindActivityAuditLog = selectorrules.ActivityAuditLog
)

// dataStoreRecord is an event data store as stored.
type dataStoreRecord struct {
	Version       int                      `json:"version"`
	ID            string                   `json:"id"`
	Account       string                   `json:"account"`
	Region        string                   `json:"region"`
	Name          string                   `json:"name"`
	Created       time.Time                `json:"created"`
	Updated       time.Time                `json:"updated"`
	Status        string                   `json:"status"`
	Kind          string                   `json:"kind"`
	MultiRegion   bool                     `json:"multiRegion"`
	Termination   bool                     `json:"terminationProtection"`
	BillingMode   string                   `json:"billingMode"`
	RetentionDays int                      `json:"retentionDays"`
	Selectors     []selectorrules.Selector `json:"selectors"`
	Windows       []window                 `json:"windows,omitempty"`

	// DeletedAt is when DeleteEventDataStore put the store in
	// PENDING_DELETION; StatusBeforeDeletion is what Restore returns to.
	DeletedAt            *time.Time `json:"deletedAt,omitempty"`
	StatusBeforeDeletion string     `json:"statusBeforeDeletion,omitempty"`
}

// window is one period of ingestion: the events with sequence numbers in
// (After, Through] (Through nil while the window is open) that Selectors
// select, and, for stores of channel events, that came through one of
// Channels.
type window struct {
	After     int64                    `json:"after"`
	Through   *int64                   `json:"through,omitempty"`
	Selectors []selectorrules.Selector `json:"selectors"`
	Channels  []string                 `json:"channels,omitempty"`
	// MultiRegion is the store's setting while the window was open.
	MultiRegion bool `json:"multiRegion"`
}

func (w *window) open() bool { return w.Through == nil }

// arn is the store's ARN.
func (d *dataStoreRecord) arn() string {
	return dataStoreARN(d.Region, d.Account, d.ID)
}

func dataStoreARN(region, account, id string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:eventdatastore/%s", region, account, id)
}

// ingesting reports whether the store takes in new events now.
func (d *dataStoreRecord) ingesting() bool {
	return len(d.Windows) > 0 && d.Windows[len(d.Windows)-1].open()
}

// retention is how far back the store keeps events.
func (d *dataStoreRecord) retention() time.Duration {
	return time.Duration(d.RetentionDays) * 24 * time.Hour
}

// channelRecord is a channel as stored.
type channelRecord struct {
	Version      int                 `json:"version"`
	ID           string              `json:"id"`
	Account      string              `json:"account"`
	Region       string              `json:"region"`
	Name         string              `json:"name"`
	Source       string              `json:"source"`
	Destinations []destinationRecord `json:"destinations"`
	Created      time.Time           `json:"created"`
}

type destinationRecord struct {
	Type     string `json:"type"`
	Location string `json:"location"` // the event data store's ARN
}

func (c *channelRecord) arn() string { return channelARN(c.Region, c.Account, c.ID) }

func channelARN(region, account, id string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:channel/%s", region, account, id)
}

// policyRecord is a resource policy as stored.
type policyRecord struct {
	Version  int    `json:"version"`
	Document string `json:"document"`
}

func scopedKey(account, region, id string) string { return account + "/" + region + "/" + id }

func scopePrefix(account, region string) string { return account + "/" + region + "/" }

func getJSON[T any](tx store.Tx, bucket, key string) (*T, error) {
	raw, err := tx.Get(bucket, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("lake: decoding %s/%s: %w", bucket, key, err)
	}
	return v, nil
}

func putJSON(tx store.Tx, bucket, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(bucket, key, raw)
}

// scanJSON calls fn with every record under prefix, in key order.
func scanJSON[T any](tx store.Tx, bucket, prefix string, fn func(key string, v *T) error) error {
	return tx.Scan(bucket, prefix, "", func(key string, raw []byte) error {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("lake: decoding %s/%s: %w", bucket, key, err)
		}
		return fn(key, v)
	})
}

// idOf returns the ID in an ARN's resource part ("eventdatastore/<id>").
func idOf(resource string) string {
	if i := strings.LastIndexByte(resource, '/'); i >= 0 {
		return resource[i+1:]
	}
	return resource
}

var (
	errMalformedARN = errors.New("lake: malformed ARN")
	errElsewhere    = errors.New("lake: the ARN names another account or Region")
)

// refID returns the ID a reference names: the reference itself, or the
// resource ID of an ARN of resourceType in scope sc. An ARN of another
// type, or not an ARN of CloudTrail, is errMalformedARN; one of another
// account or Region is errElsewhere.
func refID(ref, resourceType string, sc scope) (string, error) {
	if !strings.HasPrefix(ref, "arn:") {
		return ref, nil
	}
	arn, ok := tagging.ParseARN(ref)
	if !ok || arn.Service != "cloudtrail" || arn.ResourceType != resourceType || !tagging.IsAccountID(arn.AccountID) {
		return "", errMalformedARN
	}
	if arn.Region != sc.region || arn.AccountID != sc.account {
		return "", errElsewhere
	}
	return arn.ResourceID, nil
}
