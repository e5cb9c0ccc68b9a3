package trails

import (
	"slices"
	"sync"

	"github.com/cairnhq/cairn/internal/selectorrules"
)

// decodedRecords remembers trail records decoded from their stored JSON,
// keyed by those exact bytes, so that reading an unchanged trail (every
// GetTrail, DescribeTrails, ListTrails, ...) does not decode JSON again;
// decoding was the largest single cost of a GetTrail. An entry is found only
// by identical bytes, so it is never stale, and it is shared by every store
// because identical bytes decode to identical records. Callers always get
// their own deep copy.
var decodedRecords = recordCache{entries: make(map[string]*trailRecord)}

// maxCachedRecords bounds the cache (a record is well under 1 KiB).
const maxCachedRecords = 1024

type recordCache struct {
	mu      sync.RWMutex
	entries map[string]*trailRecord
}

// get returns a copy of the record stored as raw, or nil.
func (c *recordCache) get(raw []byte) *trailRecord {
	c.mu.RLock()
	t := c.entries[string(raw)]
	c.mu.RUnlock()
	if t == nil {
		return nil
	}
	return t.clone()
}

// put remembers a copy of t, decoded from raw, evicting an arbitrary entry
// when the cache is full.
func (c *recordCache) put(raw []byte, t *trailRecord) {
	kept := t.clone()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedRecords {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[string(raw)] = kept
}

// clone returns a deep copy of t: nothing reachable from the copy is shared
// with t (time.Time's Location aside, which is immutable). Nil and empty
// slices stay as they are, since they encode differently.
func (t *trailRecord) clone() *trailRecord {
	c := *t
	c.StartLoggingTime = clonePtr(t.StartLoggingTime)
	c.StopLoggingTime = clonePtr(t.StopLoggingTime)
	c.Selectors.Basic = cloneEach(t.Selectors.Basic, basicSelector.clone)
	c.Selectors.Advanced = cloneEach(t.Selectors.Advanced, selectorrules.Selector.Clone)
	c.InsightSelectors = cloneEach(t.InsightSelectors, insightRule.clone)
	return &c
}

func (s basicSelector) clone() basicSelector {
	s.DataResources = cloneEach(s.DataResources, dataResource.clone)
	s.ExcludeManagementEventSources = slices.Clone(s.ExcludeManagementEventSources)
	return s
}

func (d dataResource) clone() dataResource {
	d.Values = slices.Clone(d.Values)
	return d
}

func (r insightRule) clone() insightRule {
	r.Categories = slices.Clone(r.Categories)
	return r
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneEach[T any](s []T, clone func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = clone(v)
	}
	return out
}
