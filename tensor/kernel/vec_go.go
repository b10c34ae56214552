package kernel

import "math"

// vecGo is the portable implementation of the vector and row kernels. The
// transcendental kernels evaluate in float64 with the math package and
// round once, so they are within 1 ulp of the exact result; it is the
// reference the assembly is compared with.
var vecGo = &vecImpl{
	name: "go", available: true,
	dot:         dotGo,
	sum:         sumGo,
	axpy:        axpyGo,
	scale:       scaleGo,
	max:         maxGo,
	exp:         expGo,
	expShiftSum: expShiftSumGo,
	layerNorm:   layerNormGo,
	gelu:        geluGo,
	geluTanh:    geluTanhGo,
}

func dotGo(x, y []float32) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i]) * float64(y[i])
		s1 += float64(x[i+1]) * float64(y[i+1])
		s2 += float64(x[i+2]) * float64(y[i+2])
		s3 += float64(x[i+3]) * float64(y[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * float64(y[i])
	}
	return (s0 + s1) + (s2 + s3)
}

func sumGo(x []float32) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
	}
	if i < len(x) {
		s0 += float64(x[i])
	}
	return s0 + s1
}

func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

func scaleGo(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

func maxGo(x []float32) float32 {
	m := x[0]
	for _, v := range x {
		if v != v {
			return v
		}
		if v > m {
			m = v
		}
	}
	return m
}

func expGo(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(math.Exp(float64(v)))
	}
}

// expShiftSumGo computes x[i]-shift exactly in float64 (the difference of
// two float32 values is exact there), so the only rounding is the final
// one to float32.
func expShiftSumGo(dst, x []float32, shift float32) float64 {
	var sum float64
	s := float64(shift)
	for i, v := range x {
		e := float32(math.Exp(float64(v) - s))
		if dst != nil {
			dst[i] = e
		}
		sum += float64(e)
	}
	return sum
}

// layerNormGo accumulates the mean and the biased variance in float64 and
// normalizes in float64, rounding once before the affine map.
func layerNormGo(out, x, weight, bias []float32, eps float32) (mean, rstd float32) {
	mu := sumGo(x) / float64(len(x))
	var ss float64
	for _, v := range x {
		d := float64(v) - mu
		ss += d * d
	}
	r := 1 / math.Sqrt(ss/float64(len(x))+float64(eps))
	out = out[:len(x)]
	for i, v := range x {
		n := float32((float64(v) - mu) * r)
		switch {
		case weight != nil && bias != nil:
			out[i] = n*weight[i] + bias[i]
		case weight != nil:
			out[i] = n * weight[i]
		case bias != nil:
			out[i] = n + bias[i]
		default:
			out[i] = n
		}
	}
	return float32(mu), float32(r)
}

// geluGo computes x*Φ(x) = x/2 * erfc(-x/√2): erfc keeps the relative
// accuracy for negative x, where 1+erf(x/√2) would cancel.
func geluGo(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		f := float64(v)
		dst[i] = float32(0.5 * f * math.Erfc(-f/math.Sqrt2))
	}
}

// geluTanhGo computes 0.5*x*(1+tanh(u)), u = √(2/π)*(x+0.044715x³), as
// x/(1+exp(-2u)), the same function without the cancellation of 1+tanh(u)
// for negative u.
func geluTanhGo(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(geluTanh64(float64(v)))
	}
}

// geluTanh64 is the tanh-approximated GELU in float64.
func geluTanh64(x float64) float64 {
	const c = 0.7978845608028654 // √(2/π)
	u := c * (x + 0.044715*x*x*x)
	return x / (1 + math.Exp(-2*u))
}
