package kernel

import (
	"math"
	"unsafe"
)

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
// the k pairs, then the epilogue of mergeBF16Tile. The panels come from
// the Go packers, which leave no subnormal bfloat16 (see bf16Operand.elem),
// so values widen by a shift. A row of the tile at a time keeps its goNR
// sums in registers and takes every step inline as stepFastBF16 does; a row in which some step was not exact and finite
// (rare: underflowing or infinite products) is summed again with
// dotPairBF16.
func gemmBF16KernelGo(k int, a, b *uint32, c *float32, ldc int, alpha, beta float32) {
	ap := unsafe.Slice(a, k*goMR)
	bp := unsafe.Slice(b, k*goNR)
	cs := unsafe.Slice(c, (goMR-1)*ldc+goNR)
	var t [goMR * goNR]float32
	for i := 0; i < goMR; i++ {
		var c0, c1, c2, c3 float32
		ok := true
		for p := 0; p < k; p++ {
			pa := ap[p*goMR+i]
			hi, lo := math.Float32frombits(pa&0xffff0000), math.Float32frombits(pa<<16)
			bv := bp[p*goNR : p*goNR+goNR : p*goNR+goNR]
			var ok0, ok1, ok2, ok3, ok4, ok5, ok6, ok7 bool
			c0, ok0 = stepFastBF16(c0, hi, math.Float32frombits(bv[0]&0xffff0000))
			c1, ok1 = stepFastBF16(c1, hi, math.Float32frombits(bv[1]&0xffff0000))
			c2, ok2 = stepFastBF16(c2, hi, math.Float32frombits(bv[2]&0xffff0000))
			c3, ok3 = stepFastBF16(c3, hi, math.Float32frombits(bv[3]&0xffff0000))
			c0, ok4 = stepFastBF16(c0, lo, math.Float32frombits(bv[0]<<16))
			c1, ok5 = stepFastBF16(c1, lo, math.Float32frombits(bv[1]<<16))
			c2, ok6 = stepFastBF16(c2, lo, math.Float32frombits(bv[2]<<16))
			c3, ok7 = stepFastBF16(c3, lo, math.Float32frombits(bv[3]<<16))
			ok = ok && ok0 && ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7
		}
		t[i*goNR], t[i*goNR+1], t[i*goNR+2], t[i*goNR+3] = c0, c1, c2, c3
		if !ok {
			for j := 0; j < goNR; j++ {
				var acc float32
				for p := 0; p < k; p++ {
					acc = dotPairBF16(acc, ap[p*goMR+i], bp[p*goNR+j])
				}
				t[i*goNR+j] = acc
			}
		}
	}
	mergeBF16Tile(cs, ldc, t[:], goNR, goMR, goNR, alpha, beta)
}

// stepFastBF16 returns dotStepBF16(acc, x, y) and true when acc is not
// subnormal and x*y is a normal float32 or an exact zero (then it is exact:
// see dotStepBF16); ok is false, and s meaningless, when x*y is infinite,
// NaN, subnormal or an underflow to zero.
func stepFastBF16(acc, x, y float32) (s float32, ok bool) {
	p := x * y
	pe := math.Float32bits(p) & 0x7f800000
	s = acc + p
	if sb := math.Float32bits(s); sb&0x7f800000 == 0 {
		s = math.Float32frombits(sb & 0x80000000)
	}
	return s, pe != 0x7f800000 && (pe != 0 || x == 0 || y == 0)
}
