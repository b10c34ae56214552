package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// refLines applies row to every line along axis of the inputs (all of one
// shape), passing the inputs' lines in order, and collects the results.
func refLines(xs []nd, axis int, row func(lines [][]float64) []float64) nd {
	shape := xs[0].shape
	if axis < 0 {
		axis += len(shape)
	}
	out := newND(shape)
	n := shape[axis]
	forEachIndex(shape, func(idx []int) {
		if idx[axis] != 0 {
			return
		}
		lines := make([][]float64, len(xs))
		pos := make([]int, n)
		for k := range xs {
			lines[k] = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			idx[axis] = i
			for k, x := range xs {
				lines[k][i] = x.at(idx...)
			}
			pos[i] = flat(shape, idx)
		}
		idx[axis] = 0
		for i, v := range row(lines) {
			out.data[pos[i]] = v
		}
	})
	return out
}

// refSoftmaxRows applies row to every line of x along axis.
func refSoftmaxRows(x nd, axis int, row func([]float64) []float64) nd {
	return refLines([]nd{x}, axis, func(l [][]float64) []float64 { return row(l[0]) })
}

// refSoftmax is exp(x - m) / sum(exp(x - m)) with m the row maximum.
func refSoftmax(v []float64) []float64 {
	m := refMax(v)
	out := make([]float64, len(v))
	s := 0.0
	for i, x := range v {
		out[i] = math.Exp(x - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

// refLogSoftmax is x - m - log(sum(exp(x - m))), all NaN when that is.
func refLogSoftmax(v []float64) []float64 {
	m := refMax(v)
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x - m - math.Log(s)
	}
	return out
}

// TestSoftmax checks Softmax and LogSoftmax along every axis of several
// shapes against the float64 formulas, with inputs around ±1000 where an
// unshifted exp overflows. Tolerance: float32 results are rounded twice
// (exp, then the scaling), so 3e-7 relative; float64 1e-13.
func TestSoftmax(t *testing.T) {
	r := NewRNG(31)
	shift := func(c float64) gen {
		return func(r *rand.Rand) float64 { return c + 3*r.NormFloat64() }
	}
	ops := []struct {
		name string
		op   func(*Tensor, int) *Tensor
		ref  func([]float64) []float64
	}{{"Softmax", Softmax, refSoftmax}, {"LogSoftmax", LogSoftmax, refLogSoftmax}}
	for _, o := range ops {
		for _, dt := range dtypes {
			tl := tol{atol: 1e-300, rtol: 1e-13}
			if dt == Float32 {
				tl = tol{atol: 1e-37, rtol: 3e-7}
			}
			if o.name == "LogSoftmax" && dt == Float32 {
				// x - lse rounds once, but for |x| ~ 1000 the float32
				// input's own spacing (6e-5) dominates the absolute error.
				tl.atol = 1e-7
			}
			for _, sc := range []struct {
				shape []int
				axis  int
			}{{[]int{4, 7}, 1}, {[]int{4, 7}, 0}, {[]int{2, 3, 5}, 1}, {[]int{2, 3, 5}, -1}, {[]int{9}, 0}, {[]int{3, 0}, 1}, {[]int{0, 3}, 1}, {[]int{40, 500}, 1}} {
				for _, layout := range layouts {
					for _, c := range []float64{0, 1000, -1000} {
						x := makeInput(r, dt, sc.shape, layout, shift(c))
						want := refSoftmaxRows(readND(x), sc.axis, o.ref)
						label := fmt.Sprintf("%s %s %v axis %d %s around %g", o.name, dt, sc.shape, sc.axis, layout, c)
						checkND(t, label, o.op(x, sc.axis), dt, want, tl)
					}
				}
			}
		}
	}
}

// TestSoftmaxSpecialValues pins the -Inf/NaN/+Inf behaviour to PyTorch's
// (torch 1.13 softmax and log_softmax on the same rows): masked -Inf entries
// get probability 0 (log-prob -Inf), and rows of all -Inf or holding NaN or
// +Inf are NaN throughout.
func TestSoftmaxSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	l2, l3 := math.Log(2), math.Log(3)
	cases := []struct {
		name              string
		in                []float64
		softmax, logSoftm []float64
	}{
		{"masked", []float64{0, -inf, 0, -inf}, []float64{0.5, 0, 0.5, 0}, []float64{-l2, -inf, -l2, -inf}},
		{"one left", []float64{-inf, 7, -inf}, []float64{0, 1, 0}, []float64{-inf, 0, -inf}},
		{"three", []float64{5, 5, 5}, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, []float64{-l3, -l3, -l3}},
		{"all -Inf", []float64{-inf, -inf}, []float64{nan, nan}, []float64{nan, nan}},
		{"NaN", []float64{0, nan}, []float64{nan, nan}, []float64{nan, nan}},
		{"+Inf", []float64{inf, 1}, []float64{nan, nan}, []float64{nan, nan}},
	}
	for _, c := range cases {
		require.Len(t, c.softmax, len(c.in), "%s: case table", c.name)
		require.Len(t, c.logSoftm, len(c.in), "%s: case table", c.name)
		for _, dt := range dtypes {
			x := FromValues(dt, c.in)
			want := nd{shape: []int{len(c.in)}, data: make([]float64, len(c.in))}
			for i, v := range c.softmax {
				want.data[i] = roundTo(dt, v)
			}
			checkND(t, "Softmax "+c.name+" "+dt.String(), Softmax(x, 0), dt, want, tol{atol: 0, rtol: 3e-7})
			for i, v := range c.logSoftm {
				want.data[i] = roundTo(dt, v)
			}
			checkND(t, "LogSoftmax "+c.name+" "+dt.String(), LogSoftmax(x, 0), dt, want, tol{atol: 0, rtol: 3e-7})
		}
	}
}

// TestSoftmaxBackward checks SoftmaxBackward (dx = y (dy - sum(dy y))) and
// LogSoftmaxBackward (dx = dy - exp(y) sum(dy)) against those formulas in
// float64 on arbitrary y and dy, along every axis and in every layout.
// Tolerance: a float64 sum in another order and one rounding (float32:
// 1.2e-7 relative plus 1e-6 absolute for the cancellation in dy - sum).
func TestSoftmaxBackward(t *testing.T) {
	r := NewRNG(32)
	ops := []struct {
		name string
		op   func(y, dy *Tensor, axis int) *Tensor
		ref  func(y, dy []float64) []float64
		yGen gen
	}{
		{"SoftmaxBackward", SoftmaxBackward, func(y, dy []float64) []float64 {
			dot := 0.0
			for i := range y {
				dot += dy[i] * y[i]
			}
			out := make([]float64, len(y))
			for i := range y {
				out[i] = y[i] * (dy[i] - dot)
			}
			return out
		}, func(r *rand.Rand) float64 { return r.Float64() }},
		{"LogSoftmaxBackward", LogSoftmaxBackward, func(y, dy []float64) []float64 {
			s := refSum(dy)
			out := make([]float64, len(y))
			for i := range y {
				out[i] = dy[i] - math.Exp(y[i])*s
			}
			return out
		}, func(r *rand.Rand) float64 { return -3 * r.Float64() }},
	}
	for _, o := range ops {
		for _, dt := range dtypes {
			tl := tol{atol: 1e-12, rtol: 1e-13}
			if dt == Float32 {
				tl = tol{atol: 1e-6, rtol: 1.2e-7}
			}
			for _, sc := range []struct {
				shape []int
				axis  int
			}{{[]int{4, 7}, 1}, {[]int{4, 7}, 0}, {[]int{2, 3, 5}, 1}, {[]int{9}, -1}, {[]int{3, 0}, 1}, {[]int{40, 500}, 1}} {
				for _, layout := range layouts {
					y := makeInput(r, dt, sc.shape, layout, o.yGen)
					dy := makeInput(r, dt, sc.shape, "transposed", normal)
					want := refLines([]nd{readND(y), readND(dy)}, sc.axis, func(l [][]float64) []float64 { return o.ref(l[0], l[1]) })
					label := fmt.Sprintf("%s %s %v axis %d %s", o.name, dt, sc.shape, sc.axis, layout)
					checkND(t, label, o.op(y, dy, sc.axis), dt, want, tl)
				}
			}
		}
	}
	mustPanic(t, "SoftmaxBackward shapes", []string{"SoftmaxBackward", "[2 3]", "[3 2]"}, func() { SoftmaxBackward(Zeros(Float32, 2, 3), Zeros(Float32, 3, 2), 1) })
	mustPanic(t, "LogSoftmaxBackward dtypes", []string{"LogSoftmaxBackward", "float32", "float64"}, func() { LogSoftmaxBackward(Zeros(Float32, 2), Zeros(Float64, 2), 0) })
	mustPanic(t, "SoftmaxBackward axis", []string{"SoftmaxBackward", "axis 2", "[2 3]"}, func() { SoftmaxBackward(Zeros(Float32, 2, 3), Zeros(Float32, 2, 3), 2) })
}
