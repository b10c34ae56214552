// Package half converts between float32 and the two 16-bit floating-point
// formats found in checkpoints: IEEE 754 binary16 ("float16", F16) and
// bfloat16 (BF16, the upper half of a float32).
//
// Values are carried as their raw uint16 bit patterns. Widening to float32
// (F16ToF32, BF16ToF32) is exact for every input, including subnormals,
// infinities and NaNs. Narrowing (F32ToF16, F32ToBF16) rounds to nearest with
// ties to even, as IEEE 754 and PyTorch's .half()/.bfloat16() do: values too
// large for the format become ±Inf, and a NaN stays a NaN (quiet, with as much
// of its payload as fits).
//
// Layouts:
//
//	float16:  1 sign | 5 exponent (bias 15)  | 10 mantissa
//	bfloat16: 1 sign | 8 exponent (bias 127) |  7 mantissa
//	float32:  1 sign | 8 exponent (bias 127) | 23 mantissa
package half
