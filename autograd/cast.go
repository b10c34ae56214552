package autograd

import "github.com/daalab/daa/tensor"

// Cast converts x to dtype dt: float32 activations to float64 for
// reference-grade loss math, or back. The gradient is cast back to x's dtype
// (d/dx = 1; rounding is not differentiated). A value already of dtype dt is
// returned as it is. It panics on an unknown dtype.
func Cast(x *Value, dt tensor.DType) *Value {
	if x.Data.DType() == dt {
		return x
	}
	from := x.Data.DType()
	return record("Cast", x.Data.Cast(dt), func(g *tensor.Tensor) {
		x.accumulate(g.Cast(from))
	}, x)
}
