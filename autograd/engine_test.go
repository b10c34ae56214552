package autograd

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/daalab/daa/tensor"
)

func vec(v ...float64) *tensor.Tensor { return tensor.FromValues(tensor.Float64, v) }

// checkGrad fails t unless v.Grad holds want exactly (the expected values
// are small integers or halves, exact in float64) or, with want nil, is nil.
func checkGrad(t *testing.T, label string, v *Value, want []float64) {
	t.Helper()
	if want == nil {
		if v.Grad != nil {
			t.Errorf("%s: Grad = %v, want nil", label, v.Grad)
		}
		return
	}
	if v.Grad == nil {
		t.Errorf("%s: Grad is nil, want %v", label, want)
		return
	}
	got := v.Grad.ToFloat64s()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: Grad = %v, want %v", label, got, want)
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
		if !strings.Contains(msg, w) {
			t.Errorf("%s: panic %q does not mention %q", label, msg, w)
		}
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
		if v.pending != nil {
			t.Errorf("%s still holds a pending gradient after Backward", v.Op())
		}
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
	if err != nil {
		t.Error(err)
	}
}

// TestDetachAndConst checks that Detach and Const cut gradients, and that
// operations on constants record no graph: the result does not require a
// gradient, is a leaf, and keeps no inputs or backward closure (so no
// activations stay alive).
func TestDetachAndConst(t *testing.T) {
	x := Param(vec(1, 2))
	y := Square(x)
	d := y.Detach()
	if d.RequiresGrad() || !d.IsLeaf() || d.Data != y.Data {
		t.Errorf("Detach: requiresGrad=%v leaf=%v sharesData=%v", d.RequiresGrad(), d.IsLeaf(), d.Data == y.Data)
	}
	Sum(Add(Mul(d, x), y)).Backward() // only the x factor and y carry gradients: d + 2x
	checkGrad(t, "x through Detach", x, []float64{1 + 2, 4 + 4})

	c := Const(vec(3, 4))
	v := Sum(Exp(Mul(c, c)))
	if v.RequiresGrad() || !v.IsLeaf() || v.inputs != nil || v.backward != nil {
		t.Errorf("op on constants: requiresGrad=%v leaf=%v inputs=%d backward=%v", v.RequiresGrad(), v.IsLeaf(), len(v.inputs), v.backward != nil)
	}
	v.Backward() // a no-op on a constant
	checkGrad(t, "const", c, nil)

	// A mixed op records only its gradient-requiring input.
	m := Mul(c, x)
	if len(m.inputs) != 1 || m.inputs[0] != x || m.Op() != "Mul" || m.IsLeaf() {
		t.Errorf("Mul(const, param) recorded %d inputs, op %q", len(m.inputs), m.Op())
	}
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
	if y.DType() != tensor.Float32 || y.Data.At(0) != float64(float32(0.1)) {
		t.Errorf("Cast data %v", y.Data)
	}
	Sum(Mul(y, Const(tensor.FromValues(tensor.Float32, []float64{1.5, -2, 0.25})))).Backward()
	checkGrad(t, "Cast gradient", x, []float64{1.5, -2, 0.25})
	if x.Grad.DType() != tensor.Float64 {
		t.Errorf("Cast gradient dtype %s", x.Grad.DType())
	}
	if Cast(x, tensor.Float64) != x {
		t.Errorf("Cast to the same dtype made a new value")
	}
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
		if !errors.As(err, &m) {
			t.Fatalf("wrong input %d: CheckGrad returned %v, want a *GradMismatch", wrong, err)
		}
		if m.Input != wrong || math.Abs(m.Analytic-2*m.Numeric) > 1e-6 {
			t.Errorf("wrong input %d: reported %+v", wrong, m)
		}
		if !strings.Contains(m.Error(), fmt.Sprintf("input %d", wrong)) {
			t.Errorf("message %q does not name input %d", m.Error(), wrong)
		}
	}
	err := CheckGrad(func(in []*Value) *Value { return Exp(in[0]) }, inputs[:1], CheckOptions{})
	if err == nil || !strings.Contains(err.Error(), "[3]") {
		t.Errorf("non-scalar f: CheckGrad returned %v", err)
	}
	// An input f ignores has a zero gradient, which CheckGrad accepts.
	if err := CheckGrad(func(in []*Value) *Value { return Sum(Exp(in[0])) }, inputs, CheckOptions{}); err != nil {
		t.Errorf("unused input: %v", err)
	}
	// A NaN gradient is reported rather than passed.
	err = CheckGrad(func(in []*Value) *Value { return Sum(Sqrt(in[0])) }, []*tensor.Tensor{vec(-1)}, CheckOptions{})
	if err == nil {
		t.Errorf("NaN gradient passed CheckGrad")
	}
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
			if math.Abs(got[i]-want[i]) > 2e-4*scale {
				t.Fatalf("float32 gradient %d = %g, float64 %g (scale %g)", i, got[i], want[i], scale)
			}
		}
	}
}

// TestValueAccessors checks the small accessors.
func TestValueAccessors(t *testing.T) {
	p := Param(tensor.Zeros(tensor.Float32, 2, 3))
	s := Sum(p)
	if fmt.Sprint(p.Shape()) != "[2 3]" || p.DType() != tensor.Float32 || s.Item() != 0 || s.Op() != "Sum" || p.Op() != "" {
		t.Errorf("accessors: %v %v %v %q %q", p.Shape(), p.DType(), s.Item(), s.Op(), p.Op())
	}
	if !strings.Contains(s.String(), "Sum") || !strings.Contains(p.String(), "leaf") {
		t.Errorf("String: %q %q", s.String(), p.String())
	}
}
