package optim

import "math"

// powInt returns x^n for n >= 0, correctly rounded except in cases closer
// to a rounding boundary than about n * 2^-104 relative: it multiplies by
// squaring in double-double arithmetic (each product exact through FMA) and
// rounds once. torch computes AdamW's bias corrections 1 - beta^t with
// Python's float power, which calls the C library's pow (correctly rounded in
// glibc); math.Pow multiplies in plain float64 and is often 1 ulp off
// (math.Pow(0.9, 4) = 0.65610000000000013, not 0.6561), which would move
// every AdamW update by an ulp.
func powInt(x float64, n int64) float64 {
	if n < 0 {
		panic("optim: powInt: negative exponent")
	}
	rh, rl := 1.0, 0.0 // result
	bh, bl := x, 0.0   // x^(2^k)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			rh, rl = mulDD(rh, rl, bh, bl)
		}
		if n > 1 {
			bh, bl = mulDD(bh, bl, bh, bl)
		}
	}
	return rh + rl
}

// mulDD returns the double-double product (ah + al) * (bh + bl), dropping
// the al*bl term (below 2^-106 relative).
func mulDD(ah, al, bh, bl float64) (hi, lo float64) {
	p := ah * bh
	e := math.FMA(ah, bh, -p) // the exact rounding error of ah*bh
	e += ah*bl + al*bh
	hi = p + e
	lo = e - (hi - p)
	return hi, lo
}
