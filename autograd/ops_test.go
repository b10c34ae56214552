package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// weightedSum reduces v to a scalar as sum(v * w) with fixed, uneven weights
// w_i = cos(1.3 i + 0.7), so every output element sends back a different
// upstream gradient. The weights depend only on the shape: CheckGrad calls
// the function many times and must see the same one.
func weightedSum(v *Value) *Value {
	w := make([]float64, v.Data.Len())
	for i := range w {
		w[i] = math.Cos(1.3*float64(i) + 0.7)
	}
	return Sum(Mul(v, Const(tensor.FromValues(v.DType(), w, v.Shape()...))))
}

// input domains for the generated inputs
type domain func(r *rand.Rand) float64

func normal(r *rand.Rand) float64   { return r.NormFloat64() }
func positive(r *rand.Rand) float64 { return 0.2 + 2*r.Float64() }
func negative(r *rand.Rand) float64 { return -0.1 - 3*r.Float64() }

func randInput(r *rand.Rand, shape []int, d domain) *tensor.Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = d(r)
	}
	return tensor.FromValues(tensor.Float64, v, shape...)
}

// gradCase is one CheckGrad run: f builds a value from the inputs (made with
// the given shapes and domains) and is reduced by weightedSum.
type gradCase struct {
	name    string
	shapes  [][]int
	domains []domain // one per input; normal when nil
	f       func(in []*Value) *Value
}

// shapeRNG draws the random shapes of the element-wise cases (seeded, so
// every run checks the same shapes).
var shapeRNG = rand.New(rand.NewPCG(5, 6))

// randomShape returns a shape of rank 0..3 with dimensions 1..4.
func randomShape() []int {
	s := make([]int, shapeRNG.IntN(4))
	for i := range s {
		s[i] = 1 + shapeRNG.IntN(4)
	}
	return s
}

// randomBroadcastPair returns a random shape and one that broadcasts with
// it (leading axes dropped, some dimensions set to 1), in random order.
func randomBroadcastPair() [2][]int {
	a := randomShape()
	b := append([]int{}, a[shapeRNG.IntN(len(a)+1):]...)
	for i := range b {
		if shapeRNG.IntN(2) == 0 {
			b[i] = 1
		}
	}
	if shapeRNG.IntN(2) == 0 {
		a, b = b, a
	}
	return [2][]int{a, b}
}

func unaryCase(name string, d domain, op func(*Value) *Value) []gradCase {
	var cs []gradCase
	for _, s := range [][]int{{2, 3}, {}, {4}, randomShape()} {
		cs = append(cs, gradCase{name, [][]int{s}, []domain{d}, func(in []*Value) *Value { return op(in[0]) }})
	}
	return cs
}

// broadcastCases runs a binary op on equal shapes, NumPy's [3,1,5]+[4,1],
// a rank-0 operand on either side, a row broadcast and two random pairs.
func broadcastCases(name string, d domain, op func(a, b *Value) *Value) []gradCase {
	var cs []gradCase
	pairs := [][2][]int{{{2, 3}, {2, 3}}, {{3, 1, 5}, {4, 1}}, {{2, 3}, {}}, {{}, {2, 3}}, {{5}, {2, 5}}}
	for _, p := range append(pairs, randomBroadcastPair(), randomBroadcastPair()) {
		cs = append(cs, gradCase{name, [][]int{p[0], p[1]}, []domain{d, d}, func(in []*Value) *Value { return op(in[0], in[1]) }})
	}
	return cs
}

// gradCases lists every differentiable operation of the package.
func gradCases() []gradCase {
	var cs []gradCase
	add := func(c ...gradCase) { cs = append(cs, c...) }
	one := func(name string, shapes [][]int, f func(in []*Value) *Value) { add(gradCase{name, shapes, nil, f}) }

	add(broadcastCases("Add", normal, Add)...)
	add(broadcastCases("Sub", normal, Sub)...)
	add(broadcastCases("Mul", normal, Mul)...)
	add(broadcastCases("Div", positive, Div)...)
	add(broadcastCases("Maximum", normal, Maximum)...)
	add(broadcastCases("Minimum", normal, Minimum)...)
	add(broadcastCases("Pow", positive, Pow)...)

	add(unaryCase("Neg", normal, Neg)...)
	add(unaryCase("Scale", normal, func(x *Value) *Value { return Scale(x, -1.7) })...)
	add(unaryCase("AddScalar", normal, func(x *Value) *Value { return AddScalar(x, 0.3) })...)
	add(unaryCase("PowScalar(2.5)", positive, func(x *Value) *Value { return PowScalar(x, 2.5) })...)
	add(unaryCase("PowScalar(3)", normal, func(x *Value) *Value { return PowScalar(x, 3) })...)
	add(unaryCase("Square", normal, Square)...)
	add(unaryCase("Sqrt", positive, Sqrt)...)
	add(unaryCase("Rsqrt", positive, Rsqrt)...)
	add(unaryCase("Exp", normal, Exp)...)
	add(unaryCase("Expm1", normal, Expm1)...)
	add(unaryCase("Log", positive, Log)...)
	add(unaryCase("Log1p", positive, Log1p)...)
	add(unaryCase("Log1mExp", negative, Log1mExp)...)
	add(unaryCase("Tanh", normal, Tanh)...)
	add(unaryCase("Sigmoid", normal, Sigmoid)...)
	add(unaryCase("Softplus", normal, Softplus)...)
	add(unaryCase("LogSigmoid", normal, LogSigmoid)...)
	add(unaryCase("Relu", normal, Relu)...)
	add(unaryCase("Abs", normal, Abs)...)
	add(unaryCase("Clamp", normal, func(x *Value) *Value { return Clamp(x, -0.5, 0.8) })...)
	add(unaryCase("Gelu", normal, Gelu)...)
	add(unaryCase("GeluTanh", normal, GeluTanh)...)
	add(unaryCase("Sin", normal, Sin)...)
	add(unaryCase("Cos", normal, Cos)...)
	add(unaryCase("Erf", normal, Erf)...)
	add(unaryCase("Apply(x^3+sin x)", normal, func(x *Value) *Value {
		return Apply(x, func(v float64) float64 { return v*v*v + math.Sin(v) }, func(v float64) float64 { return 3*v*v + math.Cos(v) })
	})...)

	x234 := [][]int{{2, 3, 4}}
	for _, axes := range [][]int{nil, {0}, {-1}, {0, 2}} {
		a := axes
		one(fmt.Sprintf("Sum%v", a), x234, func(in []*Value) *Value { return Sum(in[0], a...) })
		one(fmt.Sprintf("SumKeep%v", a), x234, func(in []*Value) *Value { return SumKeep(in[0], a...) })
		one(fmt.Sprintf("Mean%v", a), x234, func(in []*Value) *Value { return Mean(in[0], a...) })
		one(fmt.Sprintf("MeanKeep%v", a), x234, func(in []*Value) *Value { return MeanKeep(in[0], a...) })
	}
	for _, axis := range []int{0, 1, -1} {
		ax := axis
		one(fmt.Sprintf("LogSumExp(%d)", ax), x234, func(in []*Value) *Value { return LogSumExp(in[0], ax) })
		one(fmt.Sprintf("Max(%d)", ax), x234, func(in []*Value) *Value { return Max(in[0], ax) })
		one(fmt.Sprintf("Min(%d)", ax), x234, func(in []*Value) *Value { return Min(in[0], ax) })
		one(fmt.Sprintf("Softmax(%d)", ax), x234, func(in []*Value) *Value { return Softmax(in[0], ax) })
		one(fmt.Sprintf("LogSoftmax(%d)", ax), x234, func(in []*Value) *Value { return LogSoftmax(in[0], ax) })
	}

	one("Reshape", x234, func(in []*Value) *Value { return Reshape(in[0], 4, -1) })
	one("Permute", x234, func(in []*Value) *Value { return Permute(in[0], 2, 0, 1) })
	one("Transpose", x234, func(in []*Value) *Value { return Transpose(in[0], 0, -1) })
	one("Narrow", x234, func(in []*Value) *Value { return Narrow(in[0], 1, 1, 2) })
	one("Select", x234, func(in []*Value) *Value { return Select(in[0], 2, 3) })
	one("Unsqueeze", x234, func(in []*Value) *Value { return Unsqueeze(in[0], 1) })
	one("Squeeze", [][]int{{2, 1, 3}}, func(in []*Value) *Value { return Squeeze(in[0], 1) })
	one("Expand", [][]int{{3, 1}}, func(in []*Value) *Value { return Expand(in[0], 2, 3, 4) })
	one("Concat", [][]int{{2, 1, 4}, {2, 3, 4}, {2, 2, 4}}, func(in []*Value) *Value { return Concat(1, in...) })
	one("Stack", [][]int{{3, 2}, {3, 2}}, func(in []*Value) *Value { return Stack(-1, in...) })
	one("Split", x234, func(in []*Value) *Value {
		p := Split(in[0], 2, 1, 3)
		return Add(Sum(Square(p[0])), Sum(Sin(p[1]))) // the pieces feed different functions
	})
	one("Cast(float64) no-op", x234, func(in []*Value) *Value { return Cast(in[0], tensor.Float64) })

	one("IndexSelect repeats", [][]int{{4, 3}}, func(in []*Value) *Value { return IndexSelect(in[0], 0, []int{3, 0, 3, 1}) })
	one("IndexSelect axis 1", x234, func(in []*Value) *Value { return IndexSelect(in[0], 1, []int{2, 2, 0}) })
	one("Embedding", [][]int{{5, 3}}, func(in []*Value) *Value { return Embedding(in[0], []int{4, 4, 0, 2}) })
	one("Gather", x234, func(in []*Value) *Value {
		return Gather(in[0], 1, []int{0, 2, 2, 1, 1, 1, 0, 2}) // [2, 1, 4]: one pick per (row, column)
	})
	cond := tensor.FromValues(tensor.Float64, []float64{1, 0, 0, 1, 1, 0}, 2, 3)
	one("Where", [][]int{{2, 3}, {3}}, func(in []*Value) *Value { return Where(cond, in[0], in[1]) })
	one("Where broadcast cond", [][]int{{4, 2, 3}, {}}, func(in []*Value) *Value { return Where(cond, in[0], in[1]) })
	mask := tensor.FromValues(tensor.Float64, []float64{0, 1, 1, 0, 0, 1, 0, 0, 0}, 3, 3)
	one("MaskedFill", [][]int{{2, 3, 3}}, func(in []*Value) *Value { return MaskedFill(in[0], mask, -5) })
	one("MaskedFill+LogSoftmax", [][]int{{2, 3, 3}}, func(in []*Value) *Value {
		return MaskedFill(LogSoftmax(MaskedFill(in[0], mask, math.Inf(-1)), -1), mask, 0)
	})

	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ta, tb := tr[0], tr[1]
		sa, sb := []int{3, 4}, []int{4, 2}
		if ta {
			sa = []int{4, 3}
		}
		if tb {
			sb = []int{2, 4}
		}
		name := fmt.Sprintf("MatMul transA=%v transB=%v", ta, tb)
		one(name, [][]int{sa, sb}, func(in []*Value) *Value { return MatMul(in[0], in[1], ta, tb) })
		one(name+" batched", [][]int{append([]int{2}, sa...), append([]int{2}, sb...)}, func(in []*Value) *Value { return MatMul(in[0], in[1], ta, tb) })
		one(name+" shared b", [][]int{append([]int{2}, sa...), sb}, func(in []*Value) *Value { return MatMul(in[0], in[1], ta, tb) })
		one(name+" shared a", [][]int{sa, append([]int{2}, sb...)}, func(in []*Value) *Value { return MatMul(in[0], in[1], ta, tb) })
	}

	one("LayerNorm", [][]int{{2, 3, 5}, {5}, {5}}, func(in []*Value) *Value { return LayerNorm(in[0], in[1], in[2], 1e-5) })
	one("LayerNorm no affine", [][]int{{4, 5}}, func(in []*Value) *Value { return LayerNorm(in[0], nil, nil, 1e-5) })
	one("LayerNorm weight only", [][]int{{4, 5}, {5}}, func(in []*Value) *Value { return LayerNorm(in[0], in[1], nil, 1e-5) })
	return cs
}

// TestCheckGradEveryOp verifies every op's backward against central finite
// differences in float64 (CheckGrad's defaults: step 1e-6, |analytic -
// numeric| <= 1e-7 + 1e-5 |numeric|) on seeded random inputs.
func TestCheckGradEveryOp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range gradCases() {
		inputs := make([]*tensor.Tensor, len(c.shapes))
		for i, s := range c.shapes {
			d := domain(normal)
			if c.domains != nil {
				d = c.domains[i]
			}
			inputs[i] = randInput(r, s, d)
		}
		err := CheckGrad(func(in []*Value) *Value { return weightedSum(c.f(in)) }, inputs, CheckOptions{})
		assert.NoError(t, err, "%s %v", c.name, c.shapes)
	}
}

// TestCheckGradComposite checks a DPO-shaped loss built from many ops at
// once: per-token log-probs of chosen targets, summed per sequence, a
// log-sigmoid of the scaled margin, averaged.
func TestCheckGradComposite(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const batch, seq, vocab, hidden = 2, 3, 5, 4
	targets := []int{1, 4, 0, 2, 2, 3}
	inputs := []*tensor.Tensor{
		randInput(r, []int{batch, seq, hidden}, normal), // hidden states
		randInput(r, []int{vocab, hidden}, normal),      // unembedding
		randInput(r, []int{hidden}, positive),           // layer-norm weight
		randInput(r, []int{hidden}, normal),             // layer-norm bias
		randInput(r, []int{batch}, normal),              // reference log-ratios
	}
	f := func(in []*Value) *Value {
		h := Gelu(LayerNorm(in[0], in[2], in[3], 1e-5))
		logits := MatMul(h, in[1], false, true)                         // [batch, seq, vocab]
		logp := Gather(LogSoftmax(logits, -1), 2, targets)              // [batch, seq, 1]
		seqLogp := Sum(Reshape(logp, batch, seq), 1)                    // [batch]
		margin := Scale(Sub(seqLogp, in[4]), 0.1)                       // beta * (log-ratio - ref)
		return Neg(Mean(LogSigmoid(Sub(margin, Select(margin, 0, 1))))) // pairwise margins
	}
	require.NoError(t, CheckGrad(f, inputs, CheckOptions{}))
}
