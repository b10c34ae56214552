//go:build !purego

package kernel

import "testing"

// BenchmarkDPBF16Peak measures the VDPBF16PS throughput of one core (48
// independent zmm instructions per iteration, 64 flops each, no memory
// traffic) next to the FMA loop of BenchmarkFMAPeak in the same run: the
// ceiling of the bfloat16 GEMM relative to Sgemm on this CPU.
func BenchmarkDPBF16Peak(b *testing.B) {
	const iters = 1 << 16
	for _, p := range []struct {
		name      string
		available bool
		run       func(int)
		flops     float64 // per iteration
	}{
		{"fma-avx512", sgemmAVX512.available, fmaPeakAVX512, 48 * 16 * 2},
		{"vdpbf16ps", gemmBF16AVX512.available, dpbf16PeakAVX512, 48 * 64},
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
	}
}
