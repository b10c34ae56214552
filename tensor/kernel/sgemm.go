package kernel

// Sgemm computes C = alpha*op(A)*op(B) + beta*C in float32, where op(A) is
// m×k, op(B) is k×n and C is m×n, all row-major with leading dimensions
// lda, ldb and ldc (elements between row starts). transA means A is stored
// k×m (op(A) = Aᵀ), transB means B is stored n×k. beta == 0 means C is
// not read, so NaNs in C do not propagate, as in BLAS. Products of at least
// a few million flops are split across the workers of internal/parallel.
//
// Sgemm panics if a size is negative, a leading dimension is smaller than
// the stored width of its matrix (at least 1), or a slice is shorter than
// its matrix. C must not overlap A or B.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("kernel.Sgemm", transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1)
	sgemmWith(sgemmBest, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmWith is Sgemm on a given implementation, for the conformance tests.
func sgemmWith(impl *gemmImpl[float32], transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	opA, opB := operands(transA, transB, a, lda, b, ldb)
	gemm(impl, m, n, k, alpha, opA, opB, beta, c, ldc, true)
}

// SgemmStrided computes batch independent products
// C_i = alpha*op(A_i)*op(B_i) + beta*C_i as Sgemm does, where A_i starts at
// a[i*strideA:], B_i at b[i*strideB:] and C_i at c[i*strideC:]. A stride
// of 0 reuses one matrix for every product. Batches of small products (as
// in attention: 8*heads products of 128×128×64) run whole products in
// parallel.
//
// SgemmStrided panics as Sgemm does, naming the batch and stride when the
// last matrix does not fit. The C_i must not overlap each other, A or B.
func SgemmStrided(transA, transB bool, m, n, k int, alpha float32, a []float32, lda, strideA int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC int, batch int) {
	checkGemm("kernel.SgemmStrided", transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batch)
	gemmStrided(sgemmBest, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch)
}
