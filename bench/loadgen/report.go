package loadgen

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Goals from the benchmark's issue.
const (
	goalRatio   = 50.0
	goalP99     = 2 * time.Millisecond
	goalStartup = 100 * time.Millisecond
	goalIdleRSS = 64 << 20
	// The event pipeline issue's goals.
	goalIngestRate = 50_000 // events per second, durable
	goalLookupP50  = 5 * time.Millisecond
	goalLookupP99  = 20 * time.Millisecond
)

// WriteMarkdown renders the report as Markdown tables.
func (r *Report) WriteMarkdown(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %s RAM, Linux %s, %s", m.CPUs, m.CPUModel, mib(m.MemTotal), m.Kernel, m.GoVersion)
	if m.Moto != "" {
		fmt.Fprintf(w, ", %s", m.Moto)
	}
	fmt.Fprintf(w, "; cairn from %s; data directories on %s, where a 4 KiB write + fdatasync takes p50 %s, p99 %s, max %s.\n\n",
		r.Revision, m.DataFS, dur(m.Fsync.P50), dur(m.Fsync.P99), dur(m.Fsync.Max))
	if len(r.Cases) > 0 {
		r.writeLoad(w)
	}
	if r.Pipeline != nil {
		o := r.Options
		fmt.Fprintf(w, "Event pipeline: %d connections post %d-record batches to /_cairn/events for %v warmup then %v measured; LookupEvents over %d connection(s), %v per attribute, each call signed.\n\n",
			o.IngestConns, o.BatchEvents, o.Warmup, o.Duration, o.LookupConns, o.LookupDuration)
	}
	r.writeResults(w)
}

func (r *Report) writeLoad(w io.Writer) {
	o := r.Options
	sign := "every request signed (SigV4)"
	if o.SignEvery > 0 {
		sign = fmt.Sprintf("SigV4, each request re-signed when its signature is %v old", o.SignEvery)
	}
	fmt.Fprintf(w, "Load: %d keep-alive connections, closed loop, %v warmup then %v measured per case, %d round(s); %s.\n\n",
		o.Conns, o.Warmup, o.Duration, o.Rounds, sign)
}

// writeResults renders every table and the goals.
func (r *Report) writeResults(w io.Writer) {
	if len(r.Cases) > 0 {
		r.writeCompare(w)
	}
	if r.Pipeline != nil {
		r.Pipeline.writeMarkdown(w)
	}

	fmt.Fprintln(w, "Goals:")
	fmt.Fprintln(w)
	for _, g := range r.Goals() {
		mark := "met"
		if !g.Met {
			mark = "**missed**"
		}
		fmt.Fprintf(w, "- %s: %s (%s)\n", g.Name, mark, g.Value)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
	if r.Failed() {
		fmt.Fprintln(w, "\n**Requests failed; these numbers are invalid.**")
		for _, c := range r.Cases {
			for _, s := range c.ErrorSamples {
				fmt.Fprintf(w, "- %s / %s: %s\n", c.Case, c.Server, s)
			}
		}
		if p := r.Pipeline; p != nil {
			for _, x := range []*IngestResult{p.Ingest, p.Fill} {
				if x != nil {
					for _, s := range x.ErrorSamples {
						fmt.Fprintf(w, "- ingest: %s\n", s)
					}
				}
			}
			for _, l := range p.Lookups {
				for _, s := range l.ErrorSamples {
					fmt.Fprintf(w, "- LookupEvents by %s: %s\n", l.Attribute, s)
				}
			}
		}
	}
}

// writeCompare renders the Cairn-against-moto cases, startup and memory.
func (r *Report) writeCompare(w io.Writer) {
	fmt.Fprintln(w, "| round | case | server | req/s | p50 | p90 | p99 | p99.9 | max | errors | new conns | server CPU | server CPU/req | loadgen CPU | other load |")
	fmt.Fprintln(w, "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range r.Cases {
		l := c.Latency
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %.2f cores | %s | %.2f cores | %.2f cores |\n",
			c.Round, c.Case, c.Server, thousands(c.Throughput), dur(l.P50), dur(l.P90), dur(l.P99), dur(l.P999), dur(l.Max),
			c.Errors, c.Dials, c.ServerCPU, dur(c.ServerCPUPerRequest), c.ClientCPU, c.OtherCPU)
	}
	fmt.Fprintln(w)

	perOp := false
	for _, c := range r.Cases {
		perOp = perOp || len(c.PerOp) > 0
	}
	if perOp {
		fmt.Fprintln(w, "| round | case | server | operation | p50 | p90 | p99 | max |")
		fmt.Fprintln(w, "|--:|---|---|---|--:|--:|--:|--:|")
		for _, c := range r.Cases {
			for _, name := range []string{"CreateTrail", "DeleteTrail"} {
				if l, ok := c.PerOp[name]; ok {
					fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", c.Round, c.Case, c.Server, name, dur(l.P50), dur(l.P90), dur(l.P99), dur(l.Max))
				}
			}
		}
		fmt.Fprintln(w)
	}

	if all := r.Ratios(); len(all) > 0 {
		perRound := r.roundRatios()
		fmt.Fprintln(w, "| case | throughput cairn / moto | by round | p99 moto / cairn | server CPU per request moto / cairn | cairn p99 (worst round) | floor server p99 (worst round) |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|")
		for _, x := range all {
			var rounds []string
			for _, v := range perRound[x.Case] {
				rounds = append(rounds, fmt.Sprintf("%.1fx", v))
			}
			floor := "not run"
			if x.FloorP99 > 0 {
				floor = dur(x.FloorP99)
			}
			fmt.Fprintf(w, "| %s | **%.1fx** | %s | %.1fx | %.1fx | %s | %s |\n", x.Case, x.Throughput, strings.Join(rounds, ", "), x.P99, x.CPUPerRequest, dur(x.CairnP99), floor)
		}
		fmt.Fprintln(w)
	}

	s := r.Startup
	fmt.Fprintln(w, "| startup | runs | exec to health 200, median / max | exec to first API call, median / max | RSS then (median) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
	row := func(name string, st StartupStats, health bool) {
		h := "n/a"
		if health {
			h = dur(st.HealthMedian) + " / " + dur(st.HealthMax)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s / %s | %s |\n", name, st.Runs, h, dur(st.APIMedian), dur(st.APIMax), mib(st.RSSMedian))
	}
	row("cairn, new data directory", s.FreshData, true)
	row("cairn, existing data directory", s.ExistingData, true)
	if s.Moto != nil {
		row("moto_server", *s.Moto, false)
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "| memory (RSS; anonymous part) | idle after startup | idle after the load | peak (VmHWM) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	for _, name := range []string{"cairn", "moto"} {
		if p, ok := r.Memory[name]; ok {
			fmt.Fprintf(w, "| %s | %s; %s | %s; %s | %s |\n", name, mib(p.AfterStartup.RSS), mib(p.AfterStartup.Anon), mib(p.AfterLoad.RSS), mib(p.AfterLoad.Anon), mib(p.AfterLoad.Peak))
		}
	}
	fmt.Fprintln(w)
}

// writeMarkdown renders the event pipeline cases.
func (p *Pipeline) writeMarkdown(w io.Writer) {
	if len(p.Lookups) > 0 || p.Fill != nil {
		fmt.Fprintf(w, "Event store before the lookups: %s events ingested by the load generator, plus at least %s recorded API calls of the cases before; %s on disk; Cairn was busy for %v after the last batch%s.\n\n",
			thousands(float64(p.Ingested)), thousands(float64(p.Recorded)), mib(p.DataBytes), p.Settle.Round(100*time.Millisecond),
			map[bool]string{true: " (gave up waiting)", false: ""}[p.SettleTimeout])
	}
	rows := []struct {
		name string
		r    *IngestResult
	}{{"ingest (measured)", p.Ingest}, {"fill to the lookup size", p.Fill}}
	if p.Ingest != nil || p.Fill != nil {
		fmt.Fprintln(w, "| ingestion | conns | events/batch | record size | events | events/s (durable) | batch p50 | p90 | p99 | max | errors | server CPU | server CPU/event | loadgen CPU | other load |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, x := range rows {
			if x.r == nil {
				continue
			}
			r := x.r
			fmt.Fprintf(w, "| %s | %d | %d | %.0f B | %s | %s | %s | %s | %s | %s | %d | %.2f cores | %s | %.2f cores | %.2f cores |\n",
				x.name, r.Conns, r.BatchEvents, r.RecordBytes, thousands(float64(r.Events)), thousands(r.EventsPerS),
				dur(r.Latency.P50), dur(r.Latency.P90), dur(r.Latency.P99), dur(r.Latency.Max), r.Errors,
				r.ServerCPU, dur(r.ServerCPUPerEvent), r.ClientCPU, r.OtherCPU)
		}
		fmt.Fprintln(w)
	}
	if len(p.Lookups) > 0 {
		fmt.Fprintln(w, "| LookupEvents by | conns | req/s | events/page | p50 | p90 | p99 | max | errors | server CPU/req | other load |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, l := range p.Lookups {
			fmt.Fprintf(w, "| %s | %d | %s | %.1f | %s | %s | %s | %s | %d | %s | %.2f cores |\n",
				l.Attribute, l.Conns, thousands(l.Throughput), l.MeanEvents, dur(l.Latency.P50), dur(l.Latency.P90), dur(l.Latency.P99), dur(l.Latency.Max),
				l.Errors, dur(l.ServerCPUPerRequest), l.OtherCPU)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Cairn's memory after the pipeline cases: RSS %s, peak %s.\n\n", mib(p.Memory.RSS), mib(p.Memory.Peak))
}

// Ratio compares Cairn with moto on one case (averaged over rounds).
type Ratio struct {
	Case          string
	Throughput    float64 // cairn req/s over moto req/s
	P99           float64 // moto p99 over cairn p99
	CPUPerRequest float64 // moto CPU per request over cairn's
	CairnP99      time.Duration
	// FloorP99 is the floor server's worst p99 (ServeFloor), when it ran.
	FloorP99 time.Duration
}

// Ratios compares the servers case by case. With several rounds it uses
// the sum of requests over the sum of time, and the worst p99.
func (r *Report) Ratios() []Ratio { return ratios(r.Cases) }

// roundRatios returns the throughput ratio of each case in each round.
func (r *Report) roundRatios() map[string][]float64 {
	out := map[string][]float64{}
	for round := 1; round <= r.Options.Rounds; round++ {
		var cases []CaseResult
		for _, c := range r.Cases {
			if c.Round == round {
				cases = append(cases, c)
			}
		}
		for _, x := range ratios(cases) {
			out[x.Case] = append(out[x.Case], x.Throughput)
		}
	}
	return out
}

func ratios(cases []CaseResult) []Ratio {
	type agg struct {
		reqs    float64
		secs    float64
		cpu     float64
		p99     time.Duration
		present bool
	}
	var order []string
	byCase := map[string]map[string]*agg{}
	for _, c := range cases {
		if byCase[c.Case] == nil {
			byCase[c.Case] = map[string]*agg{}
			order = append(order, c.Case)
		}
		a := byCase[c.Case][c.Server]
		if a == nil {
			a = &agg{}
			byCase[c.Case][c.Server] = a
		}
		a.present = true
		a.reqs += float64(c.Requests)
		a.secs += c.Elapsed.Seconds()
		a.cpu += c.ServerCPUPerRequest.Seconds() * float64(c.Requests)
		a.p99 = max(a.p99, c.Latency.P99)
	}
	var out []Ratio
	for _, name := range order {
		cairn, moto := byCase[name]["cairn"], byCase[name]["moto"]
		if cairn == nil || moto == nil || moto.reqs == 0 || cairn.reqs == 0 {
			continue
		}
		x := Ratio{Case: name, CairnP99: cairn.p99}
		if floor := byCase[name]["floor"]; floor != nil {
			x.FloorP99 = floor.p99
		}
		x.Throughput = (cairn.reqs / cairn.secs) / (moto.reqs / moto.secs)
		if cairn.p99 > 0 {
			x.P99 = float64(moto.p99) / float64(cairn.p99)
		}
		if cairn.cpu > 0 {
			x.CPUPerRequest = (moto.cpu / moto.reqs) / (cairn.cpu / cairn.reqs)
		}
		out = append(out, x)
	}
	return out
}

// Goal is one of the targets.
type Goal struct {
	Name  string
	Met   bool
	Value string
}

// Goals checks the targets.
func (r *Report) Goals() []Goal {
	var out []Goal
	for _, x := range r.Ratios() {
		out = append(out, Goal{Name: x.Case + " throughput at least 50x moto's", Met: x.Throughput >= goalRatio, Value: fmt.Sprintf("%.1fx", x.Throughput)})
	}
	worst, floorWorst := map[string]time.Duration{}, map[string]time.Duration{}
	var order []string
	for _, c := range r.Cases {
		switch c.Server {
		case "cairn":
			if _, ok := worst[c.Case]; !ok {
				order = append(order, c.Case)
			}
			worst[c.Case] = max(worst[c.Case], c.Latency.P99)
		case "floor":
			floorWorst[c.Case] = max(floorWorst[c.Case], c.Latency.P99)
		}
	}
	for _, name := range order {
		value := dur(worst[name])
		if f, ok := floorWorst[name]; ok {
			value += "; the floor server's: " + dur(f)
		}
		out = append(out, Goal{Name: name + " p99 under 2 ms", Met: worst[name] < goalP99, Value: value})
	}
	st := r.Startup
	for _, s := range []struct {
		name string
		st   StartupStats
	}{{"new data directory", st.FreshData}, {"existing data directory", st.ExistingData}} {
		if s.st.Runs > 0 {
			out = append(out, Goal{Name: "start to first served API call under 100 ms (" + s.name + ", median)", Met: s.st.APIMedian < goalStartup,
				Value: fmt.Sprintf("median %s, max %s", dur(s.st.APIMedian), dur(s.st.APIMax))})
		}
	}
	if p, ok := r.Memory["cairn"]; ok && p.AfterLoad.RSS > 0 {
		out = append(out, Goal{Name: "idle memory under 64 MiB", Met: p.AfterStartup.RSS < goalIdleRSS && p.AfterLoad.RSS < goalIdleRSS,
			Value: fmt.Sprintf("%s after startup, %s after the load", mib(p.AfterStartup.RSS), mib(p.AfterLoad.RSS))})
	}
	if p := r.Pipeline; p != nil {
		if x := p.Ingest; x != nil {
			out = append(out, Goal{Name: "ingestion at least 50,000 events/s", Met: x.EventsPerS >= goalIngestRate,
				Value: fmt.Sprintf("%s events/s", thousands(x.EventsPerS))})
		}
		for _, l := range p.Lookups {
			out = append(out, Goal{Name: "LookupEvents by " + l.Attribute + " p50 under 5 ms and p99 under 20 ms",
				Met: l.Latency.P50 < goalLookupP50 && l.Latency.P99 < goalLookupP99, Value: fmt.Sprintf("p50 %s, p99 %s", dur(l.Latency.P50), dur(l.Latency.P99))})
		}
	}
	return out
}

func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func mib(b int64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// thousands formats a rate with thousands separators.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
