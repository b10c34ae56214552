package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// randLoRA returns a rank-r adapter for a [out, in] weight with random
// (non-zero) A and B, float64.
func randLoRA(seed uint64, in, out, r int, alpha float64) *LoRA {
	rng := tensor.NewRNG(seed)
	return &LoRA{
		A:     autograd.Param(tensor.RandN(rng, tensor.Float64, 0, 1, r, in)),
		B:     autograd.Param(tensor.RandN(rng, tensor.Float64, 0, 1, out, r)),
		Alpha: alpha,
	}
}

func TestLoRAScale(t *testing.T) {
	l := randLoRA(1, 3, 2, 4, 16)
	assert.Equal(t, 4.0, l.Scale(), "lora_alpha / r = 16/4")
	l.RSLoRA = true
	assert.Equal(t, 8.0, l.Scale(), "lora_alpha / sqrt(r) = 16/2")
}

// The adapted layer against the sums written out element by element:
// y[n,o] = sum_i x[n,i] W[o,i] + b[o] + s sum_k B[o,k] sum_i A[k,i] x[n,i].
func TestLoRALinearClosedForm(t *testing.T) {
	const n, in, out, r = 5, 4, 3, 2
	rng := tensor.NewRNG(2)
	x := tensor.RandN(rng, tensor.Float64, 0, 1, n, in)
	w := tensor.RandN(rng, tensor.Float64, 0, 1, out, in)
	b := tensor.RandN(rng, tensor.Float64, 0, 1, out)
	l := randLoRA(3, in, out, r, 6) // s = 3
	got := l.Linear(autograd.Const(x), autograd.Const(w), autograd.Const(b)).Data
	require.Equal(t, []int{n, out}, got.Shape())
	for i := range n {
		for o := range out {
			want := b.At(o)
			for j := range in {
				want += x.At(i, j) * w.At(o, j)
			}
			for k := range r {
				var ax float64
				for j := range in {
					ax += l.A.Data.At(k, j) * x.At(i, j)
				}
				want += 3 * l.B.Data.At(o, k) * ax
			}
			assert.InDelta(t, want, got.At(i, o), 1e-12, "y[%d,%d]", i, o)
		}
	}
	var nilLoRA *LoRA
	assert.Equal(t, Linear(autograd.Const(x), autograd.Const(w), autograd.Const(b)).Data.Float64s(),
		nilLoRA.Linear(autograd.Const(x), autograd.Const(w), autograd.Const(b)).Data.Float64s(), "a nil adapter is the base layer")
}

// Finite-difference check of the adapted layer's gradients with respect to
// x, W, b, A and B, without and with dropout (the mask redrawn from the same
// seed at every evaluation, so the function is fixed).
func TestLoRAGradients(t *testing.T) {
	rng := tensor.NewRNG(4)
	randn := func(shape ...int) *tensor.Tensor { return tensor.RandN(rng, tensor.Float64, 0, 1, shape...) }
	inputs := []*tensor.Tensor{randn(2, 3, 5), randn(4, 5), randn(4), randn(2, 5), randn(4, 2)}
	proj := randn(2, 3, 4)
	for _, dropout := range []float64{0, 0.3} {
		err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
			l := &LoRA{A: in[3], B: in[4], Alpha: 3, Dropout: dropout, RNG: tensor.NewRNG(7)}
			y := l.Linear(in[0], in[1], in[2])
			return autograd.Sum(autograd.Mul(y, autograd.Const(proj)))
		}, inputs, autograd.CheckOptions{})
		assert.NoError(t, err, "dropout %v", dropout)
	}
}

// Dropout zeroes about a fraction p of the adapter's input and scales the
// rest by 1/(1-p); the base path sees x unchanged; without an RNG it is off.
func TestLoRADropout(t *testing.T) {
	const in, p = 2000, 0.25
	x := tensor.Ones(tensor.Float64, 1, in)
	w := tensor.Zeros(tensor.Float64, 1, in)
	l := &LoRA{
		A:       autograd.Const(tensor.Ones(tensor.Float64, 1, in)),
		B:       autograd.Const(tensor.Ones(tensor.Float64, 1, 1)),
		Alpha:   1,
		Dropout: p,
	}
	eval := l.Linear(autograd.Const(x), autograd.Const(w), nil).Item()
	assert.Equal(t, float64(in), eval, "no RNG: no dropout, y = sum x")
	l.RNG = tensor.NewRNG(11)
	// y = sum_i m_i / (1-p) with m_i ~ Bernoulli(1-p): mean in, sd sqrt(in p/(1-p)) = 18.3.
	train := l.Linear(autograd.Const(x), autograd.Const(w), nil).Item()
	assert.InDelta(t, float64(in), train, 5*math.Sqrt(in*p/(1-p)))
	assert.NotEqual(t, float64(in), train, "dropout changed the sum")
	kept := train * (1 - p)
	assert.InDelta(t, math.Round(kept), kept, 1e-9, "each kept element contributes exactly 1/(1-p)")
	l.RNG = tensor.NewRNG(11)
	assert.Equal(t, train, l.Linear(autograd.Const(x), autograd.Const(w), nil).Item(), "seeded: the same mask again")
}

// PEFT's initialisation: A ~ U(-1/sqrt(in), 1/sqrt(in)), B = 0.
func TestNewLoRAInit(t *testing.T) {
	const in, out, r = 400, 7, 16
	l := NewLoRA(tensor.NewRNG(5), tensor.Float32, in, out, r, 32, false, 0.1)
	require.Equal(t, []int{r, in}, l.A.Shape())
	require.Equal(t, []int{out, r}, l.B.Shape())
	assert.True(t, l.A.RequiresGrad() && l.B.RequiresGrad())
	assert.Equal(t, make([]float64, out*r), l.B.Data.ToFloat64s())
	bound := 1 / math.Sqrt(in)
	var sum, sq float64
	a := l.A.Data.ToFloat64s()
	for _, v := range a {
		require.LessOrEqual(t, math.Abs(v), bound)
		sum += v
		sq += v * v
	}
	// U(-c, c): mean 0, variance c^2/3; 6400 draws.
	n := float64(len(a))
	assert.InDelta(t, 0, sum/n, 5*bound/math.Sqrt(3*n))
	assert.InDelta(t, bound*bound/3, sq/n, 0.05*bound*bound/3)
	assert.Equal(t, 2.0, l.Scale())
}

// Merge adds s B A into the weight, after which the merged layer computes
// what the adapted one did; Unmerge restores the weight to rounding.
func TestLoRAMergeUnmerge(t *testing.T) {
	rng := tensor.NewRNG(6)
	x := autograd.Const(tensor.RandN(rng, tensor.Float64, 0, 1, 3, 5))
	base := tensor.RandN(rng, tensor.Float64, 0, 1, 4, 5)
	w := base.Clone()
	b := autograd.Const(tensor.RandN(rng, tensor.Float64, 0, 1, 4))
	l := randLoRA(8, 5, 4, 2, 5)
	adapted := l.Linear(x, autograd.Const(w), b).Data.Float64s()

	l.Merge(w)
	assert.True(t, l.Merged)
	merged := l.Linear(x, autograd.Const(w), b).Data.Float64s()
	assert.InDeltaSlice(t, adapted, merged, 1e-12, "merged forward = adapted forward")
	assert.Panics(t, func() { l.Merge(w) }, "merging twice")

	l.Unmerge(w)
	assert.False(t, l.Merged)
	assert.InDeltaSlice(t, base.Float64s(), w.Float64s(), 1e-14, "unmerge restores the base")
	assert.Panics(t, func() { l.Unmerge(w) }, "unmerging an unmerged adapter")
}

func TestLoRAShapePanics(t *testing.T) {
	l := randLoRA(9, 5, 4, 2, 1)
	x := autograd.Const(tensor.Zeros(tensor.Float64, 2, 6))
	assert.PanicsWithValue(t, "nn: LoRA A [2 5], B [4 2] on weight [4 6]; want A [r, 6], B [4, r]", func() {
		l.Linear(x, autograd.Const(tensor.Zeros(tensor.Float64, 4, 6)), nil)
	})
	assert.Panics(t, func() { NewLoRA(tensor.NewRNG(1), tensor.Float64, 5, 4, 0, 1, false, 0) })
}
