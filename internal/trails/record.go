package trails

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/store"
)

// bucket is the store bucket of trail records. Keys are
// "<account>/<name>/<home region>", so one prefix scan finds every trail of
// an account, or every trail of an account with a given name.
const bucket = "trails"

// recordVersion is the version of the stored trail format.
const recordVersion = 1

// trailRecord is a trail as stored. Empty strings stand for absent settings.
type trailRecord struct {
	Version    int       `json:"version"`
	Account    string    `json:"account"`
	HomeRegion string    `json:"homeRegion"`
	Name       string    `json:"name"`
	Created    time.Time `json:"created"`

	S3BucketName               string `json:"s3BucketName"`
	S3KeyPrefix                string `json:"s3KeyPrefix,omitempty"`
	SnsTopicARN                string `json:"snsTopicArn,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"includeGlobalServiceEvents"`
	MultiRegion                bool   `json:"multiRegion"`
	LogFileValidation          bool   `json:"logFileValidation"`
	CloudWatchLogsLogGroupARN  string `json:"cloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleARN      string `json:"cloudWatchLogsRoleArn,omitempty"`
	KmsKeyID                   string `json:"kmsKeyId,omitempty"`

	Logging          bool       `json:"logging"`
	StartLoggingTime *time.Time `json:"startLoggingTime,omitempty"`
	StopLoggingTime  *time.Time `json:"stopLoggingTime,omitempty"`

	// Selectors holds exactly one of basic or advanced selectors.
	Selectors            eventSelectors `json:"selectors"`
	CustomEventSelectors bool           `json:"customEventSelectors"`
	InsightSelectors     []insightRule  `json:"insightSelectors,omitempty"`
}

// eventSelectors is a trail's basic or advanced event selectors.
type eventSelectors struct {
	Basic    []basicSelector          `json:"basic,omitempty"`
	Advanced []selectorrules.Selector `json:"advanced,omitempty"`
}

type basicSelector struct {
	ReadWriteType                 string         `json:"readWriteType"`
	IncludeManagementEvents       bool           `json:"includeManagementEvents"`
	DataResources                 []dataResource `json:"dataResources,omitempty"`
	ExcludeManagementEventSources []string       `json:"excludeManagementEventSources,omitempty"`
}

type dataResource struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

type insightRule struct {
	Type       string   `json:"type"`
	Categories []string `json:"categories"`
}

// defaultSelectors is what a new trail logs: all management events.
func defaultSelectors() eventSelectors {
	return eventSelectors{Basic: []basicSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}}
}

func (t *trailRecord) arn() string { return trailARN(t.HomeRegion, t.Account, t.Name) }

func (t *trailRecord) key() string { return recordKey(t.Account, t.Name, t.HomeRegion) }

func recordKey(account, name, homeRegion string) string {
	return account + "/" + name + "/" + homeRegion
}

// getRecord loads the trail with the given key, or returns nil.
func getRecord(tx store.Tx, key string) (*trailRecord, error) {
	raw, err := tx.Get(bucket, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeRecord(key, raw)
}

// decodeRecord decodes a stored trail. The caller owns the result and may
// change it.
func decodeRecord(key string, raw []byte) (*trailRecord, error) {
	if t := decodedRecords.get(raw); t != nil {
		return t, nil
	}
	var t trailRecord
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("trails: decode %s: %w", key, err)
	}
	if t.Version != recordVersion {
		return nil, fmt.Errorf("trails: %s has unsupported record version %d", key, t.Version)
	}
	decodedRecords.put(raw, &t)
	return &t, nil
}

func putRecord(tx store.Tx, t *trailRecord) error {
	t.Version = recordVersion
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return tx.Put(bucket, t.key(), raw)
}

// accountTrails returns every trail of an account, ordered by name and then
// home Region.
func accountTrails(tx store.Tx, account string) ([]*trailRecord, error) {
	return scanTrails(tx, account+"/")
}

// trailsNamed returns every trail of an account with the given name, one per
// home Region.
func trailsNamed(tx store.Tx, account, name string) ([]*trailRecord, error) {
	return scanTrails(tx, account+"/"+name+"/")
}

func scanTrails(tx store.Tx, prefix string) ([]*trailRecord, error) {
	var out []*trailRecord
	err := tx.Scan(bucket, prefix, "", func(key string, raw []byte) error {
		t, err := decodeRecord(key, raw)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// trailsVisibleIn returns the trails of an account that exist in region, as
// themselves or as shadows.
func trailsVisibleIn(tx store.Tx, account, region string) ([]*trailRecord, error) {
	all, err := accountTrails(tx, account)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, t := range all {
		if visibleIn(t.HomeRegion, t.MultiRegion, region) {
			out = append(out, t)
		}
	}
	return out, nil
}

// snsTopicName is the deprecated SnsTopicName AWS still returns: the last
// part of the topic ARN.
func snsTopicName(topicARN string) string {
	return topicARN[strings.LastIndexByte(topicARN, ':')+1:]
}
