package loadgen

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	for _, v := range []uint64{0, 1, 255, 256, 257, 511, 512, 1000, 123456789, 1 << 40, 1<<63 - 1} {
		i := bucketOf(v)
		if i < 0 || i >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d, out of range", v, i)
		}
		high := bucketHigh(i)
		if high < v {
			t.Errorf("bucketHigh(bucketOf(%d)) = %d, below the value", v, high)
		}
		if v >= subCount && float64(high-v) > float64(v)/128 {
			t.Errorf("bucket of %d reaches %d, more than 1/128 above", v, high)
		}
		if i+1 < bucketCount && bucketOf(high+1) != i+1 {
			t.Errorf("buckets %d and %d are not adjacent", i, i+1)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h, a, b histogram
	var vals []time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 100000 {
		v := time.Duration(r.ExpFloat64() * float64(300*time.Microsecond))
		vals = append(vals, v)
		h.record(v)
		if i%2 == 0 {
			a.record(v)
		} else {
			b.record(v)
		}
	}
	a.merge(&b)
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := vals[int(q*float64(len(vals)))-1]
		got := h.quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/100 {
			t.Errorf("quantile %v = %v, exact %v", q, got, exact)
		}
		if merged := a.quantile(q); merged != got {
			t.Errorf("merged quantile %v = %v, want %v", q, merged, got)
		}
	}
	if s := h.summary(); s.Max != vals[len(vals)-1] || s.Count != uint64(len(vals)) {
		t.Errorf("summary %+v, want max %v", s, vals[len(vals)-1])
	}
}
