package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// Finite-difference checks (autograd.CheckGrad, float64, central differences,
// |analytic - numeric| <= 1e-7 + 1e-5 |numeric|) of every layer's backward.
func TestLayerGradients(t *testing.T) {
	rng := tensor.NewRNG(3)
	randn := func(shape ...int) *tensor.Tensor { return tensor.RandN(rng, tensor.Float64, 0, 1, shape...) }
	cos, sin := RotaryCosSin([]int{0, 3, 4}, 4, 100, tensor.Float64)
	valid := [][]bool{{true, true, false}, {true, true, true}}
	cases := []struct {
		name   string
		inputs []*tensor.Tensor
		f      func(in []*autograd.Value) *autograd.Value
	}{
		{"Linear", []*tensor.Tensor{randn(2, 3, 4), randn(5, 4), randn(5)},
			func(in []*autograd.Value) *autograd.Value { return Linear(in[0], in[1], in[2]) }},
		{"LinearNoBias", []*tensor.Tensor{randn(3, 4), randn(2, 4)},
			func(in []*autograd.Value) *autograd.Value { return Linear(in[0], in[1], nil) }},
		{"Embedding", []*tensor.Tensor{randn(6, 3)},
			func(in []*autograd.Value) *autograd.Value { return Embedding(in[0], [][]int{{1, 5, 1}, {0, 1, 2}}) }},
		{"ApplyRotaryPartial", []*tensor.Tensor{randn(2, 2, 3, 6)},
			func(in []*autograd.Value) *autograd.Value { return ApplyRotary(in[0], cos, sin) }},
		{"TokenLogProbsMasked", []*tensor.Tensor{randn(2, 3, 5)},
			func(in []*autograd.Value) *autograd.Value {
				return TokenLogProbs(in[0], [][]int{{4, 0, -100}, {1, 2, 3}}, [][]bool{{true, true, false}, {true, false, true}})
			}},
		{"AttentionPadded", []*tensor.Tensor{randn(2, 3, 8), randn(24, 8), randn(24), randn(8, 8), randn(8)},
			func(in []*autograd.Value) *autograd.Value {
				a := Attention{QKVWeight: in[1], QKVBias: in[2], DenseWeight: in[3], DenseBias: in[4], Heads: 2}
				y, _ := a.Forward(in[0], cos, sin, CausalMask(tensor.Float64, 3, 3, valid), nil)
				return y
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A fixed random projection makes the output a scalar whose
			// gradient reaches every output entry.
			var proj *tensor.Tensor
			err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
				y := c.f(in)
				if proj == nil {
					proj = tensor.RandN(tensor.NewRNG(9), tensor.Float64, 0, 1, y.Shape()...)
				}
				return autograd.Sum(autograd.Mul(y, autograd.Const(proj)))
			}, c.inputs, autograd.CheckOptions{})
			require.NoError(t, err)
		})
	}
}

func TestCausalMask(t *testing.T) {
	// Two queries at key positions 2 and 3 of S = 4 keys; key 1 of row 1 is padding.
	m := CausalMask(tensor.Float64, 2, 4, [][]bool{{true, true, true, true}, {true, false, true, true}})
	want := []float64{
		0, 0, 0, 1, // row 0, query at 2
		0, 0, 0, 0, // row 0, query at 3
		0, 1, 0, 1, // row 1, query at 2
		0, 1, 0, 0, // row 1, query at 3
	}
	require.Equal(t, []int{2, 1, 2, 4}, m.Shape())
	assert.Equal(t, want, m.ToFloat64s(), "mask")
	s := CausalMask(tensor.Float32, 3, 3, nil).Shape()
	require.NotEmpty(t, s, "causal-only mask shape")
	assert.Equal(t, 1, s[0], "causal-only mask shape %v; want [1 1 3 3]", s)
}

func TestTokenLogProbsMaskedEntriesAreZero(t *testing.T) {
	logits := autograd.Param(tensor.RandN(tensor.NewRNG(1), tensor.Float32, 0, 1, 1, 2, 4))
	lp := TokenLogProbs(logits, [][]int{{3, -100}}, [][]bool{{true, false}})
	assert.Zero(t, lp.Data.At(0, 1), "masked entry")
	assert.Negative(t, lp.Data.At(0, 0), "log-prob")
}
