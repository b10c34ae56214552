package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// geluBackwardInputs returns n inputs x drawn at several scales, with
// zeros, signed zeros, subnormals, huge values, infinities and NaNs mixed
// in, and upstream gradients d of either sign and varied magnitude.
func geluBackwardInputs(rng *rand.Rand, n int) (x, d []float32) {
	specials := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 0x1p-149, -0x1p-149, 1e-30, -1e-30,
		13.1, -13.1, 88, -88, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	scales := []float64{1e-6, 1e-2, 0.3, 1, 3, 8, 30}
	x, d = make([]float32, n), make([]float32, n)
	for i := range x {
		if rng.IntN(16) == 0 {
			x[i] = specials[rng.IntN(len(specials))]
		} else {
			x[i] = float32(rng.NormFloat64() * scales[rng.IntN(len(scales))])
		}
		d[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-3)))
	}
	return x, d
}

// sameFloats32 reports whether a and b hold the same values bit for bit,
// NaNs counting as equal to NaNs (their payloads are not compared).
func sameFloats32(t *testing.T, want, got []float32, msg string, args ...any) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		if w != w && g != g {
			continue
		}
		if math.Float32bits(w) != math.Float32bits(g) {
			require.Failf(t, "not bit-identical", "%s: element %d: got %g (%#08x), want %g (%#08x)",
				fmt.Sprintf(msg, args...), i, g, math.Float32bits(g), w, math.Float32bits(w))
		}
	}
}

// TestGELUBackwardMatchesScalar checks that each assembly geluBackward gives
// bit for bit what the scalar loop of geluBackwardWith gives on the same
// implementation's exp (the loop pythia/fast ran before the kernel
// existed), over every tail length and a million random inputs, with y
// from the implementation's own GELU as in training and with arbitrary y.
func TestGELUBackwardMatchesScalar(t *testing.T) {
	asm := 0
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		if v == vecGo {
			t.Skip("the portable implementation is the scalar loop itself")
		}
		asm++
		scalar := geluBackwardWith(v.exp)
		rng := rand.New(rand.NewPCG(7, 11))
		lengths := append(vecLengths(), 1<<20)
		for _, n := range lengths {
			x, d := geluBackwardInputs(rng, n+1)
			for _, gelu := range []bool{true, false} {
				y := make([]float32, n+1)
				if gelu {
					v.gelu(y, x)
				} else {
					for i := range y {
						y[i] = float32(rng.NormFloat64())
					}
				}
				want := append([]float32(nil), d...)
				got := append([]float32(nil), d...)
				scalar(want[:n], x[:n], y[:n])
				v.geluBackward(got[:n], x[:n], y[:n])
				sameFloats32(t, want, got, "%s n=%d gelu y=%v", v.name, n, gelu)
				require.Equal(t, math.Float32bits(d[n]), math.Float32bits(got[n]), "n=%d: wrote past the end", n)
			}
		}
	})
	if asm == 0 {
		t.Log("no assembly implementation on this CPU: nothing compared")
	}
}

// TestGELUBackward checks every implementation against the float64
// derivative Φ(x) + x·φ(x), Φ(x) = erfc(-x/√2)/2, with y from its own GELU.
// The sum cancels near its root (x ≈ -0.75), so the error is measured
// against the size of its terms, |Φ(x)| + |x·φ(x)|: at most 1e-6 (about 8
// ulp: y/x, exp and the products each round) plus x²·2^-24, the relative
// error that exp makes of the rounding of its argument -x²/2; and at most
// 1e-38 absolute where the terms are subnormal in float32.
func TestGELUBackward(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		xs := geluInputs()
		y := make([]float32, len(xs))
		v.gelu(y, xs)
		d := make([]float32, len(xs))
		for i := range d {
			d[i] = 1
		}
		v.geluBackward(d, xs, y)
		worst, at := 0.0, float32(0)
		for i, x := range xs {
			xf := float64(x)
			cdf, pdfTerm := 0.5*math.Erfc(-xf/math.Sqrt2), xf*math.Exp(-xf*xf/2)/math.Sqrt(2*math.Pi)
			if math.IsNaN(xf) || math.IsInf(xf, 0) {
				assert.True(t, math.IsNaN(float64(d[i])), "x = %g: got %g, want NaN (y/x of infinities)", x, d[i])
				continue
			}
			terms := math.Abs(cdf) + math.Abs(pdfTerm)
			err := math.Abs(float64(d[i]) - (cdf + pdfTerm))
			if terms < 0x1p-126 {
				assert.LessOrEqual(t, err, 1e-38, "x = %g: got %g, want %g (subnormal terms)", x, d[i], cdf+pdfTerm)
				continue
			}
			if e := err / (terms * (1e-6 + xf*xf*0x1p-24)); e > worst {
				worst, at = e, x
			}
		}
		t.Logf("%s: max error %.3g of the tolerance at x = %g", v.name, worst, at)
		require.LessOrEqual(t, worst, 1.0, "%s: error beyond tolerance (worst at x = %g)", v.name, at)
	})
}

func TestGELUBackwardPanics(t *testing.T) {
	for _, tc := range []struct {
		d, x, y []float32
		want    string
	}{
		{make([]float32, 3), make([]float32, 2), make([]float32, 3), "kernel.GELUBackward: len(x) = 2 != len(d) = 3"},
		{make([]float32, 3), make([]float32, 3), make([]float32, 4), "kernel.GELUBackward: len(y) = 4 != len(d) = 3"},
	} {
		assert.PanicsWithValue(t, tc.want, func() { GELUBackward(tc.d, tc.x, tc.y) })
	}
}
