package tensor

import (
	"fmt"
	"strings"
)

// DType is the element type of a tensor.
type DType uint8

const (
	// Float32 is the compute type for models and kernels.
	Float32 DType = iota
	// Float64 is used for gradient checks and reference-grade loss math.
	Float64
)

// String returns "float32" or "float64". It never panics.
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size returns the number of bytes of one element. It never panics.
func (d DType) Size() int {
	if d == Float64 {
		return 8
	}
	return 4
}

// Tensor is a dense n-dimensional array of float32 or float64 values viewed
// through a shape, strides (in elements) and an offset into its storage.
// The zero value is not usable; make tensors with Zeros, FromFloat32s and the
// other constructors. A rank-0 tensor (empty shape) holds one scalar.
type Tensor struct {
	dtype   DType
	shape   []int
	strides []int
	offset  int
	f32     []float32 // storage when dtype == Float32
	f64     []float64 // storage when dtype == Float64
}

// float is the set of element types a Tensor stores.
type float interface{ ~float32 | ~float64 }

// storage returns the tensor's whole storage slice as []T. It panics if T
// does not match the tensor's dtype (an internal invariant).
func storage[T float](t *Tensor) []T {
	var z T
	switch any(z).(type) {
	case float32:
		if t.dtype != Float32 {
			panic("tensor: internal: float32 access to a " + t.dtype.String() + " tensor")
		}
		return any(t.f32).([]T)
	default:
		if t.dtype != Float64 {
			panic("tensor: internal: float64 access to a " + t.dtype.String() + " tensor")
		}
		return any(t.f64).([]T)
	}
}

// values returns the contiguous elements of t in row-major order as []T,
// copying only when t is a non-contiguous view.
func values[T float](t *Tensor) []T {
	c := t.Contiguous()
	return storage[T](c)[c.offset : c.offset+c.Len()]
}

// newTensor allocates a zeroed contiguous tensor.
func newTensor(dt DType, shape []int) *Tensor {
	n := checkShape("Zeros", shape)
	t := &Tensor{dtype: dt, shape: append([]int(nil), shape...), strides: rowMajorStrides(shape)}
	switch dt {
	case Float32:
		t.f32 = make([]float32, n)
	case Float64:
		t.f64 = make([]float64, n)
	default:
		panic(fmt.Sprintf("tensor: unknown %s for a tensor of shape %s", dt, fmtShape(shape)))
	}
	return t
}

// newLike allocates a zeroed contiguous tensor of dtype dt and the given shape
// whose storage is typed as T.
func newOf[T float](shape []int) *Tensor {
	var z T
	if _, ok := any(z).(float32); ok {
		return newTensor(Float32, shape)
	}
	return newTensor(Float64, shape)
}

// DType returns the element type. It never panics.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns a copy of the shape. It never panics.
func (t *Tensor) Shape() []int { return append([]int(nil), t.shape...) }

// Strides returns a copy of the strides, in elements. It never panics.
func (t *Tensor) Strides() []int { return append([]int(nil), t.strides...) }

// Rank returns the number of dimensions (0 for a scalar). It never panics.
func (t *Tensor) Rank() int { return len(t.shape) }

// Dim returns the size of dimension i; negative i counts from the end.
// It panics if i is out of range.
func (t *Tensor) Dim(i int) int { return t.shape[t.axis("Dim", i)] }

// Len returns the number of elements (the product of the shape; 1 for a scalar).
// It never panics.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

// IsContiguous reports whether the elements are laid out densely in
// row-major order (so Float32s and Float64s return the storage itself).
// It never panics.
func (t *Tensor) IsContiguous() bool {
	want := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != want {
			return false
		}
		want *= t.shape[i]
	}
	return true
}

// Float32s returns the elements of a contiguous float32 tensor in row-major
// order. The slice aliases the tensor: writes change it. It panics if t is not
// float32 or not contiguous (call Contiguous first).
func (t *Tensor) Float32s() []float32 {
	if t.dtype != Float32 {
		panic("tensor: Float32s on a " + t.dtype.String() + " tensor of shape " + fmtShape(t.shape))
	}
	if !t.IsContiguous() {
		panic("tensor: Float32s on a non-contiguous view of shape " + fmtShape(t.shape) + "; call Contiguous first")
	}
	return t.f32[t.offset : t.offset+t.Len()]
}

// Float64s returns the elements of a contiguous float64 tensor in row-major
// order. The slice aliases the tensor. It panics if t is not float64 or not
// contiguous.
func (t *Tensor) Float64s() []float64 {
	if t.dtype != Float64 {
		panic("tensor: Float64s on a " + t.dtype.String() + " tensor of shape " + fmtShape(t.shape))
	}
	if !t.IsContiguous() {
		panic("tensor: Float64s on a non-contiguous view of shape " + fmtShape(t.shape) + "; call Contiguous first")
	}
	return t.f64[t.offset : t.offset+t.Len()]
}

// ToFloat64s returns a new slice with the elements in row-major order,
// converted to float64 whatever the dtype. It never panics.
func (t *Tensor) ToFloat64s() []float64 {
	out := make([]float64, t.Len())
	if t.dtype == Float64 {
		copy(out, values[float64](t))
		return out
	}
	for i, v := range values[float32](t) {
		out[i] = float64(v)
	}
	return out
}

// ToFloat32s returns a new slice with the elements in row-major order,
// converted to float32 (rounding to nearest) whatever the dtype. It never
// panics.
func (t *Tensor) ToFloat32s() []float32 {
	out := make([]float32, t.Len())
	if t.dtype == Float32 {
		copy(out, values[float32](t))
		return out
	}
	for i, v := range values[float64](t) {
		out[i] = float32(v)
	}
	return out
}

// At returns the element at the given index as float64. It panics if the
// number of indices differs from the rank or an index is out of range.
func (t *Tensor) At(idx ...int) float64 {
	off := t.elemOffset("At", idx)
	if t.dtype == Float32 {
		return float64(t.f32[off])
	}
	return t.f64[off]
}

// Set stores v (converted to the dtype) at the given index. It panics like At.
func (t *Tensor) Set(v float64, idx ...int) {
	off := t.elemOffset("Set", idx)
	if t.dtype == Float32 {
		t.f32[off] = float32(v)
	} else {
		t.f64[off] = v
	}
}

// Item returns the single element of a tensor with Len() == 1 as float64.
// It panics otherwise.
func (t *Tensor) Item() float64 {
	if t.Len() != 1 {
		panic("tensor: Item on a tensor of shape " + fmtShape(t.shape) + "; want exactly one element")
	}
	if t.dtype == Float32 {
		return float64(t.f32[t.offset])
	}
	return t.f64[t.offset]
}

func (t *Tensor) elemOffset(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor: %s with %d indices on a tensor of shape %s", op, len(idx), fmtShape(t.shape)))
	}
	off := t.offset
	for i, x := range idx {
		if x < 0 || x >= t.shape[i] {
			panic(fmt.Sprintf("tensor: %s index %v out of range for shape %s", op, idx, fmtShape(t.shape)))
		}
		off += x * t.strides[i]
	}
	return off
}

// String formats small tensors in full and large ones by shape only.
// It never panics.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor(%s %s", t.dtype, fmtShape(t.shape))
	if t.Len() <= 64 {
		fmt.Fprintf(&b, " %v", t.ToFloat64s())
	}
	b.WriteString(")")
	return b.String()
}
