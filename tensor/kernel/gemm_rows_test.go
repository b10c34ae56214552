package kernel

import (
	"math/rand/v2"
	"testing"

	"github.com/daalab/daa/internal/parallel"
)

// TestKernelRowsMatchesPacked checks that reading A's row panels in place
// (gemmImpl.kernelRows and kernelCols, with and without bias, for A stored
// as is and transposed) gives bit for bit the products of
// the packed path on the same implementation, serial and split across
// workers, with and without a bias, for row counts with and without a
// partial last panel, one and two k blocks, and edge columns; C's values
// between rows (ldc > n) must stay untouched.
func TestKernelRowsMatchesPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, impl := range sgemmImpls {
		if !impl.available || impl.kernelRows == nil && impl.kernelCols == nil {
			continue
		}
		packed := *impl
		packed.kernelRows, packed.kernelRowsBias = nil, nil
		packed.kernelCols, packed.kernelColsBias = nil, nil
		for _, serial := range []bool{true, false} {
			parallel.SetSerial(serial)
			cases := 0
			for _, m := range []int{12, 13, 25, 144, 150, 400} {
				for _, n := range []int{7, 32, 51, 128, 576} {
					for _, k := range []int{1, 5, 128, 600} {
						transA, transB := rng.IntN(2) == 0, rng.IntN(2) == 0
						alpha := []float32{1, 0.5, -1.25}[rng.IntN(3)]
						beta := []float32{0, 1, 0.75}[rng.IntN(3)]
						lda, ldb, ldc := k+3, n+1, n+2
						if transA {
							lda = m + 3
						}
						if transB {
							ldb = k + 1
						}
						a := randomSlice[float32](rng, max(m, k)*lda)
						b := randomSlice[float32](rng, max(k, n)*ldb)
						bias := randomSlice[float32](rng, n)
						c0 := randomSlice[float32](rng, m*ldc)
						want, got := append([]float32(nil), c0...), append([]float32(nil), c0...)
						sgemmWith(&packed, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
						sgemmWith(impl, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
						sameFloats32(t, want, got, "%s serial=%v m=%d n=%d k=%d transA=%v transB=%v alpha=%g beta=%g", impl.name, serial, m, n, k, transA, transB, alpha, beta)
						want, got = append(want[:0], c0...), append(got[:0], c0...)
						sgemmBiasWith(&packed, transA, transB, m, n, k, alpha, a, lda, b, ldb, bias, want, ldc)
						sgemmBiasWith(impl, transA, transB, m, n, k, alpha, a, lda, b, ldb, bias, got, ldc)
						sameFloats32(t, want, got, "%s bias serial=%v m=%d n=%d k=%d transA=%v transB=%v alpha=%g", impl.name, serial, m, n, k, transA, transB, alpha)
						cases++
					}
				}
			}
			t.Logf("%s serial=%v: %d shapes bit-identical with and without bias", impl.name, serial, cases)
		}
		parallel.SetSerial(false)
	}
}
