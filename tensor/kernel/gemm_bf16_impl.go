package kernel

import "unsafe"

// gemmBF16Impls lists the bfloat16 implementations, fastest first; the
// first available one (gemmBF16Best) serves GemmBF16. archGemmBF16Impls
// comes from the architecture files (none under the purego tag).
var gemmBF16Impls = append(archGemmBF16Impls(), gemmBF16Go)

// gemmBF16Best is the implementation GemmBF16 uses.
var gemmBF16Best = bestGemmBF16()

// gemmBF16Go is the portable implementation: the Go model of VDPBF16PS on
// a 4×4 tile.
var gemmBF16Go = &bf16Impl{
	name: "go", available: true,
	mr: goMR, nr: goNR, kc: gemmBF16KC, mc: 64, nc: 1024,
	kernel: gemmBF16KernelGo,
}

func bestGemmBF16() *bf16Impl {
	for _, impl := range gemmBF16Impls {
		if impl.available {
			return impl
		}
	}
	return gemmBF16Go
}

// gemmBF16KernelGo is the portable microkernel (see bf16Impl.kernel) for
// a goMR×goNR tile: each element of C is the sum dotPairBF16 forms over
// the k pairs, then the epilogue of mergeBF16Tile.
func gemmBF16KernelGo(k int, a, b *uint32, c *float32, ldc int, alpha, beta float32) {
	ap := unsafe.Slice(a, k*goMR)
	bp := unsafe.Slice(b, k*goNR)
	cs := unsafe.Slice(c, (goMR-1)*ldc+goNR)
	var t [goMR * goNR]float32
	for i := 0; i < goMR; i++ {
		for j := 0; j < goNR; j++ {
			var acc float32
			for p := 0; p < k; p++ {
				acc = dotPairBF16(acc, ap[p*goMR+i], bp[p*goNR+j])
			}
			t[i*goNR+j] = acc
		}
	}
	mergeBF16Tile(cs, ldc, t[:], goNR, goMR, goNR, alpha, beta)
}
