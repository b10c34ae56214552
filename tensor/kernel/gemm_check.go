package kernel

import "fmt"

// gemmElem is the storage type of a GEMM operand: float32 or float64
// values, or bfloat16 bit patterns (GemmBF16B's B).
type gemmElem interface{ float32 | float64 | uint16 }

// checkGemm panics with a message naming fn, the argument and the sizes when
// the sizes are negative, a leading dimension is smaller than its matrix's
// stored width, or a slice is too short for batch matrices spaced stride
// values apart (batch = 1, strides 0 for a single product). A, B and C have
// their own element types (GemmBF16B takes float32 A and C with a bfloat16
// B); only their lengths are read. C matrices are not checked for overlap.
func checkGemm[TA, TB, TC gemmElem](fn string, transA, transB bool, m, n, k int, a []TA, lda, strideA int, b []TB, ldb, strideB int, c []TC, ldc, strideC int, batch int) {
	if m < 0 || n < 0 || k < 0 || batch < 0 {
		panic(fmt.Sprintf("%s: negative size m=%d n=%d k=%d batch=%d", fn, m, n, k, batch))
	}
	if strideA < 0 || strideB < 0 || strideC < 0 {
		panic(fmt.Sprintf("%s: negative stride strideA=%d strideB=%d strideC=%d", fn, strideA, strideB, strideC))
	}
	rowsA, colsA, shapeA := m, k, "m×k"
	if transA {
		rowsA, colsA, shapeA = k, m, "k×m, transA"
	}
	rowsB, colsB, shapeB := k, n, "k×n"
	if transB {
		rowsB, colsB, shapeB = n, k, "n×k, transB"
	}
	checkMatrix(fn, "a", "lda", "A", shapeA, rowsA, colsA, len(a), lda, strideA, batch)
	checkMatrix(fn, "b", "ldb", "B", shapeB, rowsB, colsB, len(b), ldb, strideB, batch)
	checkMatrix(fn, "c", "ldc", "C", "m×n", m, n, len(c), ldc, strideC, batch)
}

// checkMatrix checks one stored rows×cols operand named name (slice arg,
// leading dimension ldName) of length length.
func checkMatrix(fn, arg, ldName, name, shape string, rows, cols, length, ld, stride, batch int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("%s: %s = %d < %d, the width of the stored %s (%s = %d×%d)", fn, ldName, ld, max(1, cols), name, shape, rows, cols))
	}
	if rows == 0 || cols == 0 || batch == 0 {
		return
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	if length < need {
		if batch == 1 {
			panic(fmt.Sprintf("%s: len(%s) = %d < %d needed for the stored %s (%s = %d×%d, %s = %d)", fn, arg, length, need, name, shape, rows, cols, ldName, ld))
		}
		panic(fmt.Sprintf("%s: len(%s) = %d < %d needed for %d stored %s matrices (%s = %d×%d, %s = %d, stride %d)", fn, arg, length, need, batch, name, shape, rows, cols, ldName, ld, stride))
	}
}
