package study

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBootstrapIntervalKnownAnswers checks the seed bootstrap on data whose
// answer is known.
func TestBootstrapIntervalKnownAnswers(t *testing.T) {
	// Constant groups: every resample gives the same difference.
	d := diffOfMeans([]float64{0.3, 0.3, 0.3}, []float64{0.1, 0.1}, 1)
	assert.InDelta(t, 0.2, d.est, 1e-15)
	assert.InDelta(t, 0.2, d.lo, 1e-15)
	assert.InDelta(t, 0.2, d.hi, 1e-15)

	// Two large normal samples: the 95% percentile interval of the
	// difference of means approaches est ± 1.96 sqrt(sa^2/na + sb^2/nb)
	// (the normal approximation; 2000 resamples put each end within a few
	// percent of the half-width).
	rng := rand.New(rand.NewPCG(7, 8))
	a, b := make([]float64, 400), make([]float64, 300)
	for i := range a {
		a[i] = 1 + 2*rng.NormFloat64()
	}
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	d = diffOfMeans(a, b, 3)
	sd := func(v []float64) float64 {
		m := mean(v)
		var s float64
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return math.Sqrt(s / float64(len(v)))
	}
	half := 1.96 * math.Hypot(sd(a)/math.Sqrt(400), sd(b)/math.Sqrt(300))
	assert.InDelta(t, mean(a)-mean(b), d.est, 1e-12)
	assert.InEpsilon(t, half, d.est-d.lo, 0.1, "lower half-width")
	assert.InEpsilon(t, half, d.hi-d.est, 0.1, "upper half-width")
	assert.Greater(t, d.lo, 0.5, "the true difference 1 is well inside and 0 outside")

	// Reproducible from its seed; another seed gives another interval.
	assert.Equal(t, d, diffOfMeans(a, b, 3))
	assert.NotEqual(t, d, diffOfMeans(a, b, 4))

	// One unit per group: the only resample is the data.
	one := diffOfMeans([]float64{0.5}, []float64{0.2}, 1)
	assert.Equal(t, interval{0.3, 0.3, 0.3}, interval{math.Round(one.est*1e12) / 1e12, math.Round(one.lo*1e12) / 1e12, math.Round(one.hi*1e12) / 1e12})

	require.Panics(t, func() { diffOfMeans(nil, []float64{1}, 1) })
	require.Panics(t, func() { bootstrapInterval([]int{2}, func([][]int) float64 { return 0 }, 10, 1, 1) })
}
