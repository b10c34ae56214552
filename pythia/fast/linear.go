package fast

import (
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// linearForward computes out (n, oc) = in (n, ic) w^T + b for w (oc, ic)
// and b (oc) or nil: the product added to the bias (in w's precision, see
// mulW). With float32 weights kernel.SgemmBias adds the bias where the
// microkernel would add C; otherwise the bias is written first and the
// product added to it, which rounds the same.
func linearForward(out, in []float32, w weightMat, b []float32, n, ic, oc int) {
	if b != nil && w.f32 != nil {
		kernel.SgemmBias(false, true, n, oc, ic, 1, in, ic, w.f32, ic, b, out, oc)
		return
	}
	beta := float32(0)
	if b != nil {
		fillRows(out, b, n)
		beta = 1
	}
	mulW(false, true, n, oc, ic, 1, in, ic, w, ic, beta, out, oc)
}

// linearBackward adds the gradients of linearForward for dout (n, oc):
//
//	din (n, ic) = dout w
//	dw  (oc, ic) += dout^T in
//	db  (oc)     += Σ_rows dout   (db nil: no bias)
//
// din is assigned, not accumulated. A frozen dw (see param) skips both
// parameter gradients: its bias is then frozen too. ones holds at least n ones: the bias
// gradient is the product ones^T dout. The products with w and the dw
// product are in w's precision (bfloat16 bits: BF16, see mulW and mul); the
// bias gradient is summed in float32.
func linearBackward(din []float32, dw, db *param, dout, in []float32, w weightMat, ones []float32, n, ic, oc int) {
	mulW(false, false, n, ic, oc, 1, dout, oc, w, ic, 0, din, ic)
	if dw.frozen { // a frozen layer (its bias too) only passes the gradient on
		return
	}
	mul(w.bf16 != nil, true, false, oc, ic, n, 1, dout, oc, in, ic, dw.beta(), dw.g, ic)
	if db != nil {
		kernel.Sgemm(false, false, 1, oc, n, 1, ones, n, dout, oc, db.beta(), db.g, oc)
	}
}

// fillRows sets each of the n rows of dst to row.
func fillRows(dst, row []float32, n int) {
	c := len(row)
	parallel.For(n, rowGrain(c), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			copy(dst[i*c:(i+1)*c], row)
		}
	})
}

// residualStart sets y = x + b1 + b2 row by row for x, y (n, c) and biases
// b1, b2 (c) or nil: the start of a residual sum whose matrix products are
// then added into y.
func residualStart(y, x, b1, b2 []float32, n, c int) {
	parallel.For(n, rowGrain(c), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yr, xr := y[i*c:(i+1)*c], x[i*c:(i+1)*c]
			copy(yr, xr)
			if b1 != nil {
				kernel.Axpy(1, b1, yr)
			}
			if b2 != nil {
				kernel.Axpy(1, b2, yr)
			}
		}
	})
}
