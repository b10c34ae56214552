package align_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// TestLossGradients checks every loss's gradient with respect to the
// per-token policy log-probs against central finite differences in float64
// (autograd.CheckGrad: step 1e-6, |analytic - numeric| <= 1e-7 + 1e-5
// |numeric|), on random inputs of unequal lengths.
func TestLossGradients(t *testing.T) {
	rng := tensor.NewRNG(7)
	for _, lc := range everyLoss() {
		t.Run(lc.label, func(t *testing.T) {
			loss := lc.loss(t)
			nw, nl := 4, 4
			if unpaired(lc.name) {
				nw, nl = 3, 2
			}
			in := randomTokens(rng, nw, nl, 6)
			err := autograd.CheckGrad(func(x []*autograd.Value) *autograd.Value {
				out, err := loss.ComputeTokens(in.batch(x[0], x[1], lc.name == "kto"))
				require.NoError(t, err)
				return out.Loss
			}, []*tensor.Tensor{in.chosen, in.rejected}, autograd.CheckOptions{})
			assert.NoError(t, err)
		})
	}
}

// TestLossStability puts every loss at margins of ±1e4 (log-ratios ±5e3,
// β = 1 and 0.1) and requires a finite loss and finite gradients, or, for
// forward_kl whose score -exp(-r) overflows at r < -709, a returned error.
func TestLossStability(t *testing.T) {
	for _, beta := range []float64{1, 0.1} {
		for _, lc := range everyLoss() {
			t.Run(lc.label, func(t *testing.T) {
				cfg := lc.config()
				cfg.Beta = beta
				loss, err := align.New(lc.name, cfg)
				require.NoError(t, err)
				b := hugeMarginBatch(lc.name)
				out, err := loss.Compute(b)
				if err != nil && cfg.FDivergence == align.FDivForwardKL && strings.Contains(err.Error(), "forward_kl overflows") {
					return // the score -exp(-r) is -Inf: an error, not a NaN gradient
				}
				require.NoError(t, err)
				out.Loss.Backward()
				v := out.Loss.Item()
				require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "loss %v", v)
				for _, v := range []*autograd.Value{b.PolicyChosen, b.PolicyRejected} {
					if v.Grad == nil {
						continue
					}
					for i, g := range v.Grad.ToFloat64s() {
						assert.False(t, math.IsNaN(g) || math.IsInf(g, 0), "gradient %d is %v", i, g)
					}
				}
			})
		}
	}
}

// hugeMarginBatch returns sequence log-probs with Δ = +1e4 (pair 0) and
// Δ = -1e4 (pair 1); for simpo and orpo the mean log-probs differ by 1e4
// instead.
func hugeMarginBatch(name string) *align.Batch {
	seq := func(v ...float64) *autograd.Value {
		return autograd.Param(tensor.FromValues(tensor.Float64, v, len(v)))
	}
	if name == "simpo" || name == "orpo" {
		return &align.Batch{
			PolicyChosen: seq(-1, -10001), PolicyRejected: seq(-10001, -1),
			ChosenLengths: []int{1, 1}, RejectedLengths: []int{1, 1},
		}
	}
	b := &align.Batch{
		PolicyChosen: seq(-5, -10005), PolicyRejected: seq(-10010, -10),
		RefChosen: seq(-5005, -5005), RefRejected: seq(-5010, -5010),
		ChosenLengths: []int{3, 4}, RejectedLengths: []int{5, 2},
	}
	b.RefChosen, b.RefRejected = b.RefChosen.Detach(), b.RefRejected.Detach()
	if name == "kto" {
		b.PolicyKL, b.RefKL = seq(-3, -4).Detach(), seq(-3.5, -4).Detach()
	}
	return b
}

// TestLossErrors checks that bad data is an error naming the field and
// index, never a NaN.
func TestLossErrors(t *testing.T) {
	seq := func(v ...float64) *autograd.Value {
		return autograd.Param(tensor.FromValues(tensor.Float64, v, len(v)))
	}
	good := func() *align.Batch {
		return &align.Batch{PolicyChosen: seq(-1, -2), PolicyRejected: seq(-3, -4), RefChosen: seq(-1, -1), RefRejected: seq(-2, -2),
			ChosenLengths: []int{1, 2}, RejectedLengths: []int{3, 4}}
	}
	cases := []struct {
		name, loss string
		edit       func(b *align.Batch)
		want       string
	}{
		{"empty chosen", "sigmoid", func(b *align.Batch) { b.ChosenLengths[1] = 0 }, "chosen completion of pair 1 is empty"},
		{"empty rejected", "ipo", func(b *align.Batch) { b.RejectedLengths[0] = 0 }, "rejected completion of pair 0 is empty"},
		{"NaN policy", "sigmoid", func(b *align.Batch) { b.PolicyRejected = seq(-3, math.NaN()) }, "policy_rejected[1] is NaN"},
		{"Inf reference", "cdpo", func(b *align.Batch) { b.RefChosen = seq(math.Inf(-1), -1) }, "ref_chosen[0] is -Inf"},
		{"orpo at A = 0", "orpo", func(b *align.Batch) { b.PolicyChosen = seq(0, -2) }, "chosen completion of pair 0 is 0"},
		{"kto without KL", "kto", nil, "kto needs the KL completions"},
		{"forward_kl overflow", "sigmoid", func(b *align.Batch) { b.PolicyChosen = seq(-1, -3000) }, "chosen score of pair 1 is -Inf: forward_kl overflows at log-ratio -2999"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := align.DefaultConfig()
			if c.name == "forward_kl overflow" {
				cfg.FDivergence = align.FDivForwardKL
			}
			loss, err := align.New(c.loss, cfg)
			require.NoError(t, err)
			b := good()
			if c.edit != nil {
				c.edit(b)
			}
			_, err = loss.Compute(b)
			require.ErrorContains(t, err, c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "align: "+c.loss+": "), "error %q does not name the loss", err)
		})
	}
}

// TestTokenErrors checks the per-token path: a NaN token names its row and
// completion-token index, a NaN in padding is ignored, an empty completion
// names its pair.
func TestTokenErrors(t *testing.T) {
	vals := func(v ...float64) *autograd.Value { return autograd.Param(tensor.FromValues(tensor.Float64, v, 2, 3)) }
	loss, err := align.New("sigmoid", align.DefaultConfig())
	require.NoError(t, err)
	nan := math.NaN()
	tb := &align.TokenBatch{
		PolicyChosen:   align.TokensFromLengths(vals(-1, -2, nan, -1, nan, -1), []int{2, 3}), // [1][1] is NaN, [0][2] padding
		PolicyRejected: align.TokensFromLengths(vals(-1, -2, -3, -1, -2, -1), []int{3, 3}),
	}
	_, err = loss.ComputeTokens(tb)
	assert.ErrorContains(t, err, "policy_chosen[1][1] is NaN", "NaN token")
	tb.PolicyChosen = align.TokensFromLengths(vals(-1, -2, nan, -1, -3, -1), []int{2, 3})
	out, err := loss.ComputeTokens(tb)
	require.NoError(t, err, "NaN in padding")
	out.Loss.Backward()
	assert.Zero(t, tb.PolicyChosen.Values.Grad.At(0, 2), "padding gradient")
	tb.PolicyRejected = align.TokensFromLengths(vals(-1, -2, -3, -1, -2, -1), []int{3, 0})
	_, err = loss.ComputeTokens(tb)
	assert.ErrorContains(t, err, "rejected completion of pair 1 is empty", "empty completion")
}

// TestFloat32 runs a loss on float32 log-probs: the gradient comes back in
// float32 and agrees with the float64 computation to float32 precision.
func TestFloat32(t *testing.T) {
	rng := tensor.NewRNG(3)
	in := randomTokens(rng, 3, 3, 5)
	for _, name := range []string{"sigmoid", "ipo", "discopop", "orpo", "simpo"} {
		loss, err := align.New(name, align.DefaultConfig())
		require.NoError(t, err)
		run := func(dt tensor.DType) ([]float64, float64) {
			c, r := autograd.Param(in.chosen.Cast(dt)), autograd.Param(in.rejected.Cast(dt))
			tb := in.batch(c, r, false)
			tb.RefChosen.Values, tb.RefRejected.Values = autograd.Const(in.refChosen.Cast(dt)), autograd.Const(in.refRejected.Cast(dt))
			tb.RefChosen.Mask, tb.RefRejected.Mask = tb.RefChosen.Mask.Cast(dt), tb.RefRejected.Mask.Cast(dt)
			out, err := loss.ComputeTokens(tb)
			require.NoError(t, err)
			out.Loss.Backward()
			require.Equal(t, dt, c.Grad.DType(), "%s: gradient dtype for %s inputs", name, dt)
			return c.Grad.ToFloat64s(), out.Loss.Item()
		}
		g32, l32 := run(tensor.Float32)
		g64, l64 := run(tensor.Float64)
		assert.InDelta(t, l64, l32, 1e-5*math.Max(1, math.Abs(l64)), "%s: float32 loss vs float64", name)
		for i := range g64 {
			assert.InDelta(t, g64[i], g32[i], 1e-5*math.Max(1e-2, math.Abs(g64[i])), "%s: gradient %d: float32 vs float64", name, i)
		}
	}
}
