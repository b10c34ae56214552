package autograd

import (
	"github.com/daalab/daa/tensor"
)

// unbroadcast sums a gradient of the broadcast result shape back to the
// operand's shape.
func unbroadcast(g *tensor.Tensor, like *Value) *tensor.Tensor {
	return tensor.SumTo(g, like.Data.Shape())
}

// Add returns a + b with NumPy broadcasting.
// d/da = 1, d/db = 1 (summed over broadcast axes).
func Add(a, b *Value) *Value {
	return record("Add", tensor.Add(a.Data, b.Data), func(g *tensor.Tensor) {
		if a.requiresGrad {
			a.accumulate(unbroadcast(g, a))
		}
		if b.requiresGrad {
			b.accumulate(unbroadcast(g, b))
		}
	}, a, b)
}

// Sub returns a - b with broadcasting. d/da = 1, d/db = -1.
func Sub(a, b *Value) *Value {
	return record("Sub", tensor.Sub(a.Data, b.Data), func(g *tensor.Tensor) {
		if a.requiresGrad {
			a.accumulate(unbroadcast(g, a))
		}
		if b.requiresGrad {
			b.accumulate(unbroadcast(tensor.Neg(g), b))
		}
	}, a, b)
}

// Mul returns a * b element-wise with broadcasting. d/da = b, d/db = a.
func Mul(a, b *Value) *Value {
	return record("Mul", tensor.Mul(a.Data, b.Data), func(g *tensor.Tensor) {
		if a.requiresGrad {
			a.accumulate(unbroadcast(tensor.Mul(g, b.Data), a))
		}
		if b.requiresGrad {
			b.accumulate(unbroadcast(tensor.Mul(g, a.Data), b))
		}
	}, a, b)
}

// Div returns a / b element-wise with broadcasting.
// d/da = 1/b, d/db = -a/b^2.
func Div(a, b *Value) *Value {
	out := tensor.Div(a.Data, b.Data)
	return record("Div", out, func(g *tensor.Tensor) {
		gb := tensor.Div(g, b.Data)
		if a.requiresGrad {
			a.accumulate(unbroadcast(gb, a))
		}
		if b.requiresGrad {
			// -g*a/b^2 = -(g/b) * (a/b)
			b.accumulate(unbroadcast(tensor.Neg(tensor.Mul(gb, out)), b))
		}
	}, a, b)
}

// Neg returns -x.
func Neg(x *Value) *Value {
	return record("Neg", tensor.Neg(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Neg(g))
	}, x)
}

// Scale returns s*x for a constant s. d/dx = s.
func Scale(x *Value, s float64) *Value {
	return record("Scale", tensor.Scale(x.Data, s), func(g *tensor.Tensor) {
		x.accumulate(tensor.Scale(g, s))
	}, x)
}

// AddScalar returns x + s for a constant s. d/dx = 1.
func AddScalar(x *Value, s float64) *Value {
	return record("AddScalar", tensor.AddScalar(x.Data, s), func(g *tensor.Tensor) {
		x.accumulate(g)
	}, x)
}

// PowScalar returns x^p for a constant p. d/dx = p*x^(p-1).
func PowScalar(x *Value, p float64) *Value {
	return record("PowScalar", tensor.PowScalar(x.Data, p), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Scale(tensor.PowScalar(x.Data, p-1), p)))
	}, x)
}

// Square returns x*x. d/dx = 2x.
func Square(x *Value) *Value {
	return record("Square", tensor.Square(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Scale(x.Data, 2)))
	}, x)
}

// Sqrt returns the square root. d/dx = 1/(2 sqrt(x)).
func Sqrt(x *Value) *Value {
	out := tensor.Sqrt(x.Data)
	return record("Sqrt", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Div(g, tensor.Scale(out, 2)))
	}, x)
}

// Maximum returns the element-wise maximum with broadcasting. The gradient
// goes to a where a > b, to b where b > a, and is split in half on ties
// (PyTorch's convention).
func Maximum(a, b *Value) *Value {
	return record("Maximum", tensor.Maximum(a.Data, b.Data), func(g *tensor.Tensor) {
		splitByComparison(g, a, b)
	}, a, b)
}

// Minimum returns the element-wise minimum with broadcasting; gradients as
// Maximum with the roles of a and b swapped.
func Minimum(a, b *Value) *Value {
	return record("Minimum", tensor.Minimum(a.Data, b.Data), func(g *tensor.Tensor) {
		splitByComparison(g, b, a)
	}, a, b)
}

// splitByComparison routes g to hi where hi > lo, to lo where lo > hi, and
// half to each on ties.
func splitByComparison(g *tensor.Tensor, hi, lo *Value) {
	gt := tensor.Greater(hi.Data, lo.Data)
	eq := tensor.Equal(hi.Data, lo.Data)
	half := tensor.Scale(eq, 0.5)
	if hi.requiresGrad {
		hi.accumulate(unbroadcast(tensor.Mul(g, tensor.Add(gt, half)), hi))
	}
	if lo.requiresGrad {
		lt := tensor.Less(hi.Data, lo.Data)
		lo.accumulate(unbroadcast(tensor.Mul(g, tensor.Add(lt, half)), lo))
	}
}
