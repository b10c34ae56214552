package tensor

import (
	"fmt"
)

// IndexSelect returns the entries of x at the given indices along axis
// (PyTorch index_select): the result has x's shape with dimension axis
// replaced by len(idx). It panics if an index is out of range.
func IndexSelect(x *Tensor, axis int, idx []int) *Tensor {
	ax := x.axis("IndexSelect", axis)
	for _, i := range idx {
		if i < 0 || i >= x.shape[ax] {
			panic(fmt.Sprintf("tensor: IndexSelect index %d out of range for axis %d of shape %s", i, axis, fmtShape(x.shape)))
		}
	}
	shape := x.Shape()
	shape[ax] = len(idx)
	out := newTensor(x.dtype, shape)
	for j, i := range idx {
		out.Narrow(ax, j, 1).CopyFrom(x.Narrow(ax, i, 1))
	}
	return out
}

// IndexAdd adds src's slices along axis into dst at the given indices
// (dst[..., idx[j], ...] += src[..., j, ...]); repeated indices accumulate in
// order. It is the gradient of IndexSelect. dst must be contiguous. It panics
// on mismatched shapes or dtypes, or an index out of range.
func IndexAdd(dst *Tensor, axis int, idx []int, src *Tensor) {
	ax := dst.axis("IndexAdd", axis)
	want := dst.Shape()
	want[ax] = len(idx)
	if !sameShape(want, src.shape) || dst.dtype != src.dtype {
		panic(fmt.Sprintf("tensor: IndexAdd %s %s into %s %s along axis %d with %d indices", src.dtype, fmtShape(src.shape), dst.dtype, fmtShape(dst.shape), axis, len(idx)))
	}
	if !dst.IsContiguous() {
		panic("tensor: IndexAdd into a non-contiguous view of shape " + fmtShape(dst.shape))
	}
	if dst.dtype == Float32 {
		indexAdd[float32](dst, ax, idx, src)
	} else {
		indexAdd[float64](dst, ax, idx, src)
	}
}

func indexAdd[T float](dst *Tensor, ax int, idx []int, src *Tensor) {
	outer, inner := 1, 1
	for i := 0; i < ax; i++ {
		outer *= dst.shape[i]
	}
	for i := ax + 1; i < len(dst.shape); i++ {
		inner *= dst.shape[i]
	}
	d := storage[T](dst)[dst.offset:]
	s := values[T](src)
	n, k := dst.shape[ax], len(idx)
	for o := 0; o < outer; o++ {
		for j, i := range idx {
			if i < 0 || i >= n {
				panic(fmt.Sprintf("tensor: IndexAdd index %d out of range for axis %d of shape %s", i, ax, fmtShape(dst.shape)))
			}
			dr := d[(o*n+i)*inner : (o*n+i+1)*inner]
			sr := s[(o*k+j)*inner : (o*k+j+1)*inner]
			for e := range dr {
				dr[e] += sr[e]
			}
		}
	}
}

// gatherGeometry checks an index list for Gather or ScatterAdd on axis of
// x's shape and returns the sizes outer (axes before), k (indices per
// position) and inner (axes after) of the [outer, k, inner] index layout.
func gatherGeometry(op string, shape []int, ax int, index []int) (outer, k, inner int) {
	outer, inner = 1, 1
	for i := 0; i < ax; i++ {
		outer *= shape[i]
	}
	for i := ax + 1; i < len(shape); i++ {
		inner *= shape[i]
	}
	if outer*inner == 0 || len(index)%(outer*inner) != 0 {
		panic(fmt.Sprintf("tensor: %s: %d indices do not fit shape %s along axis %d", op, len(index), fmtShape(shape), ax))
	}
	k = len(index) / (outer * inner)
	for _, i := range index {
		if i < 0 || i >= shape[ax] {
			panic(fmt.Sprintf("tensor: %s index %d out of range for axis %d of shape %s", op, i, ax, fmtShape(shape)))
		}
	}
	return outer, k, inner
}

// Gather picks elements of x along axis (PyTorch gather with an index of
// x's shape except along axis): out[o, j, i] = x[o, index[o, j, i], i] where
// o runs over the axes before axis and i over those after, and index holds
// outer*k*inner entries in that row-major order. The result has x's shape with
// dimension axis set to k. Picking the target token's log-prob from
// [B, T, V] log-probs is Gather(logp, 2, targets) with len(targets) = B*T.
// It panics if the index count does not fit or an index is out of range.
func Gather(x *Tensor, axis int, index []int) *Tensor {
	ax := x.axis("Gather", axis)
	outer, k, inner := gatherGeometry("Gather", x.shape, ax, index)
	shape := x.Shape()
	shape[ax] = k
	if x.dtype == Float32 {
		return gather[float32](x, shape, ax, index, outer, k, inner)
	}
	return gather[float64](x, shape, ax, index, outer, k, inner)
}

func gather[T float](x *Tensor, shape []int, ax int, index []int, outer, k, inner int) *Tensor {
	out := newOf[T](shape)
	d, s := storage[T](out), values[T](x)
	n := x.shape[ax]
	for o := 0; o < outer; o++ {
		for j := 0; j < k; j++ {
			for i := 0; i < inner; i++ {
				p := (o*k+j)*inner + i
				d[p] = s[(o*n+index[p])*inner+i]
			}
		}
	}
	return out
}

// ScatterAdd adds src into dst at the positions Gather(dst, axis, index)
// would read: dst[o, index[o, j, i], i] += src[o, j, i]. It is the gradient
// of Gather. dst must be contiguous and src must have Gather's result shape.
// It panics on mismatched shapes or dtypes or an index out of range.
func ScatterAdd(dst *Tensor, axis int, index []int, src *Tensor) {
	ax := dst.axis("ScatterAdd", axis)
	outer, k, inner := gatherGeometry("ScatterAdd", dst.shape, ax, index)
	want := dst.Shape()
	want[ax] = k
	if !sameShape(want, src.shape) || dst.dtype != src.dtype || !dst.IsContiguous() {
		panic(fmt.Sprintf("tensor: ScatterAdd %s %s into %s %s along axis %d (contiguous=%v)", src.dtype, fmtShape(src.shape), dst.dtype, fmtShape(dst.shape), axis, dst.IsContiguous()))
	}
	if dst.dtype == Float32 {
		scatterAdd[float32](dst, ax, index, src, outer, k, inner)
	} else {
		scatterAdd[float64](dst, ax, index, src, outer, k, inner)
	}
}

func scatterAdd[T float](dst *Tensor, ax int, index []int, src *Tensor, outer, k, inner int) {
	d, s := storage[T](dst)[dst.offset:], values[T](src)
	n := dst.shape[ax]
	for o := 0; o < outer; o++ {
		for j := 0; j < k; j++ {
			for i := 0; i < inner; i++ {
				p := (o*k+j)*inner + i
				d[(o*n+index[p])*inner+i] += s[p]
			}
		}
	}
}

// Where returns a where cond is nonzero and b elsewhere, with all three
// broadcast together. It panics if the shapes do not broadcast or the dtypes
// differ.
func Where(cond, a, b *Tensor) *Tensor {
	if cond.dtype != a.dtype || a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor: Where dtypes %s, %s, %s differ", cond.dtype, a.dtype, b.dtype))
	}
	shape := BroadcastShapes("Where", cond.shape, a.shape, b.shape)
	c := cond.Expand(shape...).ToFloat64s()
	av, bv := a.Expand(shape...).ToFloat64s(), b.Expand(shape...).ToFloat64s()
	for i := range c {
		if c[i] != 0 {
			c[i] = av[i]
		} else {
			c[i] = bv[i]
		}
	}
	return FromFloat64s(c, shape...).Cast(a.dtype)
}

// MaskedFill returns x with v wherever mask (broadcast to x's shape) is
// nonzero. It panics if mask does not broadcast to x's shape.
func MaskedFill(x, mask *Tensor, v float64) *Tensor {
	if !sameShape(BroadcastShapes("MaskedFill", x.shape, mask.shape), x.shape) {
		panic(fmt.Sprintf("tensor: MaskedFill mask %s does not broadcast to %s", fmtShape(mask.shape), fmtShape(x.shape)))
	}
	return Where(mask.Cast(x.dtype), Full(x.dtype, v), x)
}
