package kernel

import "fmt"

// RoundBF16 sets dst[i] to the bfloat16 bits of src[i] rounded as the
// bfloat16 products round their float32 inputs (nearest even; subnormals
// become zero of their sign, which the products read them as anyway; NaNs
// stay NaN, quiet). So GemmBF16B on the rounded matrix gives the bits of
// GemmBF16 on src: round stored weights with RoundBF16 once and multiply
// them many times. It uses VCVTNE2PS2BF16 where the CPU has it.
//
// RoundBF16 panics if len(dst) != len(src).
func RoundBF16(dst []uint16, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernel.RoundBF16: len(dst) = %d but len(src) = %d", len(dst), len(src)))
	}
	n := 0
	if roundBF16sFast != nil {
		n = len(src) / 32 * 32
		if n > 0 {
			roundBF16sFast(dst[:n], src[:n])
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = roundBF16(src[i])
	}
}
