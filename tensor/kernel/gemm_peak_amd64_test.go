//go:build !purego

package kernel

import (
	"fmt"
	"testing"

	"github.com/daalab/daa/internal/parallel"
	"github.com/stretchr/testify/require"
)

// BenchmarkFMAPeak measures the FMA throughput of one core: a loop of
// independent vector FMAs with no memory traffic (fmaPeakAVX512 runs 48
// 16-lane FMAs per iteration, fmaPeakAVX2 24 8-lane ones). It is the
// ceiling for the single-core SGEMM figures; the "all-workers" variant runs
// the loop on every worker of internal/parallel at once (clocks may drop
// when all cores are busy), the ceiling for the threaded figures.
func BenchmarkFMAPeak(b *testing.B) {
	const iters = 1 << 16
	for _, p := range []struct {
		name      string
		available bool
		run       func(int)
		flops     float64 // per iteration
	}{
		{"avx512", sgemmAVX512.available, fmaPeakAVX512, 48 * 16 * 2},
		{"avx2", sgemmAVX2.available, fmaPeakAVX2, 24 * 8 * 2},
	} {
		if !p.available {
			continue
		}
		b.Run(p.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p.run(iters)
			}
			b.ReportMetric(p.flops*iters*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(p.name+"/all-workers", func(b *testing.B) {
			w := parallel.Workers()
			for i := 0; i < b.N; i++ {
				parallel.For(w, 1, func(lo, hi int) {
					for j := lo; j < hi; j++ {
						p.run(iters)
					}
				})
			}
			b.ReportMetric(p.flops*iters*float64(w)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemmMicrokernel measures one microkernel call on panels that
// stay in L1/L2, for depths around the kc blocking, after checking once that
// it computes the tile of a product of ones (every element k).
func BenchmarkSgemmMicrokernel(b *testing.B) {
	for _, impl := range []*gemmImpl[float32]{sgemmAVX512, sgemmAVX2} {
		if !impl.available {
			continue
		}
		for _, k := range []int{64, 256, 512} {
			a, bp := make([]float32, impl.mr*k), make([]float32, impl.nr*k)
			c := make([]float32, impl.mr*impl.nr)
			b.Run(fmt.Sprintf("%s/k=%d", impl.name, k), func(b *testing.B) {
				ones := make([]float32, max(impl.mr, impl.nr)*k)
				for i := range ones {
					ones[i] = 1
				}
				tile := make([]float32, impl.mr*impl.nr)
				impl.kernel(k, &ones[0], &ones[0], &tile[0], impl.nr, 1, 0)
				for i, v := range tile {
					require.Equal(b, float32(k), v, "tile element %d of a product of ones", i)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					impl.kernel(k, &a[0], &bp[0], &c[0], impl.nr, 1, 1)
				}
				b.ReportMetric(2*float64(impl.mr*impl.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
