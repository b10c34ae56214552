package tensor

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// MatMul returns op(a) × op(b), where op transposes the last two axes when
// the matching flag is set. Shapes: a is [..., m, k] (or [..., k, m] with
// transA), b is [..., k, n] (or [..., n, k] with transB); the result is
// [..., m, n]. Leading (batch) axes must be equal, or one operand must be
// 2-D and is then shared by every batch entry. It panics on rank < 2,
// mismatched inner sizes or batch shapes, or differing dtypes.
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	if a.dtype != b.dtype || len(a.shape) < 2 || len(b.shape) < 2 {
		panic(fmt.Sprintf("tensor: MatMul %s %s by %s %s", a.dtype, fmtShape(a.shape), b.dtype, fmtShape(b.shape)))
	}
	ra, rb := len(a.shape), len(b.shape)
	m, k := a.shape[ra-2], a.shape[ra-1]
	if transA {
		m, k = k, m
	}
	kb, n := b.shape[rb-2], b.shape[rb-1]
	if transB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("tensor: MatMul inner sizes differ: %s (transA=%v) by %s (transB=%v)", fmtShape(a.shape), transA, fmtShape(b.shape), transB))
	}
	batchA, batchB := a.shape[:ra-2], b.shape[:rb-2]
	var batchShape []int
	switch {
	case sameShape(batchA, batchB):
		batchShape = batchA
	case rb == 2:
		batchShape = batchA
	case ra == 2:
		batchShape = batchB
	default:
		panic(fmt.Sprintf("tensor: MatMul batch shapes differ: %s by %s", fmtShape(a.shape), fmtShape(b.shape)))
	}
	batch := 1
	for _, d := range batchShape {
		batch *= d
	}
	outShape := append(append([]int(nil), batchShape...), m, n)
	out := newTensor(a.dtype, outShape)
	strideA, strideB := m*k, k*n
	if ra == 2 {
		strideA = 0
	}
	if rb == 2 {
		strideB = 0
	}
	// Leading dimensions are the stored widths, at least 1 as BLAS requires
	// even when a dimension is 0.
	lda, ldb, ldc := max(1, k), max(1, n), max(1, n)
	if transA {
		lda = max(1, m)
	}
	if transB {
		ldb = max(1, k)
	}
	if a.dtype == Float32 {
		gemmStrided32(transA, transB, m, n, k, values[float32](a), lda, strideA, values[float32](b), ldb, strideB, out.f32, ldc, m*n, batch)
	} else {
		gemmStrided64(transA, transB, m, n, k, values[float64](a), lda, strideA, values[float64](b), ldb, strideB, out.f64, ldc, m*n, batch)
	}
	return out
}

// gemmStrided32 and gemmStrided64 compute batch products C_i = op(A_i) op(B_i)
// (C overwritten) with the blocked kernels of tensor/kernel (assembly
// microkernels chosen by CPU features for float32). A stride of 0 shares one
// operand across the batch.
func gemmStrided32(transA, transB bool, m, n, k int, a []float32, lda, strideA int, b []float32, ldb, strideB int, c []float32, ldc, strideC, batch int) {
	kernel.SgemmStrided(transA, transB, m, n, k, 1, a, lda, strideA, b, ldb, strideB, 0, c, ldc, strideC, batch)
}

func gemmStrided64(transA, transB bool, m, n, k int, a []float64, lda, strideA int, b []float64, ldb, strideB int, c []float64, ldc, strideC, batch int) {
	kernel.DgemmStrided(transA, transB, m, n, k, 1, a, lda, strideA, b, ldb, strideB, 0, c, ldc, strideC, batch)
}

// gemmRefStrided is the reference matrix product the kernels are checked
// against in tests: for each output element a float64 dot product in index
// order. Batches and output rows run in parallel.
func gemmRefStrided[T float](transA, transB bool, m, n, k int, a []T, lda, strideA int, b []T, ldb, strideB int, c []T, ldc, strideC, batch int) {
	parallel.For(batch*m, max(1, grainElems/max(1, n*k)), func(lo, hi int) {
		for bi := lo; bi < hi; bi++ {
			p, i := bi/m, bi%m
			ab, bb, cb := a[p*strideA:], b[p*strideB:], c[p*strideC:]
			for j := 0; j < n; j++ {
				var s float64
				for l := 0; l < k; l++ {
					var x, y T
					if transA {
						x = ab[l*lda+i]
					} else {
						x = ab[i*lda+l]
					}
					if transB {
						y = bb[j*ldb+l]
					} else {
						y = bb[l*ldb+j]
					}
					s += float64(x) * float64(y)
				}
				cb[i*ldc+j] = T(s)
			}
		}
	})
}
