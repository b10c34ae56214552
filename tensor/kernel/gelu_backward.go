package kernel

// GELUBackward turns d, holding dloss/dy for y = GELU(x), into dloss/dx:
//
//	d[i] *= Φ(x) + x·φ(x),  Φ(x) = y/x (1/2 at x = 0),  φ(x) = exp(-x²/2)/√(2π)
//
// taking Φ from y = x·Φ(x) as GELU computed it, which keeps its relative
// accuracy down to tiny x. The result is the same bit for bit on every
// implementation as the scalar loop of geluBackwardWith on that
// implementation's Exp. It panics if len(x) or len(y) differs from len(d).
func GELUBackward(d, x, y []float32) {
	checkSameLen("kernel.GELUBackward", "x", "d", len(x), len(d))
	checkSameLen("kernel.GELUBackward", "y", "d", len(y), len(d))
	vecBest.geluBackward(d, x, y)
}

// geluBlock is the number of values geluBackwardWith evaluates per call of
// exp, in a stack buffer.
const geluBlock = 256

// geluBackwardWith returns the portable GELUBackward on an implementation's
// exp: per block, tmp = exp((-0.5·x)·x), then one scalar loop in float32.
// The assembly kernels repeat these operations in this order.
func geluBackwardWith(exp func(dst, x []float32)) func(d, x, y []float32) {
	return func(d, x, y []float32) {
		var buf [geluBlock]float32
		for b0 := 0; b0 < len(x); b0 += geluBlock {
			b1 := min(b0+geluBlock, len(x))
			geluBackwardBlock(d[b0:b1], x[b0:b1], y[b0:b1], buf[:b1-b0], exp)
		}
	}
}

// geluBackwardBlock is GELUBackward on one block; tmp has the block's length.
func geluBackwardBlock(d, x, y, tmp []float32, exp func(dst, x []float32)) {
	n := len(x)
	d, y, tmp = d[:n], y[:n], tmp[:n] // one bounds check for the loops
	for i, v := range x {
		tmp[i] = -0.5 * v * v
	}
	exp(tmp, tmp) // exp(-x²/2)
	for i, v := range x {
		cdf := y[i] / v
		if v == 0 {
			cdf = 0.5
		}
		d[i] *= cdf + v*tmp[i]*invSqrt2Pi
	}
}

// invSqrt2Pi is 1/√(2π), rounded to float32 where it is used.
const invSqrt2Pi = 0.3989422804014327
