package trails

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
)

// GetTrail returns a trail's settings. A shadow trail is found by its ARN.
func (s *Service) GetTrail(ctx context.Context, req *cloudtrail.GetTrailRequest) (*cloudtrail.GetTrailResponse, error) {
	t, err := s.readTrail(ctx, deref(req.Name))
	if err != nil {
		return nil, err
	}
	v := toTrail(t)
	return &cloudtrail.GetTrailResponse{Trail: &v}, nil
}

// readTrail finds the trail a read operation names: by name in the caller's
// Region, or by ARN, which also finds shadows of multi-Region trails.
func (s *Service) readTrail(ctx context.Context, name string) (*trailRecord, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := parseTrailRef(name)
	if err != nil {
		return nil, err
	}
	var t *trailRecord
	err = s.store.View(ctx, func(tx store.Tx) error {
		t, err = findVisible(tx, sc, ref, false)
		return err
	})
	return t, err
}

// DescribeTrails returns the trails of the caller's Region, with the shadows
// of multi-Region trails unless includeShadowTrails is false. Given names
// match trails whose home is the caller's Region; given ARNs also match
// shadows. Names and ARNs that match nothing are skipped.
func (s *Service) DescribeTrails(ctx context.Context, req *cloudtrail.DescribeTrailsRequest) (*cloudtrail.DescribeTrailsResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	includeShadows := req.IncludeShadowTrails == nil || *req.IncludeShadowTrails
	refs := make([]trailRef, 0, len(req.TrailNameList))
	for _, name := range req.TrailNameList {
		ref, err := parseTrailRef(name)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	out := &cloudtrail.DescribeTrailsResponse{TrailList: []cloudtrail.Trail{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		out.TrailList = out.TrailList[:0]
		var found []*trailRecord
		if len(refs) == 0 {
			visible, err := trailsVisibleIn(tx, sc.account, sc.region)
			if err != nil {
				return err
			}
			found = visible
		}
		seen := map[string]bool{}
		for _, ref := range refs {
			t, err := findVisible(tx, sc, ref, false)
			if cloudtrailNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if !seen[t.key()] {
				seen[t.key()] = true
				found = append(found, t)
			}
		}
		for _, t := range found {
			if t.HomeRegion != sc.region && !includeShadows {
				continue
			}
			out.TrailList = append(out.TrailList, toTrail(t))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func cloudtrailNotFound(err error) bool {
	_, ok := err.(*cloudtrail.TrailNotFoundException)
	return ok
}

// ListTrails lists the trails that exist in the caller's Region, shadows
// included, ordered by name and home Region, a page at a time.
func (s *Service) ListTrails(ctx context.Context, req *cloudtrail.ListTrailsRequest) (*cloudtrail.ListTrailsResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	after := ""
	if req.NextToken != nil {
		after, err = decodeListToken(*req.NextToken, sc)
		if err != nil {
			return nil, err
		}
	}
	out := &cloudtrail.ListTrailsResponse{Trails: []cloudtrail.TrailInfo{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		out.Trails, out.NextToken = out.Trails[:0], nil
		visible, err := trailsVisibleIn(tx, sc.account, sc.region)
		if err != nil {
			return err
		}
		for _, t := range visible {
			if t.key() <= after {
				continue
			}
			if len(out.Trails) == s.listTrailsPageSize {
				out.NextToken = ptr(encodeListToken(sc, out.Trails[len(out.Trails)-1]))
				break
			}
			out.Trails = append(out.Trails, toTrailInfo(t))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// A ListTrails token names the last trail of the previous page and the
// account and Region it was issued to.
const listTokenPrefix = "trails.v1"

func encodeListToken(sc scope, last cloudtrail.TrailInfo) string {
	key := recordKey(sc.account, *last.Name, *last.HomeRegion)
	raw := strings.Join([]string{listTokenPrefix, sc.account, sc.region, key}, "\n")
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeListToken(token string, sc scope) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	parts := strings.Split(string(raw), "\n")
	if err != nil || len(parts) != 4 || parts[0] != listTokenPrefix || parts[1] != sc.account || parts[2] != sc.region {
		return "", cloudtrail.NewInvalidNextTokenException("Invalid NextToken: %s", token)
	}
	return parts[3], nil
}

// GetTrailStatus reports whether a trail is logging and, when a delivery
// source is configured, how its deliveries in the caller's Region went. A
// shadow trail is found by its ARN.
func (s *Service) GetTrailStatus(ctx context.Context, req *cloudtrail.GetTrailStatusRequest) (*cloudtrail.GetTrailStatusResponse, error) {
	sc, err := scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.readTrail(ctx, deref(req.Name))
	if err != nil {
		return nil, err
	}
	var d Delivery
	if s.delivery != nil {
		if d, err = s.delivery.TrailDelivery(ctx, t.arn(), sc.region); err != nil {
			return nil, err
		}
	}
	// AWS still sends the deprecated string members, empty until set.
	out := &cloudtrail.GetTrailStatusResponse{
		IsLogging:                          ptr(t.Logging),
		TimeLoggingStarted:                 ptr(isoTime(t.StartLoggingTime)),
		TimeLoggingStopped:                 ptr(isoTime(t.StopLoggingTime)),
		LatestDeliveryAttemptTime:          ptr(isoTime(nonZero(d.LatestDeliveryAttemptTime))),
		LatestDeliveryAttemptSucceeded:     ptr(isoTime(nonZero(d.LatestDeliveryAttemptSucceeded))),
		LatestNotificationAttemptTime:      ptr(isoTime(nonZero(d.LatestNotificationAttemptTime))),
		LatestNotificationAttemptSucceeded: ptr(isoTime(nonZero(d.LatestNotificationAttemptSucceeded))),
		StartLoggingTime:                   timestamp(t.StartLoggingTime),
		StopLoggingTime:                    timestamp(t.StopLoggingTime),
		LatestDeliveryTime:                 timestamp(nonZero(d.LatestDeliveryTime)),
		LatestDeliveryError:                optional(d.LatestDeliveryError),
		LatestDigestDeliveryTime:           timestamp(nonZero(d.LatestDigestDeliveryTime)),
		LatestDigestDeliveryError:          optional(d.LatestDigestDeliveryError),
		LatestNotificationTime:             timestamp(nonZero(d.LatestNotificationTime)),
		LatestNotificationError:            optional(d.LatestNotificationError),
		LatestCloudWatchLogsDeliveryTime:   timestamp(nonZero(d.LatestCloudWatchLogsDeliveryTime)),
		LatestCloudWatchLogsDeliveryError:  optional(d.LatestCloudWatchLogsDeliveryError),
	}
	return out, nil
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func timestamp(t *time.Time) *api.Timestamp {
	if t == nil {
		return nil
	}
	return api.NewTimestamp(*t)
}

// isoTime renders a time the way the deprecated string members carry it,
// or "" for none.
func isoTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
