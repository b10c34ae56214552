package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			if math.IsInf(c.want, 0) {
				assert.Equal(t, c.want, got)
			} else {
				assert.InDelta(t, c.want, got, 1e-13)
			}
		})
	}
}

func TestTokenKLRows(t *testing.T) {
	lp := []float64{0, math.Log(3), 5, 5}
	lq := []float64{0, 0, 1, 1}
	got := TokenKL(lp, lq, 2)
	want := []float64{0.25*math.Log(0.5) + 0.75*math.Log(1.5), 0}
	require.Len(t, got, len(want))
	for i := range want {
		assert.InDelta(t, want[i], got[i], 1e-13, "row %d", i)
	}
	assert.Panics(t, func() { TokenKL(lp[:3], lq[:3], 2) }, "TokenKL with a ragged matrix")
}

// TestCategoricalKLMatchesDefinition compares the one-pass formula with the
// definition sum_v p_v (log p_v - log q_v) evaluated from explicitly
// normalised log-probabilities, on random rows of 1 to 300 logits with
// spreads up to 30 (relative tolerance 1e-11, absolute 1e-14).
func TestCategoricalKLMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	logSoftmax := func(x []float64) []float64 {
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, v)
		}
		var s float64
		for _, v := range x {
			s += math.Exp(v - m)
		}
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = v - m - math.Log(s)
		}
		return out
	}
	for k := range 500 {
		n, spread := 1+rng.IntN(300), 30*rng.Float64()
		x, y := make([]float64, n), make([]float64, n)
		for v := range x {
			x[v], y[v] = spread*rng.NormFloat64(), spread*rng.NormFloat64()+100
		}
		lp, lq := logSoftmax(x), logSoftmax(y)
		var want float64
		for v := range lp {
			want += math.Exp(lp[v]) * (lp[v] - lq[v])
		}
		want = math.Max(want, 0)
		require.InDelta(t, want, CategoricalKL(x, y), 1e-11*want+1e-14, "row %d (n=%d, spread %.1f) vs the definition", k, n, spread)
	}
}

func TestCategoricalKLAllImpossible(t *testing.T) {
	inf := math.Inf(-1)
	got := CategoricalKL([]float64{inf, inf}, []float64{0, 0})
	assert.True(t, math.IsNaN(got), "all -Inf row: %v, want NaN", got)
}
