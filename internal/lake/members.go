package lake

import (
	"context"
	"slices"
	"time"

	"github.com/cairnhq/cairn/internal/events"
	"github.com/cairnhq/cairn/internal/selectors"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// readBatch is how many events Members reads from the event store at once.
const readBatch = 2000

// Members calls fn with every event of an event data store (named by ARN
// or ID in the account and Region given), in sequence order: the events of
// its ingestion windows that the windows' selectors select, in its scope,
// within its retention period.
func (s *Service) Members(ctx context.Context, account, region, ref string, fn func(seq int64, record []byte) error) error {
	var rec *dataStoreRecord
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		rec, err = s.findDataStore(tx, scope{account: account, region: region}, ref)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := s.sequencer.SyncedSequence(ctx); err != nil {
		return err
	}
	oldest := s.now().UTC().Add(-rec.retention())
	for i := range rec.Windows {
		w := &rec.Windows[i]
		m := w.matcher(rec)
		after := w.After
		for {
			batch, err := s.events.ReadFrom(ctx, after, readBatch)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			for _, ev := range batch {
				if w.Through != nil && ev.Seq > *w.Through {
					batch = nil
					break
				}
				after = ev.Seq
				e, err := selectors.Extract(ev.JSON)
				if err != nil {
					continue
				}
				if !m.selects(&e, oldest) {
					continue
				}
				if err := fn(ev.Seq, ev.JSON); err != nil {
					return err
				}
			}
			if batch == nil {
				break
			}
		}
	}
	return nil
}

// windowMatcher decides which events belong to a store during one window.
type windowMatcher struct {
	account, region string
	multiRegion     bool
	set             selectors.Set
	activity        bool
	channels        []string
}

func (w *window) matcher(d *dataStoreRecord) windowMatcher {
	m := windowMatcher{
		account: d.Account, region: d.Region, multiRegion: w.MultiRegion,
		activity: d.Kind == kindActivityAuditLog, channels: w.Channels,
	}
	for _, sel := range w.Selectors {
		m.set.Advanced = append(m.set.Advanced, sel.Matcher())
	}
	return m
}

// selects applies the window's rules to one event.
func (m *windowMatcher) selects(e *selectors.Event, oldest time.Time) bool {
	account := e.RecipientAccountID
	if account == "" {
		account = e.UserIdentityAccountID
	}
	if account != m.account || (!m.multiRegion && e.AWSRegion != m.region) {
		return false
	}
	if t, err := events.ParseTime(e.EventTime); err != nil || t.Before(oldest) {
		return false
	}
	if m.activity {
		return e.EventCategory == kindActivityAuditLog && slices.Contains(m.channels, e.ChannelARN)
	}
	if e.Category() == kindActivityAuditLog {
		return false
	}
	return m.set.Match(e)
}

// RetentionHorizon is the longest retention period of any event data
// store that is not past its pending deletion: the event store must keep
// events that long.
func (s *Service) RetentionHorizon(ctx context.Context) (time.Duration, error) {
	now := s.clock()
	var longest time.Duration
	err := s.store.View(ctx, func(tx store.Tx) error {
		return scanJSON(tx, dataStoreBucket, "", func(_ string, d *dataStoreRecord) error {
			if !d.expired(now) && d.retention() > longest {
				longest = d.retention()
			}
			return nil
		})
	})
	return longest, err
}

// PurgeExpired removes stores whose seven days of pending deletion are
// over, with their tags and resource policies.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	now := s.clock()
	n := 0
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var gone []*dataStoreRecord
		err := scanJSON(tx, dataStoreBucket, "", func(_ string, d *dataStoreRecord) error {
			if d.expired(now) {
				gone = append(gone, d)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, d := range gone {
			if err := tx.Delete(dataStoreBucket, d.key()); err != nil {
				return err
			}
			if err := tx.Delete(policyBucket, d.arn()); err != nil {
				return err
			}
			if err := tagging.DeleteAllInTx(tx, d.arn()); err != nil {
				return err
			}
		}
		n = len(gone)
		return nil
	})
	return n, err
}
