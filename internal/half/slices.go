package half

import "fmt"

// F16sToF32s sets dst[i] = F16ToF32(src[i]). It panics if len(dst) != len(src).
func F16sToF32s(dst []float32, src []uint16) {
	checkLen("F16sToF32s", len(dst), len(src))
	for i, h := range src {
		dst[i] = F16ToF32(h)
	}
}

// F32sToF16s sets dst[i] = F32ToF16(src[i]). It panics if len(dst) != len(src).
func F32sToF16s(dst []uint16, src []float32) {
	checkLen("F32sToF16s", len(dst), len(src))
	for i, f := range src {
		dst[i] = F32ToF16(f)
	}
}

// BF16sToF32s sets dst[i] = BF16ToF32(src[i]). It panics if len(dst) != len(src).
func BF16sToF32s(dst []float32, src []uint16) {
	checkLen("BF16sToF32s", len(dst), len(src))
	for i, h := range src {
		dst[i] = BF16ToF32(h)
	}
}

// F32sToBF16s sets dst[i] = F32ToBF16(src[i]). It panics if len(dst) != len(src).
func F32sToBF16s(dst []uint16, src []float32) {
	checkLen("F32sToBF16s", len(dst), len(src))
	for i, f := range src {
		dst[i] = F32ToBF16(f)
	}
}

func checkLen(op string, dst, src int) {
	if dst != src {
		panic(fmt.Sprintf("half.%s: len(dst) = %d but len(src) = %d", op, dst, src))
	}
}
