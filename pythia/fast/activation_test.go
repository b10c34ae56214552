package fast

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestActivationBackward compares activationBackward with the derivatives
// evaluated in float64 (reference: the closed forms below), on values from
// 0 and tiny magnitudes to the tails, with dloss/dy = 1. Tolerance: 2e-6
// absolute plus 1e-5 relative.
func TestActivationBackward(t *testing.T) {
	xs := []float64{0, 1e-30, -1e-30, 1e-8, -1e-8, 1e-5, -1e-5, 1e-3, -1e-3, 0.03, -0.03, 0.5, -0.5, 1, -1, 2.5, -2.5, 5, -5, 9, -9, 20, -20}
	erfDeriv := func(x float64) float64 { // Φ(x) + x φ(x)
		return 0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi)
	}
	tanhDeriv := func(x float64) float64 {
		u := math.Sqrt(2/math.Pi) * (x + 0.044715*x*x*x)
		th := math.Tanh(u)
		return 0.5*(1+th) + 0.5*x*(1-th*th)*math.Sqrt(2/math.Pi)*(1+3*0.044715*x*x)
	}
	reluDeriv := func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return 0
	}
	for _, c := range []struct {
		name  string
		act   activation
		deriv func(float64) float64
	}{{"gelu", actGELU, erfDeriv}, {"gelu_new", actGELUTanh, tanhDeriv}, {"relu", actReLU, reluDeriv}} {
		t.Run(c.name, func(t *testing.T) {
			x, y, d := make([]float32, len(xs)), make([]float32, len(xs)), make([]float32, len(xs))
			for i, v := range xs {
				x[i], d[i] = float32(v), 1
			}
			activationForward(c.act, y, x)
			activationBackward(c.act, d, x, y, [][]float32{make([]float32, actBlock), make([]float32, actBlock)})
			for i, v := range xs {
				want := c.deriv(float64(float32(v)))
				assert.InDelta(t, want, float64(d[i]), 2e-6+1e-5*math.Abs(want), "act'(%g)", v)
			}
		})
	}
}
