package half

import "math"

// BF16ToF32 returns the float32 equal to the bfloat16 value with bit pattern h
// (exact: bfloat16 is the upper 16 bits of a float32).
func BF16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// F32ToBF16 returns the bfloat16 bit pattern nearest to f, ties to even.
// Magnitudes that round above the largest finite bfloat16 become ±Inf. A NaN
// becomes a quiet NaN carrying the top 6 bits of f's payload.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 { // NaN: truncate and force the quiet bit
		return uint16(b>>16) | 0x0040
	}
	// Round to nearest even on the low 16 bits: adding 0x7fff rounds up
	// anything above the halfway point 0x8000; the extra lsb of the kept part
	// turns the exact tie into a round-up only when the kept part is odd.
	// Carries propagate into the exponent, reaching Inf from the largest finite.
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
