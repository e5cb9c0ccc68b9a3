package trails

import (
	"context"
	"time"

	"github.com/cairnhq/cairn/internal/selectors"
	"github.com/cairnhq/cairn/internal/store"
)

// DeliveryTrail is what log file delivery needs to know about one trail.
type DeliveryTrail struct {
	ARN                        string
	Account                    string
	Name                       string
	HomeRegion                 string
	Bucket                     string
	KeyPrefix                  string
	MultiRegion                bool
	IncludeGlobalServiceEvents bool
	LogFileValidation          bool
	Logging                    bool
	StartLoggingTime           time.Time
	StopLoggingTime            time.Time
	Selectors                  selectors.Set
}

// DeliveryTrails returns every trail of every account in st, as delivery
// sees it.
func DeliveryTrails(ctx context.Context, st store.Store) ([]DeliveryTrail, error) {
	var out []DeliveryTrail
	err := st.View(ctx, func(tx store.Tx) error {
		return tx.Scan(bucket, "", "", func(key string, raw []byte) error {
			t, err := decodeRecord(key, raw)
			if err != nil {
				return err
			}
			out = append(out, t.deliveryTrail())
			return nil
		})
	})
	return out, err
}

func (t *trailRecord) deliveryTrail() DeliveryTrail {
	d := DeliveryTrail{
		ARN: t.arn(), Account: t.Account, Name: t.Name, HomeRegion: t.HomeRegion,
		Bucket: t.S3BucketName, KeyPrefix: t.S3KeyPrefix,
		MultiRegion: t.MultiRegion, IncludeGlobalServiceEvents: t.IncludeGlobalServiceEvents,
		LogFileValidation: t.LogFileValidation, Logging: t.Logging,
		Selectors: t.Selectors.selectorSet(),
	}
	if t.StartLoggingTime != nil {
		d.StartLoggingTime = *t.StartLoggingTime
	}
	if t.StopLoggingTime != nil {
		d.StopLoggingTime = *t.StopLoggingTime
	}
	return d
}

func (s eventSelectors) selectorSet() selectors.Set {
	var out selectors.Set
	for _, b := range s.Basic {
		sel := selectors.Basic{
			ReadWriteType: b.ReadWriteType, IncludeManagementEvents: b.IncludeManagementEvents,
			ExcludeManagementEventSources: b.ExcludeManagementEventSources,
		}
		for _, dr := range b.DataResources {
			sel.DataResources = append(sel.DataResources, selectors.DataResource{Type: dr.Type, Values: dr.Values})
		}
		out.Basic = append(out.Basic, sel)
	}
	for _, a := range s.Advanced {
		out.Advanced = append(out.Advanced, a.Matcher())
	}
	return out
}
