package history

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/api"
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
)

// Limits of LookupEvents.
const (
	DefaultMaxResults       = 50
	MaxMaxResults           = 50
	maxAttributeValueLength = 2000
)

// insightAttributeKeys are the only lookup attributes Insights events
// support.
var insightAttributeKeys = []string{
	string(cloudtrail.LookupAttributeKeyEventId),
	string(cloudtrail.LookupAttributeKeyEventName),
	string(cloudtrail.LookupAttributeKeyEventSource),
}

// Query is a validated LookupEvents request.
type Query struct {
	// Attribute is the single lookup attribute, or nil for none.
	Attribute *Attribute
	// Start and End bound event times, inclusive; a zero time is unbounded.
	Start, End time.Time
	// Insights selects Insights events instead of management events.
	Insights   bool
	MaxResults int
	// After is where the previous page ended, or nil for the first page.
	After *Cursor
	// fingerprint identifies the request parameters a NextToken belongs to.
	fingerprint string
}

// Attribute is a lookup attribute.
type Attribute struct {
	Key   string
	Value string
}

// Cursor is where a page ended, as the event source placed it (opaque).
type Cursor struct {
	Position string
}

// ValidateLookup checks a LookupEvents request as AWS does and returns it as
// a Query: at most one lookup attribute, with a supported key (only EventId,
// EventName and EventSource for Insights events) and a value of at most 2000
// characters counting '_', ' ', ',' and newline twice
// (InvalidLookupAttributesException); StartTime not after EndTime
// (InvalidTimeRangeException); MaxResults from 1 to 50
// (InvalidMaxResultsException); EventCategory only "insight"
// (InvalidEventCategoryException); and a NextToken issued for the same
// parameters (InvalidNextTokenException).
func ValidateLookup(req *cloudtrail.LookupEventsRequest) (Query, error) {
	q := Query{MaxResults: DefaultMaxResults}
	switch req.EventCategory {
	case "":
	case cloudtrail.EventCategoryInsight:
		q.Insights = true
	default:
		return Query{}, cloudtrail.NewInvalidEventCategoryException(
			"EventCategory %s is not valid. The only valid value is insight.", string(req.EventCategory))
	}
	if len(req.LookupAttributes) > 1 {
		return Query{}, cloudtrail.NewInvalidLookupAttributesException(
			"LookupAttributes can contain only one item; %d were specified.", len(req.LookupAttributes))
	}
	if len(req.LookupAttributes) == 1 {
		attr, err := validateAttribute(req.LookupAttributes[0], q.Insights)
		if err != nil {
			return Query{}, err
		}
		q.Attribute = &attr
	}
	if req.StartTime != nil {
		q.Start = req.StartTime.Time
	}
	if req.EndTime != nil {
		q.End = req.EndTime.Time
	}
	if req.StartTime != nil && req.EndTime != nil && q.Start.After(q.End) {
		return Query{}, cloudtrail.NewInvalidTimeRangeException("The start time must not be after the end time.")
	}
	if req.MaxResults != nil {
		n := int(*req.MaxResults)
		if n < 1 || n > MaxMaxResults {
			return Query{}, cloudtrail.NewInvalidMaxResultsException(
				"MaxResults %d is not valid. Specify a value from 1 to %d.", n, MaxMaxResults)
		}
		q.MaxResults = n
	}
	q.fingerprint = fingerprint(req)
	if req.NextToken != nil {
		c, err := decodeNextToken(*req.NextToken, q.fingerprint)
		if err != nil {
			return Query{}, err
		}
		q.After = &c
	}
	return q, nil
}

func validateAttribute(a cloudtrail.LookupAttribute, insights bool) (Attribute, error) {
	key := string(a.AttributeKey)
	if !slices.Contains(cloudtrail.LookupAttributeKeyValues(), key) {
		return Attribute{}, cloudtrail.NewInvalidLookupAttributesException(
			"AttributeKey %s is not valid. Valid keys are %s.", key, strings.Join(cloudtrail.LookupAttributeKeyValues(), ", "))
	}
	if insights && !slices.Contains(insightAttributeKeys, key) {
		return Attribute{}, cloudtrail.NewInvalidLookupAttributesException(
			"AttributeKey %s is not supported for Insights events. Valid keys are %s.", key, strings.Join(insightAttributeKeys, ", "))
	}
	if a.AttributeValue == nil || *a.AttributeValue == "" {
		return Attribute{}, cloudtrail.NewInvalidLookupAttributesException("AttributeValue for %s must not be empty.", key)
	}
	if n := attributeValueLength(*a.AttributeValue); n > maxAttributeValueLength {
		return Attribute{}, cloudtrail.NewInvalidLookupAttributesException(
			"AttributeValue for %s is %d characters long; the maximum is %d, and the characters '_', ' ', ',' and newline count as two.",
			key, n, maxAttributeValueLength)
	}
	return Attribute{Key: key, Value: *a.AttributeValue}, nil
}

// attributeValueLength measures a lookup attribute value the way its limit
// is defined: in characters, with '_', ' ', ',' and newline counting twice.
func attributeValueLength(v string) int {
	n := 0
	for _, r := range v {
		switch r {
		case '_', ' ', ',', '\n':
			n += 2
		default:
			n++
		}
	}
	return n
}

// fingerprint identifies the parameters that must repeat with a NextToken:
// everything but MaxResults and NextToken itself.
func fingerprint(req *cloudtrail.LookupEventsRequest) string {
	params := struct {
		Attributes []cloudtrail.LookupAttribute `json:"a"`
		Start      *api.Timestamp               `json:"s"`
		End        *api.Timestamp               `json:"e"`
		Category   cloudtrail.EventCategory     `json:"c"`
	}{req.LookupAttributes, req.StartTime, req.EndTime, req.EventCategory}
	raw, _ := json.Marshal(params)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

type nextToken struct {
	Version     int    `json:"v"`
	Fingerprint string `json:"q"`
	Position    string `json:"p"`
}

const nextTokenVersion = 2

// NextToken returns the token for the page after c in query q.
func NextToken(q Query, c Cursor) string {
	raw, _ := json.Marshal(nextToken{
		Version:     nextTokenVersion,
		Fingerprint: q.fingerprint,
		Position:    c.Position,
	})
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeNextToken(token, fingerprint string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	var t nextToken
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	if err != nil || t.Version != nextTokenVersion || t.Position == "" {
		return Cursor{}, cloudtrail.NewInvalidNextTokenException("Invalid NextToken: %s", token)
	}
	if t.Fingerprint != fingerprint {
		return Cursor{}, cloudtrail.NewInvalidNextTokenException(
			"The NextToken was issued for a request with different parameters.")
	}
	return Cursor{Position: t.Position}, nil
}
