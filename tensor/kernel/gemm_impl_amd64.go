//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

//go:generate go run -C _asm ./sgemm -out ../sgemm_amd64.s -stubs ../sgemm_stubs_amd64.go -pkg kernel

// sgemmAVX512 uses the 12×32 AVX-512 microkernel: 24 zmm accumulators, two
// zmm of B and six broadcast registers per k step.
var sgemmAVX512 = &gemmImpl[float32]{
	name: "avx512", available: cpu.X86.HasAVX512F,
	mr: 12, nr: 32, kc: 256, mc: 12 * 24, nc: 2048,
	kernel:    sgemmKernel12x32AVX512,
	packPanel: packPanelAVX512,
	smallM:    sgemmSmallM(vecAVX512),
}

// sgemmAVX2 uses the 6×16 AVX2+FMA microkernel: 12 ymm accumulators.
var sgemmAVX2 = &gemmImpl[float32]{
	name: "avx2", available: cpu.X86.HasAVX2 && cpu.X86.HasFMA,
	mr: 6, nr: 16, kc: 256, mc: 6 * 24, nc: 2048,
	kernel: sgemmKernel6x16AVX2,
	smallM: sgemmSmallM(vecAVX2),
}

func archSgemmImpls() []*gemmImpl[float32] {
	return []*gemmImpl[float32]{sgemmAVX512, sgemmAVX2}
}

// packPanelAVX512 packs one full panel of width 12 or 32 (see packPanels)
// with the AVX-512 copy and 16×16-transpose packers; the last kc%16 steps
// of a transposed panel go through packPanelGo.
func packPanelAVX512(dst, src []float32, ld, kc, w int, transposed bool) bool {
	if w != 12 && w != 32 {
		return false
	}
	_ = dst[kc*w-1]
	if !transposed {
		_ = src[(kc-1)*ld+w-1]
		if w == 12 {
			packCopy12AVX512(&dst[0], &src[0], ld, kc)
		} else {
			packCopy32AVX512(&dst[0], &src[0], ld, kc)
		}
		return true
	}
	_ = src[(w-1)*ld+kc-1]
	kc16 := kc &^ 15
	if kc16 > 0 {
		if w == 12 {
			packTranspose12AVX512(&dst[0], &src[0], ld, kc16)
		} else {
			packTranspose32AVX512(&dst[0], &src[0], ld, kc16)
		}
	}
	if kc16 < kc {
		packPanelGo(dst[kc16*w:], operand[float32]{src[kc16:], ld, 1}, w, kc-kc16, w)
	}
	return true
}
