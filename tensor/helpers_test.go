package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The tests compare every op with a float64 reference computed here with
// naive loops over multi-indices. Inputs are read element by element with At
// (a plain stride walk), never with the package's own copy or broadcast code.

// nd is a reference n-d array: a shape and row-major float64 data.
type nd struct {
	shape []int
	data  []float64
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func newND(shape []int) nd {
	return nd{shape: append([]int{}, shape...), data: make([]float64, numel(shape))}
}

// flat returns the row-major position of idx in shape.
func flat(shape, idx []int) int {
	p := 0
	for i, d := range shape {
		p = p*d + idx[i]
	}
	return p
}

func (a nd) at(idx ...int) float64 { return a.data[flat(a.shape, idx)] }

// forEachIndex calls f with every multi-index of shape in row-major order
// (once, with an empty index, for rank 0; never when a dimension is 0).
func forEachIndex(shape []int, f func(idx []int)) {
	if numel(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		f(idx)
		ax := len(shape) - 1
		for ; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < shape[ax] {
				break
			}
			idx[ax] = 0
		}
		if ax < 0 {
			return
		}
	}
}

// readND reads every element of x through At.
func readND(x *Tensor) nd {
	out := newND(x.Shape())
	i := 0
	forEachIndex(out.shape, func(idx []int) {
		out.data[i] = x.At(idx...)
		i++
	})
	return out
}

// layouts are the memory layouts every op is tested with: dense, a permuted
// view of storage with the axes reversed, and a window into a larger tensor
// whose other elements are NaN (so reading outside the view shows).
var layouts = []string{"contiguous", "transposed", "narrowed"}

// gen draws one input value.
type gen func(*rand.Rand) float64

func normal(r *rand.Rand) float64   { return r.NormFloat64() }
func positive(r *rand.Rand) float64 { return 0.1 + 3*r.Float64() }
func smallInt(r *rand.Rand) float64 { return float64(r.IntN(5) - 2) }

// makeInput returns a tensor of the given logical shape and dtype, filled
// from g in row-major order, in the given layout.
func makeInput(r *rand.Rand, dt DType, shape []int, layout string, g gen) *Tensor {
	var x *Tensor
	switch layout {
	case "contiguous":
		x = Zeros(dt, shape...)
	case "transposed":
		rank := len(shape)
		rev, perm := make([]int, rank), make([]int, rank)
		for i := range shape {
			rev[i] = shape[rank-1-i]
			perm[i] = rank - 1 - i
		}
		x = Zeros(dt, rev...).Permute(perm...)
	case "narrowed":
		big := make([]int, len(shape))
		for i, d := range shape {
			big[i] = d + 2
		}
		base := Full(dt, math.NaN(), big...)
		x = base
		for ax, d := range shape {
			x = x.Narrow(ax, 1, d)
		}
	default:
		panic("unknown layout " + layout)
	}
	forEachIndex(shape, func(idx []int) { x.Set(g(r), idx...) })
	return x
}

// tol is a comparison tolerance: |got - want| <= atol + rtol*|want|. NaN must
// match NaN and an infinity must match exactly.
type tol struct{ atol, rtol float64 }

// Tolerances for results computed in float64 and rounded once: within half
// an ulp of the float64 reference (rtol 2^-24 for float32, a few float64 ulps
// for float64 results that take a different but equally exact route).
var (
	tolRound32 = tol{atol: 1e-37, rtol: 1.2e-7}
	tolRound64 = tol{atol: 1e-300, rtol: 1e-14}
)

func roundTol(dt DType) tol {
	if dt == Float32 {
		return tolRound32
	}
	return tolRound64
}

func closeTo(got, want float64, tl tol) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= tl.atol+tl.rtol*math.Abs(want)
}

// checkND fails t unless got has want's shape and dtype dt and every element
// is within tl of want's (reporting the first three elements that are not,
// then how many are not).
func checkND(t *testing.T, label string, got *Tensor, dt DType, want nd, tl tol) {
	t.Helper()
	if !assert.Equal(t, dt, got.DType(), "%s: dtype", label) ||
		!assert.Equal(t, fmt.Sprint(want.shape), fmt.Sprint(got.Shape()), "%s: shape", label) {
		return
	}
	g := readND(got)
	bad := 0
	for i, w := range want.data {
		if closeTo(g.data[i], w, tl) {
			continue
		}
		if bad < 3 {
			assert.Failf(t, "element out of tolerance", "%s: element %d = %.17g, want %.17g (atol %g, rtol %g)", label, i, g.data[i], w, tl.atol, tl.rtol)
		}
		bad++
	}
	if bad > 3 {
		assert.Failf(t, "elements out of tolerance", "%s: %d of %d elements differ", label, bad, len(want.data))
	}
}

// roundTo returns v rounded to dtype dt (the reference for a value that the
// op stores in a float32 tensor).
func roundTo(dt DType, v float64) float64 {
	if dt == Float32 {
		return float64(float32(v))
	}
	return v
}

// randomShape returns a shape of rank 0..maxRank with dimensions 1..maxDim.
func randomShape(r *rand.Rand, maxRank, maxDim int) []int {
	s := make([]int, r.IntN(maxRank+1))
	for i := range s {
		s[i] = 1 + r.IntN(maxDim)
	}
	return s
}

var dtypes = []DType{Float32, Float64}
