package main

import (
	"github.com/daalab/daa/tensor/kernel/_asm/avxutil"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// visa is one vector extension: AVX-512 (16 float32 lanes, 32 registers,
// opmask tails) or AVX2 (8 lanes, 16 registers, Y15 holds the tail mask).
type visa struct {
	name  string
	lanes int
	nregs int // vector registers free for kernels
	reg   func(int) VecPhysical
}

var (
	avx512 = visa{"AVX512", 16, 32, avxutil.Zmm}
	avx2   = visa{"AVX2", 8, 15, avxutil.Ymm}
)

func (x visa) is512() bool { return x.lanes == 16 }

// half returns the register holding the low half of v (Y of Z, X of Y).
func (x visa) half(v VecPhysical) Register {
	if x.is512() {
		return v.AsY()
	}
	return v.AsX()
}

// avx2Mask is the AVX2 tail mask register: lane i is all ones when i < n.
var avx2Mask = Y15

// setTailMask makes the tail mask select the first n (< lanes) elements;
// it clobbers CX and AX (AVX-512) or X15 (AVX2).
func (x visa) setTailMask(n Register) {
	if x.is512() {
		MOVQ(n, RCX)
		MOVL(U32(1), EAX)
		SHLL(CL, EAX)
		DECL(EAX)
		KMOVW(EAX, K1)
		return
	}
	MOVQ(n, RCX)
	MOVQ(RCX, avx2Mask.AsX())
	VPBROADCASTD(avx2Mask.AsX(), avx2Mask)
	VPCMPGTD(constant("iota"), avx2Mask, avx2Mask) // lane i: n > i
}

// load loads a vector, or under masked the tail elements with zeros after.
func (x visa) load(m Mem, dst VecPhysical, masked bool) {
	switch {
	case !masked:
		VMOVUPS(m, dst)
	case x.is512():
		VMOVUPS_Z(m, K1, dst)
	default:
		VMASKMOVPS(m, avx2Mask, dst)
	}
}

// store stores a vector, or under masked only the tail elements.
func (x visa) store(src VecPhysical, m Mem, masked bool) {
	switch {
	case !masked:
		VMOVUPS(src, m)
	case x.is512():
		VMOVUPS(src, K1, m)
	default:
		VMASKMOVPS(src, avx2Mask, m)
	}
}

// zeroTail zeroes the lanes of v past the tail.
func (x visa) zeroTail(v VecPhysical) {
	if x.is512() {
		VMOVAPS_Z(v, K1, v)
	} else {
		VANDPS(avx2Mask, v, v)
	}
}

// zero sets v to +0.
func (x visa) zero(v VecPhysical) {
	if x.is512() {
		VPXORD(v, v, v)
	} else {
		VXORPS(v, v, v)
	}
}

// loop emits a loop over the n elements at the pointers ptrs: step(u,
// masked) handles vector u of an unrolled group at byte offset
// 4*lanes*u; then single vectors; then a masked tail of n%lanes elements.
// n is consumed.
func (x visa) loop(name string, n Register, ptrs []Register, unroll int, step func(u int, masked bool)) {
	advance := func(elems int) {
		for _, p := range ptrs {
			ADDQ(U32(4*elems), p)
		}
		SUBQ(U32(elems), n)
	}
	if unroll > 1 {
		Label(name + "_unrolled")
		CMPQ(n, U32(x.lanes*unroll))
		JL(LabelRef(name + "_single"))
		for u := 0; u < unroll; u++ {
			step(u, false)
		}
		advance(x.lanes * unroll)
		JMP(LabelRef(name + "_unrolled"))
	}
	Label(name + "_single")
	CMPQ(n, U32(x.lanes))
	JL(LabelRef(name + "_tail"))
	step(0, false)
	advance(x.lanes)
	JMP(LabelRef(name + "_single"))
	Label(name + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	x.setTailMask(n)
	step(0, true)
	Label(name + "_done")
}

// at returns the memory operand for vector u of a loop at pointer p.
func (x visa) at(p Register, u int) Mem { return Mem{Base: p, Disp: 4 * x.lanes * u} }

// toDoubles converts the float32 vector v to two vectors of float64 (low
// and high halves) in lo and hi.
func (x visa) toDoubles(v, lo, hi VecPhysical) {
	if x.is512() {
		VEXTRACTF64X4(U8(1), v, hi.AsY())
		VCVTPS2PD(v.AsY(), lo)
		VCVTPS2PD(hi.AsY(), hi)
		return
	}
	VEXTRACTF128(U8(1), v, hi.AsX())
	VCVTPS2PD(v.AsX(), lo)
	VCVTPS2PD(hi.AsX(), hi)
}

// fromDoubles rounds the float64 vectors lo and hi to float32 and joins
// them into dst (lo and hi are clobbered).
func (x visa) fromDoubles(lo, hi, dst VecPhysical) {
	if x.is512() {
		VCVTPD2PS(lo, lo.AsY())
		VCVTPD2PS(hi, hi.AsY())
		VINSERTF64X4(U8(1), hi.AsY(), lo, dst)
		return
	}
	VCVTPD2PSY(lo, lo.AsX())
	VCVTPD2PSY(hi, hi.AsX())
	VINSERTF128(U8(1), hi.AsX(), lo, dst)
}

// zeroTailPD zeroes the float64 lanes past the tail in the halves lo and
// hi of a masked float32 vector (t is scratch).
func (x visa) zeroTailPD(lo, hi, t VecPhysical) {
	if x.is512() {
		VMOVAPD_Z(lo, K1, lo)
		KSHIFTRW(U8(8), K1, K2)
		VMOVAPD_Z(hi, K2, hi)
		return
	}
	VPMOVSXDQ(avx2Mask.AsX(), t)
	VANDPD(t, lo, lo)
	VEXTRACTI128(U8(1), avx2Mask, t.AsX())
	VPMOVSXDQ(t.AsX(), t)
	VANDPD(t, hi, hi)
}

// reduceAddPD adds the float64 lanes of v into the low lane of its X
// register (t is scratch).
func (x visa) reduceAddPD(v, t VecPhysical) {
	if x.is512() {
		VEXTRACTF64X4(U8(1), v, t.AsY())
		VADDPD(t.AsY(), v.AsY(), v.AsY())
	}
	VEXTRACTF128(U8(1), v.AsY(), t.AsX())
	VADDPD(t.AsX(), v.AsX(), v.AsX())
	VPERMILPD(U8(1), v.AsX(), t.AsX())
	VADDSD(t.AsX(), v.AsX(), v.AsX())
}

// reduceMaxPS takes the maximum of the float32 lanes of v into the low lane
// of its X register (t is scratch).
func (x visa) reduceMaxPS(v, t VecPhysical) {
	if x.is512() {
		VEXTRACTF64X4(U8(1), v, t.AsY())
		VMAXPS(t.AsY(), v.AsY(), v.AsY())
	}
	VEXTRACTF128(U8(1), v.AsY(), t.AsX())
	VMAXPS(t.AsX(), v.AsX(), v.AsX())
	VPERMILPS(U8(0x4E), v.AsX(), t.AsX())
	VMAXPS(t.AsX(), v.AsX(), v.AsX())
	VPERMILPS(U8(0xB1), v.AsX(), t.AsX())
	VMAXPS(t.AsX(), v.AsX(), v.AsX())
}

// broadcastParam fills v with the float32 argument name.
func broadcastParam(name string, v VecPhysical) { VBROADCASTSS(avxutil.ParamAddr(name), v) }

// broadcastParamPD fills v with the float64 argument name.
func broadcastParamPD(name string, v VecPhysical) { VBROADCASTSD(avxutil.ParamAddr(name), v) }
