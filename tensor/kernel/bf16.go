package kernel

import "math"

// bfloat16 arithmetic as the AVX512_BF16 instructions do it, in Go: the
// portable GEMM and the tests use these so that every implementation gives
// the same bits. A bfloat16 is the upper half of a float32 (1 sign,
// 8 exponent, 7 mantissa bits); a pair of them in a uint32 holds element
// 2p in its low and 2p+1 in its high half, the order VDPBF16PS reads.

// roundBF16 returns the bfloat16 nearest to f, ties to even, as
// VCVTNE2PS2BF16 rounds (Intel SDM, convert_fp32_to_bfloat16): zeros and
// subnormals become zero of their sign, infinities stay, a NaN keeps its
// top payload bits and becomes quiet; finite values that round past the
// largest bfloat16 become infinities. MXCSR is not consulted.
func roundBF16(f float32) uint16 {
	b := math.Float32bits(f)
	switch {
	case b&0x7f800000 == 0: // zero or subnormal
		return uint16(b>>16) & 0x8000
	case b&0x7fffffff > 0x7f800000: // NaN
		return uint16(b>>16) | 0x0040
	}
	// Add 0x7fff plus the lowest kept bit: anything above the halfway point
	// carries into the kept half, the tie only when that half is odd. An
	// infinity has zero low bits and stays.
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// widenBF16 returns bfloat16 h as a float32 the way VDPBF16PS reads its
// inputs: exact, except that subnormals are read as zero of their sign (DAZ).
func widenBF16(h uint16) float32 {
	return dazBits(uint32(h) << 16)
}

// dazBits returns the float32 with bits b, subnormals read as zero.
func dazBits(b uint32) float32 {
	if b&0x7f800000 == 0 {
		b &= 0x80000000
	}
	return math.Float32frombits(b)
}

// dotPairBF16 returns acc after one VDPBF16PS lane on the bfloat16 pairs a
// and b: acc += a.hi*b.hi, then acc += a.lo*b.lo, each step as
// dotStepBF16 rounds it. (Intel SDM, VDPBF16PS: the odd elements first.)
func dotPairBF16(acc float32, a, b uint32) float32 {
	acc = dotStepBF16(acc, dazBits(a&0xffff0000), dazBits(b&0xffff0000))
	return dotStepBF16(acc, dazBits(a<<16), dazBits(b<<16))
}

// dotStepBF16 returns acc + x*y as one step of VDPBF16PS computes it: a
// fused multiply-add rounded to nearest even, with a subnormal acc read as
// zero and a result that is tiny after rounding (below 2^-126 in magnitude
// when rounded to 24 bits with an unbounded exponent) flushed to zero of
// its sign. x and y are widened bfloat16 values (no subnormals). NaNs: a
// NaN x, else y, else acc is returned quiet; an invalid operation
// (∞·0, ∞-∞) gives the default NaN 0xffc00000. Every rule was checked
// against the instruction on a Zen 5 (TestDotBF16MatchesInstruction).
//
// In the common case x*y is a normal float32; then it is exact (a product
// of two 8-bit significands has 16 bits), so one float32 addition is the
// fused result, and acc + x*y is a multiple of 2^-149 that is tiny exactly
// when it is subnormal.
func dotStepBF16(acc, x, y float32) float32 {
	p := x * y
	pe := math.Float32bits(p) & 0x7f800000
	ae := math.Float32bits(acc) & 0x7f800000
	accNormal := ae != 0x7f800000 && (ae != 0 || acc == 0)                // zero or normal
	pExact := pe != 0 && pe != 0x7f800000 || p == 0 && (x == 0 || y == 0) // normal, or a zero factor
	if !accNormal || !pExact {
		return dotStepExact(acc, x, y)
	}
	s := acc + p
	if math.Float32bits(s)&0x7f800000 == 0 {
		return math.Float32frombits(math.Float32bits(s) & 0x80000000)
	}
	return s
}

// dotStepExact is dotStepBF16 for every input: NaNs, infinities, products
// that are not normal floats and subnormal acc.
func dotStepExact(acc, x, y float32) float32 {
	const defaultNaN = 0xffc00000
	for _, v := range []float32{x, y, acc} {
		if v != v {
			return math.Float32frombits(math.Float32bits(v) | 0x00400000)
		}
	}
	acc = dazBits(math.Float32bits(acc))
	p := float64(x) * float64(y) // exact: 16 significant bits, exponent within float64's range
	s := float64(acc) + p
	if s != s {
		return math.Float32frombits(defaultNaN)
	}
	if math.IsInf(s, 0) || s == 0 {
		return float32(s)
	}
	s = roundToOdd(float64(acc), p)
	// Round to 24 bits with an unbounded exponent: scaled by 2^64 every
	// candidate is a normal float32, and scaling by a power of two is exact.
	if math.Abs(s) < 0x1p-120 {
		r := float32(s * 0x1p64)
		if math.Abs(float64(r)) < 0x1p-126*0x1p64 {
			return math.Float32frombits(math.Float32bits(r) & 0x80000000)
		}
		return float32(float64(r) * 0x1p-64)
	}
	return float32(s)
}

// roundToOdd returns a+b rounded to float64 by rounding to odd: the exact
// sum if it is a float64, else the neighbour of it with an odd last bit.
// Rounding that to float32 (24 bits, or fewer where subnormal) is the
// correctly rounded sum: round to odd with 2 or more extra bits cannot
// cause a double rounding (Boldo and Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", 2008).
// a and b are finite and their sum does not overflow.
func roundToOdd(a, b float64) float64 {
	s := a + b
	// TwoSum (Knuth): e is the exact error a+b-s.
	bb := s - a
	e := (a - (s - bb)) + (b - bb)
	bits := math.Float64bits(s)
	if e == 0 || bits&1 == 1 {
		return s
	}
	if (e > 0) == (s > 0) {
		return math.Float64frombits(bits + 1)
	}
	return math.Float64frombits(bits - 1)
}

// fma32 returns x*y + z rounded once to float32 (nearest even, subnormals
// kept), as VFMADD231PS computes it: the epilogue of every bfloat16 GEMM
// implementation, C = alpha*acc + beta*C, goes through this or the
// instruction. NaN payloads are not modelled.
func fma32(x, y, z float32) float32 {
	p := float64(x) * float64(y) // exact: 48 significant bits
	s := p + float64(z)
	if s != s || math.IsInf(s, 0) || math.IsInf(p, 0) || s == 0 {
		return float32(s)
	}
	return float32(roundToOdd(p, float64(z)))
}
