package tensor

import (
	"fmt"
	"math"
	"slices"

	"github.com/daalab/daa/internal/parallel"
)

// reduceAxes normalises axes (all axes when none are given), sorts them and
// panics on duplicates.
func (t *Tensor) reduceAxes(op string, axes []int) []int {
	if len(axes) == 0 {
		all := make([]int, len(t.shape))
		for i := range all {
			all[i] = i
		}
		return all
	}
	out := make([]int, len(axes))
	for i, a := range axes {
		out[i] = t.axis(op, a)
	}
	slices.Sort(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			panic(fmt.Sprintf("tensor: %s: axis %d repeated in %v", op, out[i], axes))
		}
	}
	return out
}

// rowsOver moves the given (sorted) axes of t to the end and returns the
// contiguous result as rows: outer rows of inner elements each, plus the
// shape of the result with the axes removed (keep=false) or set to 1.
func rowsOver(op string, t *Tensor, axes []int, keep bool) (rows *Tensor, outer, inner int, outShape []int) {
	isRed := make([]bool, len(t.shape))
	for _, a := range axes {
		isRed[a] = true
	}
	var perm []int
	outer, inner = 1, 1
	outShape = []int{}
	for i, d := range t.shape {
		if !isRed[i] {
			perm = append(perm, i)
			outShape = append(outShape, d)
			outer *= d
		} else if keep {
			outShape = append(outShape, 1)
		}
	}
	for _, a := range axes {
		perm = append(perm, a)
		inner *= t.shape[a]
	}
	rows = t.Permute(perm...).Contiguous()
	return rows, outer, inner, outShape
}

// reduceRows applies f to each row of `inner` elements of the permuted view
// and writes one float64 result per row into the output tensor.
func reduceRows(op string, t *Tensor, axes []int, keep bool, f32 func([]float32) float64, f64 func([]float64) float64) *Tensor {
	axes = t.reduceAxes(op, axes)
	rows, outer, inner, outShape := rowsOver(op, t, axes, keep)
	if inner == 0 && (op == "Max" || op == "Min") {
		panic(fmt.Sprintf("tensor: %s over an empty axis of shape %s", op, fmtShape(t.shape)))
	}
	out := newTensor(t.dtype, outShape)
	if outer == 0 {
		return out
	}
	grain := max(1, grainElems/max(inner, 1))
	if t.dtype == Float32 {
		src, dst := values[float32](rows), out.f32
		parallel.For(outer, grain, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				dst[r] = float32(f32(src[r*inner : (r+1)*inner]))
			}
		})
	} else {
		src, dst := values[float64](rows), out.f64
		parallel.For(outer, grain, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				dst[r] = f64(src[r*inner : (r+1)*inner])
			}
		})
	}
	return out
}

// sumRow adds the row in float64 with four interleaved partial sums
// (element i goes to sum i mod 4; then (s0+s1)+(s2+s3), then the tail), so
// the additions are not one serial dependency chain. The order depends only
// on the length, so results are repeatable.
func sumRow[T float](x []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < len(x); i++ {
		s += float64(x[i])
	}
	return s
}

func meanRow[T float](x []T) float64 { return sumRow(x) / float64(len(x)) }

// maxRow returns the largest element as float64, NaN if any element is NaN
// and -Inf for an empty row. It compares in the element type: math.Max is an
// out-of-line call that cost as much as math.Exp in the softmax profile.
func maxRow[T float](x []T) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	m := x[0]
	for _, v := range x {
		if v > m {
			m = v
		} else if v != v {
			return float64(v)
		}
	}
	return float64(m)
}

// minRow returns the smallest element as float64, NaN if any element is NaN
// and +Inf for an empty row.
func minRow[T float](x []T) float64 {
	if len(x) == 0 {
		return math.Inf(1)
	}
	m := x[0]
	for _, v := range x {
		if v < m {
			m = v
		} else if v != v {
			return float64(v)
		}
	}
	return float64(m)
}

// logSumExpRow returns log(sum(exp(x))) = m + log(sum(exp(x - m))), m = max(x).
func logSumExpRow[T float](x []T) float64 {
	m := maxRow(x)
	if math.IsInf(m, 0) || m != m {
		return m // +Inf, NaN, or every element -Inf (also an empty row)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// Sum returns the sum over the given axes, which are removed from the shape;
// with no axes it sums everything into a scalar. It accumulates in float64
// (in index order within a row, so results are repeatable) and rounds once.
// The sum of no elements is 0. It panics if an axis is out of range or
// repeated.
func Sum(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Sum", x, axes, false, sumRow[float32], sumRow[float64])
}

// SumKeep is Sum keeping the reduced axes with size 1. It panics like Sum.
func SumKeep(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Sum", x, axes, true, sumRow[float32], sumRow[float64])
}

// Mean returns the mean over the given axes (all when none), removing them,
// accumulated in float64. The mean of no elements is NaN, as in PyTorch.
// It panics like Sum.
func Mean(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Mean", x, axes, false, meanRow[float32], meanRow[float64])
}

// MeanKeep is Mean keeping the reduced axes with size 1. It panics like Sum.
func MeanKeep(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Mean", x, axes, true, meanRow[float32], meanRow[float64])
}

// Max returns the maximum over the given axes (all when none), removing them;
// NaN if any element is NaN. It panics like Sum, and if the reduced axes hold
// no elements.
func Max(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Max", x, axes, false, maxRow[float32], maxRow[float64])
}

// MaxKeep is Max keeping the reduced axes with size 1. It panics like Max.
func MaxKeep(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Max", x, axes, true, maxRow[float32], maxRow[float64])
}

// Min returns the minimum over the given axes (all when none), removing them;
// NaN if any element is NaN. It panics like Max.
func Min(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Min", x, axes, false, minRow[float32], minRow[float64])
}

// MinKeep is Min keeping the reduced axes with size 1. It panics like Max.
func MinKeep(x *Tensor, axes ...int) *Tensor {
	return reduceRows("Min", x, axes, true, minRow[float32], minRow[float64])
}

// LogSumExp returns log(sum(exp(x))) over axis, removing it, computed as
// max + log(sum(exp(x - max))) with a float64 sum so it neither overflows nor
// underflows. A row of all -Inf (or no elements) gives -Inf, a row holding
// +Inf gives +Inf and a row holding NaN gives NaN. It panics if axis is out
// of range.
func LogSumExp(x *Tensor, axis int) *Tensor {
	return reduceRows("LogSumExp", x, []int{axis}, false, logSumExpRow[float32], logSumExpRow[float64])
}

// LogSumExpKeep is LogSumExp keeping axis with size 1. It panics like
// LogSumExp.
func LogSumExpKeep(x *Tensor, axis int) *Tensor {
	return reduceRows("LogSumExp", x, []int{axis}, true, logSumExpRow[float32], logSumExpRow[float64])
}

// ArgMax returns, for every position of the other axes in row-major order,
// the index of the first largest element along axis (NaN counts as largest,
// as in PyTorch). The result has x's shape with axis removed, flattened.
// It panics if axis is out of range or has size 0.
func ArgMax(x *Tensor, axis int) []int {
	ax := x.axis("ArgMax", axis)
	if x.shape[ax] == 0 {
		panic("tensor: ArgMax over an empty axis of shape " + fmtShape(x.shape))
	}
	rows, outer, inner, _ := rowsOver("ArgMax", x, []int{ax}, false)
	out := make([]int, outer)
	v := rows.ToFloat64s()
	for r := range out {
		row := v[r*inner : (r+1)*inner]
		best := 0
		for i, e := range row {
			if e != e {
				best = i
				break
			}
			if e > row[best] {
				best = i
			}
		}
		out[r] = best
	}
	return out
}

// SumTo reduces x by summation to shape, the inverse of broadcasting shape to
// x's shape (autograd uses it for the gradients of broadcast operands).
// It panics if shape does not broadcast to x's shape.
func SumTo(x *Tensor, shape []int) *Tensor {
	if sameShape(x.shape, shape) {
		return x
	}
	if !sameShape(BroadcastShapes("SumTo", shape, x.shape), x.shape) {
		panic(fmt.Sprintf("tensor: SumTo: %s does not broadcast to %s", fmtShape(shape), fmtShape(x.shape)))
	}
	lead := len(x.shape) - len(shape)
	var axes []int
	for i := range x.shape {
		if i < lead || (shape[i-lead] == 1 && x.shape[i] != 1) {
			axes = append(axes, i)
		}
	}
	if len(axes) == 0 {
		return x.Reshape(shape...)
	}
	return SumKeep(x, axes...).Reshape(shape...)
}
