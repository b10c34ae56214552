package kernel

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
)

// SgemmBias computes C = alpha*op(A)*op(B) + bias, adding the row bias
// (n values) to every row of the m×n matrix C, as Sgemm does otherwise
// (op(A) m×k, op(B) k×n, row-major with leading dimensions lda, ldb, ldc).
// Its result is bit for bit that of filling each row of C with bias and
// calling Sgemm with beta = 1 (a linear layer's forward pass), without
// writing C's rows first and reading them back: on one worker the
// microkernel adds bias where it would add C.
//
// SgemmBias panics as Sgemm does, and if len(bias) != n. C must not overlap
// A, B or bias.
func SgemmBias(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	checkGemm("kernel.SgemmBias", transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1)
	if len(bias) != n {
		panic(fmt.Sprintf("kernel.SgemmBias: len(bias) = %d != n = %d", len(bias), n))
	}
	sgemmBiasWith(sgemmBest, transA, transB, m, n, k, alpha, a, lda, b, ldb, bias, c, ldc)
}

// sgemmBiasWith is SgemmBias on a given implementation. The blocked product
// on one goroutine takes the bias in its first k block; every other case
// (no bias kernel, the small-m path, a product split across workers, k or
// alpha 0) fills C's rows and runs Sgemm's path with beta = 1.
func sgemmBiasWith(impl *gemmImpl[float32], transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, bias []float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	opA, opB := operands(transA, transB, a, lda, b, ldb)
	smallM := impl.smallM != nil && (m == 1 || m <= smallMRows && k*n >= smallMMinB)
	serial := parallel.Parallelism() == 1 || 2*m*n*k < parallelGemmFlops
	if impl.kernelBias == nil || smallM || !serial || k == 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			copy(c[i*ldc:i*ldc+n], bias)
		}
		gemm(impl, m, n, k, alpha, opA, opB, 1, c, ldc, true)
		return
	}
	buf := getBuffers(impl, m, n, k)
	gemmSerial(impl, m, n, k, alpha, opA, opB, 1, c, ldc, buf, bias)
	putBuffers(buf)
}
