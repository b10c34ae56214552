package study

import (
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
)

// scorer computes log p(response | prompt) summed over response tokens for a
// batch on pythia/fast's fused float32 inference engine (evaluation only:
// the SFT and the DAA runs train through align/train).
type scorer struct {
	eng *fast.Engine
}

// newScorer returns a scorer for batches of up to maxBatch sequences of up
// to maxSeq tokens.
func newScorer(m *pythia.Model, maxBatch, maxSeq int) (*scorer, error) {
	e, err := fast.NewInference(m, maxBatch, maxSeq)
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

// pairBatch lays out pairs as one batch of 2B sequences, chosen rows first.
func pairBatch(pairs []Pair) (prompts, responses [][]int) {
	b := len(pairs)
	prompts, responses = make([][]int, 2*b), make([][]int, 2*b)
	for i, p := range pairs {
		prompts[i], prompts[b+i] = p.Prompt, p.Prompt
		responses[i], responses[b+i] = p.Chosen, p.Rejected
	}
	return prompts, responses
}

// pairSums scores the chosen and rejected responses of every pair, as many
// pairs per pass as the engine takes.
func pairSums(sc *scorer, pairs []Pair) PairSums {
	var ps PairSums
	batch := sc.eng.MaxBatch() / 2
	for lo := 0; lo < len(pairs); lo += batch {
		part := pairs[lo:min(lo+batch, len(pairs))]
		prompts, responses := pairBatch(part)
		sums, _ := sc.sums(prompts, responses, false)
		ps.Chosen = append(ps.Chosen, sums[:len(part)]...)
		ps.Rejected = append(ps.Rejected, sums[len(part):]...)
	}
	return ps
}
