package kernel

// GemmBF16 computes C = alpha*op(A)*op(B) + beta*C with bfloat16 products
// and float32 sums: every element of A and B is rounded to bfloat16
// (nearest even; subnormals become zero) as it is packed, and each k block
// of gemmBF16KC terms is summed in float32 as the AVX512_BF16 instruction
// VDPBF16PS does, two terms at a time (the odd term first, each step
// rounded to nearest even, results below 2^-126 flushed to zero), then
// C = alpha*sum + beta*C with one fused multiply-add. Shapes, transposes,
// leading dimensions and beta == 0 (C not read) are as in Sgemm.
//
// Every implementation (the VDPBF16PS kernel, chosen on AMD; the FMA
// kernel under MXCSR's FTZ and DAZ, chosen on other AVX-512 CPUs; the
// portable Go model under the purego tag or elsewhere) gives the same
// bits, NaN payloads aside. Against the exact product of the rounded inputs the
// error of each element is within 2(k+2)u·Σ|a||b| with u = 2^-24, plus
// the flushed terms (each below 2^-126); against the float32 inputs add
// the rounding of A and B, up to 2^-8 relative per product.
//
// GemmBF16 panics as Sgemm does. C must not overlap A or B.
func GemmBF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("kernel.GemmBF16", transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1)
	opA, opB := bf16Operands(transA, transB, a, nil, lda, b, nil, ldb)
	gemmBF16(gemmBF16Best, m, n, k, alpha, opA, opB, beta, c, ldc, true)
}

// GemmBF16B is GemmBF16 with B given as bfloat16 bit patterns (the upper
// halves of float32 values), as weights stored in bfloat16 are: op(B) is
// k×n, stored n×k when transB, with leading dimension ldb. It reads half
// the memory for B and gives the same bits as GemmBF16 on the widened B.
//
// GemmBF16B panics as Sgemm does. C must not overlap A or B.
func GemmBF16B(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []uint16, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("kernel.GemmBF16B", transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1)
	opA, opB := bf16Operands(transA, transB, a, nil, lda, nil, b, ldb)
	gemmBF16(gemmBF16Best, m, n, k, alpha, opA, opB, beta, c, ldc, true)
}

// GemmBF16Strided computes batch independent products
// C_i = alpha*op(A_i)*op(B_i) + beta*C_i as GemmBF16 does, where A_i starts
// at a[i*strideA:], B_i at b[i*strideB:] and C_i at c[i*strideC:] (a
// stride of 0 reuses one matrix). Batches of small products run whole
// products in parallel, as in SgemmStrided.
//
// GemmBF16Strided panics as SgemmStrided does. The C_i must not overlap
// each other, A or B.
func GemmBF16Strided(transA, transB bool, m, n, k int, alpha float32, a []float32, lda, strideA int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC int, batch int) {
	checkGemm("kernel.GemmBF16Strided", transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batch)
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	item := func(i int, threaded bool) {
		var ai, bi []float32
		if k > 0 { // with k == 0, A and B may be empty
			ai, bi = a[i*strideA:], b[i*strideB:]
		}
		opA, opB := bf16Operands(transA, transB, ai, nil, lda, bi, nil, ldb)
		gemmBF16(gemmBF16Best, m, n, k, alpha, opA, opB, beta, c[i*strideC:], ldc, threaded)
	}
	forEachProduct(batch, 2*m*n*k, item)
}
