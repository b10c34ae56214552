package main

import (
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// scorer computes log p(response | prompt) summed over response tokens for a
// batch and, for training, propagates a gradient on those sums into the
// model's parameter gradients. Every loss in this study depends on the policy
// only through these sums, so the loss itself is computed on a [B] vector in
// float64 (see align) and only d loss / d sums flows back through the model.
type scorer struct {
	model *pythia.Model
	last  *pythia.SequenceLogProbs
}

// sums runs the forward pass and returns the per-sequence sums and, when
// perToken is set, the per-token log-probs of each response.
func (s *scorer) sums(prompts, responses [][]int, perToken bool) ([]float64, [][]float64) {
	lp := s.model.SequenceLogProbs(prompts, responses)
	s.last = lp
	out := lp.Sum.Data.ToFloat64s()
	if !perToken {
		return out, nil
	}
	flat := lp.PerToken.Data.ToFloat64s()
	width := lp.PerToken.Data.Dim(1)
	tok := make([][]float64, len(responses))
	for b := range responses {
		tok[b] = flat[b*width : b*width+lp.Count[b]]
	}
	return out, tok
}

// backward accumulates d loss / d params given d loss / d sums of the last
// forward pass.
func (s *scorer) backward(dSums []float64) {
	g := tensor.FromFloat64s(append([]float64(nil), dSums...)).Cast(s.last.Sum.DType())
	s.last.Sum.BackwardWith(g)
	s.last = nil
}

// lossGrad evaluates a scalar loss of the [B] vector sums in float64 and
// returns its value and gradient d loss / d sums.
func lossGrad(sums []float64, loss func(x *autograd.Value) *autograd.Value) (float64, []float64) {
	x := autograd.Param(tensor.FromFloat64s(append([]float64(nil), sums...)))
	l := loss(x)
	l.Backward()
	return l.Item(), x.Grad.ToFloat64s()
}
