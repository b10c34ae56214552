package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/reg"
)

// The two element-wise passes of LayerNorm's backward pass on one row (see
// layerNormBackwardWith in package kernel), each value rounded once per
// operation and in the order of that scalar loop, without FMA, so that they
// give its results bit for bit:
//
//	prep:   xhat = (x - mean)·rstd,  dnorm = dy·w
//	apply:  dx (+)= rstd·((dnorm - m1) - xhat·m2),  pw += dy·xhat,  pb += dy

func (x visa) layerNormBackwardPrep() {
	var mean, rstd VecPhysical
	x.mapKernel("layerNormBackwardPrep", "func(xhat, dnorm, x, dy, w []float32, mean, rstd float32)",
		"sets xhat[i] = (x[i]-mean)*rstd and dnorm[i] = dy[i]*w[i] for i < len(x).",
		[]string{"xhat", "dnorm", "x", "dy", "w"}, "x", x.unroll(4, 3), 2,
		func(free int) {
			mean, rstd = x.reg(free), x.reg(free+1)
			broadcastParam("mean", mean)
			broadcastParam("rstd", rstd)
		},
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[2], u), r[0], masked)
			VSUBPS(mean, r[0], r[0]) // x - mean
			VMULPS(rstd, r[0], r[0]) // (x - mean)·rstd
			x.store(r[0], x.at(p[0], u), masked)
			x.load(x.at(p[3], u), r[0], masked)
			x.load(x.at(p[4], u), r[1], masked)
			VMULPS(r[1], r[0], r[0]) // dy·w
			x.store(r[0], x.at(p[1], u), masked)
		})
}

// layerNormBackwardApply emits the apply pass; add selects dx += (the
// row's own gradient) over dx = (a gathered row, added into dx later).
func (x visa) layerNormBackwardApply(add bool) {
	name, doc := "layerNormBackwardSet", "sets dx[i] = rstd*((dnorm[i]-m1) - xhat[i]*m2) and adds pw[i] += dy[i]*xhat[i], pb[i] += dy[i] for i < len(dy)."
	if add {
		name, doc = "layerNormBackwardAdd", "adds dx[i] += rstd*((dnorm[i]-m1) - xhat[i]*m2), pw[i] += dy[i]*xhat[i], pb[i] += dy[i] for i < len(dy)."
	}
	var rstd, m1, m2 VecPhysical
	x.mapKernel(name, "func(dx, pw, pb, dnorm, xhat, dy []float32, rstd, m1, m2 float32)", doc,
		[]string{"dx", "pw", "pb", "dnorm", "xhat", "dy"}, "dy", x.unroll(3, 2), 3,
		func(free int) {
			rstd, m1, m2 = x.reg(free), x.reg(free+1), x.reg(free+2)
			broadcastParam("rstd", rstd)
			broadcastParam("m1", m1)
			broadcastParam("m2", m2)
		},
		func(u int, masked bool, r []VecPhysical, p []Register) {
			xh, g, t := r[0], r[1], r[2]
			x.load(x.at(p[4], u), xh, masked)
			x.load(x.at(p[3], u), g, masked)
			VMULPS(m2, xh, t) // xhat·m2
			VSUBPS(m1, g, g)  // dnorm - m1
			VSUBPS(t, g, g)   // (dnorm - m1) - xhat·m2
			VMULPS(g, rstd, g)
			if add {
				x.load(x.at(p[0], u), t, masked)
				VADDPS(g, t, g) // dx + ...
			}
			x.store(g, x.at(p[0], u), masked)
			x.load(x.at(p[5], u), t, masked)
			VMULPS(xh, t, xh) // dy·xhat
			x.load(x.at(p[1], u), g, masked)
			VADDPS(xh, g, g) // pw + dy·xhat
			x.store(g, x.at(p[1], u), masked)
			x.load(x.at(p[2], u), g, masked)
			VADDPS(t, g, g) // pb + dy
			x.store(g, x.at(p[2], u), masked)
		})
}
