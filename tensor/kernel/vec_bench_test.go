package kernel

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkVec measures every vector and row kernel of every available
// implementation on a row of 4096 values (cache resident: the kernel's own
// speed) and 1<<20 values (memory bound), reporting the bytes each call
// must read and write per second. Afterwards it checks that the data stayed
// finite (a NaN or Inf would time the special-value path instead).
func BenchmarkVec(b *testing.B) {
	kernels := []struct {
		name  string
		bytes int // per element
		run   func(v *vecImpl, dst, x, y []float32)
	}{
		{"Dot", 8, func(v *vecImpl, dst, x, y []float32) { v.dot(x, y) }},
		{"Sum", 4, func(v *vecImpl, dst, x, y []float32) { v.sum(x) }},
		{"Axpy", 12, func(v *vecImpl, dst, x, y []float32) { v.axpy(0.5, x, y) }},
		{"Scale", 8, func(v *vecImpl, dst, x, y []float32) { v.scale(1, x) }},
		{"Max", 4, func(v *vecImpl, dst, x, y []float32) { v.max(x) }},
		{"Exp", 8, func(v *vecImpl, dst, x, y []float32) { v.exp(dst, x) }},
		{"ExpShiftSum", 8, func(v *vecImpl, dst, x, y []float32) { v.expShiftSum(dst, x, 1) }},
		{"LayerNorm", 20, func(v *vecImpl, dst, x, y []float32) { v.layerNorm(dst, x, y, y, 1e-5) }}, // x read twice
		{"GELU", 8, func(v *vecImpl, dst, x, y []float32) { v.gelu(dst, x) }},
		{"GELUTanh", 8, func(v *vecImpl, dst, x, y []float32) { v.geluTanh(dst, x) }},
	}
	for _, k := range kernels {
		for _, v := range vecImpls {
			if !v.available {
				continue
			}
			for _, n := range []int{4096, 1 << 20} {
				x, y, dst := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range x {
					x[i], y[i] = float32(i%13)*0.25-1.5, float32(i%7)*0.125
				}
				b.Run(fmt.Sprintf("%s/%s/n=%d", k.name, v.name, n), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						k.run(v, dst, x, y)
					}
					b.ReportMetric(float64(k.bytes*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
					b.StopTimer()
					for i := range dst {
						if d, e := float64(dst[i]), float64(y[i]); math.IsNaN(d+e) || math.IsInf(d+e, 0) {
							require.Failf(b, "data not finite", "dst[%d] = %g, y[%d] = %g", i, d, i, e)
						}
					}
				})
			}
		}
	}
}
