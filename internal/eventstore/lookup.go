package eventstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/events"
)

// Lookup attribute keys, spelled as LookupEvents spells them.
const (
	AttrEventID      = "EventId"
	AttrEventName    = "EventName"
	AttrReadOnly     = "ReadOnly"
	AttrUsername     = "Username"
	AttrResourceType = "ResourceType"
	AttrResourceName = "ResourceName"
	AttrEventSource  = "EventSource"
	AttrAccessKeyID  = "AccessKeyId"
)

// Attribute is one lookup attribute.
type Attribute struct {
	Key   string
	Value string
}

// LookupQuery selects events for event history.
type LookupQuery struct {
	Account, Region string // required: the scope
	// Attribute, if set, is the single attribute events must match.
	Attribute *Attribute
	// Start and End bound event time, both inclusive; zero is unbounded.
	// Event history's 90 days are the caller's to apply, through Start.
	Start, End time.Time
	// ManagementOnly keeps management events; InsightOnly keeps Insights
	// events. With neither, every event of the scope is eligible.
	ManagementOnly, InsightOnly bool
	// Limit is the page size; 0 means 50.
	Limit int
	// After continues from the previous page's Next.
	After Position
}

// Position is an opaque place in Lookup's order (newest first). The empty
// Position is the beginning.
type Position string

type position struct {
	t   time.Time
	seq int64
}

func (p position) encode() Position {
	return Position(strconv.FormatInt(p.t.UnixMicro(), 36) + "." + strconv.FormatInt(p.seq, 36))
}

// ErrInvalidPosition is returned for a Position Lookup did not produce.
var ErrInvalidPosition = errors.New("eventstore: invalid lookup position")

func parsePosition(p Position) (position, error) {
	a, b, ok := strings.Cut(string(p), ".")
	if !ok {
		return position{}, ErrInvalidPosition
	}
	us, err1 := strconv.ParseInt(a, 36, 64)
	seq, err2 := strconv.ParseInt(b, 36, 64)
	if err1 != nil || err2 != nil || seq <= 0 {
		return position{}, ErrInvalidPosition
	}
	return position{t: time.UnixMicro(us).UTC(), seq: seq}, nil
}

// LookupEvent is one event as event history reports it.
type LookupEvent struct {
	Seq         int64
	EventID     string
	EventName   string
	EventSource string
	EventTime   time.Time
	ReadOnly    *bool
	Username    string
	AccessKeyID string
	Resources   []events.LookupResource
	// JSON is the whole record (LookupEvents' CloudTrailEvent).
	JSON []byte
}

// LookupResult is one page of Lookup.
type LookupResult struct {
	Events []LookupEvent
	// Next continues the lookup; empty when there is nothing more.
	Next Position
}

// Lookup returns events of one account and region, newest first (ties in
// event time broken by newest sequence first), filtered as q says.
//
// It works in two steps. The first reads the page's sequence numbers and
// times from the lookup index (hindex.go): the newest entries of the key
// of the scope, kind and attribute. The second fetches the page's records
// from the tables by sequence number, through each table's index on seq
// (which reads one block per event), and checks that each record is
// in the scope and has the attribute, so that a hash collision in the
// index can never show a wrong event.
func (s *Store) Lookup(ctx context.Context, q LookupQuery) (LookupResult, error) {
	if s.closed.Load() {
		return LookupResult{}, ErrClosed
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var after *position
	if q.After != "" {
		p, err := parsePosition(q.After)
		if err != nil {
			return LookupResult{}, err
		}
		after = &p
	}
	code, value := uint8(codeAll), ""
	if a := q.Attribute; a != nil {
		c, ok := attrCodes[a.Key]
		if !ok {
			return LookupResult{}, fmt.Errorf("eventstore: unknown lookup attribute %q", a.Key)
		}
		code, value = c, a.Value
	}
	var kinds []uint8
	switch {
	case q.ManagementOnly && q.InsightOnly:
		kinds = []uint8{kindManagement, kindInsight}
	case q.ManagementOnly:
		kinds = []uint8{kindManagement}
	case q.InsightOnly:
		kinds = []uint8{kindInsight}
	default:
		kinds = []uint8{kindOther, kindManagement, kindInsight}
	}
	fq := findQuery{stopT: ^uint64(0), upTo: s.committed.Load(), n: limit + 1}
	for _, k := range kinds {
		fq.keys = append(fq.keys, attrKey(scopeHash(q.Account, q.Region, k), code, value))
	}
	if !q.Start.IsZero() {
		fq.stopT = timeCode(q.Start)
	}
	if !q.End.IsZero() {
		fq.start.t = timeCode(q.End)
	}
	if after != nil {
		p := entry{t: timeCode(after.t), s: seqCode(after.seq) + 1}
		if cmpOrder(p, fq.start) > 0 {
			fq.start = p
		}
	}

	var res LookupResult
	for {
		cands, err := s.index.find(fq)
		if err != nil {
			return LookupResult{}, err
		}
		take := cands[:min(len(cands), limit-len(res.Events))]
		got, err := s.fetch(ctx, take)
		if err != nil {
			return LookupResult{}, err
		}
		for _, c := range take {
			f, ok := got[c.seq()]
			if !ok {
				continue // dropped by retention
			}
			e, ok, err := f.event(c, q, kinds, code, value)
			if err != nil {
				return LookupResult{}, err
			}
			if ok {
				res.Events = append(res.Events, e)
			}
		}
		more := len(cands) > len(take)
		if len(res.Events) == limit {
			if more {
				last := res.Events[limit-1]
				res.Next = position{t: last.EventTime, seq: last.Seq}.encode()
			}
			return res, nil
		}
		if !more {
			return res, nil
		}
		// Some were not what the key stands for (a hash collision): read on.
		last := take[len(take)-1]
		fq.start = entry{t: last.t, s: last.s + 1}
		fq.n = limit - len(res.Events) + 1
	}
}

// fetched is a record read by Lookup's second step.
type fetched struct {
	types, names *string
	json         []byte
}

// fetch reads the records of index entries: from the log while the event
// is there (one read of its frame), else from the partition of its month.
// Entries whose events are gone (dropped by retention) are missing from
// the answer.
func (s *Store) fetch(ctx context.Context, cands []entry) (map[int64]fetched, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[int64]fetched, len(cands))
	byMonth := map[int][]string{}
	for _, c := range cands {
		seq := c.seq()
		if seq <= s.compacted {
			if a := s.findArchived(seq); a != nil {
				r, err := a.read(seq)
				if err != nil {
					return nil, fmt.Errorf("looking up events: %w", err)
				}
				out[seq] = fetched{types: nonEmpty(r.v.types), names: nonEmpty(r.v.names), json: r.json}
				continue
			}
			if m := monthOf(c.time()); slices.Contains(s.partitions, m) {
				byMonth[m] = append(byMonth[m], strconv.FormatInt(seq, 10))
			}
			continue
		}
		for _, g := range s.segs {
			st := g.state()
			if seq < st.first || seq > st.last() {
				continue
			}
			rows, err := g.readRows(st, seq, seq)
			if err != nil {
				return nil, fmt.Errorf("looking up events: %w", err)
			}
			r := &rows[0]
			out[seq] = fetched{types: nonEmpty(r.v.types), names: nonEmpty(r.v.names), json: r.json}
			break
		}
	}
	var parts []string
	for m, seqs := range byMonth {
		parts = append(parts, `SELECT seq, lookupResourceTypes, lookupResourceNames, eventJson FROM `+tableName(m)+
			` WHERE seq IN (`+strings.Join(seqs, ",")+`)`)
	}
	if len(parts) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return nil, fmt.Errorf("looking up events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var f fetched
		if err := rows.Scan(&seq, &f.types, &f.names, &f.json); err != nil {
			return nil, fmt.Errorf("looking up events: %w", err)
		}
		out[seq] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("looking up events: %w", err)
	}
	return out, nil
}

// event turns a fetched record into the event history reports, and says
// whether it is what the lookup asked for.
func (f fetched) event(c entry, q LookupQuery, kinds []uint8, code uint8, value string) (LookupEvent, bool, error) {
	r, err := events.Parse(f.json)
	if err != nil {
		return LookupEvent{}, false, fmt.Errorf("looking up events: stored event %d: %w", c.seq(), err)
	}
	v := valuesOf(&r)
	v.types, v.names = deref(f.types), deref(f.names)
	if v.account != q.Account || v.region != q.Region || !slices.Contains(kinds, v.kind) || !v.has(code, value) {
		return LookupEvent{}, false, nil
	}
	e := LookupEvent{
		Seq: c.seq(), EventTime: c.time(), EventID: v.eventID, EventName: v.eventName, EventSource: v.eventSource,
		Username: v.username, AccessKeyID: v.accessKeyID, ReadOnly: r.ReadOnly, JSON: f.json,
	}
	if f.types != nil && f.names != nil {
		ts, ns := strings.Split(*f.types, "\n"), strings.Split(*f.names, "\n")
		for i := range ts {
			res := events.LookupResource{Type: ts[i]}
			if i < len(ns) {
				res.Name = ns[i]
			}
			e.Resources = append(e.Resources, res)
		}
	}
	return e, true, nil
}

// has reports whether the event has the attribute value (code codeAll:
// any event).
func (v *lookupValues) has(code uint8, value string) bool {
	inList := func(list string) bool {
		for list != "" {
			var item string
			item, list, _ = strings.Cut(list, "\n")
			if item == value {
				return true
			}
		}
		return false
	}
	switch code {
	case codeAll:
		return true
	case codeEventID:
		return v.eventID == value
	case codeEventName:
		return v.eventName == value
	case codeEventSource:
		return v.eventSource == value
	case codeUsername:
		return v.username == value
	case codeAccessKeyID:
		return v.accessKeyID == value
	case codeReadOnly:
		return (value == "true" && v.readOnly == 1) || (value == "false" && v.readOnly == 0)
	case codeResourceType:
		return value != "" && inList(v.types)
	case codeResourceName:
		return value != "" && inList(v.names)
	}
	return false
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
