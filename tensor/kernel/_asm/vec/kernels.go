package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// regs returns count vector registers starting at first.
func (x visa) regs(first, count int) []VecPhysical {
	if first+count > x.nregs {
		panic(fmt.Sprintf("%s: registers %d..%d exceed %d", x.name, first, first+count-1, x.nregs))
	}
	r := make([]VecPhysical, count)
	for i := range r {
		r[i] = x.reg(first + i)
	}
	return r
}

// text starts the function name+ISA with a doc comment.
func (x visa) text(name, signature, doc string) string {
	full := name + x.name
	TEXT(full, NOSPLIT, signature)
	Pragma("noescape")
	Doc(full + " " + doc)
	return full
}

// Registers of the slice arguments, in order, and of the element count;
// setTailMask clobbers CX and AX.
var ptrRegs = []Register{RSI, RDI, R8, R9, R10, R11}

var countReg = RDX

// loadSlices loads the base pointers of the named slice arguments and the
// length of the one named by lenOf into countReg.
func loadSlices(names []string, lenOf string) []Register {
	for i, name := range names {
		Load(Param(name).Base(), ptrRegs[i])
	}
	Load(Param(lenOf).Len(), countReg)
	return ptrRegs[:len(names)]
}

// reduction emits a float64 reduction over float32 slices: per vector,
// body gets the float64 halves of each input and two accumulators. setup
// runs before the loop with the first free register index.
func (x visa) reduction(name, signature, doc string, inputs []string, unroll int, setup func(free int), body func(acc [2]VecPhysical, halves [][2]VecPhysical, masked bool, scratch VecPhysical)) {
	fn := x.text(name, signature, doc)
	ptrs := loadSlices(inputs, inputs[0])
	acc := x.regs(0, 2*unroll)
	for _, a := range acc {
		x.zero(a)
	}
	per := 2 * len(inputs) // registers per vector: the two float64 halves of each input
	tmp := x.regs(2*unroll, per*unroll+1)
	tail := tmp[per*unroll] // the masked tail's float32 load
	if setup != nil {
		setup(2*unroll + per*unroll + 1)
	}
	x.loop(fn, countReg, ptrs, unroll, func(u int, masked bool) {
		var halves [][2]VecPhysical
		for i, p := range ptrs {
			t := tmp[per*u+2*i:]
			m := x.at(p, u)
			if masked {
				x.load(m, tail, true)
				x.toDoubles(tail, t[0], t[1])
			} else { // convert straight from memory, half a vector at a time
				VCVTPS2PD(m, t[0])
				VCVTPS2PD(m.Offset(2*x.lanes), t[1])
			}
			halves = append(halves, [2]VecPhysical{t[0], t[1]})
		}
		body([2]VecPhysical{acc[2*u], acc[2*u+1]}, halves, masked, tail)
	})
	for i := 1; i < len(acc); i++ {
		VADDPD(acc[i], acc[0], acc[0])
	}
	x.reduceAddPD(acc[0], acc[1])
	Store(acc[0].AsX(), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

func (x visa) unroll(avx512, avx2 int) int {
	if x.is512() {
		return avx512
	}
	return avx2
}

func (x visa) dot() {
	x.reduction("dot", "func(x, y []float32) float64", "returns Σ x[i]*y[i] over len(x) elements, accumulated in float64.",
		[]string{"x", "y"}, x.unroll(4, 2), nil,
		func(acc [2]VecPhysical, h [][2]VecPhysical, masked bool, scratch VecPhysical) {
			VFMADD231PD(h[1][0], h[0][0], acc[0])
			VFMADD231PD(h[1][1], h[0][1], acc[1])
		})
}

func (x visa) sum() {
	x.reduction("sum", "func(x []float32) float64", "returns Σ x[i] accumulated in float64.",
		[]string{"x"}, x.unroll(4, 3), nil,
		func(acc [2]VecPhysical, h [][2]VecPhysical, masked bool, scratch VecPhysical) {
			VADDPD(h[0][0], acc[0], acc[0])
			VADDPD(h[0][1], acc[1], acc[1])
		})
}

func (x visa) sumSqDev() {
	var mean VecPhysical
	x.reduction("sumSqDev", "func(x []float32, mean float64) float64", "returns Σ (x[i]-mean)² accumulated in float64.",
		[]string{"x"}, x.unroll(4, 3),
		func(free int) {
			mean = x.reg(free)
			broadcastParamPD("mean", mean)
		},
		func(acc [2]VecPhysical, h [][2]VecPhysical, masked bool, scratch VecPhysical) {
			for i := range acc {
				VSUBPD(mean, h[0][i], h[0][i])
			}
			if masked { // the zeros past the tail are now -mean
				x.zeroTailPD(h[0][0], h[0][1], scratch)
			}
			for i := range acc {
				VFMADD231PD(h[0][i], h[0][i], acc[i])
			}
		})
}

// mapKernel emits an element-wise kernel over the slices named inputs (the
// first is written when store is set, the count is len of lenOf): step gets
// the vector index, whether it is the masked tail, and the registers
// assigned to that vector.
func (x visa) mapKernel(name, signature, doc string, inputs []string, lenOf string, unroll, perVector int, setup func(free int), step func(u int, masked bool, r []VecPhysical, ptrs []Register)) {
	fn := x.text(name, signature, doc)
	ptrs := loadSlices(inputs, lenOf)
	r := x.regs(0, perVector*unroll)
	if setup != nil {
		setup(perVector * unroll)
	}
	x.loop(fn, countReg, ptrs, unroll, func(u int, masked bool) {
		step(u, masked, r[perVector*u:perVector*(u+1)], ptrs)
	})
	VZEROUPPER()
	RET()
}

func (x visa) axpy() {
	var alpha VecPhysical
	x.mapKernel("axpy", "func(alpha float32, x, y []float32)", "computes y[i] += alpha*x[i] for i < len(x).",
		[]string{"y", "x"}, "x", x.unroll(4, 4), 2,
		func(free int) { alpha = x.reg(free); broadcastParam("alpha", alpha) },
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[0], u), r[0], masked)
			x.load(x.at(p[1], u), r[1], masked)
			VFMADD231PS(r[1], alpha, r[0])
			x.store(r[0], x.at(p[0], u), masked)
		})
}

func (x visa) scale() {
	var alpha VecPhysical
	x.mapKernel("scale", "func(alpha float32, x []float32)", "computes x[i] *= alpha.",
		[]string{"x"}, "x", x.unroll(4, 4), 1,
		func(free int) { alpha = x.reg(free); broadcastParam("alpha", alpha) },
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[0], u), r[0], masked)
			VMULPS(alpha, r[0], r[0])
			x.store(r[0], x.at(p[0], u), masked)
		})
}

func (x visa) expKernel() {
	x.mapKernel("exp", "func(dst, x []float32)", "sets dst[i] = exp(x[i]) for i < len(x).",
		[]string{"dst", "x"}, "x", x.unroll(4, 3), 4, nil,
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[1], u), r[0], masked)
			x.exp(r[0], nil, r[1], r[2], r[3])
			x.store(r[0], x.at(p[0], u), masked)
		})
}

func (x visa) geluKernel() {
	x.mapKernel("gelu", "func(dst, x []float32)", "sets dst[i] = x[i]·Φ(x[i]) for i < len(x).",
		[]string{"dst", "x"}, "x", x.unroll(2, 1), 11, nil,
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[1], u), r[0], masked)
			x.gelu(r[0], r[1], r[2:])
			x.store(r[1], x.at(p[0], u), masked)
		})
}

func (x visa) geluTanhKernel() {
	x.mapKernel("geluTanh", "func(dst, x []float32)", "sets dst[i] to the tanh-approximated GELU of x[i] for i < len(x).",
		[]string{"dst", "x"}, "x", x.unroll(3, 1), 9, nil,
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[1], u), r[0], masked)
			x.geluTanh(r[0], r[1], r[2:])
			x.store(r[1], x.at(p[0], u), masked)
		})
}

// normalize emits out[i] = float32((x[i]-mean)*rstd), times w[i] plus b[i]
// when affine (one FMA in float32).
func (x visa) normalize(affine bool) {
	name, sig, inputs := "normalize", "func(out, x []float32, mean, rstd float64)", []string{"out", "x"}
	doc := "sets out[i] = (x[i]-mean)*rstd, computed in float64, for i < len(x)."
	if affine {
		name, sig, inputs = "normalizeAffine", "func(out, x, w, b []float32, mean, rstd float64)", []string{"out", "x", "w", "b"}
		doc = "sets out[i] = float32((x[i]-mean)*rstd)*w[i] + b[i], the normalization in float64, for i < len(x)."
	}
	var mean, rstd VecPhysical
	x.mapKernel(name, sig, doc, inputs, "x", x.unroll(3, 2), 5,
		func(free int) {
			mean, rstd = x.reg(free), x.reg(free+1)
			broadcastParamPD("mean", mean)
			broadcastParamPD("rstd", rstd)
		},
		func(u int, masked bool, r []VecPhysical, p []Register) {
			x.load(x.at(p[1], u), r[0], masked)
			x.toDoubles(r[0], r[1], r[2])
			for _, d := range r[1:3] {
				VSUBPD(mean, d, d)
				VMULPD(rstd, d, d)
			}
			x.fromDoubles(r[1], r[2], r[0])
			if affine {
				x.load(x.at(p[2], u), r[3], masked)
				x.load(x.at(p[3], u), r[4], masked)
				VFMADD213PS(r[4], r[3], r[0]) // r0 = w*r0 + b
			}
			x.store(r[0], x.at(p[0], u), masked)
		})
}

// maxKernel emits the row maximum with NaN detection: VMAXPS does not
// propagate NaN from every position, so each vector is also tested for
// unordered lanes.
func (x visa) maxKernel() {
	fn := x.text("max", "func(x []float32) float32", "returns the largest element of x (len(x) > 0), or NaN if any element is NaN.")
	ptrs := loadSlices([]string{"x"}, "x")
	unroll := 4
	acc := x.regs(0, unroll)
	tmp := x.regs(unroll, 2*unroll)
	for _, a := range acc {
		VMOVUPS(constant("negInf"), a)
	}
	var nanAcc VecPhysical
	if x.is512() {
		KXORW(K3, K3, K3)
	} else {
		nanAcc = x.reg(3 * unroll)
		x.zero(nanAcc)
	}
	x.loop(fn, countReg, ptrs, unroll, func(u int, masked bool) {
		v, t := tmp[2*u], tmp[2*u+1]
		x.load(x.at(ptrs[0], u), v, masked)
		switch {
		case x.is512() && masked:
			VMAXPS(v, acc[u], K1, acc[u])
		case masked: // masked-off lanes of v are 0: make them -Inf
			VMOVUPS(constant("negInf"), t)
			VBLENDVPS(avx2Mask, v, t, v)
			VMAXPS(v, acc[u], acc[u])
		default:
			VMAXPS(v, acc[u], acc[u])
		}
		if x.is512() {
			VCMPPS(U8(3), v, v, K2) // unordered: v is NaN
			KORW(K2, K3, K3)
		} else {
			VCMPPS(U8(3), v, v, t)
			VORPS(t, nanAcc, nanAcc)
		}
	})
	for i := 1; i < unroll; i++ {
		VMAXPS(acc[i], acc[0], acc[0])
	}
	x.reduceMaxPS(acc[0], acc[1])
	if x.is512() {
		KORTESTW(K3, K3)
	} else {
		VMOVMSKPS(nanAcc, EAX)
		TESTL(EAX, EAX)
	}
	JZ(LabelRef(fn + "_result"))
	VMOVSS(constant("nan"), acc[0].AsX())
	Label(fn + "_result")
	Store(acc[0].AsX(), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// expShiftSum emits dst[i] = exp(x[i]-shift) (not stored when !store) and
// returns the float64 sum of the float32 results. x-shift is formed with
// TwoSum, and its rounding error corrects the exp argument.
func (x visa) expShiftSum(store bool) {
	name, sig, inputs := "expShiftSum", "func(dst, x []float32, shift float32) float64", []string{"dst", "x"}
	doc := "sets dst[i] = exp(x[i]-shift) for i < len(x) and returns their sum in float64."
	if !store {
		name, sig, inputs = "expShiftSumNoStore", "func(x []float32, shift float32) float64", []string{"x"}
		doc = "returns Σ exp(x[i]-shift) in float64, with the float32 terms of expShiftSum."
	}
	fn := x.text(name, sig, doc)
	ptrs := loadSlices(inputs, "x")
	xp := ptrs[len(ptrs)-1]
	unroll := x.unroll(2, 1)
	acc := x.regs(0, 2)
	for _, a := range acc {
		x.zero(a)
	}
	negShift := x.reg(2)
	broadcastParam("shift", negShift)
	VXORPS(constant("signMask"), negShift, negShift)
	per := 8
	r := x.regs(3, per*unroll)
	x.loop(fn, countReg, ptrs, unroll, func(u int, masked bool) {
		v, s, bb, t, corr, t1, t2, t3 := r[per*u], r[per*u+1], r[per*u+2], r[per*u+3], r[per*u+4], r[per*u+5], r[per*u+6], r[per*u+7]
		x.load(x.at(xp, u), v, masked)
		// TwoSum: s + corr = v + negShift exactly.
		VADDPS(negShift, v, s)
		VSUBPS(v, s, bb)         // bb = s - v
		VSUBPS(bb, s, t)         // t = s - bb
		VSUBPS(t, v, t)          // t = v - t
		VSUBPS(bb, negShift, bb) // bb = negShift - bb
		VADDPS(bb, t, corr)
		x.exp(s, corr, t1, t2, t3)
		if store {
			x.store(s, x.at(ptrs[0], u), masked)
		}
		if masked {
			x.zeroTail(s)
		}
		x.toDoubles(s, t1, t2)
		VADDPD(t1, acc[0], acc[0])
		VADDPD(t2, acc[1], acc[1])
	})
	VADDPD(acc[1], acc[0], acc[0])
	x.reduceAddPD(acc[0], acc[1])
	Store(acc[0].AsX(), ReturnIndex(0))
	VZEROUPPER()
	RET()
}
