package main

import (
	"fmt"

	"github.com/daalab/daa/tensor/kernel/_asm/avxutil"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// microkernel generates
//
//	func gemmBF16Kernel<MR>x<NR>AVX512(k int, a, b *uint32, c *float32, ldc int, alpha, beta float32)
//
// which computes the mr×nr tile C = alpha*A*B + beta*C from a packed A
// micro-panel of k bfloat16 pairs per row (a[p*mr+i] holds A[i,2p] in its
// low and A[i,2p+1] in its high half) and a packed B micro-panel
// (b[p*nr+j] holds B[2p,j] low, B[2p+1,j] high). C is float32, row-major
// with leading dimension ldc elements. beta == 0 (either sign) stores
// without reading C; otherwise C = alpha*acc + beta*C with one rounding of
// beta*C and one of the fused multiply-add.
//
// Registers: mr*nv accumulators (VDPBF16PS has a latency of about 6
// cycles and two issue per cycle, so 24 independent chains keep it busy),
// nv vectors of B pairs, and the rest hold broadcast A pairs.
func microkernel(mr, nv, unroll int) {
	nr := 16 * nv
	name := fmt.Sprintf("gemmBF16Kernel%dx%dAVX512", mr, nr)
	TEXT(name, NOSPLIT, "func(k int, a, b *uint32, c *float32, ldc int, alpha, beta float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes the %dx%d tile C = alpha*A*B + beta*C from packed panels of k bfloat16 pairs of A (k×%d) and B (k×%d).", name, mr, nr, mr, nr))
	nacc := mr * nv
	acc := func(i, v int) VecPhysical { return zmm(i*nv + v) }
	bv := func(v int) VecPhysical { return zmm(nacc + v) }
	ntmp := 32 - nacc - nv
	if ntmp < 2 {
		panic("microkernel: no register left for broadcasts")
	}
	tmp := func(i int) VecPhysical { return zmm(nacc + nv + i%ntmp) }

	k := Load(Param("k"), RCX)
	a := Load(Param("a"), RAX)
	b := Load(Param("b"), RBX)
	c := Load(Param("c"), RDI)
	ldc := Load(Param("ldc"), RSI)
	SHLQ(U8(2), ldc) // bytes between rows of C

	Comment("Prefetch the C tile; it is read after the k loop.")
	MOVQ(c, R8)
	for i := 0; i < mr; i++ {
		for off := 0; off < nr*4; off += 64 {
			PREFETCHT0(Mem{Base: R8, Disp: off})
		}
		if i < mr-1 {
			ADDQ(ldc, R8)
		}
	}
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VPXORD(acc(i, v), acc(i, v), acc(i, v))
		}
	}

	step := func(u int) {
		for v := 0; v < nv; v++ {
			VMOVUPS(Mem{Base: b, Disp: 4 * (u*nr + v*16)}, bv(v))
		}
		for i := 0; i < mr; i++ {
			t := tmp(i)
			VPBROADCASTD(Mem{Base: a, Disp: 4 * (u*mr + i)}, t)
			for v := 0; v < nv; v++ {
				VDPBF16PS(acc(i, v), bv(v), t)
			}
		}
	}

	Comment(fmt.Sprintf("k loop (pairs) unrolled %d times.", unroll))
	CMPQ(k, U8(unroll))
	JL(LabelRef(name + "_tail"))
	Label(name + "_loop")
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(4*unroll*mr), a)
	ADDQ(U32(4*unroll*nr), b)
	SUBQ(U8(unroll), k)
	CMPQ(k, U8(unroll))
	JGE(LabelRef(name + "_loop"))

	Label(name + "_tail")
	TESTQ(k, k)
	JZ(LabelRef(name + "_epilogue"))
	step(0)
	ADDQ(U32(4*mr), a)
	ADDQ(U32(4*nr), b)
	DECQ(k)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_epilogue")
	alpha, t := tmp(0), tmp(1)
	VBROADCASTSS(avxutil.ParamAddr("alpha"), alpha)
	MOVL(avxutil.ParamAddr("beta"), EDX)
	SHLL(U8(1), EDX) // drop the sign bit: -0 counts as 0
	JZ(LabelRef(name + "_store"))

	Comment("C = alpha*acc + beta*C")
	beta := bv(0)
	VBROADCASTSS(avxutil.ParamAddr("beta"), beta)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			m := Mem{Base: c, Disp: 64 * v}
			VMULPS(m, beta, t)
			VFMADD231PS(alpha, acc(i, v), t)
			VMOVUPS(t, m)
		}
		ADDQ(ldc, c)
	}
	VZEROUPPER()
	RET()

	Label(name + "_store")
	Comment("C = alpha*acc")
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			VMULPS(alpha, acc(i, v), acc(i, v))
			VMOVUPS(acc(i, v), Mem{Base: c, Disp: 64 * v})
		}
		ADDQ(ldc, c)
	}
	VZEROUPPER()
	RET()
}

// convertRows generates
//
//	func cvtBF16AVX512(dst *uint32, src *float32, n int)
//
// which rounds 32n float32 values to bfloat16 in order, two to a word of
// dst: dst[i] = bf16(src[2i]) | bf16(src[2i+1])<<16 for i < 16n.
func convertRows() {
	name := "cvtBF16AVX512"
	TEXT(name, NOSPLIT, "func(dst *uint32, src *float32, n int)")
	Pragma("noescape")
	Doc(name + " rounds 32n float32 values to bfloat16: dst[i] = bf16(src[2i]) | bf16(src[2i+1])<<16 for i < 16n.")
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	n := Load(Param("n"), RCX)
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	VMOVUPS(Mem{Base: src}, Z0)
	VMOVUPS(Mem{Base: src, Disp: 64}, Z1)
	VCVTNE2PS2BF16(Z2, Z1, Z0)
	VMOVUPS(Z2, Mem{Base: dst})
	ADDQ(U8(128), src)
	ADDQ(U8(64), dst)
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packPairsCopy generates
//
//	func packPairsCopy<W>BF16AVX512(dst *uint32, src *float32, ld, k int)
//
// which packs a panel whose steps are contiguous in the source, rounding to
// bfloat16: dst[p*W+r] = bf16(src[2p*ld+r]) | bf16(src[(2p+1)*ld+r])<<16
// for p < k, r < W (W = 12 or 32). Two source lines of 16 values become
// one VCVTNE2PS2BF16 result (line 2p in words 0..15, line 2p+1 in 16..31),
// which VPERMW interleaves.
func packPairsCopy(w int) {
	name := fmt.Sprintf("packPairsCopy%dBF16AVX512", w)
	TEXT(name, NOSPLIT, "func(dst *uint32, src *float32, ld, k int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[p*%d+r] = bf16(src[2p*ld+r]) | bf16(src[(2p+1)*ld+r])<<16 for p < k, r < %d.", name, w, w))
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	k := Load(Param("k"), RCX)
	SHLQ(U8(2), ld) // bytes between source lines
	MOVL(U32(1<<(w%16)-1), EAX)
	KMOVW(EAX, K1) // lanes of a partial last vector
	VMOVDQU32(constant("interleave"), Z31)
	TESTQ(k, k)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for v := 0; v*16 < w; v++ {
		lo, hi := Mem{Base: src, Disp: 64 * v}, Mem{Base: src, Index: ld, Scale: 1, Disp: 64 * v}
		d := Mem{Base: dst, Disp: 64 * v}
		full := w-v*16 >= 16
		if full {
			VMOVUPS(lo, Z0)
			VMOVUPS(hi, Z1)
		} else {
			VMOVUPS_Z(lo, K1, Z0)
			VMOVUPS_Z(hi, K1, Z1)
		}
		VCVTNE2PS2BF16(Z2, Z1, Z0)
		VPERMW(Z2, Z31, Z3)
		if full {
			VMOVUPS(Z3, d)
		} else {
			VMOVUPS(Z3, K1, d) // merge-masked store
		}
	}
	LEAQ(Mem{Base: src, Index: ld, Scale: 2}, src)
	ADDQ(U8(4*w), dst)
	DECQ(k)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// dotProbe generates
//
//	func dpbf16psAVX512(acc *float32, a, b *uint32, n int)
//
// which runs VDPBF16PS on n groups of 16 lanes: acc[i] += a[i].hi*b[i].hi,
// then += a[i].lo*b[i].lo, as the instruction rounds. The tests compare it
// with the Go model bit for bit.
func dotProbe() {
	name := "dpbf16psAVX512"
	TEXT(name, NOSPLIT, "func(acc *float32, a, b *uint32, n int)")
	Pragma("noescape")
	Doc(name + " runs VDPBF16PS on n groups of 16 lanes: acc[i] += a[i].hi*b[i].hi + a[i].lo*b[i].lo as the instruction rounds.")
	acc := Load(Param("acc"), RDI)
	a := Load(Param("a"), RSI)
	b := Load(Param("b"), RDX)
	n := Load(Param("n"), RCX)
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	VMOVUPS(Mem{Base: acc}, Z0)
	VMOVUPS(Mem{Base: a}, Z1)
	VMOVUPS(Mem{Base: b}, Z2)
	VDPBF16PS(Z0, Z1, Z2)
	VMOVUPS(Z0, Mem{Base: acc})
	for _, r := range []Register{acc, a, b} {
		ADDQ(U8(64), r)
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

var constBase Mem

// emitConstants writes the read-only symbol bf16const: the VPERMW index
// that interleaves words 0..15 with 16..31 (word 2j = j, 2j+1 = 16+j).
func emitConstants() {
	constBase = GLOBL("bf16const", RODATA|NOPTR)
	for j := 0; j < 16; j++ {
		DATA(4*j, U32(uint32(j)|uint32(16+j)<<16))
	}
}

// constant returns the memory operand of the named 64-byte constant.
func constant(name string) Mem {
	if name != "interleave" {
		panic(fmt.Sprintf("constant %q not defined", name))
	}
	return constBase
}
