package signingkeys

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// DefaultRotationPeriod is how long a new key stays the active one. AWS's
// published ListPublicKeys example shows a key valid for exactly 30 days.
const DefaultRotationPeriod = 30 * 24 * time.Hour

var (
	// ErrInvalidTimeRange is returned by List when the start time is after
	// the end time (ListPublicKeys' InvalidTimeRangeException).
	ErrInvalidTimeRange = errors.New("signingkeys: start time is after end time")

	// ErrInvalidRegion is returned for a region name that is empty or not
	// made of lowercase letters, digits and hyphens.
	ErrInvalidRegion = errors.New("signingkeys: invalid region name")

	// ErrCorruptKey is wrapped by Open's error when a committed key cannot be
	// read back.
	ErrCorruptKey = errors.New("signingkeys: corrupt key file")
)

// Options configures a Store.
type Options struct {
	// RotationPeriod is how long each key is active. Zero means
	// DefaultRotationPeriod; otherwise it must be at least one second.
	RotationPeriod time.Duration
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Store holds the signing keys of every region. It is safe for concurrent
// use.
type Store struct {
	dir    string
	period time.Duration
	now    func() time.Time

	mu      sync.Mutex
	regions map[string]*regionKeys
}

type regionKeys struct {
	mu   sync.Mutex
	keys []*Key // by ValidityStart; windows are contiguous
}

// Open loads the keys stored under dir, creating dir if needed.
func Open(dir string, opts Options) (*Store, error) {
	period := opts.RotationPeriod
	switch {
	case period == 0:
		period = DefaultRotationPeriod
	case period < time.Second:
		return nil, fmt.Errorf("signingkeys: rotation period %v is shorter than one second", period)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	loaded, err := loadAll(dir)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, period: period, now: now, regions: make(map[string]*regionKeys)}
	for region, keys := range loaded {
		s.regions[region] = &regionKeys{keys: keys}
	}
	return s, nil
}

// SigningKey returns the region's active key, creating the region's first key
// or rotating to a new one when the active key's validity has ended.
func (s *Store) SigningKey(region string) (*Key, error) {
	r, err := s.region(region)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return s.active(region, r)
}

// List returns the region's keys whose validity window overlaps [start, end],
// both ends inclusive, ordered by ValidityStart. A zero start or end means
// the current time, so List(region, time.Time{}, time.Time{}) returns the keys
// valid now, as ListPublicKeys does with no parameters. A start after end
// gives ErrInvalidTimeRange.
//
// Like SigningKey, List first makes sure the region has an active key, so the
// current key is always listable.
func (s *Store) List(region string, start, end time.Time) ([]PublicKey, error) {
	r, err := s.region(region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if start.IsZero() {
		start = now
	}
	if end.IsZero() {
		end = now
	}
	if start.After(end) {
		return nil, ErrInvalidTimeRange
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := s.active(region, r); err != nil {
		return nil, err
	}
	var out []PublicKey
	for _, k := range r.keys {
		if !k.ValidityStart.After(end) && !k.ValidityEnd.Before(start) {
			p := k.PublicKey
			p.PublicDER = slices.Clone(p.PublicDER)
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *Store) region(name string) (*regionKeys, error) {
	if !validRegion(name) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidRegion, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regions[name]
	if r == nil {
		r = &regionKeys{}
		s.regions[name] = r
	}
	return r, nil
}

// active returns the region's active key, generating and persisting a new one
// if there is none or the newest has expired. The caller holds r.mu. If the
// clock has gone back before the newest key's start, that key stays active
// rather than a key with an overlapping window being created.
func (s *Store) active(region string, r *regionKeys) (*Key, error) {
	now := s.now().UTC().Truncate(time.Second)
	start := now
	if n := len(r.keys); n > 0 {
		newest := r.keys[n-1]
		if now.Before(newest.ValidityEnd) {
			return newest, nil
		}
		start = newest.ValidityEnd
	}
	priv, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("signingkeys: generate key for %s: %w", region, err)
	}
	k := newKey(region, priv, start, now.Add(s.period))
	if err := writeKey(s.dir, k); err != nil {
		return nil, err
	}
	r.keys = append(r.keys, k)
	return k, nil
}

// validRegion accepts names such as us-east-1 or us-gov-west-1. The name
// becomes a directory name, so nothing else is allowed.
func validRegion(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '-' {
		return false
	}
	for _, c := range name {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
