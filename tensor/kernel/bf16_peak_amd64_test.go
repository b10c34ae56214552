//go:build !purego

package kernel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

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

// BenchmarkGemmBF16Microkernel measures one microkernel call of each
// bfloat16 implementation on panels that stay in L1/L2 (256 pairs, the
// gemmBF16KC block), after checking once that the tile of a product of
// ones holds 2k everywhere: which kernel is faster on this CPU, the
// choice archGemmBF16Impls makes by vendor.
func BenchmarkGemmBF16Microkernel(b *testing.B) {
	const k = gemmBF16KC / 2 // pairs
	for _, impl := range []*bf16Impl{gemmBF16AVX512, gemmBF16FMA} {
		if !impl.available {
			continue
		}
		b.Run(impl.name, func(b *testing.B) {
			one := uint32(0x3f803f80) // a pair of bfloat16 ones
			words := k * impl.words()
			a, bp := make([]uint32, impl.mr*words), make([]uint32, impl.nr*words)
			for _, s := range [][]uint32{a, bp} {
				for i := range s {
					s[i] = one
					if impl.wide {
						s[i] = 0x3f800000 // widened: float32 1
					}
				}
			}
			c := make([]float32, impl.mr*impl.nr)
			impl.kernel(k, &a[0], &bp[0], &c[0], impl.nr, 1, 0)
			for i, v := range c {
				require.Equalf(b, float32(2*k), v, "%s: tile[%d] of a product of ones", impl.name, i)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				impl.kernel(k, &a[0], &bp[0], &c[0], impl.nr, 1, 0)
			}
			b.ReportMetric(2*float64(impl.mr*impl.nr*2*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
