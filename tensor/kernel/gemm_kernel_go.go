package kernel

import "unsafe"

// goMR×goNR is the tile of C computed by the portable microkernel.
const goMR, goNR = 4, 4

// kernelGo is the portable microkernel: the goMR×goNR tile
// C = alpha*A*B + beta*C from a packed A panel (a[p*4+i] = A[i,p]) and a
// packed B panel (b[p*4+j] = B[p,j]), p < k; C has leading dimension ldc.
// beta == 0 does not read C. It sweeps the panel once per pair of rows so
// that the 8 accumulators, 4 values of B and 2 of A fit the 15 float
// registers the Go compiler has on amd64 without spilling.
func kernelGo[T float32 | float64](k int, a, b, c *T, ldc int, alpha, beta T) {
	ap := unsafe.Slice(a, k*goMR)
	bp := unsafe.Slice(b, k*goNR)
	cs := unsafe.Slice(c, (goMR-1)*ldc+goNR)
	for i := 0; i < goMR; i += 2 {
		var c00, c01, c02, c03, c10, c11, c12, c13 T
		for p := 0; p < k; p++ {
			bv := bp[p*goNR : p*goNR+goNR : p*goNR+goNR]
			b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
			a0, a1 := ap[p*goMR+i], ap[p*goMR+i+1]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
		}
		storeRowGo(cs[i*ldc:i*ldc+goNR], c00, c01, c02, c03, alpha, beta)
		storeRowGo(cs[(i+1)*ldc:(i+1)*ldc+goNR], c10, c11, c12, c13, alpha, beta)
	}
}

// storeRowGo sets row = alpha*(v0, v1, v2, v3) + beta*row, not reading row
// when beta == 0.
func storeRowGo[T float32 | float64](row []T, v0, v1, v2, v3, alpha, beta T) {
	row = row[:4]
	if beta == 0 {
		row[0], row[1], row[2], row[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	row[0] = alpha*v0 + beta*row[0]
	row[1] = alpha*v1 + beta*row[1]
	row[2] = alpha*v2 + beta*row[2]
	row[3] = alpha*v3 + beta*row[3]
}
