package kernel

import (
	"sync"

	"github.com/daalab/daa/internal/parallel"
)

// smallMRows is the most rows of C for which Sgemm skips packing. With one
// to three rows the blocked path would pack all of B to fill a fraction of
// each 12-row tile; row-at-a-time Axpy (B stored k×n) or Dot (B stored n×k)
// reads B once instead, which is what generating one token at a time
// needs.
const smallMRows = 3

// smallMMinB is the least k*n for which products of two or three rows skip
// packing. Below it packing B costs less than the per-row Dot and Axpy
// calls of the small-m path: on the per-head attention products of a tiny
// model (t×hd by hd×t, t = 21, hd 8 or 32) two or three rows took about
// 0.6-1 µs packed and 0.9-1.9 µs unpacked; from hd 128 (k*n = 2688) the
// unpacked path won by 1.4-3x (Xeon, AVX-512, loaded 2-core guest). One
// row always goes unpacked.
const smallMMinB = 2048

// smallMColumns is the width of the column blocks of the Axpy path: the
// m×smallMColumns slice of C it updates stays in L1.
const smallMColumns = 2048

var smallRowsPool = sync.Pool{New: func() any { return new([]float32) }}

// sgemmSmallM returns the small-m product of an implementation whose vector
// kernels are v: C = alpha*A*B + beta*C for m <= smallMRows, with the
// columns of C split across workers when threaded.
func sgemmSmallM(v *vecImpl) func(m, n, k int, alpha float32, a, b operand[float32], beta float32, c []float32, ldc int, threaded bool) {
	return func(m, n, k int, alpha float32, a, b operand[float32], beta float32, c []float32, ldc int, threaded bool) {
		if !threaded || 2*m*n*k < parallelGemmFlops {
			// No closure here: one passed to parallel.For escapes, and a
			// small product would pay an allocation for it.
			smallMColumnsRange(v, m, k, alpha, a, b, beta, c, ldc, 0, n)
			return
		}
		parallel.For(n, max(64, parallelGemmFlops/(2*m*k)), func(j0, j1 int) {
			smallMColumnsRange(v, m, k, alpha, a, b, beta, c, ldc, j0, j1)
		})
	}
}

// smallMColumnsRange computes columns [j0, j1) of the small-m product.
func smallMColumnsRange(v *vecImpl, m, k int, alpha float32, a, b operand[float32], beta float32, c []float32, ldc, j0, j1 int) {
	if b.sp == 1 { // column j of op(B) is contiguous: C[i,j] = alpha*dot(A row i, B column j) + beta*C[i,j]
		rows, buf := contiguousRows(m, k, a)
		for j := j0; j < j1; j++ {
			col := b.data[j*b.sx : j*b.sx+k]
			for i := 0; i < m; i++ {
				d := float32(v.dot(rows[i*k:(i+1)*k], col))
				if beta == 0 {
					c[i*ldc+j] = alpha * d
				} else {
					c[i*ldc+j] = alpha*d + beta*c[i*ldc+j]
				}
			}
		}
		if buf != nil {
			smallRowsPool.Put(buf)
		}
		return
	}
	// Row p of op(B) is contiguous: C[i,:] = beta*C[i,:] + Σ_p (alpha*A[i,p]) * B[p,:].
	for jb := j0; jb < j1; jb += smallMColumns {
		w := min(smallMColumns, j1-jb)
		for i := 0; i < m; i++ {
			row := c[i*ldc+jb : i*ldc+jb+w]
			if beta == 0 {
				clear(row)
			} else if beta != 1 {
				v.scale(beta, row)
			}
		}
		for p := 0; p < k; p++ {
			brow := b.data[p*b.sp+jb : p*b.sp+jb+w]
			for i := 0; i < m; i++ {
				v.axpy(alpha*a.data[i*a.sx+p*a.sp], brow, c[i*ldc+jb:i*ldc+jb+w])
			}
		}
	}
}

// contiguousRows returns the m rows of op(A) (m×k) as one contiguous slice:
// A itself when its rows are contiguous and tightly spaced, else a pooled
// copy that the caller returns to smallRowsPool through buf.
func contiguousRows(m, k int, a operand[float32]) (rows []float32, buf *[]float32) {
	if a.sp == 1 && (a.sx == k || m == 1) {
		return a.data[:m*k], nil
	}
	buf = smallRowsPool.Get().(*[]float32)
	if cap(*buf) < m*k {
		*buf = make([]float32, m*k)
	}
	rows = (*buf)[:m*k]
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			rows[i*k+p] = a.data[i*a.sx+p*a.sp]
		}
	}
	return rows, buf
}
