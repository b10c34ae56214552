package kernel

import "unsafe"

// goMR×goNR is the tile of C computed by the portable microkernel.
const goMR, goNR = 4, 4

// kernelGo is the portable microkernel: the goMR×goNR tile
// C = alpha*A*B + beta*C from a packed A panel (a[p*4+i] = A[i,p]) and a
// packed B panel (b[p*4+j] = B[p,j]), p < k; C has leading dimension ldc.
// beta == 0 does not read C. It sweeps the B panel (in L1) once per row of
// the tile: 4 accumulators, 4 values of B and their products fit the 15
// float registers the Go compiler has on amd64, where a 2×4 or 4×4 block
// of accumulators spills (measured about 1.5x slower).
func kernelGo[T float32 | float64](k int, a, b, c *T, ldc int, alpha, beta T) {
	ap := unsafe.Slice(a, k*goMR)
	bp := unsafe.Slice(b, k*goNR)
	cs := unsafe.Slice(c, (goMR-1)*ldc+goNR)
	for i := 0; i < goMR; i++ {
		var c0, c1, c2, c3 T
		for p := 0; p < k; p++ {
			bv := bp[p*goNR : p*goNR+goNR : p*goNR+goNR]
			ai := ap[p*goMR+i]
			c0 += ai * bv[0]
			c1 += ai * bv[1]
			c2 += ai * bv[2]
			c3 += ai * bv[3]
		}
		storeRowGo(cs[i*ldc:i*ldc+goNR], c0, c1, c2, c3, alpha, beta)
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
