//go:build !purego

package kernel

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run -C _asm ./bf16 -out ../gemm_bf16_amd64.s -stubs ../gemm_bf16_stubs_amd64.go -pkg kernel

// gemmBF16AVX512 uses the 12×32 AVX512_BF16 microkernel: 24 zmm
// accumulators of VDPBF16PS, two zmm of B pairs and six broadcast A pairs
// per step of two k values. It needs AVX512BW too, for the packers' VPERMW.
var gemmBF16AVX512 = &bf16Impl{
	name: "avx512bf16", available: cpu.X86.HasAVX512BF16 && cpu.X86.HasAVX512BW,
	mr: 12, nr: 32, kc: gemmBF16KC, mc: 12 * 12, nc: 1024,
	kernel: gemmBF16Kernel12x32AVX512,
	pack:   packPairsAVX512,
}

// gemmBF16FMA computes the same bits with the 12×32 FMA kernel on widened
// panels under FTZ and DAZ (see gemmBF16Kernel12x32FMA), for CPUs whose
// VDPBF16PS is slow: on an Intel Xeon (family 6 model 207, Emerald
// Rapids) BenchmarkDPBF16Peak measured VDPBF16PS zmm at about half the
// flop rate of VFMADD231PS (80 against 160 GFLOP per CPU-second), where
// issue 13's probe measured twice it on AMD Zen 5. It
// needs AVX512F and AVX512BW; its packers round float32 values with
// AVX512_BF16 when present and in Go otherwise.
var gemmBF16FMA = &bf16Impl{
	name: "avx512fma", available: cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW,
	mr: 12, nr: 32, kc: gemmBF16KC, mc: 12 * 12, nc: 1024, wide: true,
	kernel: gemmBF16Kernel12x32FMA,
	pack:   packWideFast(),
}

// archGemmBF16Impls lists VDPBF16PS first on AMD CPUs and the FMA kernel
// first on the others.
func archGemmBF16Impls() []*bf16Impl {
	if isAMD() {
		return []*bf16Impl{gemmBF16AVX512, gemmBF16FMA}
	}
	return []*bf16Impl{gemmBF16FMA, gemmBF16AVX512}
}

// isAMD reports whether CPUID names the vendor AuthenticAMD.
func isAMD() bool {
	ebx, edx, ecx := cpuVendor()
	return ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163 // "Auth" "enti" "cAMD"
}

// packWideFast returns packWideAVX512 with float32 sources rounded by
// VCVTNE2PS2BF16 when the CPU has AVX512_BF16, and in Go otherwise.
func packWideFast() bf16Packer {
	round := cpu.X86.HasAVX512BF16
	return func(panel []uint32, src bf16Operand, kc, w int, tmp []uint32) bool {
		if src.f32 != nil && !round {
			return false
		}
		return packWideAVX512(panel, src, kc, w, tmp)
	}
}

// packWideAVX512 packs a full wide panel (see packPairs) of width 12 or 32:
// steps contiguous in the source (sx == 1) go through packWideCopy (float32
// rounded) or packWideCopyStored (bfloat16); rows contiguous (sp == 1) are
// widened into tmp in step order (widenRowsAVX512, widenRowsStoredAVX512)
// and packed by the float32 16×16 transposer. Odd tails are packed in Go.
func packWideAVX512(panel []uint32, src bf16Operand, kc, w int, tmp []uint32) bool {
	if w != 12 && w != 32 {
		return false
	}
	full, kc2 := kc/2, pairs(kc)
	switch {
	case src.sx == 1 && full > 0:
		_ = panel[2*kc2*w-1]
		last := (2*full-1)*src.sp + w - 1
		switch {
		case src.f32 != nil && w == 12:
			_ = src.f32[last]
			packWideCopy12AVX512(&panel[0], &src.f32[0], src.sp, full)
		case src.f32 != nil:
			_ = src.f32[last]
			packWideCopy32AVX512(&panel[0], &src.f32[0], src.sp, full)
		case w == 12:
			_ = src.b16[last]
			packWideCopyStored12AVX512(&panel[0], &src.b16[0], src.sp, full)
		default:
			_ = src.b16[last]
			packWideCopyStored32AVX512(&panel[0], &src.b16[0], src.sp, full)
		}
		if kc%2 == 1 {
			clear(panel[2*full*w : (2*full+1)*w])
			tail := panel[(2*full+1)*w : (2*full+2)*w]
			for r := range tail {
				tail[r] = uint32(src.elem(r, kc-1)) << 16
			}
		}
		return true
	case src.sp == 1:
		steps := 2 * kc2
		rows := tmp[:w*steps]
		n := kc / 16 // groups of 16 values widened in assembly
		for r := 0; r < w; r++ {
			row := rows[r*steps : (r+1)*steps]
			if n > 0 {
				if src.f32 != nil {
					widenRowsAVX512(&row[0], &src.f32[r*src.sx : r*src.sx+16*n][0], n)
				} else {
					widenRowsStoredAVX512(&row[0], &src.b16[r*src.sx : r*src.sx+16*n][0], n)
				}
			}
			for p := 8 * n; p < kc2; p++ {
				var hi uint16
				if 2*p+1 < kc {
					hi = src.elem(r, 2*p+1)
				}
				row[2*p], row[2*p+1] = uint32(hi)<<16, uint32(src.elem(r, 2*p))<<16
			}
		}
		return packPanelAVX512(wordsAsFloats(panel), wordsAsFloats(rows), steps, steps, w, true)
	}
	return false
}

// packPairsAVX512 packs a full panel of width 12 or 32: when the steps are
// contiguous (sx == 1), pairs of source lines go through packPairsCopy
// (float32 or stored bfloat16); when the rows of float32 values are
// contiguous (sp == 1), each row is
// rounded into tmp as kc/2 words, which the float32 16×16 transposer then
// packs (a word of two bfloat16 moves like a float32). bfloat16 operands
// with even row strides and 4-byte aligned rows go straight to the
// transposer.
func packPairsAVX512(panel []uint32, src bf16Operand, kc, w int, tmp []uint32) bool {
	if w != 12 && w != 32 {
		return false
	}
	full := kc / 2 // whole pairs; an odd last value is packed in Go
	switch {
	case src.sx == 1 && full > 0:
		last := (2*full-1)*src.sp + w - 1
		switch {
		case src.f32 != nil && w == 12:
			_ = src.f32[last]
			packPairsCopy12AVX512(&panel[0], &src.f32[0], src.sp, full)
		case src.f32 != nil:
			_ = src.f32[last]
			packPairsCopy32AVX512(&panel[0], &src.f32[0], src.sp, full)
		case w == 12:
			_ = src.b16[last]
			packPairsCopyStored12AVX512(&panel[0], &src.b16[0], src.sp, full)
		default:
			_ = src.b16[last]
			packPairsCopyStored32AVX512(&panel[0], &src.b16[0], src.sp, full)
		}
	case src.f32 != nil && src.sp == 1:
		kc2 := pairs(kc)
		rows := tmp[:w*kc2]
		for r := 0; r < w; r++ {
			line := src.f32[r*src.sx : r*src.sx+kc]
			row := rows[r*kc2 : (r+1)*kc2]
			n := kc / 32
			if n > 0 {
				cvtBF16AVX512(&row[0], &line[0], n)
			}
			for p := 16 * n; p < kc2; p++ {
				lo, hi := roundBF16(line[2*p]), uint16(0)
				if 2*p+1 < kc {
					hi = roundBF16(line[2*p+1])
				}
				row[p] = uint32(lo) | uint32(hi)<<16
			}
		}
		return packPanelAVX512(wordsAsFloats(panel), wordsAsFloats(rows), kc2, kc2, w, true)
	case src.b16 != nil && src.sp == 1 && src.sx%2 == 0 && full > 0 && uintptr(unsafe.Pointer(&src.b16[0]))%4 == 0:
		need := (w-1)*src.sx + 2*full
		words := unsafe.Slice((*uint32)(unsafe.Pointer(&src.b16[:need][0])), need/2)
		if !packPanelAVX512(wordsAsFloats(panel), wordsAsFloats(words), src.sx/2, full, w, true) {
			return false
		}
	default:
		return false
	}
	if kc%2 == 1 {
		last := panel[full*w : full*w+w]
		for r := range last {
			last[r] = uint32(src.elem(r, kc-1))
		}
	}
	return true
}

// wordsAsFloats returns s viewed as float32 values, for the float32
// packers, which move bits unchanged.
func wordsAsFloats(s []uint32) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(&s[0])), len(s))
}

// roundBF16sFast rounds len(src) (a multiple of 32) values with
// VCVTNE2PS2BF16, or is nil without AVX512_BF16.
var roundBF16sFast = func() func(dst []uint16, src []float32) {
	if !cpu.X86.HasAVX512BF16 {
		return nil
	}
	return func(dst []uint16, src []float32) { roundBF16sAVX512(&dst[0], &src[0], len(src)/32) }
}()
