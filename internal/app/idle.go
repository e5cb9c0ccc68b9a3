package app

import (
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// idleRelease is how long the server must have been idle (no request, no
// compaction finished) before it gives memory back to the system.
const idleRelease = 3 * time.Second

// activity counts requests, so that the releaser can tell when the server
// falls idle.
type activity struct {
	next     http.Handler
	requests atomic.Int64
}

func (a *activity) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	a.next.ServeHTTP(w, r)
}

// releaseWhenIdle gives memory back to the system once the server has been
// idle for idleRelease after any activity: the garbage collector's and the
// event store's. Under load the heap runs up to GOGC's goal and DuckDB
// caches what compaction touched; neither shrinks by itself while nothing
// runs, so an idle server would keep its peak.
func (s *Server) releaseWhenIdle(stop <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	// What runs from the start on counts as activity.
	idle := idleDetector{quiet: idleRelease, since: time.Now()}
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			if idle.observe(now, s.activity.requests.Load()+s.compactions()) {
				if !s.releaseStorageMemory() {
					// A query or compaction is running: try again at
					// the next tick.
					idle.retry()
					continue
				}
				debug.FreeOSMemory()
				s.idleReleases.Add(1)
			}
		}
	}
}

// idleDetector tells, from a count of activity sampled now and then, when
// the count has stood still for quiet: once per stretch of idleness, and
// not before any activity at all has been seen since the last time. The
// count starts at zero, at since.
type idleDetector struct {
	quiet    time.Duration
	seen     int64 // the count at since
	since    time.Time
	released int64 // the count at the last release
}

// retry makes the next observation of the same stretch fire again.
func (d *idleDetector) retry() { d.released = -1 }

func (d *idleDetector) observe(now time.Time, count int64) bool {
	if count != d.seen {
		d.seen, d.since = count, now
		return false
	}
	if count == d.released || now.Sub(d.since) < d.quiet {
		return false
	}
	d.released = count
	return true
}

// IdleReleases is how many times the server has given memory back since
// it started.
func (s *Server) IdleReleases() int64 { return s.idleReleases.Load() }

func (s *Server) compactions() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.storage == nil || s.storage.events == nil {
		return 0
	}
	return s.storage.events.Compactions()
}

// releaseStorageMemory reports false when the event store was busy.
func (s *Server) releaseStorageMemory() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.storage == nil || s.storage.events == nil {
		return true
	}
	released, err := s.storage.events.ReleaseMemory()
	if err != nil {
		s.logger.Warn("releasing the event store's memory", "error", err)
	}
	return released || err != nil
}
