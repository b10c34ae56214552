package kernel

import (
	"fmt"
	"math"
)

// Dot returns Σ x[i]*y[i], accumulated in float64 and rounded once to
// float32. It panics if len(x) != len(y).
func Dot(x, y []float32) float32 {
	checkSameLen("kernel.Dot", "x", "y", len(x), len(y))
	return float32(vecBest.dot(x, y))
}

// Sum returns Σ x[i] accumulated in float64.
func Sum(x []float32) float64 {
	return vecBest.sum(x)
}

// Axpy computes y += alpha*x element-wise (x, y of length n). It panics if
// len(x) != len(y).
func Axpy(alpha float32, x, y []float32) {
	checkSameLen("kernel.Axpy", "x", "y", len(x), len(y))
	vecBest.axpy(alpha, x, y)
}

// Scale computes x *= alpha in place.
func Scale(alpha float32, x []float32) {
	vecBest.scale(alpha, x)
}

// Max returns the largest element of x (a row), or NaN if any element is
// NaN. It panics if x is empty.
func Max(x []float32) float32 {
	if len(x) == 0 {
		panic("kernel.Max: empty row")
	}
	return vecBest.max(x)
}

// Exp sets dst[i] = exp(x[i]). dst may be x. It panics if
// len(dst) != len(x). Accuracy: see the package documentation.
func Exp(dst, x []float32) {
	checkSameLen("kernel.Exp", "dst", "x", len(dst), len(x))
	vecBest.exp(dst, x)
}

// ExpShiftSum sets dst[i] = exp(x[i] - shift) and returns Σ dst[i]
// accumulated in float64: the numerator and denominator of a softmax when
// shift is Max(x). The difference x[i]-shift is carried with its rounding
// error, so each dst[i] has the accuracy of Exp on the exact difference.
// dst may be x. It panics if len(dst) != len(x).
func ExpShiftSum(dst, x []float32, shift float32) float64 {
	checkSameLen("kernel.ExpShiftSum", "dst", "x", len(dst), len(x))
	return vecBest.expShiftSum(dst, x, shift)
}

// LogSumExp returns log Σ exp(x[i]) for a row x, computed as
// max + log Σ exp(x[i]-max) with the sum in float64. An empty row gives
// -Inf; a row of -Inf gives -Inf; a +Inf element gives +Inf; a NaN gives
// NaN.
func LogSumExp(x []float32) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	m := vecBest.max(x)
	if math.IsInf(float64(m), 0) || m != m {
		return float64(m)
	}
	return float64(m) + math.Log(vecBest.expShiftSum(nil, x, m))
}

// Softmax sets dst = exp(x - max(x)) / Σ exp(x - max(x)) for a row x. dst
// may be x. It panics if len(dst) != len(x) or x is empty.
func Softmax(dst, x []float32) {
	checkSameLen("kernel.Softmax", "dst", "x", len(dst), len(x))
	if len(x) == 0 {
		panic("kernel.Softmax: empty row")
	}
	sum := vecBest.expShiftSum(dst, x, vecBest.max(x))
	vecBest.scale(float32(1/sum), dst)
}

// LayerNorm normalizes one row x of C values:
//
//	mean = Σx/C, var = Σ(x-mean)²/C (biased), rstd = 1/sqrt(var+eps),
//	out[i] = (x[i]-mean)*rstd*weight[i] + bias[i],
//
// with the mean and variance accumulated in float64, and returns mean and
// rstd for the backward pass. A nil weight means 1, a nil bias 0. out may
// be x. It panics if x is empty or a non-nil slice has a length other
// than len(x).
func LayerNorm(out, x, weight, bias []float32, eps float32) (mean, rstd float32) {
	if len(x) == 0 {
		panic("kernel.LayerNorm: empty row")
	}
	checkSameLen("kernel.LayerNorm", "out", "x", len(out), len(x))
	if weight != nil {
		checkSameLen("kernel.LayerNorm", "weight", "x", len(weight), len(x))
	}
	if bias != nil {
		checkSameLen("kernel.LayerNorm", "bias", "x", len(bias), len(x))
	}
	return vecBest.layerNorm(out, x, weight, bias, eps)
}

// GELU sets dst[i] = x[i]*Φ(x[i]) = x/2 * (1 + erf(x/√2)), the exact GELU,
// evaluated through erfc so that it keeps its relative accuracy for
// negative x. dst may be x. It panics if len(dst) != len(x).
func GELU(dst, x []float32) {
	checkSameLen("kernel.GELU", "dst", "x", len(dst), len(x))
	vecBest.gelu(dst, x)
}

// GELUTanh sets dst[i] = x/2 * (1 + tanh(√(2/π)*(x + 0.044715x³))), the
// tanh approximation of GELU (PyTorch approximate="tanh", Hugging Face
// "gelu_new"), evaluated as x/(1+exp(-2u)) to avoid cancellation. dst may
// be x. It panics if len(dst) != len(x).
func GELUTanh(dst, x []float32) {
	checkSameLen("kernel.GELUTanh", "dst", "x", len(dst), len(x))
	vecBest.geluTanh(dst, x)
}

func checkSameLen(fn, a, b string, la, lb int) {
	if la != lb {
		panic(fmt.Sprintf("%s: len(%s) = %d != len(%s) = %d", fn, a, la, b, lb))
	}
}
