package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Constants of the exp algorithm (see exp).
func defineExpConstants() {
	f32("one", 1)
	f32("half", 0.5)
	f32("negHalf", -0.5)
	f32("expHi", 88.8) // exp(88.8) overflows: +Inf stays +Inf
	// exp(-104) < 2^-150 rounds to 0; the clamp is lower so that a factor
	// up to e^11 folded in before the scaling (GELU) still leaves 0.
	f32("expLo", -115)
	f32("log2e", float32(math.Log2E))
	ln2Hi := float32(math.Ln2)
	f32("ln2Hi", ln2Hi)
	f32("ln2Lo", float32(math.Ln2-float64(ln2Hi)))
	// Taylor coefficients 1/k! of e^r = 1 + r + r²(c2 + c3 r + ... + c7 r^5);
	// the truncation error on |r| <= ln2/2 is below 6e-9.
	fact := 1.0
	for k := 1; k <= 7; k++ {
		fact *= float64(k)
		if k >= 2 {
			f32(expCoef(k), float32(1/fact))
		}
	}
	f32("corrLo", -1)
	f32("corrHi", 1)
	u32s("bias127", func(int) uint32 { return 127 })
	f32("negInf", float32(math.Inf(-1)))
	f32("nan", float32(math.NaN()))
	u32s("absMask", func(int) uint32 { return 0x7fffffff })
	u32s("signMask", func(int) uint32 { return 0x80000000 })
	u32s("iota", func(i int) uint32 { return uint32(i) })
}

func expCoef(k int) string { return "expC" + string(rune('0'+k)) }

// exp emits v = exp(v + corr) on float32 lanes, where corr (nil for none)
// is a small correction to the argument, such as the rounding error of the
// subtraction that produced v; t1, t2, t3 are scratch.
//
// Algorithm: clamp v to [-115, 88.8] (keeping NaN); n = round(v·log2 e);
// r = v - n·ln2 with ln2 split in two (FMA Cody-Waite, exact for these n)
// plus corr; e^r = 1 + r + r²·(1/2 + r/6 + ... + r^5/5040); scale by 2^n
// (VSCALEFPS, or two exponent-field multiplies in AVX2 so that results
// down to 2^-149 round once). Measured error: at most 2 ulp (TestExp).
func (x visa) exp(v, corr, t1, t2, t3 VecPhysical) {
	x.expParts(v, corr, t1, t2, t3)
	x.scaleFactors(t1, t3)
	x.applyScale(t2, t1, t3, v)
}

// expParts computes exp(v + corr) = p·2^n: n (an integer-valued float) in
// n and p in [0.7, 1.42] in p; v is clobbered, t is scratch. Callers that
// multiply the result by another factor fold it into p before applyScale,
// so that a subnormal result rounds once.
func (x visa) expParts(v, corr, n, p, t VecPhysical) {
	VMOVUPS(constant("expHi"), n)
	VMINPS(v, n, v) // MINPS returns its second source (v) when v is NaN
	VMOVUPS(constant("expLo"), n)
	VMAXPS(v, n, v)
	if corr != nil {
		// A NaN correction (from ±Inf arguments) becomes ±1; any |corr| > 1
		// comes with |v| >= 2^24, where exp is 0 or +Inf anyway.
		VMAXPS(constant("corrLo"), corr, corr)
		VMINPS(constant("corrHi"), corr, corr)
	}
	VMULPS(constant("log2e"), v, n)
	if x.is512() {
		VRNDSCALEPS(U8(8), n, n) // round to nearest even, no exceptions
	} else {
		VROUNDPS(U8(8), n, n)
	}
	VFNMADD231PS(constant("ln2Hi"), n, v) // v -= n*ln2Hi
	VFNMADD231PS(constant("ln2Lo"), n, v)
	if corr != nil {
		VADDPS(corr, v, v)
	}
	VMOVUPS(constant(expCoef(7)), p)
	for k := 6; k >= 2; k-- {
		VFMADD213PS(constant(expCoef(k)), v, p) // p = p*r + c_k
	}
	VMULPS(v, v, t)
	VFMADD213PS(v, t, p) // p = r²*p + r
	VADDPS(constant("one"), p, p)
}

// scaleFactors prepares n from expParts for applyScale: nothing for
// AVX-512; for AVX2 it turns n into the float 2^n1 and t into 2^n2, with
// n1 = n>>1 and n2 = n - n1 both in [-83, 64], so that 2^n never leaves
// the normal range before the last multiply.
func (x visa) scaleFactors(n, t VecPhysical) {
	if x.is512() {
		return
	}
	VCVTPS2DQ(n, n)
	VPSRAD(U8(1), n, t)
	VPSUBD(t, n, n)
	VPADDD(constant("bias127"), t, t)
	VPSLLD(U8(23), t, t)
	VPADDD(constant("bias127"), n, n)
	VPSLLD(U8(23), n, n)
}

// applyScale sets dst = p·2^n (n and t from scaleFactors), rounding once.
func (x visa) applyScale(p, n, t, dst VecPhysical) {
	if x.is512() {
		VSCALEFPS(n, p, dst)
		return
	}
	VMULPS(t, p, dst)
	VMULPS(n, dst, dst)
}
