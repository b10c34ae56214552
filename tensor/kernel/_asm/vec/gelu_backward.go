package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// defineGELUBackwardConstants adds 1/√(2π) rounded to float32, the constant
// of the scalar loop that geluBackward reproduces.
func defineGELUBackwardConstants() {
	f32("invSqrt2Pi", float32(0.3989422804014327))
}

// geluBackwardKernel emits the exact GELU's backward pass
//
//	d[i] *= Φ(x) + x·φ(x),  Φ(x) = y/x (1/2 where x == 0),  φ(x) = exp(-x²/2)·(1/√(2π))
//
// with y = GELU(x), as the operations of the scalar loop in
// geluBackwardWith, one rounding each and in its order, on the exp of the
// same ISA's exp kernel, so that it gives the loop's results bit for bit:
//
//	e = exp((-0.5·x)·x);  c = y/x (0.5 where x == 0);  d = d·(c + (x·e)·(1/√(2π)))
func (x visa) geluBackwardKernel() {
	x.mapKernel("geluBackward", "func(d, x, y []float32)",
		"sets d[i] *= Φ(x[i]) + x[i]·exp(-x[i]²/2)/√(2π) with Φ(x[i]) = y[i]/x[i] (1/2 where x[i] == 0), rounding as the scalar loop of geluBackwardWith does.",
		[]string{"d", "x", "y"}, "x", x.unroll(4, 2), 6, nil,
		func(u int, masked bool, r []VecPhysical, p []Register) {
			v, e, c, t1, t2, t3 := r[0], r[1], r[2], r[3], r[4], r[5]
			x.load(x.at(p[1], u), v, masked)
			VMULPS(constant("negHalf"), v, e) // e = -0.5·x
			VMULPS(v, e, e)                   // e = (-0.5·x)·x
			x.exp(e, nil, t1, t2, t3)         // e = exp(-x²/2)
			x.load(x.at(p[2], u), c, masked)
			VDIVPS(v, c, c) // c = y/x
			x.zero(t1)
			if x.is512() {
				VCMPPS(U8(0), t1, v, K2)              // x == 0 (ordered: false for NaN)
				VBLENDMPS(constant("half"), c, K2, c) // c = 1/2 there
			} else {
				VCMPPS(U8(0), t1, v, t1)
				VBLENDVPS(t1, constant("half"), c, c)
			}
			VMULPS(e, v, t1)                       // t1 = x·e
			VMULPS(constant("invSqrt2Pi"), t1, t1) // t1 = (x·e)·(1/√(2π))
			VADDPS(t1, c, c)                       // c = Φ(x) + t1
			x.load(x.at(p[0], u), t2, masked)
			VMULPS(c, t2, t2) // d·(Φ(x) + x·φ(x))
			x.store(t2, x.at(p[0], u), masked)
		})
}
