package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// TestClipGradNormTorch compares ClipGradNorm with torch's clip_grad_norm_
// (optim_golden.json): the returned norm and the clipped gradients. Tolerance
// 1e-14 relative in float64 (torch sums squares in a different order);
// 1e-6 relative in float32, where torch also computes the norm in float32.
func TestClipGradNormTorch(t *testing.T) {
	for i, c := range readGolden(t).Clip {
		t.Run(fmt.Sprintf("%d_%s_max%g", i, c.DType, c.MaxNorm), func(t *testing.T) {
			dt, rtol := tensor.Float64, 1e-14
			if c.DType == "float32" {
				dt, rtol = tensor.Float32, 1e-6
			}
			var ps []nn.Param
			for j, shape := range c.Shapes {
				v := autograd.Param(tensor.Zeros(dt, shape...))
				if c.Grads[j] != nil {
					v.Grad = tensor.FromValues(dt, c.Grads[j], shape...)
				}
				ps = append(ps, nn.Param{Name: fmt.Sprint("p", j), Value: v})
			}
			norm, err := ClipGradNorm(ps, c.MaxNorm, true)
			require.NoError(t, err)
			assert.InDelta(t, c.Norm, norm, rtol*c.Norm, "norm vs torch")
			for j, want := range c.Clipped {
				if want == nil {
					assert.Nil(t, ps[j].Value.Grad, "p%d had no gradient but has one now", j)
					continue
				}
				for k, got := range ps[j].Value.Grad.ToFloat64s() {
					assert.InDelta(t, want[k], got, rtol*math.Abs(want[k]), "p%d[%d] vs torch", j, k)
				}
			}
		})
	}
}

// gradParam returns a parameter of the given dtype whose gradient is g.
func gradParam(name string, dt tensor.DType, g ...float64) nn.Param {
	v := autograd.Param(tensor.Zeros(dt, len(g)))
	v.Grad = tensor.FromValues(dt, g)
	return nn.Param{Name: name, Value: v}
}

// TestClipGradNormByHand checks cases worked out by hand from torch's rule
// coef = max/(norm+1e-6), applied when < 1. Tolerance: exact for the norms
// (sqrt of an exact sum), 1e-15 relative for the scaled values.
func TestClipGradNormByHand(t *testing.T) {
	cases := []struct {
		name    string
		params  []nn.Param
		maxNorm float64
		norm    float64
		want    [][]float64
	}{
		{"3-4-5 clipped to 1", []nn.Param{gradParam("a", tensor.Float64, 3), gradParam("b", tensor.Float64, 4)},
			1, 5, [][]float64{{3 / (5 + 1e-6)}, {4 / (5 + 1e-6)}}},
		{"3-4-5 under 10", []nn.Param{gradParam("a", tensor.Float64, 3, 4)}, 10, 5, [][]float64{{3, 4}}},
		{"max equal to the norm still scales by max/(norm+1e-6)", []nn.Param{gradParam("a", tensor.Float64, 0, 2)},
			2, 2, [][]float64{{0, 2 * 2 / (2 + 1e-6)}}},
		{"no gradients", []nn.Param{{Name: "x", Value: autograd.Param(tensor.Zeros(tensor.Float64, 2))}}, 1, 0, [][]float64{nil}},
		{"mixed float32 and float64", []nn.Param{gradParam("a", tensor.Float32, 6), gradParam("b", tensor.Float64, 8)},
			20, 10, [][]float64{{6}, {8}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			norm, err := ClipGradNorm(c.params, c.maxNorm, true)
			require.NoError(t, err)
			require.Equal(t, c.norm, norm, "norm")
			for i, want := range c.want {
				if want == nil {
					continue
				}
				for k, got := range c.params[i].Value.Grad.ToFloat64s() {
					assert.InDelta(t, want[k], got, 1e-15*math.Abs(want[k]), "%s[%d]", c.params[i].Name, k)
				}
			}
		})
	}
}

// TestClipGradNormNonFinite checks both modes on NaN and Inf gradients: an
// error that leaves the gradients alone, or torch's scaling by the NaN (or
// zero) coefficient.
func TestClipGradNormNonFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		ps := []nn.Param{gradParam("a", tensor.Float64, 1, bad), gradParam("b", tensor.Float32, 2)}
		norm, err := ClipGradNorm(ps, 1, true)
		require.Error(t, err, "grad %v", bad)
		require.Regexp(t, "non-finite|cannot be clipped", err.Error(), "grad %v: want an error about the non-finite norm", bad)
		assert.True(t, math.IsNaN(norm) || math.IsInf(norm, 1), "grad %v: norm %v, want NaN or +Inf", bad, norm)
		assert.Equal(t, 2.0, ps[1].Value.Grad.At(0), "grad %v: with errorIfNonfinite the gradients changed", bad)
		_, err = ClipGradNorm(ps, 1, false)
		require.NoError(t, err)
		// torch: NaN norm -> every gradient NaN; Inf norm -> coefficient 0.
		got := ps[1].Value.Grad.At(0)
		if math.IsNaN(bad) {
			assert.True(t, math.IsNaN(got), "grad NaN: b scaled to %v, torch gives NaN", got)
		} else {
			assert.Zero(t, got, "grad +Inf: b scaled by torch's coefficient 0")
		}
	}
}

// TestClipGradNormParallel checks that a norm over many chunks equals a
// serial float64 sum within 1e-13 relative and that every element is scaled.
func TestClipGradNormParallel(t *testing.T) {
	rng := tensor.NewRNG(3)
	var ps []nn.Param
	var serial float64
	for i, n := range []int{3, grain*2 + 17, 1, grain - 1, 5 * grain} {
		v := autograd.Param(tensor.Zeros(tensor.Float32, n))
		v.Grad = tensor.RandN(rng, tensor.Float32, 0, 1, n)
		for _, g := range v.Grad.Float32s() {
			serial += float64(g) * float64(g)
		}
		ps = append(ps, nn.Param{Name: fmt.Sprint(i), Value: v})
	}
	before := ps[3].Value.Grad.Clone()
	norm, err := ClipGradNorm(ps, 1, false)
	require.NoError(t, err)
	want := math.Sqrt(serial)
	require.InDelta(t, want, norm, 1e-13*want, "norm vs the serial sum")
	coef := float32(1 / (norm + 1e-6))
	for i, g := range ps[3].Value.Grad.Float32s() {
		require.Equal(t, before.Float32s()[i]*coef, g, "element %d", i)
	}
}
