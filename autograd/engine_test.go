package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

func vec(v ...float64) *tensor.Tensor { return tensor.FromValues(tensor.Float64, v) }

// checkGrad fails t unless v.Grad holds want exactly (the expected values
// are small integers or halves, exact in float64; compared as printed, so
// -0 does not pass for 0) or, with want nil, is nil.
func checkGrad(t *testing.T, label string, v *Value, want []float64) {
	t.Helper()
	if want == nil {
		assert.Nil(t, v.Grad, "%s: Grad", label)
		return
	}
	if assert.NotNil(t, v.Grad, "%s: Grad", label) {
		assert.Equal(t, fmt.Sprint(want), fmt.Sprint(v.Grad.ToFloat64s()), "%s: Grad", label)
	}
}

// mustPanic fails t unless f panics with a message containing every want.
func mustPanic(t *testing.T, label string, want []string, f func()) {
	t.Helper()
	msg := func() (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		f()
		return
	}()
	for _, w := range want {
		assert.Contains(t, msg, w, "%s: panic message", label)
	}
}

// TestAccumulationAndZeroGrad checks that leaf gradients add up across
// Backward calls (d/dx of sum(3x) is 3, twice gives 6) until ZeroGrad.
func TestAccumulationAndZeroGrad(t *testing.T) {
	x := Param(vec(1, 2))
	loss := Sum(Scale(x, 3))
	loss.Backward()
	checkGrad(t, "first Backward", x, []float64{3, 3})
	loss.Backward()
	checkGrad(t, "second Backward", x, []float64{6, 6})
	x.ZeroGrad()
	checkGrad(t, "after ZeroGrad", x, nil)
	Sum(Square(x)).Backward() // a new graph on the same leaf: d/dx = 2x
	checkGrad(t, "new graph", x, []float64{2, 4})
}

// TestRetainGradAndRelease checks that intermediate gradients are released
// after Backward unless RetainGrad, that a retained gradient accumulates like
// a leaf's, and that a second Backward propagates only its own pass (PyTorch:
// y = 2x, y.retain_grad(), z = y.sum(), backward twice: x.grad = 4, y.grad = 2).
func TestRetainGradAndRelease(t *testing.T) {
	x := Param(vec(1, 1, 1))
	y := Scale(x, 2)
	w := Exp(y)
	y.RetainGrad()
	z := Sum(y)
	z.Backward()
	checkGrad(t, "retained y", y, []float64{1, 1, 1})
	checkGrad(t, "released z", z, nil)
	z.Backward()
	checkGrad(t, "x after two passes", x, []float64{4, 4, 4})
	checkGrad(t, "retained y after two passes", y, []float64{2, 2, 2})
	checkGrad(t, "w (not on the path)", w, nil)
	for _, v := range []*Value{x, y, z, w} {
		assert.Nil(t, v.pending, "%s still holds a pending gradient after Backward", v.Op())
	}
	// An intermediate without RetainGrad on the path keeps nothing.
	u := Param(vec(2))
	mid := Square(u)
	Sum(mid).Backward()
	checkGrad(t, "released intermediate", mid, nil)
	checkGrad(t, "leaf", u, []float64{4})
}

// TestDiamondGraph checks gradients through a value used several times:
// f = x*x + x*x*x + x with x = 2 gives 2x + 3x^2 + 1 = 17, and a shared
// intermediate a = exp(x) feeding two branches gets both contributions.
func TestDiamondGraph(t *testing.T) {
	x := Param(vec(2))
	Sum(Add(Add(Mul(x, x), Mul(Mul(x, x), x)), x)).Backward()
	checkGrad(t, "x used six times", x, []float64{17})

	err := CheckGrad(func(in []*Value) *Value {
		a := Exp(in[0])
		return Sum(Add(Mul(a, a), Sin(a))) // d/dx = (2a + cos a) a
	}, []*tensor.Tensor{vec(0.3, -0.2)}, CheckOptions{})
	assert.NoError(t, err)
}

// TestDetachAndConst checks that Detach and Const cut gradients, and that
// operations on constants record no graph: the result does not require a
// gradient, is a leaf, and keeps no inputs or backward closure (so no
// activations stay alive).
func TestDetachAndConst(t *testing.T) {
	x := Param(vec(1, 2))
	y := Square(x)
	d := y.Detach()
	assert.False(t, d.RequiresGrad(), "Detach: requires a gradient")
	assert.True(t, d.IsLeaf(), "Detach: not a leaf")
	assert.Same(t, y.Data, d.Data, "Detach: should share data")
	Sum(Add(Mul(d, x), y)).Backward() // only the x factor and y carry gradients: d + 2x
	checkGrad(t, "x through Detach", x, []float64{1 + 2, 4 + 4})

	c := Const(vec(3, 4))
	v := Sum(Exp(Mul(c, c)))
	assert.False(t, v.RequiresGrad(), "op on constants: requires a gradient")
	assert.True(t, v.IsLeaf(), "op on constants: not a leaf")
	assert.Nil(t, v.inputs, "op on constants: inputs")
	assert.Nil(t, v.backward, "op on constants: backward closure")
	v.Backward() // a no-op on a constant
	checkGrad(t, "const", c, nil)

	// A mixed op records only its gradient-requiring input.
	m := Mul(c, x)
	if assert.Len(t, m.inputs, 1, "Mul(const, param): recorded inputs") {
		assert.Same(t, x, m.inputs[0], "Mul(const, param): recorded input")
	}
	assert.Equal(t, "Mul", m.Op())
	assert.False(t, m.IsLeaf(), "Mul(const, param) is a leaf")
}

// TestBackwardPanics checks the messages of Backward on a non-scalar and of
// BackwardWith on a gradient of the wrong shape or dtype.
func TestBackwardPanics(t *testing.T) {
	x := Param(tensor.Zeros(tensor.Float64, 2, 3))
	y := Exp(x)
	mustPanic(t, "Backward non-scalar", []string{"autograd: Backward", "[2 3]"}, func() { y.Backward() })
	mustPanic(t, "BackwardWith shape", []string{"BackwardWith", "[3 2]", "[2 3]"}, func() { y.BackwardWith(tensor.Zeros(tensor.Float64, 3, 2)) })
	mustPanic(t, "BackwardWith dtype", []string{"BackwardWith", "float32", "float64"}, func() { y.BackwardWith(tensor.Zeros(tensor.Float32, 2, 3)) })
	mustPanic(t, "LayerNorm weight", []string{"LayerNorm", "[4]", "[2 3]"}, func() { LayerNorm(x, Param(tensor.Zeros(tensor.Float64, 4)), nil, 1e-5) })
	mustPanic(t, "Split sizes", []string{"Split", "[1 1]", "[2 3]"}, func() { Split(x, 1, 1, 1) })
}

// TestBackwardWith checks a non-scalar seed: BackwardWith(g) on y = 3x gives
// 3g, and Backward on a one-element (not rank-0) value seeds 1.
func TestBackwardWith(t *testing.T) {
	x := Param(vec(1, 2, 3))
	Scale(x, 3).BackwardWith(vec(1, 0, -2))
	checkGrad(t, "BackwardWith", x, []float64{3, 0, -6})
	p := Param(tensor.FromValues(tensor.Float64, []float64{5}, 1, 1))
	Square(p).Backward()
	checkGrad(t, "Backward on [1 1]", p, []float64{10})
	p.Backward() // a leaf's own gradient is 1
	checkGrad(t, "Backward on a leaf", p, []float64{11})
}

// TestTies checks the tie conventions that finite differences cannot: an
// element-wise Maximum/Minimum tie splits the gradient in half, and a
// reduction Max/Min shares it equally among tied extremes (PyTorch's
// maximum and amax).
func TestTies(t *testing.T) {
	a, b := Param(vec(1, 3, 2)), Param(vec(1, 2, 5))
	Sum(Maximum(a, b)).Backward()
	checkGrad(t, "Maximum a", a, []float64{0.5, 1, 0})
	checkGrad(t, "Maximum b", b, []float64{0.5, 0, 1})
	a.ZeroGrad()
	b.ZeroGrad()
	Sum(Minimum(a, b)).Backward()
	checkGrad(t, "Minimum a", a, []float64{0.5, 0, 1})
	checkGrad(t, "Minimum b", b, []float64{0.5, 1, 0})

	x := Param(tensor.FromValues(tensor.Float64, []float64{1, 3, 3, 0, 0, -1}, 2, 3))
	Sum(Max(x, 1)).Backward()
	checkGrad(t, "Max ties", x, []float64{0, 0.5, 0.5, 0.5, 0.5, 0})
	x.ZeroGrad()
	Sum(Min(x, 1)).Backward()
	checkGrad(t, "Min ties", x, []float64{1, 0, 0, 0, 0, 1})
}

// TestCast checks that Cast converts the data and casts the gradient back:
// sum(w * float32(x)) has gradient w (as float32 values) in x's float64.
func TestCast(t *testing.T) {
	x := Param(vec(0.1, 2, -3))
	y := Cast(x, tensor.Float32)
	assert.Equal(t, tensor.Float32, y.DType(), "Cast dtype")
	assert.Equal(t, float64(float32(0.1)), y.Data.At(0), "Cast data")
	Sum(Mul(y, Const(tensor.FromValues(tensor.Float32, []float64{1.5, -2, 0.25})))).Backward()
	checkGrad(t, "Cast gradient", x, []float64{1.5, -2, 0.25})
	require.NotNil(t, x.Grad)
	assert.Equal(t, tensor.Float64, x.Grad.DType(), "Cast gradient dtype")
	assert.Same(t, x, Cast(x, tensor.Float64), "Cast to the same dtype made a new value")
}

// wrongMul is a test-only operation with a deliberately wrong backward for
// its second input (it sends 2a instead of a), for checking that CheckGrad
// finds the fault and names the right input.
func wrongMul(a, b *Value, wrongInput int) *Value {
	return record("wrongMul", tensor.Mul(a.Data, b.Data), func(g *tensor.Tensor) {
		ga, gb := tensor.Mul(g, b.Data), tensor.Mul(g, a.Data)
		if wrongInput == 0 {
			ga = tensor.Scale(ga, 2)
		} else {
			gb = tensor.Scale(gb, 2)
		}
		if a.requiresGrad {
			a.accumulate(ga)
		}
		if b.requiresGrad {
			b.accumulate(gb)
		}
	}, a, b)
}

// TestCheckGradReportsWrongBackward checks that CheckGrad returns a
// GradMismatch naming the input whose gradient is wrong, with the analytic
// value twice the numeric one, and an error for a non-scalar f.
func TestCheckGradReportsWrongBackward(t *testing.T) {
	inputs := []*tensor.Tensor{vec(1, 2, 3), vec(-1, 0.5, 4)}
	for wrong := 0; wrong < 2; wrong++ {
		err := CheckGrad(func(in []*Value) *Value { return Sum(wrongMul(in[0], in[1], wrong)) }, inputs, CheckOptions{})
		var m *GradMismatch
		require.ErrorAs(t, err, &m, "wrong input %d", wrong)
		assert.Equal(t, wrong, m.Input, "reported input")
		assert.InDelta(t, 2*m.Numeric, m.Analytic, 1e-6, "wrong input %d: analytic vs twice the numeric", wrong)
		assert.ErrorContains(t, m, fmt.Sprintf("input %d", wrong))
	}
	err := CheckGrad(func(in []*Value) *Value { return Exp(in[0]) }, inputs[:1], CheckOptions{})
	assert.ErrorContains(t, err, "[3]", "non-scalar f")
	// An input f ignores has a zero gradient, which CheckGrad accepts.
	assert.NoError(t, CheckGrad(func(in []*Value) *Value { return Sum(Exp(in[0])) }, inputs, CheckOptions{}), "unused input")
	// A NaN gradient is reported rather than passed.
	err = CheckGrad(func(in []*Value) *Value { return Sum(Sqrt(in[0])) }, []*tensor.Tensor{vec(-1)}, CheckOptions{})
	assert.Error(t, err, "NaN gradient passed CheckGrad")
}

// TestFloat32MatchesFloat64 runs one composite graph in float32 and in
// float64 and requires the float32 gradients to agree to 2e-4 relative to
// the largest gradient (float32 forward and backward, float64 reductions).
func TestFloat32MatchesFloat64(t *testing.T) {
	rng := tensor.NewRNG(5)
	x64 := tensor.RandN(rng, tensor.Float64, 0, 1, 3, 4, 8)
	w64 := tensor.RandN(rng, tensor.Float64, 0, 0.3, 6, 8)
	run := func(dt tensor.DType) (*Value, *Value) {
		x, w := Param(x64.Cast(dt)), Param(w64.Cast(dt))
		h := GeluTanh(LayerNorm(x, nil, nil, 1e-5))
		logp := LogSoftmax(MatMul(h, w, false, true), -1)
		Mean(Gather(logp, 2, []int{0, 5, 2, 3, 1, 1, 4, 0, 5, 5, 2, 3})).Backward()
		return x, w
	}
	x32, w32 := run(tensor.Float32)
	xr, wr := run(tensor.Float64)
	for _, p := range [][2]*Value{{x32, xr}, {w32, wr}} {
		got, want := p[0].Grad.ToFloat64s(), p[1].Grad.ToFloat64s()
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range want {
			require.InDelta(t, want[i], got[i], 2e-4*scale, "float32 gradient %d vs float64 (scale %g)", i, scale)
		}
	}
}

// TestValueAccessors checks the small accessors.
func TestValueAccessors(t *testing.T) {
	p := Param(tensor.Zeros(tensor.Float32, 2, 3))
	s := Sum(p)
	assert.Equal(t, []int{2, 3}, p.Shape())
	assert.Equal(t, tensor.Float32, p.DType())
	assert.Equal(t, 0.0, s.Item())
	assert.Equal(t, "Sum", s.Op())
	assert.Equal(t, "", p.Op())
	assert.Contains(t, s.String(), "Sum")
	assert.Contains(t, p.String(), "leaf")
}
