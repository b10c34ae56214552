package kernel

// A GEMM operand seen by the packer: element (x, p) of the operand, where x
// runs along the panel direction (rows i of op(A), columns j of op(B)) and p
// along the shared dimension k, lives at data[x*sx + p*sp]. For a row-major
// A (m×k) sx = lda, sp = 1; for A stored transposed (k×m) sx = 1, sp = lda;
// for B (k×n) sx = 1, sp = ldb; for B stored transposed (n×k) sx = ldb,
// sp = 1. So packing A and B is one operation, and it is either a copy
// (sx == 1: each step p reads w contiguous values) or a transpose (sp == 1:
// each x reads kc contiguous values).
type operand[T float32 | float64] struct {
	data   []T
	sx, sp int
}

// at returns the operand shifted so that element (x0, p0) is its origin.
func (o operand[T]) at(x0, p0 int) operand[T] {
	return operand[T]{o.data[x0*o.sx+p0*o.sp:], o.sx, o.sp}
}

// packPanels packs elements x in [0, nx), p in [0, kc) of src into
// ceil(nx/w) panels of w×kc values: panel q holds dst[q*w*kc + p*w + r] =
// src(q*w + r, p), with rows r >= nx - q*w zero-filled. fast, if not nil,
// is tried first on each full panel.
func packPanels[T float32 | float64](dst []T, src operand[T], nx, kc, w int, fast func(dst, src []T, ld, kc, w int, transposed bool) bool) {
	for q := 0; q*w < nx; q++ {
		panel := dst[q*w*kc : (q+1)*w*kc]
		rows := min(w, nx-q*w)
		s := src.at(q*w, 0)
		if rows == w && fast != nil {
			if src.sp == 1 && fast(panel, s.data, s.sx, kc, w, true) {
				continue
			}
			if src.sp != 1 && src.sx == 1 && fast(panel, s.data, s.sp, kc, w, false) {
				continue
			}
		}
		packPanelGo(panel, s, rows, kc, w)
	}
}

// packPanelGo packs one panel of rows <= w valid rows (see packPanels).
// A partial panel is cleared once up front rather than per step p: the
// attention products of small models (sequences of a few dozen tokens,
// heads of 8 to 32) make every panel partial, and there per-step clears
// and copies of a few values cost more than the values.
func packPanelGo[T float32 | float64](panel []T, src operand[T], rows, kc, w int) {
	panel = panel[:kc*w]
	if rows < w {
		clear(panel)
	}
	switch {
	case src.sp == 1: // transpose: x-row r is contiguous along p
		packTransposeGo(panel, src.data, src.sx, rows, kc, w)
	case src.sx == 1: // copy: step p holds rows contiguous values
		for p := 0; p < kc; p++ {
			copy(panel[p*w:p*w+rows], src.data[p*src.sp:p*src.sp+rows])
		}
	default:
		for p := 0; p < kc; p++ {
			for r := 0; r < rows; r++ {
				panel[p*w+r] = src.data[r*src.sx+p*src.sp]
			}
		}
	}
}

// packTransposeGo sets panel[p*w+r] = src[r*ld+p] for r < rows, p < kc:
// four source rows at a time, so that each step p stores four values
// after one bounds check.
func packTransposeGo[T float32 | float64](panel, src []T, ld, rows, kc, w int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		l0 := src[r*ld : r*ld+kc]
		l1 := src[(r+1)*ld : (r+1)*ld+kc]
		l2 := src[(r+2)*ld : (r+2)*ld+kc]
		l3 := src[(r+3)*ld : (r+3)*ld+kc]
		for p := range l0 {
			o := panel[p*w+r : p*w+r+4 : p*w+r+4]
			o[0], o[1], o[2], o[3] = l0[p], l1[p], l2[p], l3[p]
		}
	}
	for ; r < rows; r++ {
		line := src[r*ld : r*ld+kc]
		for p, v := range line {
			panel[p*w+r] = v
		}
	}
}
