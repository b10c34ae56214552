package align

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// LogRatios returns the per-pair log-ratios [B]
//
//	r_w = S(y_w) - R(y_w),  r_l = S(y_l) - R(y_l),
//
// with the reference detached (it gets no gradient) and R = 0 when b has no
// reference (reference-free). It panics if b is not a paired batch.
func LogRatios(b *Batch) (chosen, rejected *autograd.Value) {
	b.pairs("LogRatios")
	return logRatio(b.PolicyChosen, b.RefChosen), logRatio(b.PolicyRejected, b.RefRejected)
}

// logRatio returns policy - detach(ref), or policy when ref is nil.
func logRatio(policy, ref *autograd.Value) *autograd.Value {
	if ref == nil {
		return policy
	}
	return autograd.Sub(policy, ref.Detach())
}

// Margin returns Δ = r_w - r_l per pair, [B].
func Margin(b *Batch) *autograd.Value {
	rw, rl := LogRatios(b)
	return autograd.Sub(rw, rl)
}

// FDivergenceScore returns the f-divergence score f(r) of log-ratios r
// (TRL v1.9.0 f_divergence_type):
//
//	reverse_kl        f(r) = r                       (plain DPO; also "")
//	forward_kl        f(r) = -exp(-r)
//	js_divergence     f(r) = log σ(r)
//	alpha_divergence  f(r) = exp(min((a-1) r, 80)) / (a-1), a = coef; r when |a-1| < 1e-6
//
// The clamp at 80 makes the alpha score constant, with gradient exactly 0,
// where (a-1) r > 80. forward_kl overflows to -Inf for r < -709. It panics
// on an unknown kind.
func FDivergenceScore(r *autograd.Value, kind string, coef float64) *autograd.Value {
	switch kind {
	case "", FDivReverseKL:
		return r
	case FDivForwardKL:
		return autograd.Neg(autograd.Exp(autograd.Neg(r))) // -exp(-r)
	case FDivJS:
		return autograd.LogSigmoid(r) // log σ(r) = -softplus(-r)
	case FDivAlpha:
		if math.Abs(coef-1) < 1e-6 {
			return r
		}
		t := autograd.Clamp(autograd.Scale(r, coef-1), math.Inf(-1), 80) // min((a-1) r, 80)
		return autograd.Scale(autograd.Exp(t), 1/(coef-1))               // exp(.)/(a-1)
	}
	panic(fmt.Sprintf("align: FDivergenceScore: unknown f-divergence %q", kind))
}

// Scores returns the f-divergence scores s_w = f(r_w), s_l = f(r_l) of b
// under cfg.FDivergence; with reverse_kl they are the log-ratios. It
// returns an error naming the pair if a score is not finite (forward_kl
// overflows for log-ratios below -709.78): its gradient would be NaN.
func Scores(b *Batch, cfg Config) (chosen, rejected *autograd.Value, err error) {
	rw, rl := LogRatios(b)
	chosen = FDivergenceScore(rw, cfg.FDivergence, cfg.FAlphaDivergenceCoef)
	rejected = FDivergenceScore(rl, cfg.FDivergence, cfg.FAlphaDivergenceCoef)
	for _, g := range []struct {
		name string
		r, s *autograd.Value
	}{{"chosen", rw, chosen}, {"rejected", rl, rejected}} {
		for i, x := range g.s.Data.ToFloat64s() {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, nil, fmt.Errorf("%s score of pair %d is %v: %s overflows at log-ratio %v", g.name, i, x, cfg.FDivergence, g.r.Data.At(i))
			}
		}
	}
	return chosen, rejected, nil
}

// PerToken divides sequence quantities x [B] by their token counts
// (clamped to at least 1): the token-averaged log-prob A(y) = S(y)/|y| when
// x = S. It panics if len(lengths) != B.
func PerToken(x *autograd.Value, lengths []int) *autograd.Value {
	if len(lengths) != rows("PerToken", x) {
		panic(fmt.Sprintf("align: PerToken: %d lengths for a value of shape %v", len(lengths), x.Shape()))
	}
	n := make([]float64, len(lengths))
	for i, l := range lengths {
		n[i] = float64(max(l, 1))
	}
	return autograd.Div(x, autograd.Const(tensor.FromValues(x.DType(), n, len(n))))
}

// LabelSmoothedLogistic returns the logistic loss with label smoothing ε,
// element-wise:
//
//	-(1-ε) log σ(z) - ε log σ(-z),
//
// computed through softplus so it is finite for any z. ε = 0 is -log σ(z).
func LabelSmoothedLogistic(z *autograd.Value, eps float64) *autograd.Value {
	pos := autograd.Scale(autograd.LogSigmoid(z), -(1 - eps)) // -(1-ε) log σ(z)
	if eps == 0 {
		return pos
	}
	neg := autograd.Scale(autograd.LogSigmoid(autograd.Neg(z)), -eps) // -ε log σ(-z)
	return autograd.Add(pos, neg)
}

// broadcastScalar repeats a one-element value n times, [n]; the gradient of
// the copies is summed back.
func broadcastScalar(v *autograd.Value, n int) *autograd.Value {
	return autograd.Expand(autograd.Reshape(v, 1), n)
}

// constLike returns a constant [len(data)] in v's dtype.
func constLike(v *autograd.Value, data []float64) *autograd.Value {
	return autograd.Const(tensor.FromValues(v.DType(), data, len(data)))
}
