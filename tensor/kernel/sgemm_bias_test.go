package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/parallel"
)

// TestSgemmBiasMatchesFilledSgemm checks that SgemmBias gives bit for bit
// what filling C's rows with the bias and running Sgemm with beta = 1
// gives, on every implementation, serial and split across workers, for
// shapes with and without edge tiles, one and two k blocks (k > kc), the
// small-m path, both transpositions and several alphas; values of C's
// rows past n (ldc > n) must stay untouched.
func TestSgemmBiasMatchesFilledSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	nan := float32(math.NaN())
	for _, impl := range sgemmImpls {
		if !impl.available {
			continue
		}
		for _, serial := range []bool{true, false} {
			parallel.SetSerial(serial)
			cases := 0
			for _, m := range []int{1, 3, 5, 12, 25, 145, 400} {
				for _, n := range []int{1, 7, 32, 51, 100, 576} {
					for _, k := range []int{1, 7, 128, 600} {
						transA, transB := rng.IntN(2) == 0, rng.IntN(2) == 0
						alpha := []float32{1, 0.5, -1.25}[rng.IntN(3)]
						lda, ldb, ldc := k+1, n+2, n+3
						if transA {
							lda = m + 1
						}
						if transB {
							ldb = k + 2
						}
						a := randomSlice[float32](rng, max(m, k)*lda)
						b := randomSlice[float32](rng, max(k, n)*ldb)
						bias := randomSlice[float32](rng, n)
						want := make([]float32, m*ldc)
						for i := range want {
							want[i] = nan
						}
						got := append([]float32(nil), want...)
						for i := 0; i < m; i++ {
							copy(want[i*ldc:i*ldc+n], bias)
						}
						sgemmWith(impl, transA, transB, m, n, k, alpha, a, lda, b, ldb, 1, want, ldc)
						sgemmBiasWith(impl, transA, transB, m, n, k, alpha, a, lda, b, ldb, bias, got, ldc)
						sameFloats32(t, want, got, "%s serial=%v m=%d n=%d k=%d transA=%v transB=%v alpha=%g", impl.name, serial, m, n, k, transA, transB, alpha)
						cases++
					}
				}
			}
			t.Logf("%s serial=%v: %d products bit-identical", impl.name, serial, cases)
		}
		parallel.SetSerial(false)
	}
}

// TestSgemmBias checks the exported function against a product and bias
// summed in float64, to the tolerance of checkGemmCase's bound (k = 64,
// values in [-1, 1)), and its length panic.
func TestSgemmBias(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	const m, n, k = 30, 70, 64
	a, b, bias := randomSlice[float32](rng, m*k), randomSlice[float32](rng, n*k), randomSlice[float32](rng, n)
	c := make([]float32, m*n)
	SgemmBias(false, true, m, n, k, 1, a, k, b, k, bias, c, n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			want, size := float64(bias[j]), math.Abs(float64(bias[j]))
			for p := 0; p < k; p++ {
				want += float64(a[i*k+p]) * float64(b[j*k+p])
				size += math.Abs(float64(a[i*k+p]) * float64(b[j*k+p]))
			}
			require.InDelta(t, want, c[i*n+j], 2*(k+2)*0x1p-24*size, "C[%d,%d] vs float64", i, j)
		}
	}
	assert.PanicsWithValue(t, "kernel.SgemmBias: len(bias) = 3 != n = 70", func() {
		SgemmBias(false, true, m, n, k, 1, a, k, b, k, bias[:3], c, n)
	})
}
