package lake

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/selectorrules"
	"github.com/cairnhq/cairn/internal/store"
	"github.com/cairnhq/cairn/internal/tagging"
)

// Limits and defaults AWS documents for event data stores.
const (
	maxDataStoresPerRegion = 10
	// pendingDeletionPeriod is how long a deleted store can be restored.
	pendingDeletionPeriod = 7 * 24 * time.Hour

	billingExtendable = string(cloudtrail.BillingModeExtendableRetentionPricing)
	billingFixed      = string(cloudtrail.BillingModeFixedRetentionPricing)

	defaultExtendableRetentionDays = 366
	defaultFixedRetentionDays      = 2557
	maxFixedRetentionDays          = 2557

	defaultSelectorName = "Default management events"
)

// defaultSelectors select every management event, as a store created
// without selectors does.
func defaultSelectors() []selectorrules.Selector {
	return []selectorrules.Selector{{
		Name:     ptr(defaultSelectorName),
		Category: selectorrules.Management,
		Fields:   []selectorrules.Field{{Field: "eventCategory", Equals: []string{"Management"}}},
	}}
}

// CreateEventDataStore creates an event data store in the caller's account
// and Region.
func (s *Service) CreateEventDataStore(ctx context.Context, req *cloudtrail.CreateEventDataStoreRequest) (*cloudtrail.CreateEventDataStoreResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.OrganizationEnabled != nil && *req.OrganizationEnabled {
		return nil, cloudtrail.NewOrganizationsNotInUseException(
			"This account is not a member of an organization; an organization event data store needs AWS Organizations.")
	}
	if req.KmsKeyId != nil {
		return nil, cloudtrail.NewUnsupportedOperationException(
			"KmsKeyId is not supported: Cairn does not integrate with AWS KMS. Create the event data store without KmsKeyId.")
	}
	billing := string(req.BillingMode)
	if billing == "" {
		billing = billingExtendable
	}
	retention, err := retentionDays(billing, req.RetentionPeriod, 0)
	if err != nil {
		return nil, err
	}
	sels, kind, err := validateSelectors(req.AdvancedEventSelectors)
	if err != nil {
		return nil, err
	}
	tags, err := tagging.ValidateTags(req.TagsList)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	rec := &dataStoreRecord{
		Version:       recordVersion,
		ID:            s.newID(),
		Account:       sc.account,
		Region:        sc.region,
		Name:          deref(req.Name),
		Created:       now,
		Updated:       now,
		Status:        statusStoppedIngestion,
		Kind:          kind,
		MultiRegion:   req.MultiRegionEnabled == nil || *req.MultiRegionEnabled,
		Termination:   req.TerminationProtectionEnabled == nil || *req.TerminationProtectionEnabled,
		BillingMode:   billing,
		RetentionDays: retention,
		Selectors:     sels,
	}
	startIngestion := req.StartIngestion == nil || *req.StartIngestion

	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		count := 0
		var clash bool
		err := scanJSON(tx, dataStoreBucket, scopePrefix(sc.account, sc.region), func(_ string, d *dataStoreRecord) error {
			if d.expired(now) {
				return nil
			}
			count++
			clash = clash || d.Name == rec.Name
			return nil
		})
		if err != nil {
			return err
		}
		if clash {
			return cloudtrail.NewEventDataStoreAlreadyExistsException(
				"An event data store with the name %s already exists in this account and Region.", rec.Name)
		}
		if count >= maxDataStoresPerRegion {
			return cloudtrail.NewEventDataStoreMaxLimitExceededException(
				"Your account has reached the limit of %d event data stores in Region %s (stores pending deletion count too).",
				maxDataStoresPerRegion, sc.region)
		}
		if startIngestion {
			rec.Status = statusEnabled
			rec.openWindow(seq, nil)
		}
		if err := tagging.PutTagsInTx(tx, rec.arn(), tags); err != nil {
			return err
		}
		return putJSON(tx, dataStoreBucket, rec.key(), rec)
	})
	if err != nil {
		return nil, err
	}
	d := describe(rec)
	return &cloudtrail.CreateEventDataStoreResponse{
		EventDataStoreArn:            d.EventDataStoreArn,
		Name:                         d.Name,
		Status:                       cloudtrail.EventDataStoreStatusCreated,
		AdvancedEventSelectors:       d.AdvancedEventSelectors,
		MultiRegionEnabled:           d.MultiRegionEnabled,
		OrganizationEnabled:          d.OrganizationEnabled,
		RetentionPeriod:              d.RetentionPeriod,
		TerminationProtectionEnabled: d.TerminationProtectionEnabled,
		BillingMode:                  d.BillingMode,
		CreatedTimestamp:             d.CreatedTimestamp,
		UpdatedTimestamp:             d.UpdatedTimestamp,
		TagsList:                     tagging.ToAPI(tags),
	}, nil
}

// GetEventDataStore describes one event data store.
func (s *Service) GetEventDataStore(ctx context.Context, req *cloudtrail.GetEventDataStoreRequest) (*cloudtrail.GetEventDataStoreResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	var rec *dataStoreRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		rec, err = s.findDataStore(tx, sc, deref(req.EventDataStore))
		return err
	})
	if err != nil {
		return nil, err
	}
	return describe(rec), nil
}

// describe is the full description of a store, GetEventDataStore's answer.
func describe(d *dataStoreRecord) *cloudtrail.GetEventDataStoreResponse {
	return &cloudtrail.GetEventDataStoreResponse{
		EventDataStoreArn:            ptr(d.arn()),
		Name:                         ptr(d.Name),
		Status:                       cloudtrail.EventDataStoreStatus(d.Status),
		AdvancedEventSelectors:       selectorsToAPI(d.Selectors),
		MultiRegionEnabled:           ptr(d.MultiRegion),
		OrganizationEnabled:          ptr(false),
		RetentionPeriod:              ptr(int32(d.RetentionDays)),
		TerminationProtectionEnabled: ptr(d.Termination),
		BillingMode:                  cloudtrail.BillingMode(d.BillingMode),
		FederationStatus:             cloudtrail.FederationStatusDisabled,
		CreatedTimestamp:             api.NewTimestamp(d.Created),
		UpdatedTimestamp:             api.NewTimestamp(d.Updated),
	}
}

// UpdateEventDataStore changes the settings given; the rest stay.
func (s *Service) UpdateEventDataStore(ctx context.Context, req *cloudtrail.UpdateEventDataStoreRequest) (*cloudtrail.UpdateEventDataStoreResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if req.OrganizationEnabled != nil && *req.OrganizationEnabled {
		return nil, cloudtrail.NewOrganizationsNotInUseException(
			"This account is not a member of an organization; an organization event data store needs AWS Organizations.")
	}
	if req.KmsKeyId != nil {
		return nil, cloudtrail.NewUnsupportedOperationException(
			"KmsKeyId is not supported: Cairn does not integrate with AWS KMS.")
	}
	var newSelectors []selectorrules.Selector
	var newKind string
	if req.AdvancedEventSelectors != nil {
		if newSelectors, newKind, err = validateSelectors(req.AdvancedEventSelectors); err != nil {
			return nil, err
		}
	}
	now := s.clock()
	var rec *dataStoreRecord
	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		if rec, err = s.findDataStore(tx, sc, deref(req.EventDataStore)); err != nil {
			return err
		}
		if rec.Status == statusPendingDeletion {
			return inactive(rec)
		}
		if req.Name != nil && *req.Name != rec.Name {
			clash := false
			err := scanJSON(tx, dataStoreBucket, scopePrefix(sc.account, sc.region), func(_ string, d *dataStoreRecord) error {
				clash = clash || (d.Name == *req.Name && !d.expired(now))
				return nil
			})
			if err != nil {
				return err
			}
			if clash {
				return cloudtrail.NewEventDataStoreAlreadyExistsException(
					"An event data store with the name %s already exists in this account and Region.", *req.Name)
			}
			rec.Name = *req.Name
		}
		billing := rec.BillingMode
		if req.BillingMode != "" && string(req.BillingMode) != billing {
			if billing == billingExtendable {
				return cloudtrail.NewInvalidParameterException(
					"The billing mode of an event data store can change from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING, not back.")
			}
			billing = string(req.BillingMode)
		}
		retention, err := retentionDays(billing, req.RetentionPeriod, rec.RetentionDays)
		if err != nil {
			return err
		}
		rec.BillingMode, rec.RetentionDays = billing, retention
		if req.TerminationProtectionEnabled != nil {
			rec.Termination = *req.TerminationProtectionEnabled
		}
		rewindow := false
		if req.MultiRegionEnabled != nil && *req.MultiRegionEnabled != rec.MultiRegion {
			rec.MultiRegion = *req.MultiRegionEnabled
			rewindow = true
		}
		if newSelectors != nil {
			if newKind != rec.Kind {
				return cloudtrail.NewInvalidEventSelectorsException(
					"The event category of an event data store cannot change: it logs %s events, and the selectors given select %s events.",
					kindDescription(rec.Kind), kindDescription(newKind))
			}
			rec.Selectors = newSelectors
			rewindow = true
		}
		if rewindow && rec.ingesting() {
			channels, err := s.channelsInto(tx, rec)
			if err != nil {
				return err
			}
			rec.closeWindow(seq)
			rec.openWindow(seq, channels)
		}
		rec.Updated = now
		return putJSON(tx, dataStoreBucket, rec.key(), rec)
	})
	if err != nil {
		return nil, err
	}
	d := describe(rec)
	return &cloudtrail.UpdateEventDataStoreResponse{
		EventDataStoreArn:            d.EventDataStoreArn,
		Name:                         d.Name,
		Status:                       d.Status,
		AdvancedEventSelectors:       d.AdvancedEventSelectors,
		MultiRegionEnabled:           d.MultiRegionEnabled,
		OrganizationEnabled:          d.OrganizationEnabled,
		RetentionPeriod:              d.RetentionPeriod,
		TerminationProtectionEnabled: d.TerminationProtectionEnabled,
		BillingMode:                  d.BillingMode,
		FederationStatus:             d.FederationStatus,
		CreatedTimestamp:             d.CreatedTimestamp,
		UpdatedTimestamp:             d.UpdatedTimestamp,
	}, nil
}

// DeleteEventDataStore puts a store in PENDING_DELETION: it stops
// ingesting, and after seven days it and its events are gone unless it is
// restored.
func (s *Service) DeleteEventDataStore(ctx context.Context, req *cloudtrail.DeleteEventDataStoreRequest) (*cloudtrail.DeleteEventDataStoreResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		rec, err := s.findDataStore(tx, sc, deref(req.EventDataStore))
		if err != nil {
			return err
		}
		if rec.Status == statusPendingDeletion {
			return inactive(rec)
		}
		if rec.Termination {
			return cloudtrail.NewEventDataStoreTerminationProtectedException(
				"The event data store %s cannot be deleted because termination protection is enabled. Disable it with UpdateEventDataStore first.", rec.arn())
		}
		var channelARNs []string
		err = scanJSON(tx, channelBucket, scopePrefix(sc.account, sc.region), func(_ string, c *channelRecord) error {
			if c.hasDestination(rec.arn()) {
				channelARNs = append(channelARNs, c.arn())
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(channelARNs) > 0 {
			return cloudtrail.NewChannelExistsForEDSException(
				"The event data store %s is the destination of channel %s. Delete the channel or change its destinations first.",
				rec.arn(), strings.Join(channelARNs, ", "))
		}
		rec.StatusBeforeDeletion = rec.Status
		if rec.ingesting() {
			rec.closeWindow(seq)
		}
		rec.Status = statusPendingDeletion
		rec.DeletedAt = &now
		rec.Updated = now
		return putJSON(tx, dataStoreBucket, rec.key(), rec)
	})
	if err != nil {
		return nil, err
	}
	return &cloudtrail.DeleteEventDataStoreResponse{}, nil
}

// RestoreEventDataStore brings back a store pending deletion, in the
// state it had before.
func (s *Service) RestoreEventDataStore(ctx context.Context, req *cloudtrail.RestoreEventDataStoreRequest) (*cloudtrail.RestoreEventDataStoreResponse, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var rec *dataStoreRecord
	err = s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		if rec, err = s.findDataStore(tx, sc, deref(req.EventDataStore)); err != nil {
			return err
		}
		if rec.Status != statusPendingDeletion {
			return cloudtrail.NewInvalidEventDataStoreStatusException(
				"The event data store %s is %s; only an event data store in PENDING_DELETION can be restored.", rec.arn(), rec.Status)
		}
		rec.Status = rec.StatusBeforeDeletion
		if rec.Status == "" || rec.Status == statusCreated {
			rec.Status = statusEnabled
		}
		if rec.Status == statusEnabled {
			channels, err := s.channelsInto(tx, rec)
			if err != nil {
				return err
			}
			rec.openWindow(seq, channels)
		}
		rec.DeletedAt, rec.StatusBeforeDeletion = nil, ""
		rec.Updated = now
		return putJSON(tx, dataStoreBucket, rec.key(), rec)
	})
	if err != nil {
		return nil, err
	}
	d := describe(rec)
	return &cloudtrail.RestoreEventDataStoreResponse{
		EventDataStoreArn:            d.EventDataStoreArn,
		Name:                         d.Name,
		Status:                       d.Status,
		AdvancedEventSelectors:       d.AdvancedEventSelectors,
		MultiRegionEnabled:           d.MultiRegionEnabled,
		OrganizationEnabled:          d.OrganizationEnabled,
		RetentionPeriod:              d.RetentionPeriod,
		TerminationProtectionEnabled: d.TerminationProtectionEnabled,
		BillingMode:                  d.BillingMode,
		CreatedTimestamp:             d.CreatedTimestamp,
		UpdatedTimestamp:             d.UpdatedTimestamp,
	}, nil
}

// StartEventDataStoreIngestion resumes ingestion of a stopped store.
func (s *Service) StartEventDataStoreIngestion(ctx context.Context, req *cloudtrail.StartEventDataStoreIngestionRequest) (*cloudtrail.StartEventDataStoreIngestionResponse, error) {
	err := s.switchIngestion(ctx, deref(req.EventDataStore), true)
	if err != nil {
		return nil, err
	}
	return &cloudtrail.StartEventDataStoreIngestionResponse{}, nil
}

// StopEventDataStoreIngestion stops ingestion; the store keeps its events.
func (s *Service) StopEventDataStoreIngestion(ctx context.Context, req *cloudtrail.StopEventDataStoreIngestionRequest) (*cloudtrail.StopEventDataStoreIngestionResponse, error) {
	err := s.switchIngestion(ctx, deref(req.EventDataStore), false)
	if err != nil {
		return nil, err
	}
	return &cloudtrail.StopEventDataStoreIngestionResponse{}, nil
}

func (s *Service) switchIngestion(ctx context.Context, ref string, start bool) error {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.updateWindowed(ctx, func(tx store.Tx, seq int64) error {
		rec, err := s.findDataStore(tx, sc, ref)
		if err != nil {
			return err
		}
		if rec.Kind != kindCloudTrail {
			return cloudtrail.NewInvalidEventDataStoreCategoryException(
				"Ingestion can be started and stopped only on event data stores of CloudTrail events; %s logs %s events.",
				rec.arn(), kindDescription(rec.Kind))
		}
		want, next := statusStoppedIngestion, statusEnabled
		if !start {
			want, next = statusEnabled, statusStoppedIngestion
		}
		if rec.Status != want {
			return cloudtrail.NewInvalidEventDataStoreStatusException(
				"The event data store %s is %s; it must be %s for this operation.", rec.arn(), rec.Status, want)
		}
		if start {
			rec.openWindow(seq, nil)
		} else {
			rec.closeWindow(seq)
		}
		rec.Status = next
		rec.Updated = now
		return putJSON(tx, dataStoreBucket, rec.key(), rec)
	})
}

// defaultListPageSize is the page size of ListEventDataStores and
// ListChannels when MaxResults is not given.
const defaultListPageSize = 1000

// ListEventDataStores lists the stores of the caller's account and Region,
// including those pending deletion.
func (s *Service) ListEventDataStores(ctx context.Context, req *cloudtrail.ListEventDataStoresRequest) (*cloudtrail.ListEventDataStoresResponse, error) {
	now := s.clock()
	out := &cloudtrail.ListEventDataStoresResponse{EventDataStores: []cloudtrail.EventDataStore{}}
	token, err := listPage(ctx, s.store, dataStoreBucket, "eventdatastores", req.MaxResults, req.NextToken,
		func(d *dataStoreRecord) bool {
			if d.expired(now) {
				return false
			}
			full := describe(d)
			out.EventDataStores = append(out.EventDataStores, cloudtrail.EventDataStore{
				EventDataStoreArn:            full.EventDataStoreArn,
				Name:                         full.Name,
				Status:                       full.Status,
				AdvancedEventSelectors:       full.AdvancedEventSelectors,
				MultiRegionEnabled:           full.MultiRegionEnabled,
				OrganizationEnabled:          full.OrganizationEnabled,
				RetentionPeriod:              full.RetentionPeriod,
				TerminationProtectionEnabled: full.TerminationProtectionEnabled,
				CreatedTimestamp:             full.CreatedTimestamp,
				UpdatedTimestamp:             full.UpdatedTimestamp,
			})
			return true
		})
	if err != nil {
		return nil, err
	}
	out.NextToken = token
	return out, nil
}

// listPage lists one page of the caller's records of a bucket, in key
// order, after the position a token names: add is called with each record
// and reports whether it was listed. It returns the next page's token.
func listPage[T any](ctx context.Context, st store.Store, bucket, list string, maxResults *int32, nextToken *string, add func(*T) bool) (*string, error) {
	_, sc, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	limit := defaultListPageSize
	if maxResults != nil {
		limit = int(*maxResults)
	}
	after := ""
	if nextToken != nil {
		if after, err = decodeToken(*nextToken, list, sc); err != nil {
			return nil, err
		}
	}
	var token *string
	listed := 0
	err = st.View(ctx, func(tx store.Tx) error {
		return scanJSON(tx, bucket, scopePrefix(sc.account, sc.region), func(key string, v *T) error {
			if key <= after {
				return nil
			}
			if listed == limit {
				token = ptr(encodeToken(list, sc, after))
				return store.ErrStop
			}
			if add(v) {
				listed++
				after = key
			}
			return nil
		})
	})
	return token, err
}

// findDataStore resolves an ARN or ID to a store of the caller's account
// and Region. A store whose pending deletion has run out is gone.
func (s *Service) findDataStore(tx store.Tx, sc scope, ref string) (*dataStoreRecord, error) {
	id, err := refID(ref, tagging.ResourceEventDataStore, sc)
	switch {
	case errors.Is(err, errMalformedARN):
		return nil, cloudtrail.NewEventDataStoreARNInvalidException(
			"The specified event data store ARN %s is not valid. Specify the ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the ID of an event data store.", ref)
	case err != nil:
		return nil, dataStoreNotFound(ref)
	}
	rec, err := getJSON[dataStoreRecord](tx, dataStoreBucket, scopedKey(sc.account, sc.region, id))
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.expired(s.clock()) {
		return nil, dataStoreNotFound(ref)
	}
	return rec, nil
}

func dataStoreNotFound(ref string) error {
	return cloudtrail.NewEventDataStoreNotFoundException(
		"The specified event data store %s does not exist in this account and Region.", ref)
}

func inactive(rec *dataStoreRecord) error {
	return cloudtrail.NewInactiveEventDataStoreException(
		"The event data store %s is pending deletion. Restore it with RestoreEventDataStore first.", rec.arn())
}

func (d *dataStoreRecord) key() string { return scopedKey(d.Account, d.Region, d.ID) }

// expired reports whether the store's seven days of pending deletion are
// over.
func (d *dataStoreRecord) expired(now time.Time) bool {
	return d.Status == statusPendingDeletion && d.DeletedAt != nil && !now.Before(d.DeletedAt.Add(pendingDeletionPeriod))
}

// openWindow starts a window of ingestion after seq with the store's
// current selectors and scope.
func (d *dataStoreRecord) openWindow(seq int64, channels []string) {
	d.Windows = append(d.Windows, window{
		After: seq, Selectors: d.Selectors, MultiRegion: d.MultiRegion, Channels: channels,
	})
}

// closeWindow ends the open window at seq; a window that saw no event is
// dropped.
func (d *dataStoreRecord) closeWindow(seq int64) {
	last := &d.Windows[len(d.Windows)-1]
	if seq <= last.After {
		d.Windows = d.Windows[:len(d.Windows)-1]
		return
	}
	last.Through = &seq
}

// retentionDays checks a requested retention period against the billing
// mode, defaulting to current (or the billing mode's default when zero).
func retentionDays(billing string, requested *int32, current int) (int, error) {
	days := current
	if requested != nil {
		days = int(*requested)
	}
	if days == 0 {
		days = defaultExtendableRetentionDays
		if billing == billingFixed {
			days = defaultFixedRetentionDays
		}
	}
	if billing == billingFixed && days > maxFixedRetentionDays {
		return 0, cloudtrail.NewInvalidParameterException(
			"The retention period of an event data store with FIXED_RETENTION_PRICING is 7 to %d days; %d was specified.",
			maxFixedRetentionDays, days)
	}
	return days, nil
}

// validateSelectors checks selectors for an event data store and returns
// them as stored with the kind of store they make.
func validateSelectors(in []cloudtrail.AdvancedEventSelector) ([]selectorrules.Selector, string, error) {
	if in == nil {
		return defaultSelectors(), kindCloudTrail, nil
	}
	valid, err := selectorrules.Validate(in, selectorrules.EventDataStore)
	if err != nil {
		return nil, "", err
	}
	return valid, selectorrules.StoreKind(valid), nil
}

func selectorsToAPI(in []selectorrules.Selector) []cloudtrail.AdvancedEventSelector {
	out := make([]cloudtrail.AdvancedEventSelector, 0, len(in))
	for _, sel := range in {
		out = append(out, sel.ToAPI())
	}
	return out
}

func kindDescription(kind string) string {
	if kind == kindCloudTrail {
		return "CloudTrail (Management, Data or NetworkActivity)"
	}
	return kind
}

// List tokens name the last key of the previous page, bound to the list
// and the caller's scope.
func encodeToken(list string, sc scope, lastKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + "\x00" + sc.account + "\x00" + sc.region + "\x00" + lastKey))
}

func decodeToken(token, list string, sc scope) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	parts := strings.SplitN(string(raw), "\x00", 4)
	if err != nil || len(parts) != 4 || parts[0] != list || parts[1] != sc.account || parts[2] != sc.region {
		return "", cloudtrail.NewInvalidNextTokenException("The NextToken %s is not valid.", token)
	}
	return parts[3], nil
}
