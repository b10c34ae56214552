//go:build !purego

package kernel

import (
	"math"

	"golang.org/x/sys/cpu"
)

//go:generate go run -C _asm ./vec -out ../vec_amd64.s -stubs ../vec_stubs_amd64.go -pkg kernel

// The assembly kernels read len(x) elements of every slice argument; the
// wrappers below reslice the other arguments to len(x) first, so a short
// slice panics in Go instead of being overrun.

// vecAVX512 needs AVX512DQ besides AVX512F for the float logic
// instructions (VANDPS and friends on zmm) of exp-sum and GELU.
var vecAVX512 = &vecImpl{
	name: "avx512", available: cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ,
	dot: func(x, y []float32) float64 { return dotAVX512(x, y[:len(x)]) },
	sum: sumAVX512,
	axpy: func(alpha float32, x, y []float32) {
		axpyAVX512(alpha, x, y[:len(x)])
	},
	scale:       scaleAVX512,
	max:         maxAVX512,
	exp:         func(dst, x []float32) { expAVX512(dst[:len(x)], x) },
	expShiftSum: expShiftSumWith(expShiftSumAVX512, expShiftSumNoStoreAVX512),
	layerNorm:   layerNormWith(sumAVX512, sumSqDevAVX512, normalizeAVX512, normalizeAffineAVX512),
	gelu:        func(dst, x []float32) { geluAVX512(dst[:len(x)], x) },
	geluTanh:    func(dst, x []float32) { geluTanhAVX512(dst[:len(x)], x) },
	geluBackward: func(d, x, y []float32) {
		geluBackwardAVX512(d[:len(x)], x, y[:len(x)])
	},
	layerNormBackwardPrep: func(xhat, dnorm, x, dy, w []float32, mean, rstd float32) {
		n := len(x)
		layerNormBackwardPrepAVX512(xhat[:n], dnorm[:n], x, dy[:n], w[:n], mean, rstd)
	},
	layerNormBackwardApply: layerNormBackwardApplyWith(layerNormBackwardAddAVX512, layerNormBackwardSetAVX512),
}

var vecAVX2 = &vecImpl{
	name: "avx2", available: cpu.X86.HasAVX2 && cpu.X86.HasFMA,
	dot: func(x, y []float32) float64 { return dotAVX2(x, y[:len(x)]) },
	sum: sumAVX2,
	axpy: func(alpha float32, x, y []float32) {
		axpyAVX2(alpha, x, y[:len(x)])
	},
	scale:       scaleAVX2,
	max:         maxAVX2,
	exp:         func(dst, x []float32) { expAVX2(dst[:len(x)], x) },
	expShiftSum: expShiftSumWith(expShiftSumAVX2, expShiftSumNoStoreAVX2),
	layerNorm:   layerNormWith(sumAVX2, sumSqDevAVX2, normalizeAVX2, normalizeAffineAVX2),
	gelu:        func(dst, x []float32) { geluAVX2(dst[:len(x)], x) },
	geluTanh:    func(dst, x []float32) { geluTanhAVX2(dst[:len(x)], x) },
	geluBackward: func(d, x, y []float32) {
		geluBackwardAVX2(d[:len(x)], x, y[:len(x)])
	},
	layerNormBackwardPrep: func(xhat, dnorm, x, dy, w []float32, mean, rstd float32) {
		n := len(x)
		layerNormBackwardPrepAVX2(xhat[:n], dnorm[:n], x, dy[:n], w[:n], mean, rstd)
	},
	layerNormBackwardApply: layerNormBackwardApplyWith(layerNormBackwardAddAVX2, layerNormBackwardSetAVX2),
}

func archVecImpls() []*vecImpl { return []*vecImpl{vecAVX512, vecAVX2} }

// layerNormBackwardApplyWith adapts the adding and setting assembly apply
// passes to vecImpl.layerNormBackwardApply.
func layerNormBackwardApplyWith(add, set func(dx, pw, pb, dnorm, xhat, dy []float32, rstd, m1, m2 float32)) func(dx, pw, pb, dnorm, xhat, dy []float32, rstd, m1, m2 float32, add bool) {
	return func(dx, pw, pb, dnorm, xhat, dy []float32, rstd, m1, m2 float32, accumulate bool) {
		n := len(dy)
		if accumulate {
			add(dx[:n], pw[:n], pb[:n], dnorm[:n], xhat[:n], dy, rstd, m1, m2)
			return
		}
		set(dx[:n], pw[:n], pb[:n], dnorm[:n], xhat[:n], dy, rstd, m1, m2)
	}
}

// expShiftSumWith adapts the storing and non-storing assembly kernels to
// vecImpl.expShiftSum (dst nil: do not store).
func expShiftSumWith(store func(dst, x []float32, shift float32) float64, noStore func(x []float32, shift float32) float64) func(dst, x []float32, shift float32) float64 {
	return func(dst, x []float32, shift float32) float64 {
		if dst == nil {
			return noStore(x, shift)
		}
		return store(dst[:len(x)], x, shift)
	}
}

// layerNormWith builds vecImpl.layerNorm from the assembly passes: the
// float64 sum, the float64 sum of squared deviations, and the float64
// normalization with or without the float32 affine map.
func layerNormWith(sum func(x []float32) float64, sumSqDev func(x []float32, mean float64) float64,
	normalize func(out, x []float32, mean, rstd float64), normalizeAffine func(out, x, w, b []float32, mean, rstd float64),
) func(out, x, weight, bias []float32, eps float32) (float32, float32) {
	return func(out, x, weight, bias []float32, eps float32) (float32, float32) {
		n := len(x)
		mean := sum(x) / float64(n)
		rstd := 1 / math.Sqrt(sumSqDev(x, mean)/float64(n)+float64(eps))
		out = out[:n]
		if weight != nil && bias != nil {
			normalizeAffine(out, x, weight[:n], bias[:n], mean, rstd)
			return float32(mean), float32(rstd)
		}
		normalize(out, x, mean, rstd)
		if weight != nil {
			for i, w := range weight[:n] {
				out[i] *= w
			}
		}
		if bias != nil {
			for i, b := range bias[:n] {
				out[i] += b
			}
		}
		return float32(mean), float32(rstd)
	}
}
