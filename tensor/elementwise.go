package tensor

import (
	"fmt"
	"math"

	"github.com/daalab/daa/internal/parallel"
)

// grainElems is the smallest number of elements a parallel chunk of an
// element-wise loop gets: below it, the loop runs on the calling goroutine.
const grainElems = 1 << 14

// mapUnary applies f to every element of x into a new contiguous tensor.
func mapUnary[T float](x *Tensor, f func(T) T) *Tensor {
	src := values[T](x)
	out := newOf[T](x.shape)
	dst := storage[T](out)
	parallel.For(len(src), grainElems, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = f(src[i])
		}
	})
	return out
}

// unary applies f element-wise, computing in float64 and rounding once for
// float32 tensors (so results are correctly rounded wherever math's are).
// The float32 loop calls f directly rather than through a converting closure.
func unary(x *Tensor, f func(float64) float64) *Tensor {
	if x.dtype == Float64 {
		return mapUnary(x, f)
	}
	src := values[float32](x)
	out := newTensor(Float32, x.shape)
	dst := out.f32
	parallel.For(len(src), grainElems, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = float32(f(float64(src[i])))
		}
	})
	return out
}

// The element-wise unary functions below (Neg through Clamp) accept any
// tensor, views included, and return a new contiguous tensor of x's shape
// and dtype.

// Neg returns -x. It never panics.
func Neg(x *Tensor) *Tensor { return unary(x, func(v float64) float64 { return -v }) }

// Exp returns e^x element-wise. It never panics.
func Exp(x *Tensor) *Tensor { return unary(x, math.Exp) }

// Log returns the natural logarithm element-wise (-Inf at 0, NaN below).
// It never panics.
func Log(x *Tensor) *Tensor { return unary(x, math.Log) }

// Log1p returns log(1+x) element-wise, accurate near 0. It never panics.
func Log1p(x *Tensor) *Tensor { return unary(x, math.Log1p) }

// Expm1 returns e^x - 1 element-wise, accurate near 0. It never panics.
func Expm1(x *Tensor) *Tensor { return unary(x, math.Expm1) }

// Sqrt returns the square root element-wise. It never panics.
func Sqrt(x *Tensor) *Tensor { return unary(x, math.Sqrt) }

// Rsqrt returns 1/sqrt(x) element-wise. It never panics.
func Rsqrt(x *Tensor) *Tensor { return unary(x, func(v float64) float64 { return 1 / math.Sqrt(v) }) }

// Square returns x*x element-wise. It never panics.
func Square(x *Tensor) *Tensor { return unary(x, func(v float64) float64 { return v * v }) }

// Abs returns |x| element-wise. It never panics.
func Abs(x *Tensor) *Tensor { return unary(x, math.Abs) }

// Sign returns -1, 0 or 1 element-wise (0 for NaN). It never panics.
func Sign(x *Tensor) *Tensor {
	return unary(x, func(v float64) float64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	})
}

// Tanh returns the hyperbolic tangent element-wise. It never panics.
func Tanh(x *Tensor) *Tensor { return unary(x, math.Tanh) }

// Sin returns the sine element-wise (radians). It never panics.
func Sin(x *Tensor) *Tensor { return unary(x, math.Sin) }

// Cos returns the cosine element-wise (radians). It never panics.
func Cos(x *Tensor) *Tensor { return unary(x, math.Cos) }

// Erf returns the error function element-wise. It never panics.
func Erf(x *Tensor) *Tensor { return unary(x, math.Erf) }

// Relu returns max(x, 0) element-wise (NaN stays NaN). It never panics.
func Relu(x *Tensor) *Tensor { return unary(x, func(v float64) float64 { return max(v, 0) }) }

// Sigmoid returns the logistic function 1/(1+e^-x) element-wise, computed
// without overflow for large |x|. It never panics.
func Sigmoid(x *Tensor) *Tensor { return unary(x, SigmoidScalar) }

// Softplus returns log(1+e^x) element-wise, computed stably as
// max(x,0) + log1p(e^-|x|). It never panics.
func Softplus(x *Tensor) *Tensor { return unary(x, SoftplusScalar) }

// LogSigmoid returns log(sigmoid(x)) = -softplus(-x) element-wise.
// It never panics.
func LogSigmoid(x *Tensor) *Tensor {
	return unary(x, func(v float64) float64 { return -SoftplusScalar(-v) })
}

// Gelu returns the exact GELU x*Phi(x) = 0.5*x*(1+erf(x/sqrt(2))) element-wise
// (Hugging Face's "gelu"). It never panics.
func Gelu(x *Tensor) *Tensor { return unary(x, GeluScalar) }

// GeluTanh returns the tanh approximation of GELU,
// 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))) (Hugging Face's "gelu_new").
// It never panics.
func GeluTanh(x *Tensor) *Tensor { return unary(x, GeluTanhScalar) }

// Scale returns s*x. It never panics.
func Scale(x *Tensor, s float64) *Tensor {
	if x.dtype == Float32 {
		s32 := float32(s)
		return mapUnary(x, func(v float32) float32 { return s32 * v })
	}
	return mapUnary(x, func(v float64) float64 { return s * v })
}

// AddScalar returns x + s. It never panics.
func AddScalar(x *Tensor, s float64) *Tensor {
	if x.dtype == Float32 {
		s32 := float32(s)
		return mapUnary(x, func(v float32) float32 { return v + s32 })
	}
	return mapUnary(x, func(v float64) float64 { return v + s })
}

// PowScalar returns x^p element-wise. It never panics.
func PowScalar(x *Tensor, p float64) *Tensor {
	return unary(x, func(v float64) float64 { return math.Pow(v, p) })
}

// Clamp returns x limited to [lo, hi] element-wise (NaN stays NaN).
// It never panics.
func Clamp(x *Tensor, lo, hi float64) *Tensor {
	return unary(x, func(v float64) float64 {
		switch {
		case v < lo:
			return lo
		case v > hi:
			return hi
		}
		return v
	})
}

// SigmoidScalar is the logistic function 1/(1+e^-x), stable for large |x|.
// It never panics.
func SigmoidScalar(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// SoftplusScalar is log(1+e^x) = max(x,0) + log1p(e^-|x|), stable for any x.
// It never panics.
func SoftplusScalar(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// GeluScalar is the exact GELU 0.5*x*(1+erf(x/sqrt(2))). It never panics.
func GeluScalar(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }

// GeluTanhScalar is 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))).
// It never panics.
func GeluTanhScalar(x float64) float64 {
	const c = 0.7978845608028654 // sqrt(2/pi)
	return 0.5 * x * (1 + math.Tanh(c*(x+0.044715*x*x*x)))
}

// binOp names the element-wise binary operations.
type binOp int

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
	opMax
	opMin
	opPow
	opGreater
	opLess
	opEqual
)

var binOpNames = [...]string{"Add", "Sub", "Mul", "Div", "Maximum", "Minimum", "Pow", "Greater", "Less", "Equal"}

// applyBin runs op over n pairs a[ia], b[ib] with constant steps sa, sb
// (0 for a broadcast operand, 1 for a contiguous one). Each op has its own
// loop so the compiler can keep it tight.
func applyBin[T float](op binOp, dst, a, b []T, sa, sb int) {
	n := len(dst)
	ia, ib := 0, 0
	switch op {
	case opAdd:
		for i := 0; i < n; i, ia, ib = i+1, ia+sa, ib+sb {
			dst[i] = a[ia] + b[ib]
		}
	case opSub:
		for i := 0; i < n; i, ia, ib = i+1, ia+sa, ib+sb {
			dst[i] = a[ia] - b[ib]
		}
	case opMul:
		for i := 0; i < n; i, ia, ib = i+1, ia+sa, ib+sb {
			dst[i] = a[ia] * b[ib]
		}
	case opDiv:
		for i := 0; i < n; i, ia, ib = i+1, ia+sa, ib+sb {
			dst[i] = a[ia] / b[ib]
		}
	default:
		for i := 0; i < n; i, ia, ib = i+1, ia+sa, ib+sb {
			dst[i] = binScalar(op, a[ia], b[ib])
		}
	}
}

// binScalar evaluates the less common binary ops on one pair. Maximum and
// Minimum propagate NaN, as PyTorch's do.
func binScalar[T float](op binOp, x, y T) T {
	switch op {
	case opMax:
		if x != x || y != y {
			return T(math.NaN())
		}
		return max(x, y)
	case opMin:
		if x != x || y != y {
			return T(math.NaN())
		}
		return min(x, y)
	case opPow:
		return T(math.Pow(float64(x), float64(y)))
	case opGreater:
		return boolTo[T](x > y)
	case opLess:
		return boolTo[T](x < y)
	case opEqual:
		return boolTo[T](x == y)
	}
	panic(fmt.Sprintf("tensor: internal: binary op %d", op))
}

func boolTo[T float](b bool) T {
	if b {
		return 1
	}
	return 0
}

// binary evaluates op with broadcasting into a new contiguous tensor.
func binary(op binOp, a, b *Tensor) *Tensor {
	if a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor: %s: dtypes %s and %s differ (shapes %s and %s)", binOpNames[op], a.dtype, b.dtype, fmtShape(a.shape), fmtShape(b.shape)))
	}
	if a.dtype == Float32 {
		return binaryT[float32](op, a, b)
	}
	return binaryT[float64](op, a, b)
}

func binaryT[T float](op binOp, a, b *Tensor) *Tensor {
	shape := BroadcastShapes(binOpNames[op], a.shape, b.shape)
	out := newOf[T](shape)
	dst := storage[T](out)
	n := len(dst)
	if n == 0 {
		return out
	}
	// Fast paths: equal shapes, or one operand a single element.
	switch {
	case sameShape(a.shape, b.shape):
		av, bv := values[T](a), values[T](b)
		parallel.For(n, grainElems, func(lo, hi int) { applyBin(op, dst[lo:hi], av[lo:hi], bv[lo:hi], 1, 1) })
		return out
	case b.Len() == 1 && sameShape(a.shape, shape):
		av, bv := values[T](a), values[T](b)
		parallel.For(n, grainElems, func(lo, hi int) { applyBin(op, dst[lo:hi], av[lo:hi], bv, 1, 0) })
		return out
	case a.Len() == 1 && sameShape(b.shape, shape):
		av, bv := values[T](a), values[T](b)
		parallel.For(n, grainElems, func(lo, hi int) { applyBin(op, dst[lo:hi], av, bv[lo:hi], 0, 1) })
		return out
	}
	// General case: walk rows of the output's last axis with both operands
	// expanded (stride 0 on broadcast axes).
	ea, eb := a.Expand(shape...), b.Expand(shape...)
	as, bs := storage[T](a), storage[T](b)
	r := len(shape)
	inner := shape[r-1]
	rows := n / inner
	sa, sb := ea.strides[r-1], eb.strides[r-1]
	parallel.For(rows, max(1, grainElems/inner), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			d := dst[row*inner : (row+1)*inner]
			applyBin(op, d, as[rowStart(ea, row):], bs[rowStart(eb, row):], sa, sb)
		}
	})
	return out
}

// rowStart returns the storage offset of row number row of view v, counting
// rows (runs along the last axis) in row-major order over all other axes.
func rowStart(v *Tensor, row int) int {
	off := v.offset
	for ax := len(v.shape) - 2; ax >= 0; ax-- {
		off += (row % v.shape[ax]) * v.strides[ax]
		row /= v.shape[ax]
	}
	return off
}

// Add returns a + b with broadcasting. It panics if the shapes do not
// broadcast or the dtypes differ.
func Add(a, b *Tensor) *Tensor { return binary(opAdd, a, b) }

// Sub returns a - b with broadcasting. It panics like Add.
func Sub(a, b *Tensor) *Tensor { return binary(opSub, a, b) }

// Mul returns a * b element-wise with broadcasting. It panics like Add.
func Mul(a, b *Tensor) *Tensor { return binary(opMul, a, b) }

// Div returns a / b element-wise with broadcasting. It panics like Add.
func Div(a, b *Tensor) *Tensor { return binary(opDiv, a, b) }

// Maximum returns the element-wise maximum with broadcasting (NaN if either
// is NaN). It panics like Add.
func Maximum(a, b *Tensor) *Tensor { return binary(opMax, a, b) }

// Minimum returns the element-wise minimum with broadcasting (NaN if either
// is NaN). It panics like Add.
func Minimum(a, b *Tensor) *Tensor { return binary(opMin, a, b) }

// Pow returns a^b element-wise with broadcasting. It panics like Add.
func Pow(a, b *Tensor) *Tensor { return binary(opPow, a, b) }

// Greater returns 1 where a > b and 0 elsewhere (0 when either is NaN), with
// broadcasting. It panics like Add.
func Greater(a, b *Tensor) *Tensor { return binary(opGreater, a, b) }

// Less returns 1 where a < b and 0 elsewhere, with broadcasting. It panics
// like Add.
func Less(a, b *Tensor) *Tensor { return binary(opLess, a, b) }

// Equal returns 1 where a == b and 0 elsewhere (NaN equals nothing), with
// broadcasting. It panics like Add.
func Equal(a, b *Tensor) *Tensor { return binary(opEqual, a, b) }

// AddInPlace adds src into dst (dst += src, src broadcast to dst's shape).
// Gradient accumulation uses it. It panics if src does not broadcast to dst,
// the dtypes differ or dst is not contiguous.
func AddInPlace(dst, src *Tensor) {
	if dst.dtype != src.dtype {
		panic(fmt.Sprintf("tensor: AddInPlace: dtypes %s and %s differ", dst.dtype, src.dtype))
	}
	if !sameShape(BroadcastShapes("AddInPlace", dst.shape, src.shape), dst.shape) {
		panic(fmt.Sprintf("tensor: AddInPlace: %s does not broadcast into %s", fmtShape(src.shape), fmtShape(dst.shape)))
	}
	if dst.dtype == Float32 {
		addInPlace[float32](dst, src)
	} else {
		addInPlace[float64](dst, src)
	}
}

func addInPlace[T float](dst, src *Tensor) {
	d := storage[T](dst)[dst.offset : dst.offset+dst.Len()]
	if !dst.IsContiguous() {
		panic("tensor: AddInPlace into a non-contiguous view of shape " + fmtShape(dst.shape))
	}
	var s []T
	if sameShape(src.shape, dst.shape) {
		s = values[T](src)
	} else {
		s = values[T](src.Expand(dst.shape...))
	}
	parallel.For(len(d), grainElems, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d[i] += s[i]
		}
	})
}

// Apply returns f applied to every element, computed in float64 and rounded
// once to the dtype. It runs in parallel: f must be safe for concurrent use.
// It panics only if f does.
func Apply(x *Tensor, f func(float64) float64) *Tensor { return unary(x, f) }
