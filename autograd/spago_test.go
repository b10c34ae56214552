package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// The forward values and gradients of the ops spago (github.com/nlpodyssey/
// spago v1.1.0, an independent pure-Go autograd library) also has are
// compared with spago's on the same float64 inputs. spago's tensors are 2-D
// (a vector is [n, 1]), so the comparison is on row-major element lists.
// spago is a test-only dependency: nothing outside this file imports it.

// spagoWeights are the uneven weights w_i = cos(1.3 i + 0.7) of the loss
// sum(w * y) both libraries differentiate, so each output element sends back
// its own upstream gradient.
func spagoWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Cos(1.3*float64(i) + 0.7)
	}
	return w
}

type spagoCase struct {
	name    string
	shapes  [][]int // our shapes; spago gets the same data as [r, c] (a vector as [n, 1])
	domain  func(*rand.Rand) float64
	ours    func(in []*autograd.Value) *autograd.Value
	theirs  func(in []mat.Tensor) mat.Tensor
	gradTol float64 // relative to the largest gradient entry
}

func spagoShape(s []int) []int {
	if len(s) == 1 {
		return []int{s[0], 1}
	}
	return s
}

func spagoCases() []spagoCase {
	normal := func(r *rand.Rand) float64 { return r.NormFloat64() }
	positive := func(r *rand.Rand) float64 { return 0.2 + 2*r.Float64() }
	m34, v6 := []int{3, 4}, []int{6}
	unary := func(name string, dom func(*rand.Rand) float64, ours func(*autograd.Value) *autograd.Value, theirs func(mat.Tensor) mat.Tensor) spagoCase {
		return spagoCase{name, [][]int{m34}, dom,
			func(in []*autograd.Value) *autograd.Value { return ours(in[0]) },
			func(in []mat.Tensor) mat.Tensor { return theirs(in[0]) }, 1e-12}
	}
	binary := func(name string, dom func(*rand.Rand) float64, ours func(a, b *autograd.Value) *autograd.Value, theirs func(a, b mat.Tensor) mat.Tensor) spagoCase {
		return spagoCase{name, [][]int{m34, m34}, dom,
			func(in []*autograd.Value) *autograd.Value { return ours(in[0], in[1]) },
			func(in []mat.Tensor) mat.Tensor { return theirs(in[0], in[1]) }, 1e-12}
	}
	gelu := unary("GeluTanh/GELU", normal, autograd.GeluTanh, ag.GELU)
	// spago's GELU derivative hard-codes 6-digit constants (0.797885,
	// 0.0356774, ...), so it agrees with the exact derivative to ~1e-6.
	gelu.gradTol = 1e-5
	return []spagoCase{
		binary("Add", normal, autograd.Add, ag.Add),
		binary("Sub", normal, autograd.Sub, ag.Sub),
		binary("Mul/Prod", normal, autograd.Mul, ag.Prod),
		binary("Div", positive, autograd.Div, ag.Div),
		binary("Maximum/Max", normal, autograd.Maximum, ag.Max),
		binary("Minimum/Min", normal, autograd.Minimum, ag.Min),
		{"MatMul/Mul", [][]int{{3, 4}, {4, 5}}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.MatMul(in[0], in[1], false, false) },
			func(in []mat.Tensor) mat.Tensor { return ag.Mul(in[0], in[1]) }, 1e-12},
		{"MatMul transA/MulT", [][]int{{4, 3}, {4, 1}}, normal, // spago: x2 must be one column
			func(in []*autograd.Value) *autograd.Value { return autograd.MatMul(in[0], in[1], true, false) },
			func(in []mat.Tensor) mat.Tensor { return ag.MulT(in[0], in[1]) }, 1e-12},
		unary("Exp", normal, autograd.Exp, ag.Exp),
		unary("Log", positive, autograd.Log, ag.Log),
		unary("Tanh", normal, autograd.Tanh, ag.Tanh),
		unary("Sigmoid", normal, autograd.Sigmoid, ag.Sigmoid),
		unary("Sqrt", positive, autograd.Sqrt, ag.Sqrt),
		unary("Square", normal, autograd.Square, ag.Square),
		unary("Sin", normal, autograd.Sin, ag.Sin),
		unary("Cos", normal, autograd.Cos, ag.Cos),
		unary("Abs", normal, autograd.Abs, ag.Abs),
		unary("Relu/ReLU", normal, autograd.Relu, ag.ReLU),
		unary("Neg", normal, autograd.Neg, ag.Neg),
		unary("PowScalar/Pow", positive, func(x *autograd.Value) *autograd.Value { return autograd.PowScalar(x, 2.5) },
			func(x mat.Tensor) mat.Tensor { return ag.Pow(x, 2.5) }),
		unary("Softplus/SoftPlus", normal, autograd.Softplus,
			func(x mat.Tensor) mat.Tensor { return ag.SoftPlus(x, mat.Scalar(1.0), mat.Scalar(20.0)) }),
		unary("Transpose/T", normal, func(x *autograd.Value) *autograd.Value { return autograd.Transpose(x, 0, 1) }, ag.T),
		gelu,
		{"Softmax", [][]int{v6}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.Softmax(in[0], 0) },
			func(in []mat.Tensor) mat.Tensor { return ag.Softmax(in[0]) }, 1e-12},
		{"LogSoftmax", [][]int{v6}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.LogSoftmax(in[0], 0) },
			func(in []mat.Tensor) mat.Tensor { return ag.LogSoftmax(in[0]) }, 1e-12},
		{"LogSumExp", [][]int{v6}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.LogSumExp(in[0], 0) },
			func(in []mat.Tensor) mat.Tensor { return ag.LogSumExp(in[0]) }, 1e-12},
		{"Sum/ReduceSum", [][]int{m34}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.Sum(in[0]) },
			func(in []mat.Tensor) mat.Tensor { return ag.ReduceSum(in[0]) }, 1e-12},
		{"Mean/ReduceMean", [][]int{m34}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.Mean(in[0]) },
			func(in []mat.Tensor) mat.Tensor { return ag.ReduceMean(in[0]) }, 1e-12},
		{"Max/ReduceMax", [][]int{v6}, normal,
			func(in []*autograd.Value) *autograd.Value { return autograd.Max(in[0], 0) },
			func(in []mat.Tensor) mat.Tensor { return ag.ReduceMax(in[0]) }, 1e-12},
	}
}

// TestAgainstSpago compares forward values (relative 1e-12 of the largest
// output) and gradients of sum(w * y) (relative tolerance per case, 1e-12
// unless noted, of the largest gradient entry) with spago's.
func TestAgainstSpago(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, c := range spagoCases() {
		ours := make([]*autograd.Value, len(c.shapes))
		theirs := make([]mat.Tensor, len(c.shapes))
		for i, s := range c.shapes {
			n := 1
			for _, d := range s {
				n *= d
			}
			data := make([]float64, n)
			for j := range data {
				data[j] = c.domain(r)
			}
			ours[i] = autograd.Param(tensor.FromValues(tensor.Float64, data, s...))
			theirs[i] = mat.NewDense[float64](mat.WithShape(spagoShape(s)...), mat.WithBacking(append([]float64{}, data...)), mat.WithGrad(true))
		}
		y, ys := c.ours(ours), c.theirs(theirs)
		gotY, wantY := y.Data.ToFloat64s(), ys.Value().Data().F64()
		compare(t, c.name+" forward", gotY, wantY, 1e-12)

		loss, lossS := y, ys
		if n := len(gotY); n > 1 {
			w := spagoWeights(n)
			loss = autograd.Sum(autograd.Mul(y, autograd.Const(tensor.FromValues(tensor.Float64, w, y.Shape()...))))
			// spago's ReduceSum returns an [n, 1] gradient whatever its
			// input's shape, which its Prod then rejects: flatten first.
			flat := ag.Reshape(ys, n, 1)
			lossS = ag.ReduceSum(ag.Prod(flat, mat.NewDense[float64](mat.WithShape(n, 1), mat.WithBacking(w))))
		}
		loss.Backward()
		require.NoError(t, ag.Backward(lossS), "%s: spago Backward", c.name)
		for i := range ours {
			compare(t, fmt.Sprintf("%s gradient of input %d", c.name, i), ours[i].Grad.ToFloat64s(), theirs[i].Grad().Data().F64(), c.gradTol)
		}
	}
}

// compare fails t unless got and want have the same length and every entry
// is within rtol times the largest |want| entry.
func compare(t *testing.T, label string, got, want []float64, rtol float64) {
	t.Helper()
	if !assert.Len(t, got, len(want), "%s: values vs spago's", label) {
		return
	}
	scale := 0.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range want {
		if !assert.InDelta(t, want[i], got[i], rtol*scale, "%s: element %d vs spago (tolerance %.2g of %.3g)", label, i, rtol, scale) {
			return
		}
	}
}
