package eval

import (
	"fmt"
	"math"
)

// Estimate is a sample mean with its standard error.
type Estimate struct {
	Mean float64 // mean over the N observations (NaN when N == 0)
	SE   float64 // standard error of Mean (NaN with fewer than two independent units)
	N    int     // number of observations
	// Units is the number of independent units behind SE: the number of
	// clusters when the standard error is clustered, else N.
	Units int
}

// String formats the estimate as "mean ± se (n=N)".
func (e Estimate) String() string {
	return fmt.Sprintf("%.4g ± %.2g (n=%d)", e.Mean, e.SE, e.N)
}

// MeanSE returns the mean of values and its standard error.
//
// With clusters == nil the observations are independent and
//
//	SE^2 = s^2 / N,  s^2 = sum_i (x_i - mean)^2 / (N - 1).
//
// Otherwise clusters[i] names the unit (usually the prompt index) of
// values[i], and SE is the cluster-robust (sandwich) standard error of the
// mean over G clusters:
//
//	SE^2 = G/(G-1) * sum_g (sum_{i in g} (x_i - mean))^2 / N^2.
//
// With equal cluster sizes this equals the standard error of the G cluster
// means. The mean is over observations, so a cluster with more observations
// weighs more. With N == 0 Mean is NaN; with fewer than two units SE is NaN.
// MeanSE panics if clusters is non-nil and len(clusters) != len(values).
func MeanSE(values []float64, clusters []int) Estimate {
	if clusters != nil && len(clusters) != len(values) {
		panic(fmt.Sprintf("eval: MeanSE: %d values but %d cluster ids", len(values), len(clusters)))
	}
	n := len(values)
	e := Estimate{Mean: math.NaN(), SE: math.NaN(), N: n}
	if n == 0 {
		return e
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	mean := sum / float64(n)
	e.Mean = mean
	if clusters == nil {
		e.Units = n
		if n < 2 {
			return e
		}
		var ss float64
		for _, v := range values {
			ss += (v - mean) * (v - mean)
		}
		e.SE = math.Sqrt(ss / float64(n-1) / float64(n))
		return e
	}
	// Per-cluster sums of deviations from the overall mean, in order of first
	// appearance so that the result does not depend on map iteration order.
	slot := make(map[int]int)
	var dev []float64
	for i, v := range values {
		j, ok := slot[clusters[i]]
		if !ok {
			j = len(dev)
			slot[clusters[i]] = j
			dev = append(dev, 0)
		}
		dev[j] += v - mean
	}
	g := len(dev)
	e.Units = g
	if g < 2 {
		return e
	}
	var ss float64
	for _, d := range dev {
		ss += d * d
	}
	e.SE = math.Sqrt(float64(g)/float64(g-1)*ss) / float64(n)
	return e
}
