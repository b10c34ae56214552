package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// refReduce reduces x over axes (all when none; negative count from the
// end) with a function of the reduced elements in row-major order.
func refReduce(x nd, axes []int, keep bool, f func([]float64) float64) nd {
	red := make([]bool, len(x.shape))
	if len(axes) == 0 {
		for i := range red {
			red[i] = true
		}
	}
	for _, a := range axes {
		if a < 0 {
			a += len(x.shape)
		}
		red[a] = true
	}
	var outShape []int
	for i, d := range x.shape {
		switch {
		case !red[i]:
			outShape = append(outShape, d)
		case keep:
			outShape = append(outShape, 1)
		}
	}
	out := newND(outShape)
	groups := make([][]float64, len(out.data))
	forEachIndex(x.shape, func(idx []int) {
		var o []int
		for i, v := range idx {
			switch {
			case !red[i]:
				o = append(o, v)
			case keep:
				o = append(o, 0)
			}
		}
		p := flat(outShape, o)
		groups[p] = append(groups[p], x.at(idx...))
	})
	for i := range out.data {
		out.data[i] = f(groups[i])
	}
	return out
}

func refSum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func refMean(v []float64) float64 { return refSum(v) / float64(len(v)) }

func refMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		if math.IsNaN(x) {
			return x
		}
		m = math.Max(m, x)
	}
	return m
}

func refMin(v []float64) float64 {
	neg := make([]float64, len(v))
	for i, x := range v {
		neg[i] = -x
	}
	return -refMax(neg)
}

// refLogSumExp is log(sum(exp(x - m))) + m with m the maximum, in float64.
func refLogSumExp(v []float64) float64 {
	m := refMax(v)
	if math.IsInf(m, 0) || math.IsNaN(m) {
		return m
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// reduceTol allows for summing in a different order: a few float64 ulps of
// the sum of magnitudes, plus one float32 rounding for float32 results.
func reduceTol(dt DType) tol {
	if dt == Float32 {
		return tol{atol: 1e-6, rtol: 1.2e-7}
	}
	return tol{atol: 1e-12, rtol: 1e-13}
}

var reduceCases = []struct {
	name     string
	op, keep func(x *Tensor, axes ...int) *Tensor
	ref      func([]float64) float64
}{
	{"Sum", Sum, SumKeep, refSum},
	{"Mean", Mean, MeanKeep, refMean},
	{"Max", Max, MaxKeep, refMax},
	{"Min", Min, MinKeep, refMin},
}

// reduceShapes lists shapes with the axis sets to reduce over.
var reduceShapes = []struct {
	shape []int
	axes  [][]int
}{
	{[]int{2, 3, 4}, [][]int{nil, {0}, {1}, {2}, {-1}, {0, 2}, {2, 0}, {0, 1, 2}, {-3, -2}}},
	{[]int{}, [][]int{nil}},
	{[]int{7}, [][]int{nil, {0}}},
	{[]int{1, 5, 1}, [][]int{{1}, {0, 2}}},
	{[]int{3, 0}, [][]int{{0}}},               // reduce a non-empty axis of an empty tensor
	{[]int{120, 300}, [][]int{{1}, {0}, nil}}, // rows run in parallel
}

// TestReductions checks Sum, Mean, Max and Min (and their Keep forms)
// against naive float64 loops for every layout and dtype.
func TestReductions(t *testing.T) {
	r := NewRNG(21)
	cases := append([]struct {
		shape []int
		axes  [][]int
	}{}, reduceShapes...)
	for i := 0; i < 5; i++ {
		s := randomShape(r, 4, 4)
		var axes [][]int
		for a := range s {
			axes = append(axes, []int{a})
		}
		cases = append(cases, struct {
			shape []int
			axes  [][]int
		}{s, append(axes, nil)})
	}
	for _, c := range reduceCases {
		for _, dt := range dtypes {
			for _, sc := range cases {
				for _, axes := range sc.axes {
					for _, keep := range []bool{false, true} {
						for _, layout := range layouts {
							x := makeInput(r, dt, sc.shape, layout, normal)
							want := refReduce(readND(x), axes, keep, c.ref)
							label := fmt.Sprintf("%s %s %v axes %v keep=%v %s", c.name, dt, sc.shape, axes, keep, layout)
							op := c.op
							if keep {
								op = c.keep
							}
							checkND(t, label, op(x, axes...), dt, want, reduceTol(dt))
						}
					}
				}
			}
		}
	}
}

// TestLogSumExp checks LogSumExp and LogSumExpKeep against the max-shifted
// float64 formula, including inputs of magnitude 1000 where the naive
// log(sum(exp)) overflows.
func TestLogSumExp(t *testing.T) {
	r := NewRNG(22)
	big := func(r *rand.Rand) float64 { return 1000 + r.NormFloat64() }
	for _, dt := range dtypes {
		for _, sc := range []struct {
			shape []int
			axis  int
		}{{[]int{3, 5}, 1}, {[]int{3, 5}, 0}, {[]int{2, 3, 4}, -2}, {[]int{6}, 0}, {[]int{64, 400}, -1}} {
			for _, layout := range layouts {
				for _, g := range []struct {
					name string
					g    gen
				}{{"normal", normal}, {"+1000", big}} {
					name := g.name
					x := makeInput(r, dt, sc.shape, layout, g.g)
					want := refReduce(readND(x), []int{sc.axis}, false, refLogSumExp)
					label := fmt.Sprintf("LogSumExp %s %v axis %d %s %s", dt, sc.shape, sc.axis, layout, name)
					checkND(t, label, LogSumExp(x, sc.axis), dt, want, reduceTol(dt))
					wantKeep := refReduce(readND(x), []int{sc.axis}, true, refLogSumExp)
					checkND(t, label+" keep", LogSumExpKeep(x, sc.axis), dt, wantKeep, reduceTol(dt))
				}
			}
		}
	}
}

// TestReduceSpecialValues pins NaN/Inf and empty behaviour to PyTorch's:
// max/min propagate NaN, logsumexp of all -Inf is -Inf (and of no elements
// -Inf), the sum of nothing is 0 and the mean of nothing NaN.
func TestReduceSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		name string
		op   func(*Tensor) *Tensor
		in   []float64
		want float64
	}{
		{"Max NaN first", func(x *Tensor) *Tensor { return Max(x) }, []float64{nan, 1, 2}, nan},
		{"Max NaN last", func(x *Tensor) *Tensor { return Max(x) }, []float64{1, 2, nan}, nan},
		{"Max -Inf", func(x *Tensor) *Tensor { return Max(x) }, []float64{-inf, -inf}, -inf},
		{"Min NaN", func(x *Tensor) *Tensor { return Min(x) }, []float64{1, nan, -5}, nan},
		{"Min Inf", func(x *Tensor) *Tensor { return Min(x) }, []float64{inf, 3}, 3},
		{"Sum Inf", func(x *Tensor) *Tensor { return Sum(x) }, []float64{inf, 1}, inf},
		{"Sum Inf-Inf", func(x *Tensor) *Tensor { return Sum(x) }, []float64{inf, -inf}, nan},
		{"Sum empty", func(x *Tensor) *Tensor { return Sum(x) }, []float64{}, 0},
		{"Mean empty", func(x *Tensor) *Tensor { return Mean(x) }, []float64{}, nan},
		{"LogSumExp all -Inf", func(x *Tensor) *Tensor { return LogSumExp(x, 0) }, []float64{-inf, -inf, -inf}, -inf},
		{"LogSumExp one -Inf", func(x *Tensor) *Tensor { return LogSumExp(x, 0) }, []float64{-inf, 0}, 0},
		{"LogSumExp +Inf", func(x *Tensor) *Tensor { return LogSumExp(x, 0) }, []float64{inf, 0}, inf},
		{"LogSumExp NaN", func(x *Tensor) *Tensor { return LogSumExp(x, 0) }, []float64{0, nan}, nan},
		{"LogSumExp empty", func(x *Tensor) *Tensor { return LogSumExp(x, 0) }, []float64{}, -inf},
	}
	for _, c := range cases {
		for _, dt := range dtypes {
			got := c.op(FromValues(dt, c.in))
			checkND(t, c.name+" "+dt.String(), got, dt, nd{shape: []int{}, data: []float64{c.want}}, roundTol(dt))
		}
	}
	// Sum over the empty axis of [3, 0] is zeros of shape [3]; the mean NaN.
	for _, dt := range dtypes {
		x := Zeros(dt, 3, 0)
		checkND(t, "Sum [3 0] axis 1", Sum(x, 1), dt, nd{shape: []int{3}, data: []float64{0, 0, 0}}, roundTol(dt))
		checkND(t, "Mean [3 0] axis 1", Mean(x, 1), dt, nd{shape: []int{3}, data: []float64{nan, nan, nan}}, roundTol(dt))
	}
}

// refArgMax returns the first index of the maximum of each row along axis,
// the first NaN winning (PyTorch's argmax).
func refArgMax(x nd, axis int) []int {
	if axis < 0 {
		axis += len(x.shape)
	}
	var out []int
	outShape := slices.Delete(slices.Clone(x.shape), axis, axis+1)
	forEachIndex(outShape, func(o []int) {
		idx := slices.Insert(slices.Clone(o), axis, 0)
		best, bestV := -1, 0.0
		for i := 0; i < x.shape[axis]; i++ {
			idx[axis] = i
			v := x.at(idx...)
			if math.IsNaN(v) {
				best = i
				break
			}
			if best < 0 || v > bestV {
				best, bestV = i, v
			}
		}
		out = append(out, best)
	})
	return out
}

// TestArgMax checks ArgMax on ties (first index wins), NaN (first NaN wins)
// and random inputs in every layout.
func TestArgMax(t *testing.T) {
	r := NewRNG(23)
	for _, dt := range dtypes {
		for _, sc := range []struct {
			shape []int
			axis  int
		}{{[]int{4, 6}, 1}, {[]int{4, 6}, 0}, {[]int{2, 3, 5}, -2}, {[]int{5}, 0}, {[]int{0, 3}, 1}} {
			for _, layout := range layouts {
				x := makeInput(r, dt, sc.shape, layout, smallInt) // small ints: many ties
				// Appended to an empty slice so that no result and nil compare equal.
				got, want := ArgMax(x, sc.axis), refArgMax(readND(x), sc.axis)
				assert.Equal(t, append([]int{}, want...), append([]int{}, got...), "ArgMax %s %v axis %d %s", dt, sc.shape, sc.axis, layout)
			}
		}
		nan := math.NaN()
		x := FromValues(dt, []float64{1, 5, nan, 5, nan, 2, 2, 1}, 2, 4)
		assert.Equal(t, []int{2, 0}, ArgMax(x, 1), "ArgMax with NaN %s", dt)
	}
}

// TestSumTo checks the reduction of a broadcast gradient back to an operand
// shape against the reference sum over the broadcast axes.
func TestSumTo(t *testing.T) {
	r := NewRNG(24)
	for _, dt := range dtypes {
		for _, p := range [][2][]int{{{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {4}}, {{2, 3, 4}, {}}, {{2, 3, 4}, {1, 1, 1}}, {{2, 3, 4}, {2, 3, 4}}, {{3, 0}, {1}}} {
			x := makeInput(r, dt, p[0], "transposed", normal)
			want := newND(p[1])
			xs := readND(x)
			forEachIndex(xs.shape, func(idx []int) {
				want.data[flat(p[1], bcastIndex(idx, p[1]))] += xs.at(idx...)
			})
			checkND(t, fmt.Sprintf("SumTo %s %v -> %v", dt, p[0], p[1]), SumTo(x, p[1]), dt, want, reduceTol(dt))
		}
	}
}
