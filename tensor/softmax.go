package tensor

import (
	"fmt"
	"math"

	"github.com/daalab/daa/internal/parallel"
)

// alongAxis calls row on every line of the inputs along axis (all of the
// first input's shape), writing a new tensor of that shape: the axis is moved
// last (copying to row-major only when needed) and moved back afterwards.
func alongAxis[T float](ins []*Tensor, axis int, op string, row func(dst []T, src [][]T)) *Tensor {
	ax := ins[0].axis(op, axis)
	last := len(ins[0].shape) - 1
	srcs := make([][]T, len(ins))
	var shape []int
	for i, in := range ins {
		if ax != last {
			in = in.Transpose(ax, last)
		}
		srcs[i], shape = values[T](in), in.shape
	}
	out := newOf[T](shape)
	dst := storage[T](out)
	if n := shape[last]; n > 0 && len(dst) > 0 {
		parallel.For(len(dst)/n, max(1, grainElems/n), func(lo, hi int) {
			line := make([][]T, len(srcs))
			for r := lo; r < hi; r++ {
				for i, s := range srcs {
					line[i] = s[r*n : (r+1)*n]
				}
				row(dst[r*n:(r+1)*n], line)
			}
		})
	}
	if ax != last {
		return out.Transpose(ax, last).Contiguous()
	}
	return out
}

// rowOp runs alongAxis with the row function of the inputs' dtype.
func rowOp(ins []*Tensor, axis int, op string, row32 func(dst []float32, src [][]float32), row64 func(dst []float64, src [][]float64)) *Tensor {
	if ins[0].dtype == Float32 {
		return alongAxis(ins, axis, op, row32)
	}
	return alongAxis(ins, axis, op, row64)
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
	return rowOp([]*Tensor{x}, axis, "Softmax",
		func(dst []float32, src [][]float32) { softmaxRow(dst, src[0]) },
		func(dst []float64, src [][]float64) { softmaxRow(dst, src[0]) })
}

// LogSoftmax returns x - logsumexp(x) along axis, stable for any magnitude
// (float64 sum). Entries of -Inf stay -Inf; a row of all -Inf, or one
// holding +Inf or NaN, is all NaN (as in PyTorch). It panics if axis is out
// of range.
func LogSoftmax(x *Tensor, axis int) *Tensor {
	return rowOp([]*Tensor{x}, axis, "LogSoftmax",
		func(dst []float32, src [][]float32) { logSoftmaxRow(dst, src[0]) },
		func(dst []float64, src [][]float64) { logSoftmaxRow(dst, src[0]) })
}

// SoftmaxBackward returns the gradient of Softmax in one pass per row: given
// y = Softmax(x, axis) and the output gradient dy,
//
//	dx = y * (dy - sum(dy * y))  along axis,
//
// with the sum in float64 and each element rounded once. It panics if y and
// dy differ in shape or dtype, or axis is out of range.
func SoftmaxBackward(y, dy *Tensor, axis int) *Tensor {
	checkSameLayout("SoftmaxBackward", y, dy)
	return rowOp([]*Tensor{y, dy}, axis, "SoftmaxBackward",
		func(dst []float32, src [][]float32) { softmaxBackwardRow(dst, src[0], src[1]) },
		func(dst []float64, src [][]float64) { softmaxBackwardRow(dst, src[0], src[1]) })
}

// LogSoftmaxBackward returns the gradient of LogSoftmax in one pass per row:
// given y = LogSoftmax(x, axis) and the output gradient dy,
//
//	dx = dy - exp(y) * sum(dy)  along axis,
//
// with the sum in float64 and each element rounded once. It panics like
// SoftmaxBackward.
func LogSoftmaxBackward(y, dy *Tensor, axis int) *Tensor {
	checkSameLayout("LogSoftmaxBackward", y, dy)
	return rowOp([]*Tensor{y, dy}, axis, "LogSoftmaxBackward",
		func(dst []float32, src [][]float32) { logSoftmaxBackwardRow(dst, src[0], src[1]) },
		func(dst []float64, src [][]float64) { logSoftmaxBackwardRow(dst, src[0], src[1]) })
}

// checkSameLayout panics, naming op, unless a and b have one shape and dtype.
func checkSameLayout(op string, a, b *Tensor) {
	if !sameShape(a.shape, b.shape) || a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor: %s: y %s %s and dy %s %s differ", op, a.dtype, fmtShape(a.shape), b.dtype, fmtShape(b.shape)))
	}
}

// softmaxBackwardRow writes dx = y * (dy - sum(dy * y)).
func softmaxBackwardRow[T float](dx, y, dy []T) {
	var dot float64
	for i := range y {
		dot += float64(dy[i]) * float64(y[i])
	}
	for i := range y {
		dx[i] = T(float64(y[i]) * (float64(dy[i]) - dot))
	}
}

// logSoftmaxBackwardRow writes dx = dy - exp(y) * sum(dy).
func logSoftmaxBackwardRow[T float](dx, y, dy []T) {
	s := sumRow(dy)
	for i := range y {
		dx[i] = T(float64(dy[i]) - math.Exp(float64(y[i]))*s)
	}
}
