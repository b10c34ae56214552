package optim

import (
	"math"
	"unsafe"
)

// fma returns a*b + c the way torch's CPU kernels compute it for T: in
// float64 fused, rounded once (math.FMA); in float32 with the product
// rounded first.
//
// torch's CPU kernels fuse: the vectorized add(x, y, alpha) (add_ with
// alpha) is written as vec::fmadd(y, alpha, x), and the compiler contracts
// addcmul's self + value*t1*t2 into an FMA too (GCC's default
// -ffp-contract=fast). Rounding those products separately moves a float64
// update by an ulp now and then (plain SGD matched torch on 84 of 92
// elements with a separately rounded product, on all 92 with an FMA); with
// fma every float64 case of testdata/optim_golden.json matches torch bit for
// bit.
//
// In float32 a fused multiply-add in Go needs conversions to float64 whose
// false register dependencies chain the loop iterations: it made the float32
// SGD kernel 5x slower (1.4 -> 7 ns per element). float32 training does not
// need torch's last bit, so float32 keeps the separately rounded product
// (within 2.4e-7 absolute of torch on the golden cases, mostly 1 ulp).
func fma[T float](a, b, c T) T {
	var z T
	if unsafe.Sizeof(z) == 8 { // float64; a constant in each instantiation
		return T(math.FMA(float64(a), float64(b), float64(c)))
	}
	return T(a*b) + c
}
