package tensor

import (
	"fmt"
	"math"

	"github.com/daalab/daa/internal/half"
)

// FromFloat16Bits returns a float32 tensor of the given shape holding the
// IEEE binary16 values whose bit patterns are bits (row-major), widened
// exactly: every float16, subnormals, infinities and NaN payloads included,
// is a float32. With no shape the result is 1-D. It panics if a dimension is
// negative or len(bits) differs from the shape's element count.
func FromFloat16Bits(bits []uint16, shape ...int) *Tensor {
	out := newTensor(Float32, halfShape("FromFloat16Bits", len(bits), shape))
	half.F16sToF32s(out.f32, bits)
	return out
}

// FromBFloat16Bits returns a float32 tensor of the given shape holding the
// bfloat16 values whose bit patterns are bits (row-major), widened exactly
// (a bfloat16 is the upper half of a float32). It panics like
// FromFloat16Bits.
func FromBFloat16Bits(bits []uint16, shape ...int) *Tensor {
	out := newTensor(Float32, halfShape("FromBFloat16Bits", len(bits), shape))
	half.BF16sToF32s(out.f32, bits)
	return out
}

// halfShape returns the shape for n values (1-D when none is given) and
// panics, naming op, if it does not hold exactly n elements.
func halfShape(op string, n int, shape []int) []int {
	if len(shape) == 0 {
		return []int{n}
	}
	if m := checkShape(op, shape); m != n {
		panic(fmt.Sprintf("tensor: %s: %d values for shape %s (%d elements)", op, n, fmtShape(shape), m))
	}
	return shape
}

// Float16Bits returns the elements in row-major order as IEEE binary16 bit
// patterns, each rounded to the nearest float16 with ties to even: values
// beyond the float16 range become ±Inf, NaN stays NaN. A float64 tensor is
// rounded once, directly (not float64→float32→float16, which could round
// twice). It works on any view and never panics.
func (t *Tensor) Float16Bits() []uint16 {
	out := make([]uint16, t.Len())
	half.F32sToF16s(out, t.roundToOddFloat32s())
	return out
}

// BFloat16Bits returns the elements in row-major order as bfloat16 bit
// patterns, rounded to nearest with ties to even, as PyTorch's .bfloat16()
// does. A float64 tensor is rounded once, directly. It never panics.
func (t *Tensor) BFloat16Bits() []uint16 {
	out := make([]uint16, t.Len())
	half.F32sToBF16s(out, t.roundToOddFloat32s())
	return out
}

// roundToOddFloat32s returns the elements as float32: as they are for a
// float32 tensor, and rounded to odd for a float64 one. Rounding to odd keeps
// a sticky bit in the last place, so a following round-to-nearest-even to a
// format with at least two fewer significand bits (float16 has 11, bfloat16
// 8, float32 24) gives the correctly rounded result of the float64 value.
func (t *Tensor) roundToOddFloat32s() []float32 {
	if t.dtype == Float32 {
		return values[float32](t)
	}
	src := values[float64](t)
	out := make([]float32, len(src))
	for i, x := range src {
		out[i] = roundToOdd32(x)
	}
	return out
}

// roundToOdd32 returns x truncated toward zero to float32 and, when that was
// inexact, with its last significand bit set. Above the float32 range it
// gives ±MaxFloat32 with the bit set, which still rounds to ±Inf in the
// narrower formats.
func roundToOdd32(x float64) float32 {
	f := float32(x) // round to nearest even
	if float64(f) == x || x != x {
		return f
	}
	if math.Abs(float64(f)) > math.Abs(x) { // rounded away from zero: step back
		f = math.Nextafter32(f, 0)
	}
	return math.Float32frombits(math.Float32bits(f) | 1)
}
