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
// It panics if the shapes do not broadcast or the dtypes differ.
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
// It panics like Add.
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
// It panics like Add.
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
// d/da = 1/b, d/db = -a/b^2. It panics like Add.
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

// Neg returns -x. It never panics.
func Neg(x *Value) *Value {
	return record("Neg", tensor.Neg(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Neg(g))
	}, x)
}

// Scale returns s*x for a constant s. d/dx = s. It never panics.
func Scale(x *Value, s float64) *Value {
	return record("Scale", tensor.Scale(x.Data, s), func(g *tensor.Tensor) {
		x.accumulate(tensor.Scale(g, s))
	}, x)
}

// AddScalar returns x + s for a constant s. d/dx = 1. It never panics.
func AddScalar(x *Value, s float64) *Value {
	return record("AddScalar", tensor.AddScalar(x.Data, s), func(g *tensor.Tensor) {
		x.accumulate(g)
	}, x)
}

// PowScalar returns x^p for a constant p. d/dx = p*x^(p-1). It never panics.
func PowScalar(x *Value, p float64) *Value {
	return record("PowScalar", tensor.PowScalar(x.Data, p), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Scale(tensor.PowScalar(x.Data, p-1), p)))
	}, x)
}

// Square returns x*x. d/dx = 2x. It never panics.
func Square(x *Value) *Value {
	return record("Square", tensor.Square(x.Data), func(g *tensor.Tensor) {
		x.accumulate(tensor.Mul(g, tensor.Scale(x.Data, 2)))
	}, x)
}

// Sqrt returns the square root. d/dx = 1/(2 sqrt(x)). It never panics.
func Sqrt(x *Value) *Value {
	out := tensor.Sqrt(x.Data)
	return record("Sqrt", out, func(g *tensor.Tensor) {
		x.accumulate(tensor.Div(g, tensor.Scale(out, 2)))
	}, x)
}

// Maximum returns the element-wise maximum with broadcasting. The gradient
// goes to a where a > b, to b where b > a, and is split in half on ties
// (PyTorch's convention). It panics like Add.
func Maximum(a, b *Value) *Value {
	return record("Maximum", tensor.Maximum(a.Data, b.Data), func(g *tensor.Tensor) {
		splitByComparison(g, a, b, tensor.Greater(a.Data, b.Data), tensor.Less(a.Data, b.Data))
	}, a, b)
}

// Minimum returns the element-wise minimum with broadcasting. The gradient
// goes to a where a < b, to b where b < a, and is split in half on ties.
// It panics like Add.
func Minimum(a, b *Value) *Value {
	return record("Minimum", tensor.Minimum(a.Data, b.Data), func(g *tensor.Tensor) {
		splitByComparison(g, a, b, tensor.Less(a.Data, b.Data), tensor.Greater(a.Data, b.Data))
	}, a, b)
}

// splitByComparison routes g to a where aWins is 1, to b where bWins is 1,
// and half to each where a == b (elsewhere, at a NaN, to neither).
func splitByComparison(g *tensor.Tensor, a, b *Value, aWins, bWins *tensor.Tensor) {
	half := tensor.Scale(tensor.Equal(a.Data, b.Data), 0.5)
	if a.requiresGrad {
		a.accumulate(unbroadcast(tensor.Mul(g, tensor.Add(aWins, half)), a))
	}
	if b.requiresGrad {
		b.accumulate(unbroadcast(tensor.Mul(g, tensor.Add(bWins, half)), b))
	}
}

// Pow returns a^b element-wise with broadcasting (a tensor exponent; see
// PowScalar for a constant one). With y = a^b:
//
//	d/da = b a^(b-1), taken as 0 where b == 0 (a^0 is constant 1, even at a = 0),
//	d/db = y log(a),  taken as 0 where a == 0 and b >= 0 (PyTorch's conventions).
//
// For a < 0, log(a) is NaN and so is d/db, as in PyTorch. It panics like Add.
func Pow(a, b *Value) *Value {
	y := tensor.Pow(a.Data, b.Data)
	return record("Pow", y, func(g *tensor.Tensor) {
		zero := tensor.Scalar(g.DType(), 0)
		if a.requiresGrad {
			da := tensor.Mul(b.Data, tensor.Pow(a.Data, tensor.AddScalar(b.Data, -1)))
			da = tensor.Where(tensor.Equal(b.Data, zero), zero, da)
			a.accumulate(unbroadcast(tensor.Mul(g, da), a))
		}
		if b.requiresGrad {
			db := tensor.Mul(y, tensor.Log(a.Data))
			bNonNegative := tensor.AddScalar(tensor.Neg(tensor.Less(b.Data, zero)), 1) // 1 where b >= 0
			db = tensor.Where(tensor.Mul(tensor.Equal(a.Data, zero), bNonNegative), zero, db)
			b.accumulate(unbroadcast(tensor.Mul(g, db), b))
		}
	}, a, b)
}
