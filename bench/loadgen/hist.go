package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// histogram records durations in nanoseconds in log-linear buckets: values
// below 2^subBits are exact, larger values fall in one of 2^(subBits-1)
// buckets per power of two, so any recorded value is known to within 1/128
// of itself (under 0.8%). Recording is a few instructions and never
// allocates; memory is fixed (about 60 KiB).
type histogram struct {
	counts [bucketCount]uint64
	count  uint64
	sum    uint64
	min    uint64
	max    uint64
}

const (
	subBits     = 8                 // values below 256 ns are exact
	subCount    = 1 << subBits      // 256
	halfCount   = subCount / 2      // buckets per power of two above that
	bucketCount = subCount + 56*128 // enough for any int64
)

func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits // >= 1
	top := v >> shift                // in [128, 255]
	return subCount + (shift-1)*halfCount + int(top-halfCount)
}

// bucketHigh is the largest value that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	i -= subCount
	shift := i/halfCount + 1
	top := uint64(i%halfCount + halfCount)
	return (top+1)<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	h.counts[bucketOf(v)]++
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.count++
	h.sum += v
}

func (h *histogram) merge(o *histogram) {
	if o.count == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.count += o.count
	h.sum += o.sum
}

// quantile returns the value at quantile q (0..1): the upper bound of the
// bucket holding the ceil(q*count)-th smallest value, capped at the maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.count)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			v := bucketHigh(i)
			if v > h.max {
				v = h.max
			}
			if v < h.min {
				v = h.min
			}
			return time.Duration(v)
		}
	}
	return time.Duration(h.max)
}

// Latency summarizes a histogram.
type Latency struct {
	Count uint64        `json:"count"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
	P999  time.Duration `json:"p999_ns"`
	Max   time.Duration `json:"max_ns"`
}

func (h *histogram) summary() Latency {
	if h.count == 0 {
		return Latency{}
	}
	return Latency{
		Count: h.count,
		Mean:  time.Duration(h.sum / h.count),
		P50:   h.quantile(0.50),
		P90:   h.quantile(0.90),
		P99:   h.quantile(0.99),
		P999:  h.quantile(0.999),
		Max:   time.Duration(h.max),
	}
}
