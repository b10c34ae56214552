package kernel

// bf16Operand is a GEMM operand for the bfloat16 packers: float32 values
// (f32, rounded by roundBF16 as they are packed) or bfloat16 bit patterns
// (b16); exactly one is set. Element (x, p) lives at index x*sx + p*sp, as
// in operand.
type bf16Operand struct {
	f32    []float32
	b16    []uint16
	sx, sp int
}

// bf16Operands returns op(A) (m×k) and op(B) (k×n) as packer operands from
// either float32 (fa, fb) or bfloat16 (ha, hb) slices.
func bf16Operands(transA, transB bool, fa []float32, ha []uint16, lda int, fb []float32, hb []uint16, ldb int) (opA, opB bf16Operand) {
	opA = bf16Operand{fa, ha, lda, 1}
	if transA {
		opA.sx, opA.sp = 1, lda
	}
	opB = bf16Operand{fb, hb, 1, ldb}
	if transB {
		opB.sx, opB.sp = ldb, 1
	}
	return opA, opB
}

// at returns the operand shifted so that element (x0, p0) is its origin.
func (o bf16Operand) at(x0, p0 int) bf16Operand {
	off := x0*o.sx + p0*o.sp
	if o.f32 != nil {
		o.f32 = o.f32[off:]
	} else {
		o.b16 = o.b16[off:]
	}
	return o
}

// elem returns element (x, p) as a bfloat16, a subnormal as zero of its
// sign (the products read it so; the portable kernel relies on panels
// without subnormals).
func (o bf16Operand) elem(x, p int) uint16 {
	if o.f32 != nil {
		return roundBF16(o.f32[x*o.sx+p*o.sp])
	}
	h := o.b16[x*o.sx+p*o.sp]
	if h&0x7f80 == 0 {
		h &= 0x8000
	}
	return h
}

// pairs returns the number of bfloat16 pairs that hold kc values.
func pairs(kc int) int { return (kc + 1) / 2 }

// packPairs packs elements x in [0, nx), p in [0, kc) of src into
// ceil(nx/w) panels of w×pairs(kc) words: panel q holds
// dst[q*w*kc2 + p*w + r] = bf16(src(q*w+r, 2p)) | bf16(src(q*w+r, 2p+1))<<16,
// with the missing high half of an odd kc and rows r >= nx - q*w zero.
// With wide set, each panel holds 2·pairs(kc) steps of w float32 bit
// patterns instead: dst[q*w*2kc2 + 2p*w + r] = bf16(src(q*w+r, 2p+1))<<16
// and dst[q*w*2kc2 + (2p+1)*w + r] = bf16(src(q*w+r, 2p))<<16, the odd
// element of each pair first, as VDPBF16PS sums them.
// fast, if not nil, is tried first on each full panel (tmp is its scratch).
func packPairs(dst []uint32, src bf16Operand, nx, kc, w int, wide bool, fast bf16Packer, tmp []uint32) {
	size := w * pairs(kc)
	if wide {
		size *= 2
	}
	for q := 0; q*w < nx; q++ {
		panel := dst[q*size : (q+1)*size]
		rows := min(w, nx-q*w)
		s := src.at(q*w, 0)
		switch {
		case rows == w && fast != nil && fast(panel, s, kc, w, tmp):
		case wide:
			packWidePanelGo(panel, s, rows, kc, w)
		default:
			packPairPanelGo(panel, s, rows, kc, w)
		}
	}
}

// bf16Packer packs one full panel of width w and depth kc (see packPairs)
// and reports whether it handled this operand.
type bf16Packer func(panel []uint32, src bf16Operand, kc, w int, tmp []uint32) bool

// packPairPanelGo packs one panel of rows <= w valid rows (see packPairs).
func packPairPanelGo(panel []uint32, src bf16Operand, rows, kc, w int) {
	kc2 := pairs(kc)
	for r := 0; r < rows; r++ {
		for p := 0; p < kc/2; p++ {
			panel[p*w+r] = uint32(src.elem(r, 2*p)) | uint32(src.elem(r, 2*p+1))<<16
		}
		if kc%2 == 1 {
			panel[(kc2-1)*w+r] = uint32(src.elem(r, kc-1))
		}
	}
	if rows < w {
		for p := 0; p < kc2; p++ {
			clear(panel[p*w+rows : p*w+w])
		}
	}
}

// packWidePanelGo packs one wide panel of rows <= w valid rows (see
// packPairs).
func packWidePanelGo(panel []uint32, src bf16Operand, rows, kc, w int) {
	kc2 := pairs(kc)
	for r := 0; r < rows; r++ {
		for p := 0; p < kc2; p++ {
			var hi uint16
			if 2*p+1 < kc {
				hi = src.elem(r, 2*p+1)
			}
			panel[2*p*w+r] = uint32(hi) << 16
			panel[(2*p+1)*w+r] = uint32(src.elem(r, 2*p)) << 16
		}
	}
	if rows < w {
		for s := 0; s < 2*kc2; s++ {
			clear(panel[s*w+rows : s*w+w])
		}
	}
}
