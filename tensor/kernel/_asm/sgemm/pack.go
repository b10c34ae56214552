package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// packCopyAVX512 generates
//
//	func packCopy<W>AVX512(dst, src *float32, ld, kc int)
//
// which packs a panel whose steps are contiguous in the source:
// dst[p*W+r] = src[p*ld+r] for p < kc, r < W (W = 12 or 32).
func packCopyAVX512(w int) {
	name := fmt.Sprintf("packCopy%dAVX512", w)
	TEXT(name, NOSPLIT, "func(dst, src *float32, ld, kc int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[p*%d+r] = src[p*ld+r] for p < kc, r < %d.", name, w, w))
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	kc := Load(Param("kc"), RCX)
	SHLQ(U8(2), ld)
	MOVL(U32(1<<(w%16)-1), EAX)
	KMOVW(EAX, K1) // lanes of a partial last vector
	TESTQ(kc, kc)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for v := 0; v*16 < w; v++ {
		m, d := Mem{Base: src, Disp: 64 * v}, Mem{Base: dst, Disp: 64 * v}
		if w-v*16 >= 16 {
			VMOVUPS(m, zmm(v))
			VMOVUPS(zmm(v), d)
		} else {
			VMOVUPS_Z(m, K1, zmm(v))
			VMOVUPS(zmm(v), K1, d) // merge-masked store
		}
	}
	ADDQ(ld, src)
	ADDQ(U8(4*w), dst)
	DECQ(kc)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packTransposeAVX512 generates
//
//	func packTranspose<W>AVX512(dst, src *float32, ld, kc int)
//
// which packs a panel whose rows are contiguous in the source:
// dst[p*W+r] = src[r*ld+p] for p < kc (a multiple of 16), r < W (W = 12 or
// 32), by 16×16 register transposes.
func packTransposeAVX512(w int) {
	name := fmt.Sprintf("packTranspose%dAVX512", w)
	TEXT(name, NOSPLIT, "func(dst, src *float32, ld, kc int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[p*%d+r] = src[r*ld+p] for p < kc, r < %d; kc must be a multiple of 16.", name, w, w))
	dst := Load(Param("dst"), RDI)
	Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	kc := Load(Param("kc"), RCX)
	SHLQ(U8(2), ld) // bytes between source rows
	ld3 := R8
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	MOVL(U32(0xfff), EAX)
	KMOVW(EAX, K1) // 12 lanes
	SHRQ(U8(4), kc)
	JZ(LabelRef(name + "_done"))

	// rowBase[g] points at source row 4g of the current 16-column chunk.
	rowBase := []Register{RSI, R9, R10, R11, R12, R13, RAX, RBX}
	ngroups := (w + 3) / 4
	for g := 1; g < ngroups; g++ {
		LEAQ(Mem{Base: rowBase[g-1], Index: ld, Scale: 4}, rowBase[g])
	}

	Label(name + "_loop")
	for h := 0; h*16 < w; h++ {
		rows := min(16, w-16*h)
		in := make([]VecPhysical, 16)
		for r := range in {
			in[r] = zmm(r)
		}
		for r := 0; r < 16; r++ {
			if r >= rows {
				VPXORD(in[r], in[r], in[r])
				continue
			}
			base := rowBase[(16*h+r)/4]
			var m Mem
			switch r % 4 {
			case 0:
				m = Mem{Base: base}
			case 1:
				m = Mem{Base: base, Index: ld, Scale: 1}
			case 2:
				m = Mem{Base: base, Index: ld, Scale: 2}
			case 3:
				m = Mem{Base: base, Index: ld3, Scale: 1}
			}
			VMOVUPS(m, in[r])
		}
		out := transpose16x16(in)
		for j := 0; j < 16; j++ {
			d := Mem{Base: dst, Disp: 4 * (j*w + 16*h)}
			if rows == 16 {
				VMOVUPS(out[j], d)
			} else {
				VMOVUPS(out[j], K1, d) // merge-masked store
			}
		}
	}
	for g := 0; g < ngroups; g++ {
		ADDQ(U8(64), rowBase[g])
	}
	ADDQ(U32(4*16*w), dst)
	DECQ(kc)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// transpose16x16 transposes the 16×16 matrix held in rows in[0..15] (one
// row of 16 floats per register) using Z16..Z31 as scratch, and returns the
// registers holding its columns: out[j][i] = in[i][j]. It unpacks pairs of
// rows, shuffles 4×4 blocks within 128-bit lanes, then moves lanes across
// registers in two VSHUFF32X4 stages.
func transpose16x16(in []VecPhysical) []VecPhysical {
	t := func(i int) VecPhysical { return zmm(16 + i) }
	// Stage 1, per 128-bit lane l: t[2i] = (r2i[4l], r2i+1[4l], r2i[4l+1], r2i+1[4l+1]),
	// t[2i+1] the same for elements 4l+2, 4l+3.
	for i := 0; i < 8; i++ {
		VUNPCKLPS(in[2*i+1], in[2*i], t(2*i))
		VUNPCKHPS(in[2*i+1], in[2*i], t(2*i+1))
	}
	// Stage 2: u[4g+c] holds column 4l+c of rows 4g..4g+3 in lane l.
	u := in
	for g := 0; g < 4; g++ {
		VSHUFPS(U8(0x44), t(4*g+2), t(4*g), u[4*g+0])
		VSHUFPS(U8(0xEE), t(4*g+2), t(4*g), u[4*g+1])
		VSHUFPS(U8(0x44), t(4*g+3), t(4*g+1), u[4*g+2])
		VSHUFPS(U8(0xEE), t(4*g+3), t(4*g+1), u[4*g+3])
	}
	// Stage 3: v[4c+0] = (u[c].0, u[c].2, u[4+c].0, u[4+c].2) and so on.
	for c := 0; c < 4; c++ {
		VSHUFF32X4(U8(0x88), u[4+c], u[c], t(4*c+0))
		VSHUFF32X4(U8(0xDD), u[4+c], u[c], t(4*c+1))
		VSHUFF32X4(U8(0x88), u[12+c], u[8+c], t(4*c+2))
		VSHUFF32X4(U8(0xDD), u[12+c], u[8+c], t(4*c+3))
	}
	// Stage 4: column 4l+c = (u[c].l, u[4+c].l, u[8+c].l, u[12+c].l).
	out := make([]VecPhysical, 16)
	for c := 0; c < 4; c++ {
		out[c], out[8+c], out[4+c], out[12+c] = in[c], in[8+c], in[4+c], in[12+c]
		VSHUFF32X4(U8(0x88), t(4*c+2), t(4*c+0), out[c])
		VSHUFF32X4(U8(0xDD), t(4*c+2), t(4*c+0), out[8+c])
		VSHUFF32X4(U8(0x88), t(4*c+3), t(4*c+1), out[4+c])
		VSHUFF32X4(U8(0xDD), t(4*c+3), t(4*c+1), out[12+c])
	}
	return out
}

// packCopyAVX2 generates
//
//	func packCopy<W>AVX2(dst, src *float32, ld, kc int)
//
// with the behaviour of packCopyAVX512, for W = 6 or 16: ymm moves of 8
// values, then 4 (xmm) and 2 (one quadword).
func packCopyAVX2(w int) {
	name := fmt.Sprintf("packCopy%dAVX2", w)
	TEXT(name, NOSPLIT, "func(dst, src *float32, ld, kc int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[p*%d+r] = src[p*ld+r] for p < kc, r < %d.", name, w, w))
	dst := Load(Param("dst"), RDI)
	src := Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	kc := Load(Param("kc"), RCX)
	SHLQ(U8(2), ld)
	TESTQ(kc, kc)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for off := 0; off < w; {
		m, d := Mem{Base: src, Disp: 4 * off}, Mem{Base: dst, Disp: 4 * off}
		switch {
		case w-off >= 8:
			VMOVUPS(m, Y0)
			VMOVUPS(Y0, d)
			off += 8
		case w-off >= 4:
			VMOVUPS(m, X0)
			VMOVUPS(X0, d)
			off += 4
		default:
			MOVQ(m, RAX)
			MOVQ(RAX, d)
			off += 2
		}
	}
	ADDQ(ld, src)
	ADDQ(U8(4*w), dst)
	DECQ(kc)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packTransposeAVX2 generates
//
//	func packTranspose<W>AVX2(dst, src *float32, ld, kc int)
//
// with the behaviour of packTransposeAVX512 for W = 6 or 16 and kc a
// multiple of 8, by 8×8 register transposes.
func packTransposeAVX2(w int) {
	name := fmt.Sprintf("packTranspose%dAVX2", w)
	TEXT(name, NOSPLIT, "func(dst, src *float32, ld, kc int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs dst[p*%d+r] = src[r*ld+p] for p < kc, r < %d; kc must be a multiple of 8.", name, w, w))
	dst := Load(Param("dst"), RDI)
	Load(Param("src"), RSI)
	ld := Load(Param("ld"), RDX)
	kc := Load(Param("kc"), RCX)
	SHLQ(U8(2), ld)
	ld3 := R8
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	SHRQ(U8(3), kc)
	JZ(LabelRef(name + "_done"))
	rowBase := []Register{RSI, R9, R10, R11}
	ngroups := (w + 3) / 4
	for g := 1; g < ngroups; g++ {
		LEAQ(Mem{Base: rowBase[g-1], Index: ld, Scale: 4}, rowBase[g])
	}
	Label(name + "_loop")
	for h := 0; h*8 < w; h++ {
		rows := min(8, w-8*h)
		in := make([]VecPhysical, 8)
		for r := range in {
			in[r] = ymm(r)
			if r >= rows {
				VXORPS(in[r], in[r], in[r])
				continue
			}
			base := rowBase[(8*h+r)/4]
			m := []Mem{{Base: base}, {Base: base, Index: ld, Scale: 1}, {Base: base, Index: ld, Scale: 2}, {Base: base, Index: ld3, Scale: 1}}[r%4]
			VMOVUPS(m, in[r])
		}
		out := transpose8x8(in)
		for j := 0; j < 8; j++ {
			d := Mem{Base: dst, Disp: 4 * (j*w + 8*h)}
			if rows == 8 {
				VMOVUPS(out[j], d)
				continue
			}
			// 6 rows: 4 values from the low half, 2 from the high half.
			VMOVUPS(out[j].AsX(), d)
			VEXTRACTF128(U8(1), out[j], X0) // Y0..Y7 are free after the transpose
			MOVQ(X0, d.Offset(16))
		}
	}
	for g := 0; g < ngroups; g++ {
		ADDQ(U8(32), rowBase[g])
	}
	ADDQ(U32(4*8*w), dst)
	DECQ(kc)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// transpose8x8 transposes the 8×8 matrix in rows in[0..7] (ymm) using
// Y8..Y15 as scratch and returns the registers holding its columns.
func transpose8x8(in []VecPhysical) []VecPhysical {
	t := func(i int) VecPhysical { return ymm(8 + i) }
	for i := 0; i < 4; i++ { // t[2i], t[2i+1]: rows 2i, 2i+1 interleaved
		VUNPCKLPS(in[2*i+1], in[2*i], t(2*i))
		VUNPCKHPS(in[2*i+1], in[2*i], t(2*i+1))
	}
	u := in // u[4g+c]: column 4l+c of rows 4g..4g+3 in 128-bit lane l
	for g := 0; g < 2; g++ {
		VSHUFPS(U8(0x44), t(4*g+2), t(4*g), u[4*g+0])
		VSHUFPS(U8(0xEE), t(4*g+2), t(4*g), u[4*g+1])
		VSHUFPS(U8(0x44), t(4*g+3), t(4*g+1), u[4*g+2])
		VSHUFPS(U8(0xEE), t(4*g+3), t(4*g+1), u[4*g+3])
	}
	out := make([]VecPhysical, 8)
	for c := 0; c < 4; c++ {
		out[c], out[4+c] = t(c), t(4+c)
		VPERM2F128(U8(0x20), u[4+c], u[c], out[c])   // column c: low lanes
		VPERM2F128(U8(0x31), u[4+c], u[c], out[4+c]) // column 4+c: high lanes
	}
	return out
}
