// Command sgemm generates the amd64 SGEMM microkernels of package kernel:
// an AVX-512 kernel that updates a 12x32 tile of C and an AVX2+FMA kernel
// that updates a 6x16 tile, plus the FMA-throughput probes used by the
// peak benchmarks.
//
// Run through go generate in tensor/kernel:
//
//	go run -C _asm ./sgemm -out ../sgemm_amd64.s -stubs ../sgemm_stubs_amd64.go -pkg kernel
package main

import (
	"fmt"

	"github.com/daalab/daa/tensor/kernel/_asm/avxutil"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// zmm returns the AVX-512 register Zi; ymm returns Yi.
func zmm(i int) VecPhysical { return avxutil.Zmm(i) }
func ymm(i int) VecPhysical { return avxutil.Ymm(i) }

// isa describes the instructions and register file of one vector extension.
type isa struct {
	name  string // suffix of generated function names
	lanes int    // float32 lanes per vector
	reg   func(int) VecPhysical
	zero  func(r VecPhysical) // set r to +0
}

var avx512 = isa{"AVX512", 16, zmm, func(r VecPhysical) { VPXORD(r, r, r) }}
var avx2 = isa{"AVX2", 8, ymm, func(r VecPhysical) { VXORPS(r, r, r) }}

// microkernel generates
//
//	func sgemmKernel<MR>x<NR><ISA>(k int, a, b, c *float32, ldc int, alpha, beta float32)
//
// which computes the mr×nr tile C = alpha*A*B + beta*C from a packed A
// micro-panel (k steps of mr values: a[p*mr+i] = A[i,p]) and a packed B
// micro-panel (k steps of nr values: b[p*nr+j] = B[p,j]). C is row-major with
// leading dimension ldc elements. beta == 0 (either sign) stores without
// reading C.
//
// Registers: mr*nv accumulators, nv vectors of B, and the rest hold
// broadcast A values (nv = nr/lanes).
//
// With bias it generates instead
//
//	func sgemmKernel<MR>x<NR>Bias<ISA>(k int, a, b, c *float32, ldc int, alpha float32, bias *float32)
//
// which computes C = alpha*A*B + bias (bias: nr values, added to every row)
// with the epilogue of beta == 1, bias in place of C: each value is
// alpha*acc + bias rounded once (FMA), as filling C's rows with bias and
// computing C = alpha*A*B + 1*C gives, without writing and reading C twice.
func microkernel(x isa, mr, nv, unroll int, bias bool) {
	microkernelA(x, mr, nv, unroll, bias, packedA)
}

// aLayout is how a microkernel reads A: a packed panel, or in place from
// A's rows (A[i,p] = a[i*lda+p]) or from its columns (A[i,p] = a[p*lda+i],
// A stored transposed).
type aLayout int

const (
	packedA aLayout = iota
	rowsA
	colsA
)

// microkernelA is microkernel reading A as layout says; unpacked (rowsA,
// mr a multiple of 4; colsA, unroll 4)
//
//	func sgemmKernel<MR>x<NR>{Rows,Cols}[Bias]<ISA>(k int, a *float32, lda int, b, c *float32, ldc int, alpha, beta float32 | bias *float32)
//
// broadcasts the values a packed panel would hold in the same order: the
// same products and sums, bit for bit, without packing A first.
func microkernelA(x isa, mr, nv, unroll int, bias bool, layout aLayout) {
	nr := nv * x.lanes
	kind, aArgs, aDoc := "", "a", fmt.Sprintf("packed panels of A (k×%d values)", mr)
	switch layout {
	case rowsA:
		kind, aArgs, aDoc = "Rows", "a *float32, lda int", fmt.Sprintf("A's %d rows, unpacked (A[i,p] = a[i*lda+p]),", mr)
	case colsA:
		kind, aArgs, aDoc = "Cols", "a *float32, lda int", fmt.Sprintf("A's %d columns, unpacked (A[i,p] = a[p*lda+i]),", mr)
	}
	name := fmt.Sprintf("sgemmKernel%dx%d%s%s", mr, nr, kind, x.name)
	if bias {
		name = fmt.Sprintf("sgemmKernel%dx%d%sBias%s", mr, nr, kind, x.name)
		TEXT(name, NOSPLIT, "func(k int, "+aArgs+", b, c *float32, ldc int, alpha float32, bias *float32)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s computes the %dx%d tile C = alpha*A*B + bias (bias: %d values added to every row) from %s and B (k×%d values), rounding as C = alpha*A*B + 1*C on C filled with bias.", name, mr, nr, nr, aDoc, nr))
	} else {
		TEXT(name, NOSPLIT, "func(k int, "+aArgs+", b, c *float32, ldc int, alpha, beta float32)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s computes the %dx%d tile C = alpha*A*B + beta*C from %s and B (k×%d values).", name, mr, nr, aDoc, nr))
	}
	nacc := mr * nv
	acc := func(i, v int) VecPhysical { return x.reg(i*nv + v) }
	bv := func(v int) VecPhysical { return x.reg(nacc + v) }
	ntmp := 0
	for r := nacc + nv; r < 32 && (x.lanes == 16 || r < 16); r++ {
		ntmp++
	}
	if ntmp < 1 {
		panic("microkernel: no register left for broadcasts")
	}
	tmp := func(i int) VecPhysical { return x.reg(nacc + nv + i%ntmp) }

	k := Load(Param("k"), RCX)
	a := Load(Param("a"), RAX)
	// aAt returns the address of A[i, u] from the current step; advanceA
	// moves A on by steps.
	aAt := func(u, i int) Mem { return Mem{Base: a, Disp: 4 * (u*mr + i)} }
	advanceA := func(steps int) { ADDQ(U32(4*steps*mr), a) }
	// lda and lda3 hold lda and 3·lda in bytes for the unpacked layouts;
	// quarter(base, j, disp) is base + j·lda + disp for j < 4.
	lda, lda3 := R11, R12
	quarter := func(base Register, j, disp int) Mem {
		m := Mem{Base: base, Disp: disp}
		switch j {
		case 1:
			m.Index, m.Scale = lda, 1
		case 2:
			m.Index, m.Scale = lda, 2
		case 3:
			m.Index, m.Scale = lda3, 1
		}
		return m
	}
	if layout != packedA {
		Load(Param("lda"), lda)
		SHLQ(U8(2), lda)
		LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	}
	switch layout {
	case colsA:
		// Step p at a + p·lda bytes; an unrolled group of 4 steps spans
		// offsets 0, lda, 2·lda and 3·lda.
		if unroll != 4 {
			panic("microkernel: colsA needs unroll 4")
		}
		aAt = func(u, i int) Mem { return quarter(a, u, 4*i) }
		advanceA = func(steps int) {
			if steps == 4 {
				LEAQ(Mem{Base: a, Index: lda, Scale: 4}, a)
				return
			}
			ADDQ(lda, a)
		}
	case rowsA:
		// Row i at bases[i/4] + (i%4)·lda bytes.
		bases := []Register{a, R9, R10}[:mr/4]
		for g := 1; g < len(bases); g++ {
			LEAQ(Mem{Base: bases[g-1], Index: lda, Scale: 4}, bases[g])
		}
		aAt = func(u, i int) Mem { return quarter(bases[i/4], i%4, 4*u) }
		advanceA = func(steps int) {
			for _, r := range bases {
				ADDQ(U32(4*steps), r)
			}
		}
	}
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
			x.zero(acc(i, v))
		}
	}

	step := func(u int) {
		for v := 0; v < nv; v++ {
			VMOVUPS(Mem{Base: b, Disp: 4 * (u*nr + v*x.lanes)}, bv(v))
		}
		for i := 0; i < mr; i++ {
			t := tmp(i)
			VBROADCASTSS(aAt(u, i), t)
			for v := 0; v < nv; v++ {
				VFMADD231PS(t, bv(v), acc(i, v))
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
	advanceA(unroll)
	ADDQ(U32(4*unroll*nr), b)
	SUBQ(U8(unroll), k)
	CMPQ(k, U8(unroll))
	JGE(LabelRef(name + "_loop"))

	Label(name + "_tail")
	TESTQ(k, k)
	JZ(LabelRef(name + "_epilogue"))
	step(0)
	advanceA(1)
	ADDQ(U32(4*nr), b)
	DECQ(k)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_epilogue")
	alpha, t := tmp(0), tmp(1)
	VBROADCASTSS(paramAddr("alpha"), alpha)
	if bias {
		Comment("C = alpha*acc + bias")
		MOVQ(paramAddr("bias"), RDX)
		for v := 0; v < nv; v++ {
			VMOVUPS(Mem{Base: RDX, Disp: 4 * v * x.lanes}, bv(v))
		}
		for i := 0; i < mr; i++ {
			for v := 0; v < nv; v++ {
				VMOVAPS(bv(v), t)
				VFMADD231PS(alpha, acc(i, v), t)
				VMOVUPS(t, Mem{Base: c, Disp: 4 * v * x.lanes})
			}
			ADDQ(ldc, c)
		}
		VZEROUPPER()
		RET()
		return
	}
	MOVL(paramAddr("beta"), EDX)
	SHLL(U8(1), EDX) // drop the sign bit: -0 counts as 0
	JZ(LabelRef(name + "_store"))

	Comment("C = alpha*acc + beta*C")
	beta := bv(0)
	VBROADCASTSS(paramAddr("beta"), beta)
	for i := 0; i < mr; i++ {
		for v := 0; v < nv; v++ {
			m := Mem{Base: c, Disp: 4 * v * x.lanes}
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
			VMOVUPS(acc(i, v), Mem{Base: c, Disp: 4 * v * x.lanes})
		}
		ADDQ(ldc, c)
	}
	VZEROUPPER()
	RET()
}

// fmaPeak generates func fmaPeak<ISA>(n int), which runs n iterations of
// 2*nacc independent FMAs, for measuring the FMA throughput of one core.
func fmaPeak(x isa, nacc int) {
	name := "fmaPeak" + x.name
	TEXT(name, NOSPLIT, "func(n int)")
	Doc(fmt.Sprintf("%s runs n iterations of %d independent %d-lane FMAs (%d flops each).", name, 2*nacc, x.lanes, 2*nacc*x.lanes*2))
	n := Load(Param("n"), RCX)
	for i := 0; i < nacc; i++ {
		x.zero(x.reg(i))
	}
	f, g := x.reg(nacc), x.reg(nacc+1)
	x.zero(f)
	x.zero(g)
	Label(name + "_loop")
	for r := 0; r < 2; r++ {
		for i := 0; i < nacc; i++ {
			VFMADD231PS(f, g, x.reg(i))
		}
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	VZEROUPPER()
	RET()
}

func paramAddr(name string) Mem { return avxutil.ParamAddr(name) }

func main() {
	ConstraintExpr("!purego")
	microkernel(avx512, 12, 2, 4, false)
	microkernel(avx2, 6, 2, 4, false)
	microkernel(avx512, 12, 2, 4, true)
	microkernel(avx2, 6, 2, 4, true)
	microkernelA(avx512, 12, 2, 4, false, rowsA)
	microkernelA(avx512, 12, 2, 4, true, rowsA)
	microkernelA(avx512, 12, 2, 4, false, colsA)
	microkernelA(avx512, 12, 2, 4, true, colsA)
	packCopyAVX512(12)
	packCopyAVX512(32)
	packTransposeAVX512(12)
	packTransposeAVX512(32)
	packCopyAVX2(6)
	packCopyAVX2(16)
	packTransposeAVX2(6)
	packTransposeAVX2(16)
	fmaPeak(avx512, 24)
	fmaPeak(avx2, 12)
	Generate()
}
