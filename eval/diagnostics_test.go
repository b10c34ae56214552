package eval

import (
	"math"
	"testing"
)

// TestImplicitRewardAccuracyStrict checks that only strictly positive
// margins count: 2 of 5 correct; with the N-1 sample variance
// s^2 = 5*0.4*0.6/4 = 0.3 the SE is sqrt(0.3/5).
func TestImplicitRewardAccuracyStrict(t *testing.T) {
	e := ImplicitRewardAccuracy([]float64{0.1, 0, -1, 3, 0})
	if e.Mean != 0.4 || math.Abs(e.SE-math.Sqrt(0.3/5)) > 1e-15 {
		t.Errorf("accuracy = %+v, want 0.4 ± sqrt(0.06)", e)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(f.Slope-c.slope) > 1e-12 || math.Abs(f.Intercept-c.intercept) > 1e-12 || math.Abs(f.R2-c.r2) > 1e-12 {
				t.Errorf("fit %+v, want slope %v intercept %v R2 %v (tolerance 1e-12)", f, c.slope, c.intercept, c.r2)
			}
		})
	}
	if _, err := RegressOnLength([]float64{1, 2}, []int{3, 3}); err == nil {
		t.Error("equal lengths: no error")
	}
	if _, err := RegressOnLength([]float64{1}, []int{3}); err == nil {
		t.Error("one point: no error")
	}
}

// TestQuantile checks against numpy.quantile (method="linear"):
// np.quantile([1,2,3,4], [0, .25, .5, .9, 1]) = [1, 1.75, 2.5, 3.7, 4].
func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	for _, c := range []struct{ p, q float64 }{{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {0.9, 3.7}, {1, 4}} {
		if got := Quantile(x, c.p); math.Abs(got-c.q) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", c.p, got, c.q)
		}
	}
	if got := Quantile([]float64{5}, 0.3); got != 5 {
		t.Errorf("Quantile of one value = %v, want 5", got)
	}
}

func TestSummarizeLengths(t *testing.T) {
	s := SummarizeLengths([]int{1, 2, 3, 4, 10}, 3, []bool{true, true, true, false, false})
	if s.Mean != 4 || s.Min != 1 || s.Max != 10 || s.Median != 3 || s.ShareOverMax != 0.4 || s.NoEOSRate != 0.4 {
		t.Errorf("stats %+v: want mean 4, min 1, max 10, median 3, share over 3 = 0.4, no-EOS 0.4", s)
	}
	// Sample variance of (1 2 3 4 10): deviations (-3 -2 -1 0 6), SS 50, /4.
	if math.Abs(s.Std-math.Sqrt(12.5)) > 1e-12 {
		t.Errorf("Std = %v, want sqrt(12.5)", s.Std)
	}
	if u := SummarizeLengths([]int{2}, 6, nil); !math.IsNaN(u.NoEOSRate) || u.ShareOverMax != 0 {
		t.Errorf("without flags: %+v, want NaN no-EOS rate, 0 share over max", u)
	}
}
