package eval

import (
	"math"
	"testing"
)

// TestCategoricalKL checks CategoricalKL against closed forms: for p =
// (1/4, 3/4) and q = (1/2, 1/2), KL = 1/4 log(1/2) + 3/4 log(3/2); shifting
// logits by any constant (1000, -1000) must not change it nor overflow.
func TestCategoricalKL(t *testing.T) {
	bern := 0.25*math.Log(0.5) + 0.75*math.Log(1.5)
	inf := math.Inf(1)
	cases := []struct {
		name   string
		lp, lq []float64
		want   float64
	}{
		{"bernoulli logits", []float64{0, math.Log(3)}, []float64{0, 0}, bern},
		{"bernoulli huge logits", []float64{1000, 1000 + math.Log(3)}, []float64{-1000, -1000}, bern},
		{"bernoulli log-probs", []float64{math.Log(0.25), math.Log(0.75)}, []float64{math.Log(0.5), math.Log(0.5)}, bern},
		{"identical", []float64{1, 2, 3}, []float64{11, 12, 13}, 0},
		{"p has impossible token", []float64{0, math.Log(3), -inf}, []float64{0, 0, 0}, 0.25*math.Log(0.25*3) + 0.75*math.Log(0.75*3)},
		{"q misses p's support", []float64{0, 0}, []float64{0, -inf}, inf},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CategoricalKL(c.lp, c.lq)
			if got != c.want && math.Abs(got-c.want) > 1e-13 {
				t.Errorf("CategoricalKL = %.17g, want %.17g (tolerance 1e-13)", got, c.want)
			}
		})
	}
}

func TestTokenKLRows(t *testing.T) {
	lp := []float64{0, math.Log(3), 5, 5}
	lq := []float64{0, 0, 1, 1}
	got := TokenKL(lp, lq, 2)
	want := []float64{0.25*math.Log(0.5) + 0.75*math.Log(1.5), 0}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-13 {
			t.Errorf("row %d: %v, want %v", i, got[i], want[i])
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("TokenKL with a ragged matrix did not panic")
		}
	}()
	TokenKL(lp[:3], lq[:3], 2)
}
