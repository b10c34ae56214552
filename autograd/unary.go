package autograd

import (
	"math"

	"github.com/daalab/daa/tensor"
)

// Exp returns e^x. d/dx = e^x. It never panics.
func Exp(x *Value) *Value {
	out := tensor.Exp(x.Data)
	return record("Exp", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, out))
	}, x)
}

// Log returns the natural logarithm. d/dx = 1/x. It never panics.
func Log(x *Value) *Value {
	return record("Log", tensor.Log(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Div(g, x.Data))
	}, x)
}

// Log1p returns log(1+x). d/dx = 1/(1+x). It never panics.
func Log1p(x *Value) *Value {
	return record("Log1p", tensor.Log1p(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Div(g, tensor.AddScalar(x.Data, 1)))
	}, x)
}

// Tanh returns tanh(x). d/dx = 1 - tanh(x)^2. It never panics.
func Tanh(x *Value) *Value {
	out := tensor.Tanh(x.Data)
	return record("Tanh", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.AddScalar(tensor.Neg(tensor.Square(out)), 1)))
	}, x)
}

// Sigmoid returns 1/(1+e^-x). d/dx = s(1-s). It never panics.
func Sigmoid(x *Value) *Value {
	out := tensor.Sigmoid(x.Data)
	return record("Sigmoid", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Mul(out, tensor.AddScalar(tensor.Neg(out), 1))))
	}, x)
}

// Softplus returns log(1+e^x), stable for any x. d/dx = sigmoid(x).
// It never panics.
func Softplus(x *Value) *Value {
	return record("Softplus", tensor.Softplus(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Sigmoid(x.Data)))
	}, x)
}

// LogSigmoid returns log(sigmoid(x)) = -softplus(-x), stable for any x.
// d/dx = sigmoid(-x). It never panics.
func LogSigmoid(x *Value) *Value {
	return record("LogSigmoid", tensor.LogSigmoid(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Sigmoid(tensor.Neg(x.Data))))
	}, x)
}

// Log1mExp returns log(1 - e^x) for x <= 0, computed as log(-expm1(x)) for
// x > -ln 2 and log1p(-e^x) below (Mächler 2012), accurate everywhere.
// x > 0 gives NaN, x = 0 gives -Inf. d/dx = -e^x/(1-e^x) = -1/expm1(-x).
// It never panics.
func Log1mExp(x *Value) *Value {
	f := func(v float64) float64 {
		if v > -math.Ln2 {
			return math.Log(-math.Expm1(v))
		}
		return math.Log1p(-math.Exp(v))
	}
	out := tensor.Apply(x.Data, f)
	return record("Log1mExp", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Apply(x.Data, func(v float64) float64 { return -1 / math.Expm1(-v) })))
	}, x)
}

// Relu returns max(x, 0). d/dx = 1 for x > 0, else 0. It never panics.
func Relu(x *Value) *Value {
	return record("Relu", tensor.Relu(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Greater(x.Data, tensor.Scalar(x.Data.DType(), 0))))
	}, x)
}

// Abs returns |x|. d/dx = sign(x) (0 at 0, as PyTorch). It never panics.
func Abs(x *Value) *Value {
	return record("Abs", tensor.Abs(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Sign(x.Data)))
	}, x)
}

// Clamp returns x limited to [lo, hi]. d/dx = 1 where lo <= x <= hi, else 0
// (PyTorch's clamp passes the gradient at the bounds). It never panics.
func Clamp(x *Value, lo, hi float64) *Value {
	return record("Clamp", tensor.Clamp(x.Data, lo, hi), func(g *tensor.Tensor) {
		inside := tensor.Apply(x.Data, func(v float64) float64 {
			if v >= lo && v <= hi {
				return 1
			}
			return 0
		})
		x.accumulate(tensor.Mul(g, inside))
	}, x)
}

// Gelu returns the exact GELU 0.5*x*(1+erf(x/sqrt 2)) (Hugging Face "gelu").
// d/dx = Phi(x) + x*phi(x), phi the standard normal density. It never panics.
func Gelu(x *Value) *Value {
	return record("Gelu", tensor.Gelu(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Apply(x.Data, GeluGrad)))
	}, x)
}

// GeluGrad is the derivative of the exact GELU: Phi(x) + x*phi(x).
// It never panics.
func GeluGrad(x float64) float64 {
	const invSqrt2Pi = 0.3989422804014327 // 1/sqrt(2*pi)
	return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*invSqrt2Pi*math.Exp(-0.5*x*x)
}

// GeluTanh returns the tanh approximation of GELU (Hugging Face "gelu_new").
// With u = c(x + 0.044715 x^3), c = sqrt(2/pi):
// d/dx = 0.5(1+tanh u) + 0.5 x (1 - tanh^2 u) c (1 + 3*0.044715 x^2).
// It never panics.
func GeluTanh(x *Value) *Value {
	return record("GeluTanh", tensor.GeluTanh(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Apply(x.Data, GeluTanhGrad)))
	}, x)
}

// GeluTanhGrad is the derivative of the tanh-approximated GELU.
// It never panics.
func GeluTanhGrad(x float64) float64 {
	const c = 0.7978845608028654 // sqrt(2/pi)
	t := math.Tanh(c * (x + 0.044715*x*x*x))
	return 0.5*(1+t) + 0.5*x*(1-t*t)*c*(1+3*0.044715*x*x)
}

// Expm1 returns e^x - 1, accurate near 0. d/dx = e^x = expm1(x) + 1.
// It never panics.
func Expm1(x *Value) *Value {
	out := tensor.Expm1(x.Data)
	return record("Expm1", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.AddScalar(out, 1)))
	}, x)
}

// Rsqrt returns 1/sqrt(x). With y = x^(-1/2): d/dx = -1/2 x^(-3/2) = -y^3/2.
// It never panics.
func Rsqrt(x *Value) *Value {
	y := tensor.Rsqrt(x.Data)
	return record("Rsqrt", y, func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Scale(tensor.Mul(y, tensor.Square(y)), -0.5)))
	}, x)
}

// Sin returns sin(x) (radians). d/dx = cos(x). It never panics.
func Sin(x *Value) *Value {
	return record("Sin", tensor.Sin(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Cos(x.Data)))
	}, x)
}

// Cos returns cos(x) (radians). d/dx = -sin(x). It never panics.
func Cos(x *Value) *Value {
	return record("Cos", tensor.Cos(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Neg(tensor.Sin(x.Data))))
	}, x)
}

// Erf returns the error function erf(x) = 2/sqrt(pi) ∫_0^x e^(-t^2) dt.
// d/dx = 2/sqrt(pi) e^(-x^2). It never panics.
func Erf(x *Value) *Value {
	return record("Erf", tensor.Erf(x.Data), func(g *tensor.Tensor) {
		const twoOverSqrtPi = 1.1283791670955126 // 2/sqrt(pi)
		x.accumulate(tensor.Mul(g, tensor.Apply(x.Data, func(v float64) float64 { return twoOverSqrtPi * math.Exp(-v*v) })))
	}, x)
}

// Apply returns f applied element-wise (computed in float64 and rounded once
// to the dtype, as tensor.Apply) with df its derivative: dx = dy * df(x).
// It is how to add a custom element-wise function; verify df with CheckGrad.
// f and df run in parallel and must be safe for concurrent use. It panics
// only if f or df do.
func Apply(x *Value, f, df func(float64) float64) *Value {
	return record("Apply", tensor.Apply(x.Data, f), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Apply(x.Data, df)))
	}, x)
}
