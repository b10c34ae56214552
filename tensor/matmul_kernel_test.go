package tensor

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMatMulKernelsMatchReference runs MatMul's kernels (tensor/kernel's
// blocked SGEMM/DGEMM) against the float64-accumulating reference GEMM on
// shapes that cross the kernels' tile edges, with every transpose and a
// shared 2-D operand. Tolerance: 1e-5 relative to the sum of |a||b| terms in
// float32, 1e-13 in float64.
func TestMatMulKernelsMatchReference(t *testing.T) {
	rng := NewRNG(11)
	for _, dt := range []DType{Float32, Float64} {
		for _, sh := range []struct{ batch, m, k, n int }{
			{1, 1, 1, 1}, {1, 13, 7, 33}, {3, 17, 65, 31}, {2, 64, 64, 64}, {1, 129, 3, 70},
		} {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				ash := []int{sh.batch, sh.m, sh.k}
				if tr[0] {
					ash = []int{sh.batch, sh.k, sh.m}
				}
				bsh := []int{sh.k, sh.n}
				if tr[1] {
					bsh = []int{sh.n, sh.k}
				}
				a, b := RandN(rng, dt, 0, 1, ash...), RandN(rng, dt, 0, 1, bsh...)
				got := MatMul(a, b, tr[0], tr[1])
				want := newTensor(dt, got.Shape())
				lda, ldb := sh.k, sh.n
				if tr[0] {
					lda = sh.m
				}
				if tr[1] {
					ldb = sh.k
				}
				absA, absB := Abs(a), Abs(b)
				scale := newTensor(dt, got.Shape())
				if dt == Float32 {
					gemmRefStrided(tr[0], tr[1], sh.m, sh.n, sh.k, a.f32, lda, sh.m*sh.k, b.f32, ldb, 0, want.f32, sh.n, sh.m*sh.n, sh.batch)
					gemmRefStrided(tr[0], tr[1], sh.m, sh.n, sh.k, absA.f32, lda, sh.m*sh.k, absB.f32, ldb, 0, scale.f32, sh.n, sh.m*sh.n, sh.batch)
				} else {
					gemmRefStrided(tr[0], tr[1], sh.m, sh.n, sh.k, a.f64, lda, sh.m*sh.k, b.f64, ldb, 0, want.f64, sh.n, sh.m*sh.n, sh.batch)
					gemmRefStrided(tr[0], tr[1], sh.m, sh.n, sh.k, absA.f64, lda, sh.m*sh.k, absB.f64, ldb, 0, scale.f64, sh.n, sh.m*sh.n, sh.batch)
				}
				tol := 1e-5
				if dt == Float64 {
					tol = 1e-13
				}
				g, w, s := got.ToFloat64s(), want.ToFloat64s(), scale.ToFloat64s()
				for i := range g {
					require.InDelta(t, w[i], g[i], tol*s[i]+1e-30, "%s %+v trans=%v: element %d", dt, sh, tr, i)
				}
			}
		}
	}
}
