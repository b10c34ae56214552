package kernel

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// sgemmBenchShapes are the M×K×N products of BenchmarkSgemm, matching the
// sgemm table of shared/reference/torch (bench_torch.py).
var sgemmBenchShapes = [][3]int{{512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048}, {1024, 512, 2048}, {2048, 512, 512}}

// BenchmarkSgemm measures C = A*B (no transposes, beta = 0) on the workers
// of internal/parallel; run with GOMAXPROCS=1 for one core.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range sgemmBenchShapes {
		m, k, n := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			benchSgemm(b, Sgemm, false, false, m, n, k)
		})
	}
}

// BenchmarkSgemmImpl measures each implementation and transpose combination
// on 1024×1024×1024.
func BenchmarkSgemmImpl(b *testing.B) {
	for _, impl := range sgemmImpls {
		if !impl.available {
			continue
		}
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			b.Run(fmt.Sprintf("%s/transA=%v/transB=%v", impl.name, tr[0], tr[1]), func(b *testing.B) {
				run := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
					sgemmWith(impl, transA, transB, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc)
				}
				benchSgemm(b, run, tr[0], tr[1], 1024, 1024, 1024)
			})
		}
	}
}

// BenchmarkSgemmStrided measures an attention-shaped batch: 8*12 products
// of 128×64 by 64×128 (QKᵀ).
func BenchmarkSgemmStrided(b *testing.B) {
	const batch, t, d = 96, 128, 64
	q, kk := make([]float32, batch*t*d), make([]float32, batch*t*d)
	c := make([]float32, batch*t*t)
	for i := range q {
		q[i], kk[i] = float32(i%7)*0.1, float32(i%5)*0.1
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		SgemmStrided(false, true, t, t, d, 1, q, d, t*d, kk, d, t*d, 0, c, t, t*t, batch)
	}
	b.ReportMetric(2*batch*t*t*d*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkDgemm measures the float64 product on 512×512×512.
func BenchmarkDgemm(b *testing.B) {
	const n = 512
	a, bb, c := make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for i := range a {
		a[i], bb[i] = float64(i%7)*0.1, float64(i%5)*0.1
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Dgemm(false, false, n, n, n, 1, a, n, bb, n, 0, c, n)
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// benchOperands returns the benchmarks' operands of an m x n x k product:
// A and B filled with small repeating values, C zero, and the leading
// dimensions of A and B for the transpose flags.
func benchOperands(transA, transB bool, m, n, k int) (a, bb, c []float32, lda, ldb int) {
	a, bb, c = make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) * 0.1
	}
	for i := range bb {
		bb[i] = float32(i%5) * 0.1
	}
	lda, ldb = k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	return a, bb, c, lda, ldb
}

func benchSgemm(b *testing.B, gemm gemmFunc[float32], transA, transB bool, m, n, k int) {
	a, bb, c, lda, ldb := benchOperands(transA, transB, m, n, k)
	gemm(transA, transB, m, n, k, 1, a, lda, bb, ldb, 0, c, n) // warm caches and pools
	// Check C's corners against float64 dot products (tolerance as in
	// checkGemmCase: 2(k+2)u Σ|a b|).
	for _, ij := range [][2]int{{0, 0}, {m - 1, n - 1}} {
		var dot, mag float64
		for p := 0; p < k; p++ {
			ai, bj := ij[0]*lda+p, p*ldb+ij[1]
			if transA {
				ai = p*lda + ij[0]
			}
			if transB {
				bj = ij[1]*ldb + p
			}
			dot += float64(a[ai]) * float64(bb[bj])
			mag += math.Abs(float64(a[ai]) * float64(bb[bj]))
		}
		require.InDelta(b, dot, c[ij[0]*n+ij[1]], 2*float64(k+2)*0x1p-24*mag, "C[%d,%d] of the warm-up product", ij[0], ij[1])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gemm(transA, transB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemmSmallM measures one-row products (a token at a time through
// a 768→3072 layer), with B stored k×n and n×k, with and without the
// unpacked small-m path.
func BenchmarkSgemmSmallM(b *testing.B) {
	blocked := *sgemmBest
	blocked.smallM = nil
	for _, impl := range []*gemmImpl[float32]{sgemmBest, &blocked} {
		name := "rows"
		if impl.smallM == nil {
			name = "blocked"
		}
		for _, transB := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/transB=%v", name, transB), func(b *testing.B) {
				run := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
					sgemmWith(impl, transA, transB, m, n, k, alpha, a, lda, bb, ldb, beta, c, ldc)
				}
				benchSgemm(b, run, false, transB, 1, 3072, 768)
			})
		}
	}
}

// BenchmarkSgemmSmall measures small square products, where packing and
// handing work to a second worker weigh the most.
func BenchmarkSgemmSmall(b *testing.B) {
	for _, n := range []int{32, 64, 128, 192, 256} {
		b.Run(fmt.Sprintf("%dx%dx%d", n, n, n), func(b *testing.B) {
			benchSgemm(b, Sgemm, false, false, n, n, n)
		})
	}
}

// BenchmarkSgemmAttention measures the per-head attention products of the
// over-optimization study's tiny models (sequences of t = 28 tokens, head
// widths 8, 16 and 32): scores Q·Kᵀ (t×hd by hd×t, B transposed),
// P·V (t×t by t×hd) and dV = Pᵀ·dO (A transposed).
func BenchmarkSgemmAttention(b *testing.B) {
	const t = 28
	for _, hd := range []int{8, 16, 32} {
		for _, s := range []struct {
			name           string
			transA, transB bool
			m, n, k        int
		}{{"QK", false, true, t, t, hd}, {"PV", false, false, t, hd, t}, {"PtdO", true, false, t, hd, t}} {
			b.Run(fmt.Sprintf("hd%d/%s", hd, s.name), func(b *testing.B) {
				benchSgemm(b, Sgemm, s.transA, s.transB, s.m, s.n, s.k)
			})
		}
	}
}
