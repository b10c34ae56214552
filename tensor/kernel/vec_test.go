package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forEachVecImpl runs f on every vector implementation this machine supports.
func forEachVecImpl(t *testing.T, f func(t *testing.T, v *vecImpl)) {
	for _, v := range vecImpls {
		if !v.available {
			t.Logf("%s: not supported on this CPU, skipped", v.name)
			continue
		}
		t.Run(v.name, func(t *testing.T) { f(t, v) })
	}
}

// vecLengths covers every tail length of 8- and 16-lane vectors and
// unrolled loops, plus long rows.
func vecLengths() []int {
	var ns []int
	for n := 0; n <= 67; n++ {
		ns = append(ns, n)
	}
	return append(ns, 127, 128, 129, 1000, 4099)
}

// ulp32 returns the spacing of float32 values at |v| (2^-149 below the
// normal range).
func ulp32(v float64) float64 {
	v = math.Abs(v)
	if v < 0x1p-126 {
		return 0x1p-149
	}
	if v > math.MaxFloat32 {
		v = math.MaxFloat32
	}
	_, e := math.Frexp(v)
	return math.Ldexp(1, e-24)
}

// ulpDiff returns |got - want| in float32 ulps of want, treating equal
// infinities and NaNs as 0 and a mismatch of either as +Inf.
func ulpDiff(got float32, want float64) float64 {
	g := float64(got)
	switch {
	case math.IsNaN(want) || math.IsNaN(g):
		if math.IsNaN(want) && math.IsNaN(g) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || math.IsInf(g, 0):
		if float64(float32(want)) == g { // want may round to ±Inf in float32
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(g-want) / ulp32(want)
}

func TestDot(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		rng := rand.New(rand.NewPCG(1, 1))
		for _, n := range vecLengths() {
			x, y := randomSlice[float32](rng, n), randomSlice[float32](rng, n)
			var want, mag float64
			for i := range x {
				want += float64(x[i]) * float64(y[i])
				mag += math.Abs(float64(x[i]) * float64(y[i]))
			}
			got := v.dot(x, y)
			// Reference: float64 sum in index order. Tolerance: the bound for
			// any float64 summation order, 2n·2^-53·Σ|x y|.
			require.InDelta(t, want, got, 2*float64(n+1)*0x1p-53*mag, "n=%d: dot vs the float64 reference", n)
		}
	})
}

func TestAxpyScale(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		rng := rand.New(rand.NewPCG(2, 2))
		for _, n := range vecLengths() {
			x, y := randomSlice[float32](rng, n+1), randomSlice[float32](rng, n+1)
			alpha := float32(rng.Float64()*4 - 2)
			y0 := append([]float32(nil), y...)
			v.axpy(alpha, x[:n], y[:n])
			for i := 0; i < n; i++ {
				// Reference: float64 alpha*x+y; one float32 FMA or a multiply
				// and an add: within 1 ulp of |y| + |alpha x|.
				want := float64(y0[i]) + float64(alpha)*float64(x[i])
				tol := ulp32(math.Abs(float64(y0[i])) + math.Abs(float64(alpha)*float64(x[i])))
				require.InDelta(t, want, y[i], tol, "n=%d: axpy y[%d] vs the float64 reference", n, i)
			}
			require.Equal(t, y0[n], y[n], "n=%d: axpy wrote past the end", n)
			x0 := append([]float32(nil), x...)
			v.scale(alpha, x[:n])
			for i := 0; i < n; i++ {
				require.Equal(t, alpha*x0[i], x[i], "n=%d: scale x[%d], a correctly rounded product", n, i)
			}
			require.Equal(t, x0[n], x[n], "n=%d: scale wrote past the end", n)
		}
	})
}

func TestMax(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		rng := rand.New(rand.NewPCG(3, 3))
		for _, n := range vecLengths()[1:] {
			x := randomSlice[float32](rng, n)
			for i := range x {
				x[i] -= 2 // all negative, so a zero-filled tail would show
			}
			for pos := 0; pos < n; pos += 1 + n/17 {
				want := float32(math.Inf(-1))
				for _, e := range x {
					want = max(want, e)
				}
				require.Equal(t, want, v.max(x), "n=%d: max", n)
				saved := x[pos]
				x[pos] = float32(math.NaN())
				got := v.max(x)
				require.True(t, math.IsNaN(float64(got)), "n=%d: NaN at %d: max = %g, want NaN", n, pos, got)
				x[pos] = float32(math.Inf(-1))
				if n > 1 {
					require.NotEqual(t, float32(math.Inf(-1)), v.max(x), "n=%d: -Inf at %d taken as the max", n, pos)
				}
				x[pos] = saved
			}
		}
		inf := float32(math.Inf(-1))
		require.Equal(t, inf, v.max([]float32{inf, inf, inf}), "max of -Inf row")
	})
}

// expInputs returns a dense sweep of the exp domain, its edges and specials.
func expInputs() []float32 {
	xs := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0x1p-30, -0x1p-30, 88.72283, 88.72284, 88.8, 89, 100, -87.33, -87.34, -100, -103.9, -103.98, -104, -120,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32}
	for x := -104.0; x < 89; x += 0.000731 {
		xs = append(xs, float32(x))
	}
	return xs
}

// maxExpULP is the documented accuracy of the vectorised exp (see doc.go).
const maxExpULP = 2

func TestExp(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		xs := expInputs()
		got := make([]float32, len(xs))
		v.exp(got, xs)
		worst, at := 0.0, float32(0)
		for i, x := range xs {
			if d := ulpDiff(got[i], math.Exp(float64(x))); d > worst {
				worst, at = d, x
			}
		}
		t.Logf("max error %.3g ulp at x = %g (math.Exp reference)", worst, at)
		require.LessOrEqual(t, worst, float64(maxExpULP), "exp error in ulp (worst at x = %g)", at)
		for _, n := range vecLengths() { // tails: dst past n untouched
			x := make([]float32, n+1)
			dst := make([]float32, n+1)
			dst[n] = 7
			v.exp(dst[:n], x[:n])
			for i := 0; i < n; i++ {
				require.Equal(t, float32(1), dst[i], "n=%d: exp(0) at %d", n, i)
			}
			require.Equal(t, float32(7), dst[n], "n=%d: exp wrote past the end", n)
		}
	})
}

func TestExpShiftSum(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		rng := rand.New(rand.NewPCG(4, 4))
		for _, n := range vecLengths() {
			for _, spread := range []float64{1, 30, 300} {
				x := make([]float32, n+1)
				for i := range x {
					x[i] = float32((rng.Float64() - 0.7) * spread)
				}
				if n > 3 {
					x[1] = float32(math.Inf(-1)) // a masked attention score
				}
				shift := float32(0.37)
				if n > 0 {
					shift = vecGo.max(x[:n])
				}
				dst := make([]float32, n+1)
				dst[n] = 7
				sum := v.expShiftSum(dst[:n], x[:n], shift)
				var stored float64
				for i := 0; i < n; i++ {
					// Reference: math.Exp of the exact float64 difference.
					d := ulpDiff(dst[i], math.Exp(float64(x[i])-float64(shift)))
					require.LessOrEqual(t, d, float64(maxExpULP), "n=%d spread=%g: ulp error of exp(%g - %g) = %g", n, spread, x[i], shift, dst[i])
					stored += float64(dst[i])
				}
				require.Equal(t, float32(7), dst[n], "n=%d: wrote past the end", n)
				// The returned sum is the float64 sum of the stored values.
				require.InDelta(t, stored, sum, 2*float64(n+1)*0x1p-53*stored, "n=%d: sum vs the sum of stored values", n)
				require.Equal(t, sum, v.expShiftSum(nil, x[:n], shift), "n=%d: sum without storing", n)
			}
		}
	})
}

func TestLayerNorm(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		rng := rand.New(rand.NewPCG(5, 5))
		for _, n := range append(vecLengths()[1:], 768) {
			for _, offset := range []float64{0, 100} {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(offset + 3*rng.NormFloat64())
				}
				w, b := randomSlice[float32](rng, n), randomSlice[float32](rng, n)
				for _, affine := range []bool{true, false} {
					ww, bb := w, b
					if !affine {
						ww, bb = nil, nil
					}
					const eps = 1e-5
					out := make([]float32, n+1)
					out[n] = 7
					mean, rstd := v.layerNorm(out[:n], x, ww, bb, eps)
					// Reference: float64 two-pass mean and biased variance.
					var sum float64
					for _, e := range x {
						sum += float64(e)
					}
					mu := sum / float64(n)
					var ss float64
					for _, e := range x {
						ss += (float64(e) - mu) * (float64(e) - mu)
					}
					r := 1 / math.Sqrt(ss/float64(n)+eps)
					require.LessOrEqual(t, ulpDiff(mean, mu), 1.0, "n=%d offset=%g: ulp error of mean %g (float64 reference %g)", n, offset, mean, mu)
					require.LessOrEqual(t, ulpDiff(rstd, r), 1.0, "n=%d offset=%g: ulp error of rstd %g (float64 reference %g)", n, offset, rstd, r)
					for i := range x {
						nrm := (float64(x[i]) - mu) * r
						want, mag := nrm, math.Abs(nrm)
						if affine {
							want = nrm*float64(w[i]) + float64(b[i])
							mag = math.Abs(nrm*float64(w[i])) + math.Abs(float64(b[i]))
						}
						// Tolerance: 2 ulp of the terms' magnitude (the
						// normalized value is rounded once, then one FMA).
						require.InDelta(t, want, out[i], 2*ulp32(mag), "n=%d offset=%g affine=%v: out[%d] vs the float64 reference", n, offset, affine, i)
					}
					require.Equal(t, float32(7), out[n], "n=%d: wrote past the end", n)
				}
			}
		}
	})
}

// geluInputs sweeps the range where GELU is neither 0 nor x in float32.
func geluInputs() []float32 {
	xs := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1e-3, -1e-3, 20, -20, 100, -100,
		float32(math.Inf(1)), float32(math.NaN())}
	for x := -16.0; x < 12; x += 0.00037 {
		xs = append(xs, float32(x))
	}
	return xs
}

// geluRelTol is the relative accuracy required of the GELU kernels against
// float64, away from float32's subnormal range (1e-6 = about 8 ulp).
const geluRelTol = 1e-6

func checkGELU(t *testing.T, name string, f func(dst, x []float32), ref func(float64) float64) {
	xs := geluInputs()
	got := make([]float32, len(xs))
	f(got, xs)
	worst, at := 0.0, float32(0)
	worstNormal, atNormal := 0.0, float32(0) // where |result| >= 2^-126
	for i, x := range xs {
		want := ref(float64(x))
		g := float64(got[i])
		if math.IsNaN(want) || math.IsInf(want, 0) {
			if !(math.IsNaN(want) && math.IsNaN(g)) {
				require.Equal(t, want, g, "%s(%g)", name, x)
			}
			continue
		}
		// Relative error; below float32's normal range one subnormal
		// spacing (2^-149) of error counts as geluRelTol.
		e := math.Abs(g-want) / math.Max(math.Abs(want), 0x1p-149/geluRelTol)
		if e > worst {
			worst, at = e, x
		}
		if math.Abs(want) >= 0x1p-126 && e > worstNormal {
			worstNormal, atNormal = e, x
		}
	}
	t.Logf("%s: max relative error %.3g at x = %g (%.3g at x = %g in float32's normal range)", name, worst, at, worstNormal, atNormal)
	require.LessOrEqual(t, worst, geluRelTol, "%s: relative error (worst at x = %g)", name, at)
	for _, n := range vecLengths() {
		x := make([]float32, n+1)
		dst := make([]float32, n+1)
		for i := range x {
			x[i] = 1
		}
		dst[n] = 7
		f(dst[:n], x[:n])
		for i := 0; i < n; i++ {
			require.InEpsilon(t, ref(1), dst[i], geluRelTol, "%s n=%d: dst[%d] vs the float64 reference", name, n, i)
		}
		require.Equal(t, float32(7), dst[n], "%s n=%d: wrote past the end", name, n)
	}
}

func TestGELU(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		// References: x/2*erfc(-x/√2) and x/(1+exp(-2u)) in float64.
		checkGELU(t, "gelu", v.gelu, func(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) })
		checkGELU(t, "geluTanh", v.geluTanh, geluTanh64)
	})
}

// TestVecExported checks the exported wrappers: Softmax and LogSumExp
// against float64, and the length panics.
func TestVecExported(t *testing.T) {
	x := []float32{1, 2, 3, -1, 0.5, float32(math.Inf(-1))}
	var sum float64
	for _, e := range x {
		sum += math.Exp(float64(e) - 3)
	}
	require.InDelta(t, 3+math.Log(sum), LogSumExp(x), 1e-6, "LogSumExp vs the float64 reference")
	p := make([]float32, len(x))
	Softmax(p, x)
	for i, e := range x {
		want := math.Exp(float64(e)-3) / sum
		require.InDelta(t, want, p[i], 4*ulp32(want), "Softmax[%d] vs the float64 reference", i)
	}
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		row  []float32
		want float64
	}{{nil, math.Inf(-1)}, {[]float32{-inf, -inf}, math.Inf(-1)}, {[]float32{1, inf}, math.Inf(1)}} {
		require.Equal(t, tc.want, LogSumExp(tc.row), "LogSumExp(%v)", tc.row)
	}
	got := LogSumExp([]float32{1, float32(math.NaN())})
	require.True(t, math.IsNaN(got), "LogSumExp with NaN = %g", got)
	require.Equal(t, float32(11), Dot([]float32{1, 2}, []float32{3, 4}), "Dot")
	for _, tc := range []struct {
		call func()
		want string
	}{
		{func() { Dot(make([]float32, 3), make([]float32, 4)) }, "kernel.Dot: len(x) = 3 != len(y) = 4"},
		{func() { Axpy(1, make([]float32, 3), make([]float32, 4)) }, "kernel.Axpy: len(x) = 3 != len(y) = 4"},
		{func() { Max(nil) }, "kernel.Max: empty row"},
		{func() { Exp(make([]float32, 2), make([]float32, 3)) }, "kernel.Exp: len(dst) = 2 != len(x) = 3"},
		{func() { LayerNorm(make([]float32, 3), make([]float32, 3), make([]float32, 2), nil, 1e-5) }, "kernel.LayerNorm: len(weight) = 2 != len(x) = 3"},
		{func() { GELU(make([]float32, 2), make([]float32, 3)) }, "kernel.GELU: len(dst) = 2"},
	} {
		func() {
			defer func() {
				assert.Contains(t, fmt.Sprint(recover()), tc.want, "panic message")
			}()
			tc.call()
		}()
	}
}
