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
//
// With fma set it generates gemmBF16Kernel<MR>x<NR>FMA instead, the same
// product on panels of widened values: 2k float32 steps per panel, step
// 2p holding the high elements (A[i,2p+1], B[2p+1,j]) and step 2p+1 the
// low ones, summed by VFMADD231PS with MXCSR's FTZ and DAZ set. That is
// VDPBF16PS's arithmetic step for step (odd term first, each fused step
// rounded to nearest even, tiny results flushed after rounding, as
// TestFMAFTZMatchesDotBF16 checks), at the FMA unit's rate, for CPUs
// whose VDPBF16PS is slower than two FMAs.
func microkernel(mr, nv, unroll int, fma bool) {
	nr := 16 * nv
	name := fmt.Sprintf("gemmBF16Kernel%dx%dAVX512", mr, nr)
	if fma {
		name = fmt.Sprintf("gemmBF16Kernel%dx%dFMA", mr, nr)
	}
	TEXT(name, NOSPLIT, "func(k int, a, b *uint32, c *float32, ldc int, alpha, beta float32)")
	Pragma("noescape")
	if fma {
		Doc(fmt.Sprintf("%s computes the %dx%d tile C = alpha*A*B + beta*C from packed panels of 2k widened bfloat16 steps of A (2k×%d, odd element of each pair first) and B (2k×%d), with FMAs under FTZ and DAZ.", name, mr, nr, mr, nr))
	} else {
		Doc(fmt.Sprintf("%s computes the %dx%d tile C = alpha*A*B + beta*C from packed panels of k bfloat16 pairs of A (k×%d) and B (k×%d).", name, mr, nr, mr, nr))
	}
	var oldMXCSR, tmpMXCSR Mem
	if fma {
		oldMXCSR, tmpMXCSR = AllocLocal(4), AllocLocal(4)
	}
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
	if fma {
		SHLQ(U8(1), k) // float32 steps
		ftzMXCSR(oldMXCSR, tmpMXCSR)
	}

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
			if fma {
				VBROADCASTSS(Mem{Base: a, Disp: 4 * (u*mr + i)}, t)
			} else {
				VPBROADCASTD(Mem{Base: a, Disp: 4 * (u*mr + i)}, t)
			}
			for v := 0; v < nv; v++ {
				if fma {
					VFMADD231PS(t, bv(v), acc(i, v))
				} else {
					VDPBF16PS(acc(i, v), bv(v), t)
				}
			}
		}
	}

	Comment(fmt.Sprintf("k loop unrolled %d times.", unroll))
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
	if fma {
		restoreMXCSR(oldMXCSR) // the epilogue rounds as IEEE does, subnormals kept
	}
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
//	func <name>(dst *<type>, src *float32, n int)
//
// which rounds 32n float32 values to bfloat16 in order: as words,
// dst[i] = bf16(src[2i]) | bf16(src[2i+1])<<16 for i < 16n (dst *uint32),
// or dst[i] = bf16(src[i]) for i < 32n (dst *uint16).
func convertRows(name, dstType string) {
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst *%s, src *float32, n int)", dstType))
	Pragma("noescape")
	Doc(name + " rounds 32n float32 values to bfloat16 in order (VCVTNE2PS2BF16): dst holds bf16(src[0]), bf16(src[1]), ... as 16-bit values.")
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
//	func packPairsCopy<Suffix><W>AVX512(dst *uint32, src *<type>, ld, k int)
//
// which packs a panel whose steps are contiguous in the source as pairs of
// bfloat16: dst[p*W+r] = bf16(src[2p*ld+r]) | bf16(src[(2p+1)*ld+r])<<16
// for p < k, r < W (W = 12 or 32). Float32 sources: two lines of 16 values
// become one VCVTNE2PS2BF16 result (line 2p in words 0..15, line 2p+1 in
// 16..31), which VPERMW interleaves. Stored bfloat16 sources: both lines
// are zero-extended to words and the odd one shifted into the high halves.
func packPairsCopy(s widenSource, w int) {
	name := fmt.Sprintf("packPairsCopy%s%dAVX512", s.suffix, w)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst *uint32, src *%s, ld, k int)", s.goType))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[p*%d+r] = bf16(src[2p*ld+r]) | bf16(src[(2p+1)*ld+r])<<16 for p < k, r < %d.", name, w, w))
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	k := Load(Param("k"), RCX)
	SHLQ(U8(map[int]uint8{2: 1, 4: 2}[s.size]), ld) // bytes between source lines
	MOVL(U32(1<<(w%16)-1), EAX)
	KMOVW(EAX, K1) // lanes of a partial last vector
	if s.size == 4 {
		VMOVDQU32(constant("interleave"), Z31)
	}
	TESTQ(k, k)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for v := 0; v*16 < w; v++ {
		lo, hi := Mem{Base: src, Disp: 16 * s.size * v}, Mem{Base: src, Index: ld, Scale: 1, Disp: 16 * s.size * v}
		d := Mem{Base: dst, Disp: 64 * v}
		full := w-v*16 >= 16
		switch {
		case s.size == 2 && full:
			VPMOVZXWD(lo, Z0)
			VPMOVZXWD(hi, Z1)
		case s.size == 2:
			VPMOVZXWD_Z(lo, K1, Z0)
			VPMOVZXWD_Z(hi, K1, Z1)
		case full:
			VMOVUPS(lo, Z0)
			VMOVUPS(hi, Z1)
		default:
			VMOVUPS_Z(lo, K1, Z0)
			VMOVUPS_Z(hi, K1, Z1)
		}
		if s.size == 2 {
			VPSLLD(U8(16), Z1, Z1)
			VPORD(Z1, Z0, Z3)
		} else {
			VCVTNE2PS2BF16(Z2, Z1, Z0)
			VPERMW(Z2, Z31, Z3)
		}
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

// dotPeak generates func dpbf16PeakAVX512(n int), which runs n iterations
// of 2*nacc independent VDPBF16PS (64 flops each), for measuring their
// throughput on one core next to fmaPeakAVX512.
func dotPeak(nacc int) {
	name := "dpbf16PeakAVX512"
	TEXT(name, NOSPLIT, "func(n int)")
	Doc(fmt.Sprintf("%s runs n iterations of %d independent VDPBF16PS on zmm (%d flops each).", name, 2*nacc, 2*nacc*64))
	n := Load(Param("n"), RCX)
	for i := 0; i < nacc+2; i++ {
		VPXORD(zmm(i), zmm(i), zmm(i))
	}
	Label(name + "_loop")
	for r := 0; r < 2; r++ {
		for i := 0; i < nacc; i++ {
			VDPBF16PS(zmm(i), zmm(nacc), zmm(nacc+1))
		}
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	VZEROUPPER()
	RET()
}

// ftzMXCSR sets the flush-to-zero (bit 15) and denormals-are-zero (bit 6)
// bits of MXCSR, saving the old value in the 4-byte local slot old and
// using slot tmp and R10; restoreMXCSR puts the old value back. The
// kernels are assembly, which Go never preempts asynchronously, so no
// other goroutine runs on this thread while MXCSR is changed.
func ftzMXCSR(old, tmp Mem) {
	STMXCSR(old)
	MOVL(old, R10L)
	ORL(U32(1<<15|1<<6), R10L)
	MOVL(R10L, tmp)
	LDMXCSR(tmp)
}

func restoreMXCSR(old Mem) { LDMXCSR(old) }

// fmaFTZProbe generates
//
//	func fmaFTZProbeAVX512(acc, x, y *float32, n int)
//
// which runs acc[i] = fma(x[i], y[i], acc[i]) (VFMADD231PS) on n groups of
// 16 lanes with MXCSR's FTZ and DAZ set, for comparing the FMA unit's
// flushing with VDPBF16PS's.
func fmaFTZProbe() {
	name := "fmaFTZProbeAVX512"
	TEXT(name, NOSPLIT, "func(acc, x, y *float32, n int)")
	Pragma("noescape")
	Doc(name + " sets acc[i] = fma(x[i], y[i], acc[i]) for i < 16n with MXCSR's FTZ and DAZ set.")
	old, tmp := AllocLocal(4), AllocLocal(4)
	acc := Load(Param("acc"), RDI)
	x := Load(Param("x"), RSI)
	y := Load(Param("y"), RDX)
	n := Load(Param("n"), RCX)
	ftzMXCSR(old, tmp)
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	VMOVUPS(Mem{Base: acc}, Z0)
	VMOVUPS(Mem{Base: x}, Z1)
	VFMADD231PS(Mem{Base: y}, Z1, Z0)
	VMOVUPS(Z0, Mem{Base: acc})
	for _, r := range []Register{acc, x, y} {
		ADDQ(U8(64), r)
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	restoreMXCSR(old)
	VZEROUPPER()
	RET()
}

// vendor generates func cpuVendor() (ebx, edx, ecx uint32): CPUID leaf 0,
// whose registers spell the vendor ("AuthenticAMD", "GenuineIntel").
func vendor() {
	TEXT("cpuVendor", NOSPLIT, "func() (ebx, edx, ecx uint32)")
	Doc("cpuVendor returns EBX, EDX and ECX of CPUID leaf 0: the vendor string.")
	XORL(EAX, EAX)
	XORL(ECX, ECX)
	CPUID()
	Store(EBX, ReturnIndex(0))
	Store(EDX, ReturnIndex(1))
	Store(ECX, ReturnIndex(2))
	RET()
}

// widenSource is how the wide packers read and widen 16 source values into
// a zmm register of float32 bit patterns: float32 values are rounded by
// VCVTNE2PS2BF16 then widened, stored bfloat16 values (uint16) widened.
type widenSource struct {
	suffix string // "" or "Stored"
	goType string // the source's element type
	size   int    // bytes per source value
}

var fromFloat32 = widenSource{"", "float32", 4}
var fromStored = widenSource{"Stored", "uint16", 2}

// load widens the 16 values at m (the lanes of mask only, when not nil)
// into dst, using Z1 as scratch.
func (s widenSource) load(m Mem, mask Op, dst VecPhysical) {
	if s.size == 2 {
		if mask != nil {
			VPMOVZXWD_Z(m, mask, dst)
		} else {
			VPMOVZXWD(m, dst)
		}
	} else {
		if mask != nil {
			VMOVUPS_Z(m, mask, dst)
		} else {
			VMOVUPS(m, dst)
		}
		VCVTNE2PS2BF16(Z1, dst, dst)
		VPMOVZXWD(Z1.AsY(), dst)
	}
	VPSLLD(U8(16), dst, dst)
}

// packWideCopy generates
//
//	func packWideCopy<Suffix><W>AVX512(dst *uint32, src *<type>, ld, k int)
//
// which packs a panel whose steps are contiguous in the source as widened
// bfloat16 (the float32 bits of the value rounded to bfloat16) with each
// pair's odd step first: dst[2p*W+r] = wide(src[(2p+1)*ld+r]),
// dst[(2p+1)*W+r] = wide(src[2p*ld+r]) for p < k, r < W (12 or 32).
func packWideCopy(s widenSource, w int) {
	name := fmt.Sprintf("packWideCopy%s%dAVX512", s.suffix, w)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst *uint32, src *%s, ld, k int)", s.goType))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[2p*%d+r] = wide(src[(2p+1)*ld+r]), dst[(2p+1)*%d+r] = wide(src[2p*ld+r]) for p < k, r < %d, wide(x) the float32 bits of x as a bfloat16.", name, w, w, w))
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	k := Load(Param("k"), RCX)
	SHLQ(U8(map[int]uint8{2: 1, 4: 2}[s.size]), ld) // bytes between source lines
	MOVL(U32(1<<(w%16)-1), EAX)
	KMOVW(EAX, K1) // lanes of a partial last vector
	TESTQ(k, k)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for half := 0; half < 2; half++ { // step 2p from line 2p+1, step 2p+1 from line 2p
		for v := 0; v*16 < w; v++ {
			line := Mem{Base: src, Index: ld, Scale: 1, Disp: 16 * s.size * v}
			if half == 1 {
				line = Mem{Base: src, Disp: 16 * s.size * v}
			}
			d := Mem{Base: dst, Disp: 4*half*w + 64*v}
			if w-v*16 >= 16 {
				s.load(line, nil, Z0)
				VMOVUPS(Z0, d)
			} else {
				s.load(line, K1, Z0)
				VMOVUPS(Z0, K1, d) // merge-masked store
			}
		}
	}
	LEAQ(Mem{Base: src, Index: ld, Scale: 2}, src)
	ADDQ(U32(8*w), dst)
	DECQ(k)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// widenRows generates
//
//	func widenRows<Suffix>AVX512(dst *uint32, src *<type>, n int)
//
// which widens 16n source values as bfloat16, each pair's odd element
// first: dst[2q] = wide(src[2q+1]), dst[2q+1] = wide(src[2q]) for q < 8n.
func widenRows(s widenSource) {
	name := fmt.Sprintf("widenRows%sAVX512", s.suffix)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst *uint32, src *%s, n int)", s.goType))
	Pragma("noescape")
	Doc(name + " sets dst[2q] = wide(src[2q+1]), dst[2q+1] = wide(src[2q]) for q < 8n, wide(x) the float32 bits of x as a bfloat16.")
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	n := Load(Param("n"), RCX)
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	s.load(Mem{Base: src}, nil, Z0)
	VPSHUFD(U8(0xb1), Z0, Z0) // swap the elements of each pair
	VMOVUPS(Z0, Mem{Base: dst})
	ADDQ(U8(16*s.size), src)
	ADDQ(U8(64), dst)
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
