package tensor

import (
	"fmt"
	"strconv"
	"strings"
)

// fmtShape formats a shape as [2 3 4].
func fmtShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// checkShape panics on negative dimensions and returns the element count.
func checkShape(op string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: %s: negative dimension in shape %s", op, fmtShape(shape)))
		}
		n *= d
	}
	return n
}

func rowMajorStrides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// SameShape reports whether a and b have identical shapes. It never panics.
func SameShape(a, b *Tensor) bool { return sameShape(a.shape, b.shape) }

// axis normalises a possibly negative axis and panics when out of range.
func (t *Tensor) axis(op string, ax int) int {
	r, a := len(t.shape), ax
	if a < 0 {
		a += r
	}
	if a < 0 || a >= r {
		panic(fmt.Sprintf("tensor: %s: axis %d out of range for shape %s", op, ax, fmtShape(t.shape)))
	}
	return a
}

// view returns a tensor sharing t's storage with a new shape, strides and offset.
func (t *Tensor) view(shape, strides []int, offset int) *Tensor {
	return &Tensor{dtype: t.dtype, shape: shape, strides: strides, offset: offset, f32: t.f32, f64: t.f64}
}

// Reshape returns a tensor with the same elements in row-major order and the
// given shape; one dimension may be -1 and is inferred. It is a view when t is
// contiguous and a copy otherwise. It panics if the element counts differ.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = append([]int(nil), shape...)
	infer, n := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("tensor: Reshape %s to %s: bad dimension", fmtShape(t.shape), fmtShape(shape)))
		default:
			n *= d
		}
	}
	if infer >= 0 {
		if n == 0 || t.Len()%n != 0 {
			panic(fmt.Sprintf("tensor: Reshape %s to %s: cannot infer -1", fmtShape(t.shape), fmtShape(shape)))
		}
		shape[infer] = t.Len() / n
		n *= shape[infer]
	}
	if n != t.Len() {
		panic(fmt.Sprintf("tensor: Reshape %s (%d elements) to %s (%d elements)", fmtShape(t.shape), t.Len(), fmtShape(shape), n))
	}
	c := t.Contiguous()
	return c.view(shape, rowMajorStrides(shape), c.offset)
}

// Permute returns a view with the axes reordered: result axis i is t's axis
// perm[i]. It panics if perm is not a permutation of 0..rank-1.
func (t *Tensor) Permute(perm ...int) *Tensor {
	r := len(t.shape)
	if len(perm) != r {
		panic(fmt.Sprintf("tensor: Permute %v on shape %s", perm, fmtShape(t.shape)))
	}
	seen := make([]bool, r)
	shape, strides := make([]int, r), make([]int, r)
	for i, p := range perm {
		if p < 0 || p >= r || seen[p] {
			panic(fmt.Sprintf("tensor: Permute %v on shape %s: not a permutation", perm, fmtShape(t.shape)))
		}
		seen[p] = true
		shape[i], strides[i] = t.shape[p], t.strides[p]
	}
	return t.view(shape, strides, t.offset)
}

// Transpose returns a view with axes a and b swapped (negative axes count
// from the end). It panics if an axis is out of range.
func (t *Tensor) Transpose(a, b int) *Tensor {
	a, b = t.axis("Transpose", a), t.axis("Transpose", b)
	perm := make([]int, len(t.shape))
	for i := range perm {
		perm[i] = i
	}
	perm[a], perm[b] = b, a
	return t.Permute(perm...)
}

// Narrow returns a view of length elements along axis starting at start
// (PyTorch's narrow; a slice t[..., start:start+length, ...]). It panics if
// the range is outside the dimension.
func (t *Tensor) Narrow(axis, start, length int) *Tensor {
	ax := t.axis("Narrow", axis)
	if start < 0 || length < 0 || start+length > t.shape[ax] {
		panic(fmt.Sprintf("tensor: Narrow axis %d [%d, %d) on shape %s", axis, start, start+length, fmtShape(t.shape)))
	}
	shape := t.Shape()
	shape[ax] = length
	return t.view(shape, t.Strides(), t.offset+start*t.strides[ax])
}

// Select returns the view at index i along axis, with that axis removed.
// It panics if i is out of range.
func (t *Tensor) Select(axis, i int) *Tensor {
	ax := t.axis("Select", axis)
	if i < 0 || i >= t.shape[ax] {
		panic(fmt.Sprintf("tensor: Select index %d on axis %d of shape %s", i, axis, fmtShape(t.shape)))
	}
	shape := append(t.Shape()[:ax], t.shape[ax+1:]...)
	strides := append(t.Strides()[:ax], t.strides[ax+1:]...)
	return t.view(shape, strides, t.offset+i*t.strides[ax])
}

// Unsqueeze returns a view with a new dimension of size 1 inserted at axis
// (0..rank; negative counts from rank+1). It panics if axis is out of that
// range.
func (t *Tensor) Unsqueeze(axis int) *Tensor {
	r := len(t.shape)
	if axis < 0 {
		axis += r + 1
	}
	if axis < 0 || axis > r {
		panic(fmt.Sprintf("tensor: Unsqueeze axis %d on shape %s", axis, fmtShape(t.shape)))
	}
	shape := append(append(append([]int(nil), t.shape[:axis]...), 1), t.shape[axis:]...)
	st := 1
	if axis < r {
		st = t.strides[axis] * t.shape[axis]
	}
	strides := append(append(append([]int(nil), t.strides[:axis]...), st), t.strides[axis:]...)
	return t.view(shape, strides, t.offset)
}

// Squeeze returns a view with dimension axis removed. It panics if axis is
// out of range or that dimension's size is not 1.
func (t *Tensor) Squeeze(axis int) *Tensor {
	ax := t.axis("Squeeze", axis)
	if t.shape[ax] != 1 {
		panic(fmt.Sprintf("tensor: Squeeze axis %d of size %d in shape %s", axis, t.shape[ax], fmtShape(t.shape)))
	}
	return t.Select(ax, 0)
}

// Expand returns a view broadcast to shape: dimensions of size 1 get stride 0
// and new leading dimensions are added. It panics if t does not broadcast to
// shape.
func (t *Tensor) Expand(shape ...int) *Tensor {
	r, tr := len(shape), len(t.shape)
	if tr > r {
		panic(fmt.Sprintf("tensor: Expand %s to %s", fmtShape(t.shape), fmtShape(shape)))
	}
	strides := make([]int, r)
	for i := 0; i < r; i++ {
		j := i - (r - tr)
		switch {
		case j < 0:
			strides[i] = 0
		case t.shape[j] == shape[i]:
			strides[i] = t.strides[j]
		case t.shape[j] == 1:
			strides[i] = 0
		default:
			panic(fmt.Sprintf("tensor: Expand %s to %s", fmtShape(t.shape), fmtShape(shape)))
		}
	}
	return t.view(append([]int(nil), shape...), strides, t.offset)
}

// BroadcastShapes returns the NumPy broadcast of the given shapes. It panics,
// naming op and the shapes, if they are incompatible.
func BroadcastShapes(op string, shapes ...[]int) []int {
	r := 0
	for _, s := range shapes {
		r = max(r, len(s))
	}
	out := make([]int, r)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		for j, d := range s {
			i := j + r - len(s)
			switch {
			case out[i] == d || d == 1:
			case out[i] == 1:
				out[i] = d
			default:
				strs := make([]string, len(shapes))
				for k, s := range shapes {
					strs[k] = fmtShape(s)
				}
				panic(fmt.Sprintf("tensor: %s: shapes %s do not broadcast", op, strings.Join(strs, " and ")))
			}
		}
	}
	return out
}

// Contiguous returns t itself when it is already dense and row-major,
// otherwise a row-major copy. It never panics.
func (t *Tensor) Contiguous() *Tensor {
	if t.IsContiguous() {
		return t
	}
	return t.Clone()
}

// Clone returns a contiguous copy with its own storage. It never panics.
func (t *Tensor) Clone() *Tensor {
	out := newTensor(t.dtype, t.shape)
	if t.dtype == Float32 {
		copyStrided(out.f32, t.f32, t.shape, t.strides, t.offset)
	} else {
		copyStrided(out.f64, t.f64, t.shape, t.strides, t.offset)
	}
	return out
}

// copyStrided copies the elements of a strided view into dst in row-major order.
func copyStrided[T float](dst, src []T, shape, strides []int, offset int) {
	n := len(dst)
	if n == 0 {
		return
	}
	r := len(shape)
	if r == 0 {
		dst[0] = src[offset]
		return
	}
	inner, innerStride := shape[r-1], strides[r-1]
	idx := make([]int, r)
	off := offset
	for pos := 0; pos < n; pos += inner {
		if innerStride == 1 {
			copy(dst[pos:pos+inner], src[off:off+inner])
		} else {
			for i := 0; i < inner; i++ {
				dst[pos+i] = src[off+i*innerStride]
			}
		}
		// Advance the multi-index over all but the last axis.
		for ax := r - 2; ax >= 0; ax-- {
			idx[ax]++
			off += strides[ax]
			if idx[ax] < shape[ax] {
				break
			}
			off -= idx[ax] * strides[ax]
			idx[ax] = 0
		}
	}
}

// Cast returns a copy converted to dtype dt (rounding to nearest for float64
// to float32), or t itself when it already has that dtype. It panics on an
// unknown dtype.
func (t *Tensor) Cast(dt DType) *Tensor {
	if dt == t.dtype {
		return t
	}
	if dt != Float32 && dt != Float64 {
		panic(fmt.Sprintf("tensor: Cast of %s %s to unknown %s", t.dtype, fmtShape(t.shape), dt))
	}
	out := &Tensor{dtype: dt, shape: t.Shape(), strides: rowMajorStrides(t.shape)}
	if dt == Float32 {
		out.f32 = t.ToFloat32s()
	} else {
		out.f64 = t.ToFloat64s()
	}
	return out
}

// CopyFrom copies src's elements into t (which may be a view) in row-major
// order. It panics if the shapes or dtypes differ.
func (t *Tensor) CopyFrom(src *Tensor) {
	if !sameShape(t.shape, src.shape) || t.dtype != src.dtype {
		panic(fmt.Sprintf("tensor: CopyFrom %s %s into %s %s", src.dtype, fmtShape(src.shape), t.dtype, fmtShape(t.shape)))
	}
	if t.dtype == Float32 {
		scatterStrided(t.f32, values[float32](src), t.shape, t.strides, t.offset)
	} else {
		scatterStrided(t.f64, values[float64](src), t.shape, t.strides, t.offset)
	}
}

// scatterStrided writes row-major src into a strided view of dst.
func scatterStrided[T float](dst, src []T, shape, strides []int, offset int) {
	n := len(src)
	if n == 0 {
		return
	}
	r := len(shape)
	if r == 0 {
		dst[offset] = src[0]
		return
	}
	inner, innerStride := shape[r-1], strides[r-1]
	idx := make([]int, r)
	off := offset
	for pos := 0; pos < n; pos += inner {
		for i := 0; i < inner; i++ {
			dst[off+i*innerStride] = src[pos+i]
		}
		for ax := r - 2; ax >= 0; ax-- {
			idx[ax]++
			off += strides[ax]
			if idx[ax] < shape[ax] {
				break
			}
			off -= idx[ax] * strides[ax]
			idx[ax] = 0
		}
	}
}
