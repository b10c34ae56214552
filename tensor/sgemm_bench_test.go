package tensor

import (
	"testing"

	"github.com/daalab/daa/tensor/kernel"
	"github.com/stretchr/testify/require"
)

// BenchmarkSgemm measures kernel.Sgemm (C = A*B, row-major, beta = 0) on the
// M×K×N products of the PyTorch baseline (shared/reference/torch,
// bench_torch.py), so that `go test -run x -bench Sgemm ./tensor/` gives the
// figures to compare. The same table is in tensor/kernel's BenchmarkSgemm.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, k, n int
	}{
		{"512x512x512", 512, 512, 512},
		{"1024x1024x1024", 1024, 1024, 1024},
		{"2048x2048x2048", 2048, 2048, 2048},
		{"1024x512x2048", 1024, 512, 2048},
		{"2048x512x512", 2048, 512, 512},
	} {
		b.Run(s.name, func(b *testing.B) {
			a, bm, c := make([]float32, s.m*s.k), make([]float32, s.k*s.n), make([]float32, s.m*s.n)
			for i := range a {
				a[i] = float32(i%7) * 0.1
			}
			for i := range bm {
				bm[i] = float32(i%5) * 0.1
			}
			kernel.Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n) // warm caches and pools
			// Check the corner elements against float64 dot products
			// (tolerance 1e-5 relative to the sum of |a||b| terms, as
			// TestMatMulKernelsMatchReference).
			for _, ij := range [][2]int{{0, 0}, {s.m - 1, s.n - 1}} {
				dot, mag := 0.0, 0.0
				for l := 0; l < s.k; l++ {
					p := float64(a[ij[0]*s.k+l]) * float64(bm[l*s.n+ij[1]])
					dot, mag = dot+p, mag+max(p, -p)
				}
				require.InDelta(b, dot, c[ij[0]*s.n+ij[1]], 1e-5*mag, "C[%d,%d]", ij[0], ij[1])
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				kernel.Sgemm(false, false, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
