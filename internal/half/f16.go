package half

import (
	"math"
	"math/bits"
)

// F16ToF32 returns the float32 equal to the IEEE binary16 value with bit
// pattern h. It is exact for every h: normals, subnormals, ±0, ±Inf, and NaNs
// (the 10-bit payload is kept in the top of the float32 mantissa).
func F16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0: // normal: (-1)^s * 1.mant * 2^(exp-15)
		return math.Float32frombits(sign | (exp-15+127)<<23 | mant<<13)
	case mant == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal: value = mant * 2^-24 with 1 <= mant < 2^10. Shift the leading
	// one of mant up to bit 10 (the implicit bit); each shift lowers the
	// exponent by one, starting from the smallest normal exponent -14.
	shift := uint32(bits.LeadingZeros32(mant)) - 21 // 1..10
	mant = (mant << shift) & 0x3ff
	exp32 := uint32(127-14) - shift
	return math.Float32frombits(sign | exp32<<23 | mant<<13)
}

// F32ToF16 returns the binary16 bit pattern nearest to f, ties to even.
// Magnitudes that round above the largest float16 (65504), i.e. |f| >= 65520,
// become ±Inf; magnitudes at or below 2^-25 become ±0. A NaN becomes a quiet
// NaN carrying the top 9 bits of f's payload.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 { // NaN: set the quiet bit so the payload can't read as Inf
			return sign | 0x7e00 | uint16(mant>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 127 // unbiased exponent of f (meaningless for f32 subnormals, which are far below the f16 range)
	if e > 15 {
		return sign | 0x7c00
	}
	if e >= -14 {
		// Normal float16 candidate: keep the top 10 mantissa bits and round on
		// the 13 dropped bits. A carry out of the mantissa correctly bumps the
		// exponent, and from the largest exponent it yields 0x7c00 = Inf.
		h := uint16(e+15)<<10 | uint16(mant>>13)
		rest := mant & 0x1fff
		if rest > 0x1000 || (rest == 0x1000 && h&1 == 1) {
			h++
		}
		return sign | h
	}
	// Subnormal float16 (or zero). With the implicit bit, f = m * 2^(e-23) and
	// m < 2^24; in units of the float16 subnormal step 2^-24 that is
	// m * 2^(e+1) = m >> s with s = -(e+1) >= 14. For s >= 25 the value is
	// below half a step (m < 2^24 = 2^(s-1) at s = 25) and rounds to zero;
	// this also covers float32 zeros and subnormals.
	s := uint(-(e + 1))
	if s >= 25 {
		return sign
	}
	m := mant | 0x800000
	h := uint16(m >> s)
	rest := m & (1<<s - 1)
	halfway := uint32(1) << (s - 1)
	if rest > halfway || (rest == halfway && h&1 == 1) {
		h++ // may carry into 0x0400, the smallest normal: still the right encoding
	}
	return sign | h
}
