package tensor

import (
	"math"

	"github.com/daalab/daa/internal/parallel"
)

// lastAxisRows applies row to every row of x along axis (moving that axis
// last and back), writing a new tensor of x's shape.
func lastAxisRows(x *Tensor, axis int, op string, row32 func(dst, src []float32), row64 func(dst, src []float64)) *Tensor {
	ax := x.axis(op, axis)
	last := len(x.shape) - 1
	src := x
	if ax != last {
		src = x.Transpose(ax, last)
	}
	src = src.Contiguous()
	out := newTensor(x.dtype, src.shape)
	n := src.shape[last]
	if n > 0 && out.Len() > 0 {
		rows := out.Len() / n
		grain := max(1, grainElems/n)
		if x.dtype == Float32 {
			s, d := values[float32](src), out.f32
			parallel.For(rows, grain, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					row32(d[r*n:(r+1)*n], s[r*n:(r+1)*n])
				}
			})
		} else {
			s, d := values[float64](src), out.f64
			parallel.For(rows, grain, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					row64(d[r*n:(r+1)*n], s[r*n:(r+1)*n])
				}
			})
		}
	}
	if ax != last {
		return out.Transpose(ax, last).Contiguous()
	}
	return out
}

// softmaxRow writes exp(x - max) / sum(exp(x - max)) with a float64 sum.
func softmaxRow[T float](dst, x []T) {
	m := maxRow(x)
	var s float64
	for i, v := range x {
		e := math.Exp(float64(v) - m)
		dst[i] = T(e)
		s += e
	}
	inv := 1 / s
	for i := range dst {
		dst[i] = T(float64(dst[i]) * inv)
	}
}

// logSoftmaxRow writes (x - m) - log(sum(exp(x - m))) with m the row
// maximum. Subtracting m first keeps x - m exact (Sterbenz), so large logits
// lose no precision, as they would in x - logsumexp(x). A row whose maximum
// is ±Inf or NaN (all -Inf, or holding +Inf or NaN) is all NaN, as PyTorch's
// log_softmax gives.
func logSoftmaxRow[T float](dst, x []T) {
	m := maxRow(x)
	if math.IsInf(m, 0) || m != m {
		for i := range dst {
			dst[i] = T(math.NaN())
		}
		return
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	logS := math.Log(s)
	for i, v := range x {
		dst[i] = T((float64(v) - m) - logS)
	}
}

// Softmax returns exp(x)/sum(exp(x)) along axis, with the maximum subtracted
// first so it cannot overflow and the sum accumulated in float64. Entries of
// -Inf get probability 0; a row of all -Inf, or one holding +Inf or NaN, is
// all NaN (as in PyTorch). It panics if axis is out of range.
func Softmax(x *Tensor, axis int) *Tensor {
	return lastAxisRows(x, axis, "Softmax", softmaxRow[float32], softmaxRow[float64])
}

// LogSoftmax returns x - logsumexp(x) along axis, stable for any magnitude
// (float64 sum). Entries of -Inf stay -Inf; a row of all -Inf, or one
// holding +Inf or NaN, is all NaN (as in PyTorch). It panics if axis is out
// of range.
func LogSoftmax(x *Tensor, axis int) *Tensor {
	return lastAxisRows(x, axis, "LogSoftmax", logSoftmaxRow[float32], logSoftmaxRow[float64])
}
