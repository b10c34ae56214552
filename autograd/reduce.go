package autograd

import (
	"github.com/daalab/daa/tensor"
)

// keptShape returns x's shape with the given axes (all when none) set to 1.
func keptShape(x *tensor.Tensor, axes []int) []int {
	s := x.Shape()
	if len(axes) == 0 {
		for i := range s {
			s[i] = 1
		}
		return s
	}
	for _, a := range axes {
		if a < 0 {
			a += len(s)
		}
		s[a] = 1
	}
	return s
}

// Sum returns the sum over axes (all when none), removing them.
// The gradient broadcasts back: dx = dy expanded over the summed axes.
// It panics if an axis is out of range or repeated.
func Sum(x *Value, axes ...int) *Value {
	return record("Sum", tensor.Sum(x.Data, axes...), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(keptShape(x.Data, axes)...).Expand(x.Data.Shape()...))
	}, x)
}

// SumKeep is Sum keeping the reduced axes with size 1. It panics like Sum.
func SumKeep(x *Value, axes ...int) *Value {
	return record("SumKeep", tensor.SumKeep(x.Data, axes...), func(g *tensor.Tensor) {
		x.accumulate(g.Expand(x.Data.Shape()...))
	}, x)
}

// Mean returns the mean over axes (all when none), removing them.
// dx = dy / n expanded over the averaged axes, n their element count.
// It panics like Sum.
func Mean(x *Value, axes ...int) *Value {
	out := tensor.Mean(x.Data, axes...)
	n := float64(x.Data.Len()) / float64(max(out.Len(), 1))
	return record("Mean", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Scale(g, 1/n).Reshape(keptShape(x.Data, axes)...).Expand(x.Data.Shape()...))
	}, x)
}

// MeanKeep is Mean keeping the reduced axes with size 1.
// dx = dy / n expanded over the averaged axes. It panics like Sum.
func MeanKeep(x *Value, axes ...int) *Value {
	out := tensor.MeanKeep(x.Data, axes...)
	n := float64(x.Data.Len()) / float64(max(out.Len(), 1))
	return record("MeanKeep", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Scale(g, 1/n).Expand(x.Data.Shape()...))
	}, x)
}

// LogSumExp returns log(sum(exp(x))) over axis, removing it.
// dx = dy * softmax(x) along axis. It panics if axis is out of range.
func LogSumExp(x *Value, axis int) *Value {
	out := tensor.LogSumExpKeep(x.Data, axis)
	shape := x.Data.Shape()
	return record("LogSumExp", squeezeAxis(out, axis), func(g *tensor.Tensor) {
		p := tensor.Exp(tensor.Sub(x.Data, out))
		x.accumulate(tensor.Mul(p, g.Reshape(keptShape(x.Data, []int{axis})...).Expand(shape...)))
	}, x)
}

// Max returns the maximum over axis, removing it. The gradient is shared
// equally among tied maxima (PyTorch's amax convention):
// dx = dy * [x == max] / count(x == max) along axis.
// It panics if axis is out of range or has size 0.
func Max(x *Value, axis int) *Value {
	out := tensor.MaxKeep(x.Data, axis)
	return record("Max", squeezeAxis(out, axis), func(g *tensor.Tensor) {
		routeToExtremes(x, out, g, axis)
	}, x)
}

// Min returns the minimum over axis, removing it; the gradient is shared
// equally among tied minima, as Max does for maxima. It panics like Max.
func Min(x *Value, axis int) *Value {
	out := tensor.MinKeep(x.Data, axis)
	return record("Min", squeezeAxis(out, axis), func(g *tensor.Tensor) {
		routeToExtremes(x, out, g, axis)
	}, x)
}

// routeToExtremes adds to x's gradient g (the gradient of the reduced
// result) split equally among the entries of x equal to the kept-shape
// extreme out along axis.
func routeToExtremes(x *Value, out, g *tensor.Tensor, axis int) {
	hit := tensor.Equal(x.Data, out)
	count := tensor.SumKeep(hit, axis)
	share := tensor.Div(g.Reshape(out.Shape()...), count)
	x.accumulate(tensor.Mul(hit, share))
}

func squeezeAxis(t *tensor.Tensor, axis int) *tensor.Tensor {
	return t.Squeeze(axis).Contiguous()
}
