package tensor

import "fmt"

// Concat joins tensors along axis into a new contiguous tensor; all other
// dimensions and the dtypes must match. It panics on an empty list, an axis
// out of range, or mismatched ranks, dimensions or dtypes.
func Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Concat of no tensors")
	}
	ax := ts[0].axis("Concat", axis)
	shape := ts[0].Shape()
	total := 0
	for _, t := range ts {
		if len(t.shape) != len(shape) || t.dtype != ts[0].dtype {
			panic(fmt.Sprintf("tensor: Concat %s %s with %s %s", ts[0].dtype, fmtShape(ts[0].shape), t.dtype, fmtShape(t.shape)))
		}
		for i := range shape {
			if i != ax && t.shape[i] != shape[i] {
				panic(fmt.Sprintf("tensor: Concat along axis %d: %s and %s differ off that axis", axis, fmtShape(ts[0].shape), fmtShape(t.shape)))
			}
		}
		total += t.shape[ax]
	}
	shape[ax] = total
	out := newTensor(ts[0].dtype, shape)
	at := 0
	for _, t := range ts {
		out.Narrow(ax, at, t.shape[ax]).CopyFrom(t)
		at += t.shape[ax]
	}
	return out
}

// Split cuts x along axis into views of the given sizes, which must be
// non-negative and add up to the dimension. It panics otherwise, or if axis
// is out of range.
func Split(x *Tensor, axis int, sizes ...int) []*Tensor {
	ax := x.axis("Split", axis)
	sum, negative := 0, false
	for _, s := range sizes {
		sum += s
		negative = negative || s < 0
	}
	if sum != x.shape[ax] || negative {
		panic(fmt.Sprintf("tensor: Split sizes %v do not add up to axis %d of shape %s", sizes, axis, fmtShape(x.shape)))
	}
	out := make([]*Tensor, len(sizes))
	at := 0
	for i, s := range sizes {
		out[i] = x.Narrow(ax, at, s)
		at += s
	}
	return out
}

// Stack joins tensors of one shape and dtype along a new axis (0..rank;
// negative counts from rank+1). It panics on an empty list, differing shapes
// or dtypes, or an axis out of range.
func Stack(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic("tensor: Stack of no tensors")
	}
	us := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !sameShape(t.shape, ts[0].shape) {
			panic(fmt.Sprintf("tensor: Stack %s with %s", fmtShape(ts[0].shape), fmtShape(t.shape)))
		}
		us[i] = t.Unsqueeze(axis)
	}
	return Concat(axis, us...)
}
