package eval

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImplicitRewardAccuracyStrict checks that only strictly positive
// margins count: 2 of 5 correct; with the N-1 sample variance
// s^2 = 5*0.4*0.6/4 = 0.3 the SE is sqrt(0.3/5).
func TestImplicitRewardAccuracyStrict(t *testing.T) {
	e := ImplicitRewardAccuracy([]float64{0.1, 0, -1, 3, 0})
	assert.Equal(t, 0.4, e.Mean, "accuracy")
	assert.InDelta(t, math.Sqrt(0.3/5), e.SE, 1e-15, "SE of the accuracy")
}

// TestRegressOnLength checks OLS against hand-worked fits.
func TestRegressOnLength(t *testing.T) {
	cases := []struct {
		name                 string
		reward               []float64
		length               []int
		slope, intercept, r2 float64
	}{
		{"exact line", []float64{2.5, 3, 4.5}, []int{1, 2, 5}, 0.5, 2, 1},
		// x=[1 2 3], y=[1 3 2]: Sxy = 1, Sxx = 2, slope 0.5, intercept 1,
		// residuals (-0.5, 1, -0.5), SSres 1.5, SStot 2, R2 0.25.
		{"noisy", []float64{1, 3, 2}, []int{1, 2, 3}, 0.5, 1, 0.25},
		{"constant reward", []float64{7, 7, 7}, []int{1, 2, 3}, 0, 7, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := RegressOnLength(c.reward, c.length)
			require.NoError(t, err)
			assert.InDelta(t, c.slope, f.Slope, 1e-12, "slope")
			assert.InDelta(t, c.intercept, f.Intercept, 1e-12, "intercept")
			assert.InDelta(t, c.r2, f.R2, 1e-12, "R2")
		})
	}
	_, err := RegressOnLength([]float64{1, 2}, []int{3, 3})
	assert.Error(t, err, "equal lengths")
	_, err = RegressOnLength([]float64{1}, []int{3})
	assert.Error(t, err, "one point")
}

// TestQuantile checks against numpy.quantile (method="linear"):
// np.quantile([1,2,3,4], [0, .25, .5, .9, 1]) = [1, 1.75, 2.5, 3.7, 4].
func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	for _, c := range []struct{ p, q float64 }{{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {0.9, 3.7}, {1, 4}} {
		assert.InDelta(t, c.q, Quantile(x, c.p), 1e-12, "Quantile(%v)", c.p)
	}
	assert.Equal(t, 5.0, Quantile([]float64{5}, 0.3), "Quantile of one value")
}

func TestSummarizeLengths(t *testing.T) {
	s := SummarizeLengths([]int{1, 2, 3, 4, 10}, 3, []bool{true, true, true, false, false})
	assert.EqualValues(t, 4, s.Mean, "mean")
	assert.EqualValues(t, 1, s.Min, "min")
	assert.EqualValues(t, 10, s.Max, "max")
	assert.EqualValues(t, 3, s.Median, "median")
	assert.Equal(t, 0.4, s.ShareOverMax, "share over 3")
	assert.Equal(t, 0.4, s.NoEOSRate, "no-EOS rate")
	// Sample variance of (1 2 3 4 10): deviations (-3 -2 -1 0 6), SS 50, /4.
	assert.InDelta(t, math.Sqrt(12.5), s.Std, 1e-12, "Std")
	u := SummarizeLengths([]int{2}, 6, nil)
	assert.True(t, math.IsNaN(u.NoEOSRate), "without flags: no-EOS rate %v, want NaN", u.NoEOSRate)
	assert.Zero(t, u.ShareOverMax, "without flags: share over max")
}
