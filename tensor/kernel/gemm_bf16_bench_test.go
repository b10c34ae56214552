package kernel

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkGemmBF16 measures C = A*B with bfloat16 products (no transposes,
// beta = 0, float32 A and B rounded as they are packed) on the shapes of
// BenchmarkSgemm; GFLOP/s counts 2MNK. Compare with BenchmarkSgemm in the
// same run:
//
//	go test ./tensor/kernel -run '^$' -bench '^Benchmark(Sgemm|GemmBF16)$/(1024x1024x1024|1024x512x2048)$'
func BenchmarkGemmBF16(b *testing.B) {
	for _, s := range sgemmBenchShapes {
		m, k, n := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			benchGemmBF16(b, GemmBF16, false, false, m, n, k)
		})
	}
}

// BenchmarkGemmBF16B measures a linear layer on stored bfloat16 weights:
// C = A*Wᵀ with W n×k (GemmBF16B, transB).
func BenchmarkGemmBF16B(b *testing.B) {
	for _, s := range [][3]int{{1024, 1024, 1024}, {1024, 512, 2048}} {
		m, k, n := s[0], s[1], s[2]
		w := make([]uint16, n*k)
		for i := range w {
			w[i] = roundBF16(float32(i%5) * 0.1)
		}
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			run := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, _ []float32, ldb int, beta float32, c []float32, ldc int) {
				GemmBF16B(transA, transB, m, n, k, alpha, a, lda, w, ldb, beta, c, ldc)
			}
			benchGemmBF16(b, run, false, true, m, n, k)
		})
	}
}

// BenchmarkGemmBF16Impl measures each implementation and transpose
// combination on 1024×1024×1024 (the Go model on 256³: it is slow).
func BenchmarkGemmBF16Impl(b *testing.B) {
	for _, impl := range gemmBF16Impls {
		if !impl.available {
			continue
		}
		size := 1024
		if impl == gemmBF16Go {
			size = 256
		}
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			b.Run(fmt.Sprintf("%s/transA=%v/transB=%v", impl.name, tr[0], tr[1]), func(b *testing.B) {
				run := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
					opA, opB := bf16Operands(transA, transB, a, nil, lda, bb, nil, ldb)
					gemmBF16(impl, m, n, k, alpha, opA, opB, beta, c, ldc, true)
				}
				benchGemmBF16(b, run, tr[0], tr[1], size, size, size)
			})
		}
	}
}

// benchGemmBF16 is benchSgemm for the bfloat16 products: it checks the
// corners of the warm-up product against float64 dot products of the
// bfloat16-rounded inputs (within 2(k+2)·2^-24·Σ|a b|), then reports
// GFLOP/s counted as 2MNK.
func benchGemmBF16(b *testing.B, gemm gemmFunc[float32], transA, transB bool, m, n, k int) {
	a, bb, c, lda, ldb := benchOperands(transA, transB, m, n, k)
	gemm(transA, transB, m, n, k, 1, a, lda, bb, ldb, 0, c, n) // warm caches and pools
	bf := func(v float32) float64 { return float64(widenBF16(roundBF16(v))) }
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
			dot += bf(a[ai]) * bf(bb[bj])
			mag += math.Abs(bf(a[ai]) * bf(bb[bj]))
		}
		require.InDelta(b, dot, c[ij[0]*n+ij[1]], 2*float64(k+2)*0x1p-24*mag, "C[%d,%d] of the warm-up product", ij[0], ij[1])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		gemm(transA, transB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
