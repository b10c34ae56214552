package kernel

// Dgemm computes C = alpha*op(A)*op(B) + beta*C in float64 with the same
// conventions and panics as Sgemm. It runs the blocked algorithm with a
// portable Go microkernel (no assembly) and splits large products across
// workers; it serves float64 gradient checks and golden tests.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm("kernel.Dgemm", transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1)
	opA, opB := operands(transA, transB, a, lda, b, ldb)
	gemm(dgemmGo, m, n, k, alpha, opA, opB, beta, c, ldc, true)
}

// DgemmStrided is SgemmStrided in float64: batch independent products
// C_i = alpha*op(A_i)*op(B_i) + beta*C_i with A_i at a[i*strideA:], B_i at
// b[i*strideB:] and C_i at c[i*strideC:]. It panics as SgemmStrided does.
func DgemmStrided(transA, transB bool, m, n, k int, alpha float64, a []float64, lda, strideA int, b []float64, ldb, strideB int, beta float64, c []float64, ldc, strideC int, batch int) {
	checkGemm("kernel.DgemmStrided", transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batch)
	gemmStrided(dgemmGo, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
}
