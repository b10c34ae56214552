package align

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// LogSumSquaredProbs returns log sum_v p(v | x, y_<t)^2 for logits [B, T, V]
// as [B, T]: logsumexp over the vocabulary of 2·log_softmax(logits), which
// neither overflows nor underflows. It is WPO's per-token normaliser.
func LogSumSquaredProbs(logits *tensor.Tensor) *tensor.Tensor {
	if logits.Rank() != 3 {
		panic(fmt.Sprintf("align: LogSumSquaredProbs: want logits [B, T, V], got %v", logits.Shape()))
	}
	return tensor.LogSumExp(tensor.Scale(tensor.LogSoftmax(logits, -1), 2), -1) // (B, T, V) -> (B, T)
}

// WPOWeights returns the per-pair weights of Weighted Preference
// Optimization (Zhou et al. 2024, arXiv 2406.11827, eq. 2), as TRL v1.9.0's
// DPOConfig(use_weighting=True) computes them (dpo_trainer.py multiplies
// each pair's loss by exp(mean_logps) of its chosen and of its rejected
// completion):
//
//	w(y)  = mean over the completion tokens t of [log p_t - log sum_v p_v(t)^2]
//	w_i   = exp(w(y_w,i)) * exp(w(y_l,i)) = exp(w(y_w,i) + w(y_l,i))
//
// TRL up to v0.28 clamped w_i at 1 (torch.clamp(..., max=1)); v0.29 dropped
// the clamp and so does this function, so a weight may exceed 1.
//
// where log p_t is the policy's log-prob of token t (chosen.Values,
// rejected.Values [B, T]) and log sum_v p_v(t)^2 the per-token normaliser
// (chosenLogSumSq, rejectedLogSumSq [B, T], from LogSumSquaredProbs on the
// same positions' logits). Normalising by sum_v p_v^2 makes the weight of a
// sequence the policy would sample near 1 whatever its entropy. The weights
// are constants (no gradient), [B] in float64; apply them with WeightPairs.
// It returns an error naming the field and index of a non-finite input or
// an empty completion, and panics if the shapes differ.
func WPOWeights(chosen, rejected *TokenLogProbs, chosenLogSumSq, rejectedLogSumSq *tensor.Tensor) (*tensor.Tensor, error) {
	ww, err := wpoSequenceWeights("chosen", chosen, chosenLogSumSq)
	if err != nil {
		return nil, err
	}
	wl, err := wpoSequenceWeights("rejected", rejected, rejectedLogSumSq)
	if err != nil {
		return nil, err
	}
	if len(ww) != len(wl) {
		panic(fmt.Sprintf("align: WPOWeights: %d chosen and %d rejected rows", len(ww), len(wl)))
	}
	out := make([]float64, len(ww))
	for i := range out {
		out[i] = math.Exp(ww[i] + wl[i]) // exp(w(y_w) + w(y_l))
	}
	return tensor.FromFloat64s(out, len(out)), nil
}

// wpoSequenceWeights returns w(y) = mean_t (log p_t - logSumSq_t) over each
// row's completion tokens.
func wpoSequenceWeights(name string, p *TokenLogProbs, logSumSq *tensor.Tensor) ([]float64, error) {
	if !tensor.SameShape(logSumSq, p.Values.Data) {
		panic(fmt.Sprintf("align: WPOWeights: %s normaliser of shape %v for log-probs of shape %v", name, logSumSq.Shape(), p.Values.Shape()))
	}
	if err := p.check("policy_" + name); err != nil {
		return nil, err
	}
	norm := (&TokenLogProbs{Values: autograd.Const(logSumSq), Mask: p.Mask}).completion()
	out := make([]float64, p.Rows())
	for i, row := range p.completion() {
		if len(row) == 0 {
			return nil, fmt.Errorf("%s completion of pair %d is empty", name, i)
		}
		var s float64
		for k, lp := range row {
			if math.IsNaN(norm[i][k]) || math.IsInf(norm[i][k], 0) {
				return nil, fmt.Errorf("%s log-sum-squared-probs[%d][%d] is %v", name, i, k, norm[i][k])
			}
			s += lp - norm[i][k] // log p_t - log sum_v p_v^2
		}
		out[i] = s / float64(len(row))
	}
	return out, nil
}

// WeightPairs returns out with each per-pair loss multiplied by a constant
// weight (weights [B], e.g. WPOWeights) and the batch loss their mean:
// Loss = mean_i w_i ℓ_i, as TRL applies policy weights. Metrics,
// components and sequences are kept. It panics if weights is not [B].
func WeightPairs(out *Output, weights *tensor.Tensor) *Output {
	if weights.Rank() != 1 || weights.Dim(0) != out.PerPair.Data.Len() {
		panic(fmt.Sprintf("align: WeightPairs: weights of shape %v for per-pair losses of shape %v", weights.Shape(), out.PerPair.Shape()))
	}
	perPair := autograd.Mul(out.PerPair, autograd.Const(weights.Cast(out.PerPair.DType())))
	return &Output{Loss: autograd.Mean(perPair), PerPair: perPair, Metrics: out.Metrics, Components: out.Components, Sequences: out.Sequences}
}
