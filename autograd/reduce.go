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
func Sum(x *Value, axes ...int) *Value {
	return record("Sum", tensor.Sum(x.Data, axes...), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(keptShape(x.Data, axes)...).Expand(x.Data.Shape()...))
	}, x)
}

// SumKeep is Sum keeping the reduced axes with size 1.
func SumKeep(x *Value, axes ...int) *Value {
	return record("SumKeep", tensor.SumKeep(x.Data, axes...), func(g *tensor.Tensor) {
		x.accumulate(g.Expand(x.Data.Shape()...))
	}, x)
}

// Mean returns the mean over axes (all when none), removing them.
// dx = dy / n expanded over the averaged axes, n their element count.
func Mean(x *Value, axes ...int) *Value {
	out := tensor.Mean(x.Data, axes...)
	n := float64(x.Data.Len()) / float64(max(out.Len(), 1))
	return record("Mean", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Scale(g, 1/n).Reshape(keptShape(x.Data, axes)...).Expand(x.Data.Shape()...))
	}, x)
}

// LogSumExp returns log(sum(exp(x))) over axis, removing it.
// dx = dy * softmax(x) along axis.
func LogSumExp(x *Value, axis int) *Value {
	out := tensor.LogSumExpKeep(x.Data, axis)
	shape := x.Data.Shape()
	return record("LogSumExp", squeezeAxis(out, axis), func(g *tensor.Tensor) {
		p := tensor.Exp(tensor.Sub(x.Data, out))
		x.accumulate(tensor.Mul(p, g.Reshape(keptShape(x.Data, []int{axis})...).Expand(shape...)))
	}, x)
}

// Max returns the maximum over axis, removing it. The gradient is shared
// equally among tied maxima (PyTorch's amax convention).
func Max(x *Value, axis int) *Value {
	out := tensor.MaxKeep(x.Data, axis)
	return record("Max", squeezeAxis(out, axis), func(g *tensor.Tensor) {
		hit := tensor.Equal(x.Data, out)
		count := tensor.SumKeep(hit, axis)
		share := tensor.Div(g.Reshape(out.Shape()...), count)
		x.accumulate(tensor.Mul(hit, share))
	}, x)
}

func squeezeAxis(t *tensor.Tensor, axis int) *tensor.Tensor {
	return t.Squeeze(axis).Contiguous()
}
