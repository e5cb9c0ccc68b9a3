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
// It works in two steps. The first finds the sequence numbers and times of
// the page, reading only narrow columns, over time windows that widen
// backwards from the newest event (the last hour, day, week, month, then
// the rest), so that a common filter is answered from the newest row
// groups and the zone maps of eventTime skip the others. The second reads
// the page's full records by sequence number.
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
	// match selects the events of the scope with the attribute; common
	// holds the conditions the lookup index can apply too.
	var match, common filter
	match.add("scopeAccount = ?", q.Account)
	match.add("scopeRegion = ?", q.Region)
	var attr *Attribute
	if a := q.Attribute; a != nil {
		cond, arg, err := attributeFilter(*a)
		if err != nil {
			return LookupResult{}, err
		}
		match.add(cond, arg...)
		attr = a
	}
	switch {
	case q.ManagementOnly && q.InsightOnly:
		common.add("historyKind IN (1, 2)")
	case q.ManagementOnly:
		common.add("historyKind = 1")
	case q.InsightOnly:
		common.add("historyKind = 2")
	}
	lo, hi := q.Start, q.End
	if after != nil && (hi.IsZero() || after.t.Before(hi)) {
		hi = after.t
	}
	if !lo.IsZero() {
		common.add("eventTime >= ?", lo.UTC())
	}
	if !hi.IsZero() {
		common.add("eventTime <= ?", hi.UTC())
	}
	if after != nil {
		common.add("(eventTime < ? OR (eventTime = ? AND seq < ?))", after.t, after.t, after.seq)
	}
	common.add("seq <= ?", s.committed.Load())

	// The plan: time windows scanned newest first; or, for an indexed
	// attribute, the lookup index, after one window for attributes whose
	// values are often common (EventName, EventSource, ResourceType).
	windows := lookupWindows(lo, hi, s.opts.Now().UTC())
	var hash string
	if attr != nil {
		if code, ok := attrCodes[attr.Key]; ok {
			var h uint64
			if err := s.db.QueryRowContext(ctx, `SELECT hash(?, ?, ?, ?)`, q.Account, q.Region, code, attr.Value).Scan(&h); err != nil {
				return LookupResult{}, fmt.Errorf("looking up events: %w", err)
			}
			hash = strconv.FormatUint(h, 10)
			switch attr.Key {
			case AttrEventName, AttrEventSource, AttrResourceType:
				windows = []window{windows[0], {to: windows[0].from}}
				if windows[0].from.IsZero() {
					windows = windows[:1]
				}
			default:
				windows = []window{{}}
			}
		}
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	type table struct {
		name     string
		month    int
		from, to time.Time // event times it can hold; zero: any
	}
	var tables []table
	for _, n := range s.logs {
		tables = append(tables, table{name: logName(n)})
	}
	for _, m := range s.partitions {
		tables = append(tables, table{name: tableName(m), month: m, from: monthStart(m), to: monthStart(m).AddDate(0, 1, 0)})
	}

	var found []hit
	for i, w := range windows {
		indexed := hash != "" && (len(windows) == 1 || i > 0)
		wf := common.clone()
		if !w.from.IsZero() {
			wf.add("eventTime >= ?", w.from)
		}
		if !w.to.IsZero() {
			wf.add("eventTime < ?", w.to)
		}
		timeCond := wf.sql()
		for _, c := range match.conds {
			wf.conds = append(wf.conds, renumber(c, len(wf.args)))
		}
		wf.args = append(wf.args, match.args...)
		dataCond := wf.sql()
		var parts []string
		for i, t := range tables {
			if !t.from.IsZero() && ((!w.to.IsZero() && !t.from.Before(w.to)) || (!w.from.IsZero() && !t.to.After(w.from)) ||
				(!hi.IsZero() && t.from.After(hi)) || (!lo.IsZero() && !t.to.After(lo))) {
				continue
			}
			if indexed && t.month != 0 {
				// The index, and the partition's rows not indexed yet.
				parts = append(parts, fmt.Sprintf("SELECT seq, eventTime, %d AS t FROM %s WHERE h = %s::UBIGINT AND %s",
					i, indexName(t.month), hash, timeCond))
				if s.top[t.month] > s.indexed[t.month] {
					parts = append(parts, fmt.Sprintf("SELECT seq, eventTime, %d AS t FROM %s WHERE seq > %d AND %s",
						i, t.name, s.indexed[t.month], dataCond))
				}
			} else {
				parts = append(parts, fmt.Sprintf("SELECT seq, eventTime, %d AS t FROM %s WHERE %s", i, t.name, dataCond))
			}
		}
		if len(parts) == 0 {
			continue
		}
		query := strings.Join(parts, " UNION ALL ") +
			" ORDER BY eventTime DESC, seq DESC LIMIT " + strconv.Itoa(limit+1-len(found))
		rows, err := s.db.QueryContext(ctx, query, wf.args...)
		if err != nil {
			return LookupResult{}, fmt.Errorf("looking up events: %w", err)
		}
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.seq, &h.t, &h.table); err != nil {
				rows.Close()
				return LookupResult{}, fmt.Errorf("looking up events: %w", err)
			}
			found = append(found, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return LookupResult{}, fmt.Errorf("looking up events: %w", err)
		}
		if len(found) > limit {
			break
		}
	}

	var res LookupResult
	if len(found) > limit {
		found = found[:limit]
		last := found[limit-1]
		res.Next = position{t: last.t, seq: last.seq}.encode()
	}
	if len(found) == 0 {
		return res, nil
	}
	byTable := map[int][]string{}
	for _, h := range found {
		byTable[h.table] = append(byTable[h.table], strconv.FormatInt(h.seq, 10))
	}
	var parts []string
	for i, seqs := range byTable {
		parts = append(parts, `SELECT seq, eventTime, eventID, eventName, eventSource, readOnly, lookupUsername,
			lookupAccessKeyId, lookupResourceTypes, lookupResourceNames, `+jsonExpr(tables[i].name)+` FROM `+tables[i].name+
			` WHERE seq IN (`+strings.Join(seqs, ",")+`)`)
	}
	rows, err := s.db.QueryContext(ctx, strings.Join(parts, " UNION ALL "))
	if err != nil {
		return LookupResult{}, fmt.Errorf("looking up events: %w", err)
	}
	defer rows.Close()
	bySeq := map[int64]LookupEvent{}
	for rows.Next() {
		var e LookupEvent
		var id, name, source, user, key, types, names *string
		var js string
		if err := rows.Scan(&e.Seq, &e.EventTime, &id, &name, &source, &e.ReadOnly, &user, &key, &types, &names, &js); err != nil {
			return LookupResult{}, fmt.Errorf("looking up events: %w", err)
		}
		e.EventID, e.EventName, e.EventSource = deref(id), deref(name), deref(source)
		e.Username, e.AccessKeyID = deref(user), deref(key)
		if types != nil && names != nil {
			ts, ns := strings.Split(*types, "\n"), strings.Split(*names, "\n")
			for i := range ts {
				r := events.LookupResource{Type: ts[i]}
				if i < len(ns) {
					r.Name = ns[i]
				}
				e.Resources = append(e.Resources, r)
			}
		}
		e.JSON = []byte(js)
		bySeq[e.Seq] = e
	}
	if err := rows.Err(); err != nil {
		return LookupResult{}, fmt.Errorf("looking up events: %w", err)
	}
	for _, h := range found {
		if e, ok := bySeq[h.seq]; ok {
			res.Events = append(res.Events, e)
		}
	}
	return res, nil
}

// hit is an event found by the first step of Lookup.
type hit struct {
	seq   int64
	t     time.Time
	table int
}

// window is a range of event times, from inclusive, to exclusive; zero
// bounds are open.
type window struct{ from, to time.Time }

// lookupWindows splits [lo, hi] into windows, newest first, that widen
// backwards from hi (or from now when hi is open): an hour, a day, a week,
// a month, then the rest.
func lookupWindows(lo, hi, now time.Time) []window {
	anchor := hi
	if anchor.IsZero() {
		anchor = now
	}
	var out []window
	var to time.Time // the first window is open above: hi is in the filter
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 31 * 24 * time.Hour} {
		from := anchor.Add(-d)
		if !lo.IsZero() && !from.After(lo) {
			break
		}
		out = append(out, window{from: from, to: to})
		to = from
	}
	return append(out, window{to: to})
}

// filter is a conjunction of SQL conditions with numbered parameters, so
// that one argument list serves every table of a UNION.
type filter struct {
	conds []string
	args  []any
}

// add appends cond, whose ? placeholders take args in order.
func (f *filter) add(cond string, args ...any) {
	for _, a := range args {
		f.args = append(f.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(f.args)), 1)
	}
	f.conds = append(f.conds, cond)
}

// renumber shifts the $n placeholders of cond by n.
func renumber(cond string, n int) string {
	if n == 0 {
		return cond
	}
	var b strings.Builder
	for i := 0; i < len(cond); i++ {
		if cond[i] != '$' {
			b.WriteByte(cond[i])
			continue
		}
		j := i + 1
		for j < len(cond) && cond[j] >= '0' && cond[j] <= '9' {
			j++
		}
		k, _ := strconv.Atoi(cond[i+1 : j])
		b.WriteString("$" + strconv.Itoa(k+n))
		i = j - 1
	}
	return b.String()
}

func (f *filter) clone() filter {
	return filter{conds: slices.Clone(f.conds), args: slices.Clone(f.args)}
}

func (f *filter) sql() string { return strings.Join(f.conds, " AND ") }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// attributeFilter is the SQL condition for a lookup attribute.
func attributeFilter(a Attribute) (string, []any, error) {
	switch a.Key {
	case AttrEventID:
		return "eventID = ?", []any{a.Value}, nil
	case AttrEventName:
		return "eventName = ?", []any{a.Value}, nil
	case AttrEventSource:
		return "eventSource = ?", []any{a.Value}, nil
	case AttrUsername:
		return "lookupUsername = ?", []any{a.Value}, nil
	case AttrAccessKeyID:
		return "lookupAccessKeyId = ?", []any{a.Value}, nil
	case AttrReadOnly:
		switch a.Value {
		case "true":
			return "readOnly", nil, nil
		case "false":
			return "NOT readOnly", nil, nil
		}
		return "false", nil, nil
	case AttrResourceType:
		return "list_contains(string_split(lookupResourceTypes, chr(10)), ?)", []any{a.Value}, nil
	case AttrResourceName:
		return "list_contains(string_split(lookupResourceNames, chr(10)), ?)", []any{a.Value}, nil
	}
	return "", nil, fmt.Errorf("eventstore: unknown lookup attribute %q", a.Key)
}
