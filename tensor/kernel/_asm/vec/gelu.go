package main

import (
	"fmt"
	"math"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The exact GELU is x·Φ(x) with Φ(x) = erfc(-x/√2)/2. With t = |x|/√2 the
// generated code evaluates
//
//	erfc(t) = w · exp(-t²) · P(s),  w = 1/(1 + t/2),  s = geluSA·w + geluSB,
//
// where P is a degree-10 polynomial fitted here (Chebyshev interpolation of
// P(w) = erfc(t)·exp(t²)/w, a smooth function of w on [1/6.25, 1], i.e.
// t in [0, 10.5]; beyond that exp(-t²) underflows). Then Φ = erfc/2 for
// x < 0, 1 - erfc/2 otherwise: no cancellation on either side, so GELU keeps
// its relative accuracy for negative x. exp(-t²) = exp(-x²/2) takes x² as
// an exact hi + lo pair (FMA), since t² reaches 110.
const (
	geluTMax   = 10.5
	geluDegree = 10
)

// defineGELUConstants fits P and adds the constants of both GELU kernels.
func defineGELUConstants() {
	wMin := 1 / (1 + geluTMax/2)
	sa, sb := 2/(1-wMin), -(1+wMin)/(1-wMin) // maps w in [wMin, 1] to s in [-1, 1]
	p := func(w float64) float64 {
		t := 2 * (1/w - 1)
		return math.Erfc(t) * math.Exp(t*t) / w
	}
	coef := chebyshevInterpolate(func(s float64) float64 { return p((s - sb) / sa) }, geluDegree, 400)
	worst := 0.0
	for t := 0.0; t <= geluTMax; t += 1e-3 {
		w := 1 / (1 + t/2)
		worst = math.Max(worst, math.Abs(horner(coef, sa*w+sb)/p(w)-1))
	}
	fmt.Fprintf(os.Stderr, "gelu: erfc polynomial degree %d, max relative fit error %.2g on t in [0, %g]\n", geluDegree, worst, geluTMax)
	for i, c := range coef {
		f32(fmt.Sprintf("geluP%d", i), float32(c))
	}
	f32("geluSA", float32(sa))
	f32("geluSB", float32(sb))
	f32("geluAMax", float32(geluTMax*math.Sqrt2)) // |x| for t = geluTMax
	f32("geluK", float32(1/(2*math.Sqrt2)))       // t/2 = |x|·geluK
	// GELUTanh: -2u = x·(k1 + k2·x²), u = √(2/π)(x + 0.044715x³).
	c := math.Sqrt(2 / math.Pi)
	f32("twenty", 20)
	f32("negTwenty", -20)
	f64("tanhK1", -2*c)
	f64("tanhK2", -2*c*0.044715)
}

// chebyshevInterpolate returns the monomial coefficients (in s) of the
// degree-deg polynomial interpolating f at n Chebyshev nodes of [-1, 1] in
// the least-squares sense (n > deg), which is within a small factor of the
// best uniform approximation for smooth f.
func chebyshevInterpolate(f func(s float64) float64, deg, n int) []float64 {
	cheb := make([]float64, deg+1)
	for k := 0; k < n; k++ {
		theta := math.Pi * (float64(k) + 0.5) / float64(n)
		fv := f(math.Cos(theta))
		for j := range cheb {
			cheb[j] += fv * math.Cos(float64(j)*theta) * 2 / float64(n)
		}
	}
	cheb[0] /= 2
	// T_0 = 1, T_1 = s, T_j = 2s·T_{j-1} - T_{j-2}, as monomial coefficients.
	mono := make([]float64, deg+1)
	prev, cur := []float64{1}, []float64{0, 1}
	for j := 0; j <= deg; j++ {
		var tj []float64
		switch j {
		case 0:
			tj = prev
		case 1:
			tj = cur
		default:
			next := make([]float64, j+1)
			for i, v := range cur {
				next[i+1] += 2 * v
			}
			for i, v := range prev {
				next[i] -= v
			}
			prev, cur = cur, next
			tj = next
		}
		for i, v := range tj {
			mono[i] += cheb[j] * v
		}
	}
	return mono
}

func horner(coef []float64, s float64) float64 {
	v := 0.0
	for i := len(coef) - 1; i >= 0; i-- {
		v = v*s + coef[i]
	}
	return v
}

// gelu emits dst = x·Φ(x) for the float32 vector in xv (kept); r holds 9
// scratch registers.
func (x visa) gelu(xv, dst VecPhysical, r []VecPhysical) {
	a, e, lo, w, s, q, n, p, t := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]
	VANDPS(constant("absMask"), xv, a) // a = |x|
	// q = w·P(s)/2, so that Φ(-|x|) = erfc(t)/2 = q·exp(-x²/2).
	VMINPS(constant("geluAMax"), a, w) // t clamped to geluTMax
	VMOVUPS(constant("geluK"), s)
	VFMADD213PS(constant("one"), s, w) // w = 1 + t/2
	VMOVUPS(constant("one"), dst)
	VDIVPS(w, dst, w) // w = 1/(1 + t/2)
	VMOVUPS(constant("geluSA"), s)
	VFMADD213PS(constant("geluSB"), w, s) // s = geluSA*w + geluSB
	VMOVUPS(constant(fmt.Sprintf("geluP%d", geluDegree)), q)
	for i := geluDegree - 1; i >= 0; i-- {
		VFMADD213PS(constant(fmt.Sprintf("geluP%d", i)), s, q) // q = q*s + P_i
	}
	VMULPS(w, q, q)
	VMULPS(constant("half"), q, q)
	// exp(-x²/2) = p·2^n, with x² = e + lo exactly.
	VMULPS(a, a, e)
	VMOVAPS(e, lo)
	VFMSUB231PS(a, a, lo) // lo = a*a - e
	VMULPS(constant("negHalf"), e, e)
	VMULPS(constant("negHalf"), lo, lo)
	x.expParts(e, lo, n, p, t)
	x.scaleFactors(n, t)
	// x ≥ 0: x·(1 - q·exp(-x²/2)).
	x.applyScale(p, n, t, e)
	VMULPS(q, e, e)
	VMOVUPS(constant("one"), w)
	VSUBPS(e, w, w)
	VMULPS(xv, w, w)
	// x < 0: (x·q·p)·2^n, one rounding even when the result is subnormal.
	VMULPS(xv, q, q)
	VMULPS(p, q, q)
	x.applyScale(q, n, t, q)
	if x.is512() {
		VPTESTMD(constant("signMask"), xv, K2)
		VBLENDMPS(q, w, K2, dst) // dst = x < 0 ? q : w
	} else {
		VBLENDVPS(xv, q, w, dst) // selects q where the sign bit of x is set
	}
}

// geluTanh emits dst = x/(1 + exp(v)), v = -2u, for the float32 vector in
// xv (kept), computing v = x(k1 + k2x²) in float64 and passing its float32
// rounding error to exp as the correction; r holds 7 scratch registers.
func (x visa) geluTanh(xv, dst VecPhysical, r []VecPhysical) {
	d0, d1, q, h0, h1, t1, t2 := r[0], r[1], r[2], r[3], r[4], r[5], r[6]
	x.toDoubles(xv, d0, d1)
	for _, d := range []VecPhysical{d0, d1} {
		VMULPD(d, d, q)
		VMULPD(constant("tanhK2"), q, q)
		VADDPD(constant("tanhK1"), q, q)
		VMULPD(q, d, d) // d = -2u in float64
	}
	// hi = float32(d); lo = float32(d - float64(hi)), per half.
	for i, d := range []VecPhysical{d0, d1} {
		h := []VecPhysical{h0, h1}[i]
		if x.is512() {
			VCVTPD2PS(d, h.AsY())
			VCVTPS2PD(h.AsY(), q)
		} else {
			VCVTPD2PSY(d, h.AsX())
			VCVTPS2PD(h.AsX(), q)
		}
		VSUBPD(q, d, d) // d = rounding error of hi
	}
	x.fromDoubles(d0, d1, q) // q = correction (float32)
	if x.is512() {
		VINSERTF64X4(U8(1), h1.AsY(), h0, dst) // dst = hi (float32)
	} else {
		VINSERTF128(U8(1), h1.AsX(), h0, dst)
	}
	// x/(1+e^v) = x·E/(1+E) with E = e^-|v| ≤ 1 for v > 0, x/(1+E) for
	// v ≤ 0: e^v itself would overflow where the result is still nonzero.
	// E = exp(-|v|) takes the correction with the sign flipped when v > 0.
	VANDPS(constant("signMask"), dst, t1) // sign bit of v
	VXORPS(constant("signMask"), t1, t1)  // set where v ≥ 0
	VXORPS(t1, q, q)
	VMOVAPS(dst, h1)                      // keep v for the select below
	VORPS(constant("signMask"), dst, dst) // -|v|
	x.expParts(dst, q, t1, t2, h0)
	x.scaleFactors(t1, h0)
	x.applyScale(t2, t1, h0, dst) // dst = E
	// t2 = x·E rounded once; x is clamped to [-20, 20] first (the result is
	// 0 below -20) so that x·p cannot overflow.
	VMAXPS(constant("negTwenty"), xv, d0)
	VMINPS(constant("twenty"), d0, d0)
	VMULPS(d0, t2, t2)
	x.applyScale(t2, t1, h0, t2)
	if x.is512() {
		VPTESTMD(constant("signMask"), h1, K2)
		VBLENDMPS(xv, t2, K2, t2) // v < 0: x
	} else {
		VBLENDVPS(h1, xv, t2, t2)
	}
	VADDPS(constant("one"), dst, dst)
	VDIVPS(dst, t2, dst) // dst = t2 / (1 + E)
}
