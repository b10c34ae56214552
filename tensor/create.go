package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Zeros returns a tensor of zeros. It panics on a negative dimension or an
// unknown dtype.
func Zeros(dt DType, shape ...int) *Tensor { return newTensor(dt, shape) }

// Ones returns a tensor of ones. It panics like Zeros.
func Ones(dt DType, shape ...int) *Tensor { return Full(dt, 1, shape...) }

// Full returns a tensor with every element v (rounded to the dtype). It
// panics like Zeros.
func Full(dt DType, v float64, shape ...int) *Tensor {
	checkShape("Full", shape)
	t := newTensor(dt, shape)
	t.Fill(v)
	return t
}

// Scalar returns a rank-0 tensor holding v. It panics on an unknown dtype.
func Scalar(dt DType, v float64) *Tensor { return Full(dt, v) }

// ZerosLike returns zeros with t's dtype and shape. It never panics.
func ZerosLike(t *Tensor) *Tensor { return newTensor(t.dtype, t.shape) }

// Fill sets every element of t (which may be a view) to v. It never panics.
func (t *Tensor) Fill(v float64) {
	if t.IsContiguous() {
		if t.dtype == Float32 {
			d := t.Float32s()
			for i := range d {
				d[i] = float32(v)
			}
		} else {
			d := t.Float64s()
			for i := range d {
				d[i] = v
			}
		}
		return
	}
	t.CopyFrom(Full(t.dtype, v, t.shape...))
}

// Arange returns the 1-D tensor start, start+step, ... up to but excluding
// stop, element i computed as start + i*step in float64 (empty when stop is
// not beyond start in step's direction). It panics if step is 0 or NaN.
func Arange(dt DType, start, stop, step float64) *Tensor {
	if step == 0 || step != step {
		panic(fmt.Sprintf("tensor: Arange(%g, %g, %g): step must be nonzero", start, stop, step))
	}
	n := int(math.Ceil((stop - start) / step))
	if n < 0 {
		n = 0
	}
	t := newTensor(dt, []int{n})
	for i := 0; i < n; i++ {
		t.Set(start+float64(i)*step, i)
	}
	return t
}

// FromFloat32s returns a float32 tensor of the given shape that uses data as
// its storage (no copy). With no shape, the result is 1-D. It panics if
// len(data) differs from the shape's element count.
func FromFloat32s(data []float32, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	if n := checkShape("FromFloat32s", shape); n != len(data) {
		panic(fmt.Sprintf("tensor: FromFloat32s: %d values for shape %s (%d elements)", len(data), fmtShape(shape), n))
	}
	return &Tensor{dtype: Float32, shape: append([]int(nil), shape...), strides: rowMajorStrides(shape), f32: data}
}

// FromFloat64s returns a float64 tensor of the given shape that uses data as
// its storage (no copy). It panics like FromFloat32s.
func FromFloat64s(data []float64, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	if n := checkShape("FromFloat64s", shape); n != len(data) {
		panic(fmt.Sprintf("tensor: FromFloat64s: %d values for shape %s (%d elements)", len(data), fmtShape(shape), n))
	}
	return &Tensor{dtype: Float64, shape: append([]int(nil), shape...), strides: rowMajorStrides(shape), f64: data}
}

// FromValues returns a tensor of dtype dt holding a copy of vals (converted)
// with the given shape (1-D when none is given). It panics like FromFloat32s
// and on an unknown dtype.
func FromValues(dt DType, vals []float64, shape ...int) *Tensor {
	t := FromFloat64s(append([]float64(nil), vals...), shape...)
	return t.Cast(dt)
}

// NewRNG returns a seeded PCG generator (math/rand/v2's PCG-DXSM with state
// (seed, 0x9e3779b97f4a7c15)): the same seed gives the same numbers on every
// run and machine. It never panics.
func NewRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// RandN returns a tensor of independent normal samples with the given mean
// and standard deviation, drawn from rng in row-major order (each sample is
// mean + std*rng.NormFloat64(), rounded once to the dtype). It panics like
// Zeros.
func RandN(rng *rand.Rand, dt DType, mean, std float64, shape ...int) *Tensor {
	checkShape("RandN", shape)
	t := newTensor(dt, shape)
	if dt == Float32 {
		for i := range t.f32 {
			t.f32[i] = float32(mean + std*rng.NormFloat64())
		}
	} else {
		for i := range t.f64 {
			t.f64[i] = mean + std*rng.NormFloat64()
		}
	}
	return t
}

// RandU returns a tensor of independent uniform samples in [lo, hi), drawn
// from rng in row-major order (each sample is lo + (hi-lo)*rng.Float64(),
// rounded once to the dtype, which for float32 can round up to hi). It panics
// like Zeros.
func RandU(rng *rand.Rand, dt DType, lo, hi float64, shape ...int) *Tensor {
	checkShape("RandU", shape)
	t := newTensor(dt, shape)
	if dt == Float32 {
		for i := range t.f32 {
			t.f32[i] = float32(lo + (hi-lo)*rng.Float64())
		}
	} else {
		for i := range t.f64 {
			t.f64[i] = lo + (hi-lo)*rng.Float64()
		}
	}
	return t
}
