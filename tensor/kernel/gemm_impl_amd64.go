//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run -C _asm ./sgemm -out ../sgemm_amd64.s -stubs ../sgemm_stubs_amd64.go -pkg kernel

// sgemmAVX512 uses the 12×32 AVX-512 microkernel: 24 zmm accumulators, two
// zmm of B and six broadcast registers per k step. Blocking measured on a
// Zen 5 EPYC (48 KiB L1d, 1 MiB L2 per core): kc = 512 halves the passes
// over C against kc = 256 (+5% at 2048³) although a 64 KiB B panel then
// streams from L2; the 144×512 A block (288 KiB) stays in L2.
var sgemmAVX512 = &gemmImpl[float32]{
	name: "avx512", available: cpu.X86.HasAVX512F,
	mr: 12, nr: 32, kc: 512, mc: 12 * 12, nc: 1024,
	kernel:         sgemmKernel12x32AVX512,
	kernelBias:     sgemmKernel12x32BiasAVX512,
	kernelRows:     sgemmKernel12x32RowsAVX512,
	kernelRowsBias: sgemmKernel12x32RowsBiasAVX512,
	kernelCols:     sgemmKernel12x32ColsAVX512,
	kernelColsBias: sgemmKernel12x32ColsBiasAVX512,
	packPanel:      packPanelAVX512,
	smallM:         sgemmSmallM(vecAVX512),
}

// sgemmAVX2 uses the 6×16 AVX2+FMA microkernel: 12 ymm accumulators.
var sgemmAVX2 = &gemmImpl[float32]{
	name: "avx2", available: cpu.X86.HasAVX2 && cpu.X86.HasFMA,
	mr: 6, nr: 16, kc: 256, mc: 6 * 24, nc: 2048,
	kernel:     sgemmKernel6x16AVX2,
	kernelBias: sgemmKernel6x16BiasAVX2,
	packPanel:  packPanelAVX2,
	smallM:     sgemmSmallM(vecAVX2),
}

func archSgemmImpls() []*gemmImpl[float32] {
	return []*gemmImpl[float32]{sgemmAVX512, sgemmAVX2}
}

// packPanelAVX512 packs one full panel of width 12 or 32 (see packPanels)
// with the AVX-512 copy and 16×16-transpose packers.
var packPanelAVX512 = asmPacker(
	[2]int{12, 32},
	[2]func(dst, src *float32, ld, kc int){packCopy12AVX512, packCopy32AVX512},
	[2]func(dst, src *float32, ld, kc int){packTranspose12AVX512, packTranspose32AVX512},
	16)

// packPanelAVX2 packs one full panel of width 6 or 16 with the AVX2 copy
// and 8×8-transpose packers.
var packPanelAVX2 = asmPacker(
	[2]int{6, 16},
	[2]func(dst, src *float32, ld, kc int){packCopy6AVX2, packCopy16AVX2},
	[2]func(dst, src *float32, ld, kc int){packTranspose6AVX2, packTranspose16AVX2},
	8)

// asmPacker returns a gemmImpl.packPanel that handles the two panel widths
// with assembly copy and transpose packers; the transposers work on chunk
// steps at a time and packPanelGo does the last kc%chunk.
func asmPacker(widths [2]int, copies, transposes [2]func(dst, src *float32, ld, kc int), chunk int) func(dst, src []float32, ld, kc, w int, transposed bool) bool {
	return func(dst, src []float32, ld, kc, w int, transposed bool) bool {
		i := 0
		switch w {
		case widths[0]:
		case widths[1]:
			i = 1
		default:
			return false
		}
		_ = dst[kc*w-1]
		if !transposed {
			_ = src[(kc-1)*ld+w-1]
			copies[i](&dst[0], &src[0], ld, kc)
			return true
		}
		_ = src[(w-1)*ld+kc-1]
		full := kc - kc%chunk
		if full > 0 {
			transposes[i](&dst[0], &src[0], ld, full)
		}
		if full < kc {
			packPanelGo(dst[full*w:], operand[float32]{src[full:], ld, 1}, w, kc-full, w)
		}
		return true
	}
}
