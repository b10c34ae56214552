package fast

import (
	"fmt"
	"slices"

	"github.com/daalab/daa/tensor/kernel"
)

// This file is the one place that chooses a product's arithmetic (see
// Precision): every product of a linear layer or of the output layer goes
// through mulW (a weight matrix as B) or mul (two activations).

// weightMat is a weight matrix as a product reads it: float32 values
// (Float32 precision, widened if the engine stores bfloat16), or bfloat16
// bits (BF16 precision). Exactly one is set.
type weightMat struct {
	f32  []float32
	bf16 []uint16
}

// weightMat returns the weight matrix p in the engine's precision: the
// float32 matrix of Engine.matrix, or p's bfloat16 bits (see
// precision.bits).
func (e *Engine) weightMat(p *param) weightMat {
	if e.prec.bf16 {
		return weightMat{bf16: e.prec.bits(p)}
	}
	return weightMat{f32: e.matrix(p)}
}

// usePrecision sets the precision of a new engine (Options.Precision). It
// returns an error naming p if p is not Float32 or BF16.
func (e *Engine) usePrecision(p Precision) error {
	if p != Float32 && p != BF16 {
		return fmt.Errorf("fast: unknown precision %v; want Float32 or BF16", p)
	}
	e.SetPrecision(p)
	return nil
}

// mulW computes C (m, n) = alpha op(A) op(W) + beta C as kernel.Sgemm does,
// for A (m, k) (transA: (k, m)) and a weight matrix W (k, n) (transB:
// (n, k)): Sgemm on float32 W, GemmBF16B (A rounded to bfloat16 as it is
// packed, float32 sums) on bfloat16 W. It panics as Sgemm does.
func mulW(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, w weightMat, ldw int, beta float32, c []float32, ldc int) {
	if w.bf16 != nil {
		if traceBF16 != nil {
			defer traceBF16(transA, transB, m, n, k, alpha, a, lda, nil, w.bf16, ldw, beta, slices.Clone(c), c, ldc)
		}
		kernel.GemmBF16B(transA, transB, m, n, k, alpha, a, lda, w.bf16, ldw, beta, c, ldc)
		return
	}
	kernel.Sgemm(transA, transB, m, n, k, alpha, a, lda, w.f32, ldw, beta, c, ldc)
}

// mul computes C (m, n) = alpha op(A) op(B) + beta C for two float32
// operands (a weight gradient: activations times output gradients): with
// bf16, GemmBF16 (both rounded to bfloat16, float32 sums), else Sgemm. It
// panics as Sgemm does.
func mul(bf16, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if bf16 {
		if traceBF16 != nil {
			defer traceBF16(transA, transB, m, n, k, alpha, a, lda, b, nil, ldb, beta, slices.Clone(c), c, ldc)
		}
		kernel.GemmBF16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	kernel.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// traceBF16, when set (by tests), receives every bfloat16 product after it
// ran: its arguments (B as float32 b or as bfloat16 bits), C before and
// C after.
var traceBF16 func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, bBits []uint16, ldb int, beta float32, cBefore, c []float32, ldc int)

// bf16 reports whether the output layer's products are in bfloat16.
func (o *outputLayer) bf16() bool { return o.prec != nil && o.prec.bf16 }

// rowsMat returns rows [v0, v0+vn) of the output matrix w (V, C) in the
// engine's precision: bfloat16 bits, or float32 values (rowsOf: widened
// into o.wide for a bfloat16 engine).
func (o *outputLayer) rowsMat(w *param, v0, vn, c int) weightMat {
	if o.bf16() {
		return weightMat{bf16: o.prec.bits(w)[v0*c : (v0+vn)*c]}
	}
	return weightMat{f32: o.rowsOf(w, v0, vn, c)}
}
