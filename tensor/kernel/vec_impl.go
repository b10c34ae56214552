package kernel

// vecImpl is one implementation of the vector and row kernels. The
// exported functions in vec.go check their arguments and call the first
// available implementation; the conformance tests run all of them. A nil
// field falls back to vecGo's.
type vecImpl struct {
	name      string
	available bool

	dot         func(x, y []float32) float64                  // Σ x[i]*y[i] in float64
	sum         func(x []float32) float64                     // Σ x[i] in float64
	axpy        func(alpha float32, x, y []float32)           // y += alpha*x
	scale       func(alpha float32, x []float32)              // x *= alpha
	max         func(x []float32) float32                     // largest element, NaN if any is NaN; len(x) > 0
	exp         func(dst, x []float32)                        // dst[i] = exp(x[i])
	expShiftSum func(dst, x []float32, shift float32) float64 // dst[i] = exp(x[i]-shift) (dst nil: not stored); returns the sum
	layerNorm   func(out, x, weight, bias []float32, eps float32) (mean, rstd float32)
	gelu        func(dst, x []float32) // x*Φ(x)
	geluTanh    func(dst, x []float32) // tanh approximation of GELU

	geluBackward func(d, x, y []float32) // d *= GELU'(x) given y = GELU(x); nil: geluBackwardWith(exp)

	// The element-wise passes of LayerNormBackward (layernorm_backward.go).
	layerNormBackwardPrep  func(xhat, dnorm, x, dy, w []float32, mean, rstd float32)
	layerNormBackwardApply func(dx, pw, pb, dnorm, xhat, dy []float32, rstd, m1, m2 float32, add bool)
}

// vecImpls lists the implementations, fastest first; archVecImpls comes
// from the architecture files (none under the purego tag).
var vecImpls = completeVecImpls(append(archVecImpls(), vecGo))

// vecBest is the implementation the exported kernels use.
var vecBest = bestVec()

// completeVecImpls fills the nil kernels of each implementation with vecGo's.
func completeVecImpls(impls []*vecImpl) []*vecImpl {
	for _, v := range impls {
		if v.dot == nil {
			v.dot = vecGo.dot
		}
		if v.sum == nil {
			v.sum = vecGo.sum
		}
		if v.axpy == nil {
			v.axpy = vecGo.axpy
		}
		if v.scale == nil {
			v.scale = vecGo.scale
		}
		if v.max == nil {
			v.max = vecGo.max
		}
		if v.exp == nil {
			v.exp = vecGo.exp
		}
		if v.expShiftSum == nil {
			v.expShiftSum = vecGo.expShiftSum
		}
		if v.layerNorm == nil {
			v.layerNorm = vecGo.layerNorm
		}
		if v.gelu == nil {
			v.gelu = vecGo.gelu
		}
		if v.geluTanh == nil {
			v.geluTanh = vecGo.geluTanh
		}
		if v.geluBackward == nil { // on the implementation's own exp, not vecGo's
			v.geluBackward = geluBackwardWith(v.exp)
		}
		if v.layerNormBackwardPrep == nil {
			v.layerNormBackwardPrep = layerNormBackwardPrepGo
		}
		if v.layerNormBackwardApply == nil {
			v.layerNormBackwardApply = layerNormBackwardApplyGo
		}
	}
	return impls
}

func bestVec() *vecImpl {
	for _, v := range vecImpls {
		if v.available {
			return v
		}
	}
	return vecGo
}
