package study

import (
	"math/rand/v2"
	"sort"
)

// seedResamples is the number of seed-bootstrap resamples of the findings'
// intervals; seedLevel their percentile interval's coverage.
const (
	seedResamples = 2000
	seedLevel     = 0.95
)

// interval is a point estimate with a bootstrap percentile interval.
type interval struct{ est, lo, hi float64 }

// bootstrapInterval resamples the units of every group with replacement
// (group g has units[g] units; each resample draws units[g] indices from
// 0..units[g]-1 for each group independently) resamples times, evaluates
// stat on each resample, and returns stat on the data as drawn (every
// group's indices 0..n-1) with the (1-level)/2 and (1+level)/2 percentiles
// of the resampled values (order statistics, no interpolation). The
// resamples come from a PCG stream seeded with seed, so the interval is
// reproducible. It panics unless every group has at least one unit and
// 0 < level < 1.
func bootstrapInterval(units []int, stat func(idx [][]int) float64, resamples int, level float64, seed uint64) interval {
	if !(level > 0 && level < 1) || resamples < 1 {
		panic("study: bootstrapInterval: want 0 < level < 1 and resamples >= 1")
	}
	idx := make([][]int, len(units))
	for g, n := range units {
		if n < 1 {
			panic("study: bootstrapInterval: a group has no units")
		}
		idx[g] = make([]int, n)
		for i := range idx[g] {
			idx[g][i] = i
		}
	}
	out := interval{est: stat(idx)}
	rng := rand.New(rand.NewPCG(seed, 0xb007))
	vals := make([]float64, resamples)
	for b := range vals {
		for g, n := range units {
			for i := range idx[g] {
				idx[g][i] = rng.IntN(n)
			}
		}
		vals[b] = stat(idx)
	}
	sort.Float64s(vals)
	at := func(q float64) float64 {
		k := int(q * float64(resamples-1))
		return vals[min(max(k, 0), resamples-1)]
	}
	out.lo, out.hi = at((1-level)/2), at((1+level)/2)
	return out
}

// meanAt is the mean of v at the indices idx.
func meanAt(v []float64, idx []int) float64 {
	var s float64
	for _, i := range idx {
		s += v[i]
	}
	return s / float64(len(idx))
}

// diffOfMeans returns the seed-bootstrap interval of mean(a) - mean(b),
// a and b being per-seed values of two groups resampled independently.
func diffOfMeans(a, b []float64, seed uint64) interval {
	return bootstrapInterval([]int{len(a), len(b)}, func(idx [][]int) float64 {
		return meanAt(a, idx[0]) - meanAt(b, idx[1])
	}, seedResamples, seedLevel, seed)
}
