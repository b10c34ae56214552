package autograd

import "github.com/daalab/daa/tensor"

// Reshape returns x with a new shape (one dimension may be -1).
// The gradient is reshaped back. It panics if the element counts differ.
func Reshape(x *Value, shape ...int) *Value {
	return record("Reshape", x.Data.Reshape(shape...), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(x.Data.Shape()...))
	}, x)
}

// Permute reorders the axes (result axis i is x's axis perm[i]).
// The gradient is permuted by the inverse permutation.
// It panics if perm is not a permutation of the axes.
func Permute(x *Value, perm ...int) *Value {
	inv := make([]int, len(perm))
	for i, p := range perm {
		inv[p] = i
	}
	return record("Permute", x.Data.Permute(perm...).Contiguous(), func(g *tensor.Tensor) {
		x.accumulate(g.Permute(inv...).Contiguous())
	}, x)
}

// Transpose swaps axes a and b. It panics if an axis is out of range.
func Transpose(x *Value, a, b int) *Value {
	return record("Transpose", x.Data.Transpose(a, b).Contiguous(), func(g *tensor.Tensor) {
		x.accumulate(g.Transpose(a, b).Contiguous())
	}, x)
}

// Narrow returns length entries of x along axis from start.
// The gradient is zero outside the window.
// It panics if the window is outside the dimension.
func Narrow(x *Value, axis, start, length int) *Value {
	return record("Narrow", x.Data.Narrow(axis, start, length).Contiguous(), func(g *tensor.Tensor) {
		full := tensor.ZerosLike(x.Data)
		full.Narrow(axis, start, length).CopyFrom(g)
		x.accumulate(full)
	}, x)
}

// Expand broadcasts x to shape; the gradient is summed back.
// It panics if x does not broadcast to shape.
func Expand(x *Value, shape ...int) *Value {
	return record("Expand", x.Data.Expand(shape...).Contiguous(), func(g *tensor.Tensor) {
		x.accumulate(unbroadcast(g, x))
	}, x)
}

// Concat joins values along axis; each gets its slice of the gradient.
// It panics on an empty list or mismatched shapes or dtypes.
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
// It panics on an empty list, differing shapes or an axis out of range.
func Stack(axis int, xs ...*Value) *Value {
	us := make([]*Value, len(xs))
	for i, x := range xs {
		us[i] = Unsqueeze(x, axis)
	}
	return Concat(axis, us...)
}

// Unsqueeze inserts a dimension of size 1 at axis.
// It panics if axis is out of range.
func Unsqueeze(x *Value, axis int) *Value {
	return record("Unsqueeze", x.Data.Unsqueeze(axis), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(x.Data.Shape()...))
	}, x)
}

// Select returns the slice at index i along axis, removing the axis.
// It panics if axis or i is out of range.
func Select(x *Value, axis, i int) *Value {
	return record("Select", x.Data.Select(axis, i).Contiguous(), func(g *tensor.Tensor) {
		full := tensor.ZerosLike(x.Data)
		full.Select(axis, i).CopyFrom(g)
		x.accumulate(full)
	}, x)
}

// Squeeze removes axis, which must have size 1. The gradient is reshaped
// back. It panics as tensor's Squeeze does.
func Squeeze(x *Value, axis int) *Value {
	return record("Squeeze", x.Data.Squeeze(axis), func(g *tensor.Tensor) {
		x.accumulate(g.Reshape(x.Data.Shape()...))
	}, x)
}

// Split cuts x along axis into pieces of the given sizes (which must add up
// to the dimension), each a Narrow of x: each piece's gradient lands in its
// window of x's gradient. The fused QKV projection splits this way. It
// panics as tensor's Split does.
func Split(x *Value, axis int, sizes ...int) []*Value {
	tensor.Split(x.Data, axis, sizes...) // validate the sizes with tensor's message
	out := make([]*Value, len(sizes))
	at := 0
	for i, s := range sizes {
		out[i] = Narrow(x, axis, at, s)
		at += s
	}
	return out
}
