package eval

import (
	"fmt"
	"math"
	"slices"
)

// LengthStats summarises response lengths (in tokens) for the
// length-exploitation diagnostics.
type LengthStats struct {
	N                int
	Mean, Std        float64 // Std is the sample standard deviation (N-1 denominator)
	Min, Max         int
	P10, P25, Median float64 // quantiles by linear interpolation (numpy's default)
	P75, P90         float64
	MaxLen           int     // the threshold passed to SummarizeLengths
	ShareOverMax     float64 // share of responses with length > MaxLen
	NoEOSRate        float64 // share of responses that never emitted EOS; NaN when unknown
}

// SummarizeLengths returns statistics of lengths. maxLen is the longest
// response length seen in the training data (the flagship uses 6): responses
// longer than it are outside the data's support. ended[i] reports whether
// response i ended with EOS; pass nil when unknown (NoEOSRate is then NaN).
// With no lengths every statistic is NaN or 0. SummarizeLengths panics if
// ended is non-nil and differs in length from lengths.
func SummarizeLengths(lengths []int, maxLen int, ended []bool) LengthStats {
	if ended != nil && len(ended) != len(lengths) {
		panic(fmt.Sprintf("eval: SummarizeLengths: %d lengths but %d EOS flags", len(lengths), len(ended)))
	}
	nan := math.NaN()
	s := LengthStats{N: len(lengths), MaxLen: maxLen, Mean: nan, Std: nan, P10: nan, P25: nan, Median: nan,
		P75: nan, P90: nan, ShareOverMax: nan, NoEOSRate: nan}
	if len(lengths) == 0 {
		return s
	}
	sorted := make([]float64, len(lengths))
	var over int
	for i, l := range lengths {
		sorted[i] = float64(l)
		if l > maxLen {
			over++
		}
	}
	slices.Sort(sorted)
	m := MeanSE(sorted, nil)
	s.Mean, s.Std = m.Mean, m.SE*math.Sqrt(float64(m.N))
	s.Min, s.Max = int(sorted[0]), int(sorted[len(sorted)-1])
	s.P10, s.P25, s.Median = Quantile(sorted, 0.10), Quantile(sorted, 0.25), Quantile(sorted, 0.5)
	s.P75, s.P90 = Quantile(sorted, 0.75), Quantile(sorted, 0.90)
	s.ShareOverMax = float64(over) / float64(len(lengths))
	if ended != nil {
		var noEOS int
		for _, e := range ended {
			if !e {
				noEOS++
			}
		}
		s.NoEOSRate = float64(noEOS) / float64(len(ended))
	}
	return s
}

// Quantile returns the p-quantile of sorted by linear interpolation between
// order statistics (Hyndman and Fan type 7, numpy's default): with
// h = (n-1)p, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
// It panics if sorted is empty or p is outside [0, 1]; sorted must be in
// increasing order.
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 || !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("eval: Quantile: p = %v of %d values", p, len(sorted)))
	}
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo == len(sorted)-1 {
		return sorted[lo]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
