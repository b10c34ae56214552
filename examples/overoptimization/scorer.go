package main

import (
	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// maxSeq bounds prompt plus response: a prompt and MaxNewTokens sampled
// tokens (training responses are at most MaxLen+1 tokens).
const maxSeq = task.PromptLen + task.MaxNewTokens

// scorer computes log p(response | prompt) summed over response tokens for a
// batch and, for training, propagates a gradient on those sums into the
// model's parameter gradients. Every loss in this study depends on the policy
// only through these sums, so the loss itself is computed on a [B] vector in
// float64 (see align) and only d loss / d sums flows back through the model,
// on pythia/fast's fused float32 engine.
type scorer struct {
	eng *fast.Engine
}

// newScorer returns a training scorer (backward enabled) or an inference
// one for batches of up to maxBatch sequences.
func newScorer(m *pythia.Model, maxBatch int, train bool) (*scorer, error) {
	var e *fast.Engine
	var err error
	if train {
		e, err = fast.New(m, maxBatch, maxSeq)
	} else {
		e, err = fast.NewInference(m, maxBatch, maxSeq)
	}
	if err != nil {
		return nil, err
	}
	return &scorer{eng: e}, nil
}

// sums runs the forward pass and returns the per-sequence sums and, when
// perToken is set, the per-token log-probs of each response (copies: the
// engine reuses its buffers).
func (s *scorer) sums(prompts, responses [][]int, perToken bool) ([]float64, [][]float64) {
	lp := s.eng.SequenceLogProbs(prompts, responses)
	out := append([]float64(nil), lp.Sum...)
	if !perToken {
		return out, nil
	}
	tok := make([][]float64, len(responses))
	for b := range responses {
		tok[b] = append([]float64(nil), lp.PerToken[b]...)
	}
	return out, tok
}

// backward accumulates d loss / d params given d loss / d sums of the last
// forward pass.
func (s *scorer) backward(dSums []float64) { s.eng.Backward(dSums) }

// lossGrad evaluates a scalar loss of the [B] vector sums in float64 and
// returns its value and gradient d loss / d sums.
func lossGrad(sums []float64, loss func(x *autograd.Value) *autograd.Value) (float64, []float64) {
	x := autograd.Param(tensor.FromFloat64s(append([]float64(nil), sums...)))
	l := loss(x)
	l.Backward()
	return l.Item(), x.Grad.ToFloat64s()
}

// pairLossGrad returns d loss / d sums for a batch of B pairs scored as 2B
// sequences, chosen first: sums [2B] are the policy's log-probs, refC and
// refR [B] the reference's, lc and lr [B] the response lengths.
func pairLossGrad(loss *align.Loss, sums, refC, refR []float64, lc, lr []int) ([]float64, error) {
	b := len(refC)
	var lossErr error
	_, grad := lossGrad(sums, func(x *autograd.Value) *autograd.Value {
		out, err := loss.Compute(&align.Batch{
			PolicyChosen:    autograd.Narrow(x, 0, 0, b),
			PolicyRejected:  autograd.Narrow(x, 0, b, b),
			RefChosen:       autograd.Const(tensor.FromFloat64s(refC)),
			RefRejected:     autograd.Const(tensor.FromFloat64s(refR)),
			ChosenLengths:   lc,
			RejectedLengths: lr,
		})
		if err != nil {
			lossErr = err
			return autograd.Sum(x) // keeps lossGrad well-defined; the error is returned below
		}
		return out.Loss
	})
	return grad, lossErr
}
