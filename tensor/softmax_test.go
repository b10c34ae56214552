package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refSoftmaxRows applies row (which maps a slice to a slice of the same
// length) to every line of x along axis.
func refSoftmaxRows(x nd, axis int, row func([]float64) []float64) nd {
	if axis < 0 {
		axis += len(x.shape)
	}
	out := newND(x.shape)
	n := x.shape[axis]
	forEachIndex(x.shape, func(idx []int) {
		if idx[axis] != 0 {
			return
		}
		line := make([]float64, n)
		pos := make([]int, n)
		for i := 0; i < n; i++ {
			idx[axis] = i
			line[i] = x.at(idx...)
			pos[i] = flat(x.shape, idx)
		}
		idx[axis] = 0
		for i, v := range row(line) {
			out.data[pos[i]] = v
		}
	})
	return out
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
