package autograd

import "github.com/daalab/daa/tensor"

// Reshape returns x with a new shape (one dimension may be -1).
// The gradient is reshaped back.
func Reshape(x *Value, shape ...int) *Value {
	return record("Reshape", x.Data.Reshape(shape...), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(x.Data.Shape()...))
	}, x)
}

// Permute reorders the axes (result axis i is x's axis perm[i]).
// The gradient is permuted by the inverse permutation.
func Permute(x *Value, perm ...int) *Value {
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return record("Permute", x.Data.Permute(perm...).Contiguous(), func(g *tensor.Tensor) {
		x.accumulate(g.Permute(inv...).Contiguous())
	}, x)
}

// Transpose swaps axes a and b.
func Transpose(x *Value, a, b int) *Value {
	return record("Transpose", x.Data.Transpose(a, b).Contiguous(), func(g *tensor.Tensor) {
		x.accumulate(g.Transpose(a, b).Contiguous())
	}, x)
}

// Narrow returns length entries of x along axis from start.
// The gradient is zero outside the window.
func Narrow(x *Value, axis, start, length int) *Value {
	return record("Narrow", x.Data.Narrow(axis, start, length).Contiguous(), func(g *tensor.Tensor) {
		full := tensor.ZerosLike(x.Data)
		full.Narrow(axis, start, length).CopyFrom(g)
		x.accumulate(full)
	}, x)
}

// Expand broadcasts x to shape; the gradient is summed back.
func Expand(x *Value, shape ...int) *Value {
	return record("Expand", x.Data.Expand(shape...).Contiguous(), func(g *tensor.Tensor) {
		x.accumulate(unbroadcast(g, x))
	}, x)
}

// Concat joins values along axis; each gets its slice of the gradient.
func Concat(axis int, xs ...*Value) *Value {
	ts := make([]*tensor.Tensor, len(xs))
	sizes := make([]int, len(xs))
	for i, x := range xs {
		ts[i] = x.Data
		sizes[i] = x.Data.Dim(axis)
	}
	return record("Concat", tensor.Concat(axis, ts...), func(g *tensor.Tensor) {
		parts := tensor.Split(g, axis, sizes...)
		for i, x := range xs {
			if x.requiresGrad {
				x.accumulate(parts[i].Contiguous())
			}
		}
	}, xs...)
}

// Stack joins values of one shape along a new axis.
func Stack(axis int, xs ...*Value) *Value {
	us := make([]*Value, len(xs))
	for i, x := range xs {
		us[i] = Unsqueeze(x, axis)
	}
	return Concat(axis, us...)
}

// Unsqueeze inserts a dimension of size 1 at axis.
func Unsqueeze(x *Value, axis int) *Value {
	return record("Unsqueeze", x.Data.Unsqueeze(axis), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(x.Data.Shape()...))
	}, x)
}

// Select returns the slice at index i along axis, removing the axis.
func Select(x *Value, axis, i int) *Value {
	return record("Select", x.Data.Select(axis, i).Contiguous(), func(g *tensor.Tensor) {
		full := tensor.ZerosLike(x.Data)
		full.Select(axis, i).CopyFrom(g)
		x.accumulate(full)
	}, x)
}
