package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lnBackwardCase is one row of LayerNormBackward's inputs and its
// accumulators before the call.
type lnBackwardCase struct {
	dx, dw, db, dy, x, w []float32
	mean, rstd           float32
}

// randomLNBackwardCase draws a row of n values at a random scale and
// offset, with the mean and rstd of LayerNorm, and accumulators that
// already hold values (a few of them signed zeros).
func randomLNBackwardCase(rng *rand.Rand, v *vecImpl, n int) lnBackwardCase {
	scale, offset := math.Pow(10, float64(rng.IntN(7)-3)), rng.NormFloat64()*10
	fill := func(s float64, shift float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(rng.NormFloat64()*s + shift)
			if rng.IntN(50) == 0 {
				out[i] = float32(math.Copysign(0, rng.NormFloat64()))
			}
		}
		return out
	}
	c := lnBackwardCase{dx: fill(1, 0), dw: fill(1, 0), db: fill(1, 0), dy: fill(scale, 0), x: fill(scale, offset), w: fill(1, 1)}
	c.mean, c.rstd = v.layerNorm(make([]float32, n), c.x, nil, nil, 1e-5)
	return c
}

// run applies f to copies of the case and returns dx, dw, db, xhat and dnorm.
func (c lnBackwardCase) run(add bool, f func(dx, dw, db, dy, x, w []float32, mean, rstd float32, xhat, dnorm []float32, add bool)) [5][]float32 {
	n := len(c.x)
	out := [5][]float32{append([]float32(nil), c.dx...), append([]float32(nil), c.dw...), append([]float32(nil), c.db...), make([]float32, n), make([]float32, n)}
	f(out[0], out[1], out[2], c.dy, c.x, c.w, c.mean, c.rstd, out[3], out[4], add)
	return out
}

// TestLayerNormBackwardMatchesScalar checks that each assembly
// implementation's passes give bit for bit the results of the portable
// loops (those pythia/fast ran before the kernel existed) on the same
// implementation's Sum and Dot, over every tail length and rows of
// hidden sizes, adding into dx and setting it.
func TestLayerNormBackwardMatchesScalar(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		if v == vecGo {
			t.Skip("the portable implementation is the scalar loops themselves")
		}
		scalar := *v
		scalar.layerNormBackwardPrep, scalar.layerNormBackwardApply = layerNormBackwardPrepGo, layerNormBackwardApplyGo
		rng := rand.New(rand.NewPCG(3, 5))
		lengths := append(vecLengths()[1:], 32, 64, 128, 576, 2048)
		for _, n := range lengths {
			for range 20 {
				c := randomLNBackwardCase(rng, v, n)
				for _, add := range []bool{true, false} {
					want := c.run(add, func(dx, dw, db, dy, x, w []float32, mean, rstd float32, xhat, dnorm []float32, add bool) {
						layerNormBackwardWith(&scalar, dx, dw, db, dy, x, w, mean, rstd, xhat, dnorm, add)
					})
					got := c.run(add, func(dx, dw, db, dy, x, w []float32, mean, rstd float32, xhat, dnorm []float32, add bool) {
						layerNormBackwardWith(v, dx, dw, db, dy, x, w, mean, rstd, xhat, dnorm, add)
					})
					for k, name := range []string{"dx", "dw", "db", "xhat", "dnorm"} {
						sameFloats32(t, want[k], got[k], "%s n=%d add=%v %s", v.name, n, add, name)
					}
				}
			}
		}
	})
}

// TestLayerNormBackward checks every implementation against the formula
// evaluated in float64 on the same inputs, to 1e-5 of the largest term of
// each sum (the float32 roundings of xhat, dnorm and the products).
func TestLayerNormBackward(t *testing.T) {
	forEachVecImpl(t, func(t *testing.T, v *vecImpl) {
		rng := rand.New(rand.NewPCG(4, 6))
		for _, n := range []int{1, 7, 128, 1000} {
			c := randomLNBackwardCase(rng, v, n)
			got := c.run(true, func(dx, dw, db, dy, x, w []float32, mean, rstd float32, xhat, dnorm []float32, add bool) {
				layerNormBackwardWith(v, dx, dw, db, dy, x, w, mean, rstd, xhat, dnorm, add)
			})
			xhat, dnorm := make([]float64, n), make([]float64, n)
			var m1, m2 float64
			for j := range xhat {
				xhat[j] = (float64(c.x[j]) - float64(c.mean)) * float64(c.rstd)
				dnorm[j] = float64(c.dy[j]) * float64(c.w[j])
				m1 += dnorm[j] / float64(n)
				m2 += dnorm[j] * xhat[j] / float64(n)
			}
			for j := range xhat {
				rs := float64(c.rstd)
				tol := 1e-5 * (math.Abs(float64(c.dx[j])) + rs*(math.Abs(dnorm[j])+math.Abs(m1)+math.Abs(xhat[j]*m2)))
				require.InDelta(t, float64(c.dx[j])+rs*(dnorm[j]-m1-xhat[j]*m2), got[0][j], tol, "%s n=%d dx[%d]", v.name, n, j)
				tol = 1e-5 * (math.Abs(float64(c.dw[j])) + math.Abs(float64(c.dy[j])*xhat[j]))
				require.InDelta(t, float64(c.dw[j])+float64(c.dy[j])*xhat[j], got[1][j], tol, "%s n=%d dw[%d]", v.name, n, j)
				require.InDelta(t, float64(c.db[j])+float64(c.dy[j]), got[2][j], 1e-6*(math.Abs(float64(c.db[j]))+math.Abs(float64(c.dy[j]))), "%s n=%d db[%d]", v.name, n, j)
			}
		}
	})
}

func TestLayerNormBackwardPanics(t *testing.T) {
	row := func(n int) []float32 { return make([]float32, n) }
	assert.PanicsWithValue(t, "kernel.LayerNormBackward: empty row", func() {
		LayerNormBackward(nil, nil, nil, nil, nil, nil, 0, 1, nil, nil, true)
	})
	assert.PanicsWithValue(t, "kernel.LayerNormBackward: len(dw) = 2 != len(x) = 3", func() {
		LayerNormBackward(row(3), row(2), row(3), row(3), row(3), row(3), 0, 1, row(3), row(3), true)
	})
}
