package tensor

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
)

// IndexSelect returns the entries of x at the given indices along axis
// (PyTorch index_select): the result has x's shape with dimension axis
// replaced by len(idx); indices may repeat. It panics if axis or an index is
// out of range.
func IndexSelect(x *Tensor, axis int, idx []int) *Tensor {
	ax := x.axis("IndexSelect", axis)
	checkIndices("IndexSelect", x.shape, ax, idx)
	shape := x.Shape()
	shape[ax] = len(idx)
	out := newTensor(x.dtype, shape)
	if x.dtype == Float32 {
		indexSelect[float32](out, x, ax, idx)
	} else {
		indexSelect[float64](out, x, ax, idx)
	}
	return out
}

// checkIndices panics, naming op, if an index is outside [0, shape[ax]).
func checkIndices(op string, shape []int, ax int, idx []int) {
	for _, i := range idx {
		if i < 0 || i >= shape[ax] {
			panic(fmt.Sprintf("tensor: %s index %d out of range for axis %d of shape %s", op, i, ax, fmtShape(shape)))
		}
	}
}

// outerInner returns the element counts of the axes before and after ax.
func outerInner(shape []int, ax int) (outer, inner int) {
	outer, inner = 1, 1
	for i := 0; i < ax; i++ {
		outer *= shape[i]
	}
	for i := ax + 1; i < len(shape); i++ {
		inner *= shape[i]
	}
	return outer, inner
}

// indexSelect copies x's slabs: out[o, j, :] = x[o, idx[j], :] with x viewed
// as [outer, n, inner] and out as [outer, len(idx), inner].
func indexSelect[T float](out, x *Tensor, ax int, idx []int) {
	outer, inner := outerInner(x.shape, ax)
	d, s := storage[T](out), values[T](x)
	n, k := x.shape[ax], len(idx)
	for o := 0; o < outer; o++ {
		for j, i := range idx {
			copy(d[(o*k+j)*inner:(o*k+j+1)*inner], s[(o*n+i)*inner:(o*n+i+1)*inner])
		}
	}
}

// IndexAdd adds src's slices along axis into dst at the given indices
// (dst[..., idx[j], ...] += src[..., j, ...]); repeated indices accumulate in
// order. It is the gradient of IndexSelect. It panics, before changing dst,
// on mismatched shapes or dtypes, a non-contiguous dst, or an index out of
// range.
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
	checkIndices("IndexAdd", dst.shape, ax, idx)
	if dst.dtype == Float32 {
		indexAdd[float32](dst, ax, idx, src)
	} else {
		indexAdd[float64](dst, ax, idx, src)
	}
}

func indexAdd[T float](dst *Tensor, ax int, idx []int, src *Tensor) {
	outer, inner := outerInner(dst.shape, ax)
	d := storage[T](dst)[dst.offset:]
	s := values[T](src)
	n, k := dst.shape[ax], len(idx)
	for o := 0; o < outer; o++ {
		for j, i := range idx {
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
	outer, inner = outerInner(shape, ax)
	if outer*inner == 0 || len(index)%(outer*inner) != 0 {
		panic(fmt.Sprintf("tensor: %s: %d indices do not fit shape %s along axis %d", op, len(index), fmtShape(shape), ax))
	}
	k = len(index) / (outer * inner)
	checkIndices(op, shape, ax, index)
	return outer, k, inner
}

// Gather picks elements of x along axis (PyTorch gather with an index of
// x's shape except along axis): out[o, j, i] = x[o, index[o, j, i], i] where
// o runs over the axes before axis and i over those after, and index holds
// outer*k*inner entries in that row-major order. The result has x's shape with
// dimension axis set to k. Picking the target token's log-prob from
// [B, T, V] log-probs is Gather(logp, 2, targets) with len(targets) = B*T.
// It panics if axis is out of range, the index count is not a multiple of
// the product of the other dimensions (so also when one of them is 0), or an
// index is out of range.
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
// It panics, before changing dst, where Gather would, on mismatched shapes or
// dtypes, or on a non-contiguous dst.
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
// broadcast together; cond may have either dtype and the result has a's.
// It reads the operands through strided views, so broadcast operands (a
// [T, T] mask against [B, H, T, T] scores) are never materialised. It panics
// if the shapes do not broadcast or a and b have different dtypes.
func Where(cond, a, b *Tensor) *Tensor {
	if a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor: Where: dtypes %s and %s differ (shapes %s and %s)", a.dtype, b.dtype, fmtShape(a.shape), fmtShape(b.shape)))
	}
	shape := BroadcastShapes("Where", cond.shape, a.shape, b.shape)
	if a.dtype == Float32 {
		return whereT[float32](cond, a, b, shape)
	}
	return whereT[float64](cond, a, b, shape)
}

func whereT[T float](cond, a, b *Tensor, shape []int) *Tensor {
	out := newOf[T](shape)
	dst := storage[T](out)
	if len(dst) == 0 {
		return out
	}
	ec, ea, eb := cond.Expand(shape...), a.Expand(shape...), b.Expand(shape...)
	as, bs := storage[T](a), storage[T](b)
	r := len(shape)
	inner := 1
	if r > 0 {
		inner = shape[r-1]
	}
	lastStride := func(v *Tensor) int {
		if r == 0 {
			return 0
		}
		return v.strides[r-1]
	}
	sc, sa, sb := lastStride(ec), lastStride(ea), lastStride(eb)
	parallel.For(len(dst)/inner, max(1, grainElems/inner), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			oc, oa, ob := rowStart(ec, row), rowStart(ea, row), rowStart(eb, row)
			d := dst[row*inner : (row+1)*inner]
			for i := range d {
				if condAt(cond, oc+i*sc) {
					d[i] = as[oa+i*sa]
				} else {
					d[i] = bs[ob+i*sb]
				}
			}
		}
	})
	return out
}

// condAt reports whether the element at storage offset off of cond is
// nonzero (NaN counts as nonzero, as a bool cast does in PyTorch).
func condAt(cond *Tensor, off int) bool {
	if cond.dtype == Float32 {
		return cond.f32[off] != 0
	}
	return cond.f64[off] != 0
}

// MaskedFill returns x with v wherever mask (of either dtype, broadcast to
// x's shape) is nonzero. It panics if mask does not broadcast to x's shape.
func MaskedFill(x, mask *Tensor, v float64) *Tensor {
	if !sameShape(BroadcastShapes("MaskedFill", x.shape, mask.shape), x.shape) {
		panic(fmt.Sprintf("tensor: MaskedFill mask %s does not broadcast to %s", fmtShape(mask.shape), fmtShape(x.shape)))
	}
	return Where(mask, Full(x.dtype, v), x)
}
