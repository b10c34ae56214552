package tensor

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// unaryCases pairs each element-wise unary op with its float64 definition
// written out here and an input generator inside its domain.
var unaryCases = []struct {
	name string
	op   func(*Tensor) *Tensor
	ref  func(float64) float64
	g    gen
}{
	{"Neg", Neg, func(v float64) float64 { return -v }, normal},
	{"Exp", Exp, math.Exp, normal},
	{"Log", Log, math.Log, positive},
	{"Log1p", Log1p, math.Log1p, positive},
	{"Expm1", Expm1, math.Expm1, normal},
	{"Sqrt", Sqrt, math.Sqrt, positive},
	{"Rsqrt", Rsqrt, func(v float64) float64 { return 1 / math.Sqrt(v) }, positive},
	{"Square", Square, func(v float64) float64 { return v * v }, normal},
	{"Abs", Abs, math.Abs, normal},
	{"Sign", Sign, func(v float64) float64 { return b2f(v > 0) - b2f(v < 0) }, smallInt},
	{"Tanh", Tanh, math.Tanh, normal},
	{"Sin", Sin, math.Sin, normal},
	{"Cos", Cos, math.Cos, normal},
	{"Erf", Erf, math.Erf, normal},
	{"Relu", Relu, func(v float64) float64 {
		if v > 0 {
			return v
		}
		return 0
	}, normal},
	// Naive textbook forms; normal inputs keep them far from overflow.
	{"Sigmoid", Sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, normal},
	{"Softplus", Softplus, func(v float64) float64 { return math.Log(1 + math.Exp(v)) }, normal},
	{"LogSigmoid", LogSigmoid, func(v float64) float64 { return math.Log(1 / (1 + math.Exp(-v))) }, normal},
	{"Gelu", Gelu, func(v float64) float64 { return v * 0.5 * (1 + math.Erf(v/math.Sqrt(2))) }, normal},
	{"GeluTanh", GeluTanh, func(v float64) float64 {
		return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*math.Pow(v, 3))))
	}, normal},
	{"Scale(-2.5)", func(x *Tensor) *Tensor { return Scale(x, -2.5) }, func(v float64) float64 { return -2.5 * v }, normal},
	{"AddScalar(0.75)", func(x *Tensor) *Tensor { return AddScalar(x, 0.75) }, func(v float64) float64 { return v + 0.75 }, normal},
	{"PowScalar(1.5)", func(x *Tensor) *Tensor { return PowScalar(x, 1.5) }, func(v float64) float64 { return v * math.Sqrt(v) }, positive},
	{"Clamp(-0.5,0.5)", func(x *Tensor) *Tensor { return Clamp(x, -0.5, 0.5) }, func(v float64) float64 { return math.Min(math.Max(v, -0.5), 0.5) }, normal},
	{"Apply(cube)", func(x *Tensor) *Tensor { return Apply(x, func(v float64) float64 { return v * v * v }) }, func(v float64) float64 { return v * v * v }, normal},
}

// unaryTol is the tolerance of a unary op: results are computed in float64
// and rounded once, but a reference written differently (Sigmoid, Softplus,
// PowScalar) can differ from the package's stable form by a few float64 ulps.
func unaryTol(dt DType) tol {
	if dt == Float32 {
		return tolRound32
	}
	return tol{atol: 1e-300, rtol: 1e-13}
}

// TestUnaryOps checks every unary op against its float64 definition on random
// shapes (rank 0 and size-0 included), every layout and both dtypes.
func TestUnaryOps(t *testing.T) {
	r := NewRNG(11)
	shapes := [][]int{{}, {0}, {3, 0, 2}, {7}, {3, 4}, {2, 3, 5}, {200, 90}} // the last one runs in parallel
	for i := 0; i < 4; i++ {
		shapes = append(shapes, randomShape(r, 4, 5))
	}
	for _, c := range unaryCases {
		for _, dt := range dtypes {
			for _, shape := range shapes {
				for _, layout := range layouts {
					x := makeInput(r, dt, shape, layout, c.g)
					in := readND(x)
					want := newND(shape)
					for i, v := range in.data {
						want.data[i] = roundTo(dt, c.ref(v))
					}
					checkND(t, fmt.Sprintf("%s %s %v %s", c.name, dt, shape, layout), c.op(x), dt, want, unaryTol(dt))
				}
			}
		}
	}
}

// TestUnarySpecialValues checks the IEEE edge cases and the extreme inputs
// where naive formulas overflow; expected values follow IEEE 754 and the
// mathematical limits.
func TestUnarySpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		name string
		op   func(*Tensor) *Tensor
		in   []float64
		want []float64
	}{
		{"Exp", Exp, []float64{-inf, inf, nan, 1000, -1000}, []float64{0, inf, nan, inf, 0}},
		{"Log", Log, []float64{0, -1, inf, nan}, []float64{-inf, nan, inf, nan}},
		{"Sqrt", Sqrt, []float64{-1, 0, inf}, []float64{nan, 0, inf}},
		{"Sign", Sign, []float64{nan, -0.0, -3, 2}, []float64{0, 0, -1, 1}},
		{"Relu", Relu, []float64{nan, -inf, inf}, []float64{nan, 0, inf}},
		{"Sigmoid", Sigmoid, []float64{-1000, 1000, -inf, inf, nan}, []float64{0, 1, 0, 1, nan}},
		// softplus(x) = x + log1p(e^-x) -> x for large x; e^x -> 0 for very negative x.
		{"Softplus", Softplus, []float64{1000, -1000, 0}, []float64{1000, 0, math.Ln2}},
		{"LogSigmoid", LogSigmoid, []float64{-1000, 1000, 0}, []float64{-1000, 0, -math.Ln2}},
		{"Tanh", Tanh, []float64{inf, -inf, 1000}, []float64{1, -1, 1}},
		{"Gelu", Gelu, []float64{-inf, inf, 0, -40}, []float64{nan, inf, 0, 0}},
		{"Clamp", func(x *Tensor) *Tensor { return Clamp(x, -1, 1) }, []float64{nan, inf, -inf}, []float64{nan, 1, -1}},
	}
	for _, c := range cases {
		require.Len(t, c.want, len(c.in), "%s: case table", c.name)
		for _, dt := range dtypes {
			got := c.op(FromValues(dt, c.in))
			want := nd{shape: []int{len(c.in)}, data: make([]float64, len(c.in))}
			for i, w := range c.want {
				want.data[i] = roundTo(dt, w)
			}
			checkND(t, c.name+" "+dt.String(), got, dt, want, roundTol(dt))
		}
	}
}

// binaryCases pairs each broadcasting binary op with its definition.
var binaryCases = []struct {
	name string
	op   func(a, b *Tensor) *Tensor
	ref  func(a, b float64) float64
	g    gen
}{
	{"Add", Add, func(a, b float64) float64 { return a + b }, normal},
	{"Sub", Sub, func(a, b float64) float64 { return a - b }, normal},
	{"Mul", Mul, func(a, b float64) float64 { return a * b }, normal},
	{"Div", Div, func(a, b float64) float64 { return a / b }, positive},
	{"Maximum", Maximum, math.Max, smallInt},
	{"Minimum", Minimum, math.Min, smallInt},
	{"Pow", Pow, math.Pow, positive},
	{"Greater", Greater, func(a, b float64) float64 { return b2f(a > b) }, smallInt},
	{"Less", Less, func(a, b float64) float64 { return b2f(a < b) }, smallInt},
	{"Equal", Equal, func(a, b float64) float64 { return b2f(a == b) }, smallInt},
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// refBroadcastShape is NumPy's rule written out: align on the last axis; a
// dimension of 1 (or a missing one) stretches to the other.
func refBroadcastShape(a, b []int) []int {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			db = b[j]
		}
		if da == 1 {
			out[i] = db
		} else {
			out[i] = da
		}
	}
	return out
}

// bcastIndex maps an index of the broadcast shape to an index of shape.
func bcastIndex(idx, shape []int) []int {
	off := len(idx) - len(shape)
	src := make([]int, len(shape))
	for i := range shape {
		if shape[i] != 1 {
			src[i] = idx[i+off]
		}
	}
	return src
}

// refBinary evaluates f over the broadcast of a and b.
func refBinary(a, b nd, f func(x, y float64) float64) nd {
	out := newND(refBroadcastShape(a.shape, b.shape))
	i := 0
	forEachIndex(out.shape, func(idx []int) {
		out.data[i] = f(a.at(bcastIndex(idx, a.shape)...), b.at(bcastIndex(idx, b.shape)...))
		i++
	})
	return out
}

// broadcastPairs are the shape pairs of the binary-op tests: equal shapes,
// NumPy's classic examples, scalars, rank 0 and size-0 dimensions; random
// compatible pairs are added in the test.
var broadcastPairs = [][2][]int{
	{{3, 4}, {3, 4}},
	{{3, 1, 5}, {4, 1}},
	{{4, 1}, {3, 1, 5}},
	{{2, 3}, {}},
	{{}, {2, 3}},
	{{}, {}},
	{{5}, {2, 5}},
	{{2, 5}, {1}},
	{{4, 1}, {1, 6}},
	{{0, 3}, {3}},
	{{2, 0}, {1}},
	{{2, 3, 0}, {3, 1}},
	{{64, 300}, {300}}, // broadcast row, large enough to run in parallel
	{{64, 300}, {64, 300}},
}

// randomBroadcastPair returns a random shape and a compatible one made by
// dropping leading axes and setting some dimensions to 1.
func randomBroadcastPair(r interface{ IntN(int) int }, a []int) (x, y []int) {
	b := append([]int{}, a[r.IntN(len(a)+1):]...)
	for i := range b {
		if r.IntN(2) == 0 {
			b[i] = 1
		}
	}
	if r.IntN(2) == 0 {
		return a, b
	}
	return b, a
}

// TestBinaryOps checks every binary op against its definition over the
// broadcast pairs, all layout combinations and both dtypes. Tolerance: one
// rounding of the exact float64 result (0 for comparisons).
func TestBinaryOps(t *testing.T) {
	r := NewRNG(12)
	pairs := append([][2][]int{}, broadcastPairs...)
	for i := 0; i < 6; i++ {
		x, y := randomBroadcastPair(r, randomShape(r, 4, 4))
		pairs = append(pairs, [2][]int{x, y})
	}
	for _, c := range binaryCases {
		for _, dt := range dtypes {
			for _, p := range pairs {
				for _, la := range layouts {
					for _, lb := range layouts {
						a := makeInput(r, dt, p[0], la, c.g)
						b := makeInput(r, dt, p[1], lb, c.g)
						want := refBinary(readND(a), readND(b), c.ref)
						for i, v := range want.data {
							want.data[i] = roundTo(dt, v)
						}
						label := fmt.Sprintf("%s %s %v(%s) %v(%s)", c.name, dt, p[0], la, p[1], lb)
						checkND(t, label, c.op(a, b), dt, want, roundTol(dt))
					}
				}
			}
		}
	}
}

// TestBinaryNaNInf checks NaN and infinity propagation: Maximum and Minimum
// return NaN when either side is NaN (PyTorch's maximum/minimum), comparisons
// with NaN are false, and IEEE arithmetic gives NaN for Inf-Inf and 0/0.
func TestBinaryNaNInf(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	a := []float64{nan, 1, inf, inf, 0, -inf}
	b := []float64{1, nan, inf, -inf, 0, 1}
	cases := []struct {
		name string
		op   func(a, b *Tensor) *Tensor
		want []float64
	}{
		{"Maximum", Maximum, []float64{nan, nan, inf, inf, 0, 1}},
		{"Minimum", Minimum, []float64{nan, nan, inf, -inf, 0, -inf}},
		{"Add", Add, []float64{nan, nan, inf, nan, 0, -inf}},
		{"Sub", Sub, []float64{nan, nan, nan, inf, 0, -inf}},
		{"Div", Div, []float64{nan, nan, nan, nan, nan, -inf}},
		{"Greater", Greater, []float64{0, 0, 0, 1, 0, 0}},
		{"Equal", Equal, []float64{0, 0, 1, 0, 1, 0}},
	}
	for _, c := range cases {
		require.Len(t, c.want, len(a), "%s: case table", c.name)
		for _, dt := range dtypes {
			got := c.op(FromValues(dt, a), FromValues(dt, b))
			checkND(t, c.name+" "+dt.String(), got, dt, nd{shape: []int{len(a)}, data: c.want}, roundTol(dt))
		}
	}
}

// TestAddInPlace checks dst += src against the reference for broadcast and
// view sources.
func TestAddInPlace(t *testing.T) {
	r := NewRNG(13)
	for _, dt := range dtypes {
		for _, p := range [][2][]int{{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{2, 3, 4}, {3, 1}}, {{2, 3}, {}}, {{0, 2}, {2}}} {
			for _, layout := range layouts {
				dst := makeInput(r, dt, p[0], "contiguous", normal)
				src := makeInput(r, dt, p[1], layout, normal)
				want := refBinary(readND(dst), readND(src), func(x, y float64) float64 { return roundTo(dt, x+y) })
				AddInPlace(dst, src)
				checkND(t, fmt.Sprintf("AddInPlace %s %v += %v(%s)", dt, p[0], p[1], layout), dst, dt, want, roundTol(dt))
			}
		}
	}
}

// TestExpandedOperands checks that ops read an Expand view (stride
// 0) correctly: the result equals the op on the materialised copy.
func TestExpandedOperands(t *testing.T) {
	for _, dt := range dtypes {
		row := FromValues(dt, []float64{1, 2, 3})
		e := row.Expand(4, 3)
		require.Equal(t, []int{0, 1}, e.Strides(), "Expand should give a stride-0 view")
		want := newND([]int{4, 3})
		for i := range want.data {
			want.data[i] = 2 * float64(i%3+1)
		}
		checkND(t, "Add(expanded, expanded) "+dt.String(), Add(e, e), dt, want, roundTol(dt))
		checkND(t, "Scale(expanded) "+dt.String(), Scale(e, 2), dt, want, roundTol(dt))
	}
}
