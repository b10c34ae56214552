package train

import (
	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// scores is what one scoring of a collated batch of B pairs (2B rows:
// chosen then rejected) gives the loss and the metrics.
type scores struct {
	// perToken [2B, R] holds log p(y_j | x, y_<j) for the completion tokens
	// (EOS included) of each row in its first counts[i] entries, 0 after;
	// R is the longest completion. With gradients it is a Custom value
	// whose backward runs the scorer's BackwardPerToken.
	perToken *autograd.Value
	counts   []int // [2B] completion tokens scored per row
	// logitSums [2B] is, per row, the sum over its completion positions and
	// the whole vocabulary of the logits (TRL's logits/chosen metric).
	logitSums []float64
}

// scoreBatch scores the completions of the collated batch b with sc, as
// TRL's concatenated forward does: each completion token from the position
// before it, given its prompt and the completion before it (the scorer
// packs the chosen and rejected rows of a pair onto one copy of their
// prompt). The log-probs enter the graph in dtype dt; with grad, as an
// autograd.Custom value whose backward calls sc.BackwardPerToken
// (pythia.PerTokenValue), so that Backward on any loss built from them
// trains the scorer's model.
func scoreBatch(sc pythia.Scorer, b *data.PairBatch, dt tensor.DType, grad bool) *scores {
	rows := 2 * b.Pairs
	prompts, responses := make([][]int, rows), make([][]int, rows)
	r := 0
	for i := range rows {
		ids, _, _ := b.Row(i)
		np, n := b.PromptLengths[i], b.CompletionLengths[i]
		prompts[i], responses[i] = ids[:np], ids[np:np+n]
		r = max(r, n)
	}
	lp := sc.SequenceLogProbs(prompts, responses)
	s := &scores{counts: b.CompletionLengths, logitSums: append([]float64(nil), lp.LogitSum...)}
	if grad {
		s.perToken = pythia.PerTokenValue(sc, lp, dt)
		return s
	}
	per := make([]float64, rows*r) // (2B, R), zero past each completion
	for i, row := range lp.PerToken {
		copy(per[i*r:], row)
	}
	s.perToken = autograd.Const(tensor.FromValues(dt, per, rows, r))
	return s
}

// sums returns the sequence log-probs S [B] of the chosen rows (the first
// B) and the rejected rows of s, through align.SequenceBatch: plain sums of
// the completion tokens, or LD-DPO's weighted sums when ldAlpha is set.
// Policy and reference go through this same function, so precomputed
// reference sums equal live ones. It returns SequenceBatch's error for a
// non-finite log-prob.
func (s *scores) sums(pairs int, ldAlpha *float64) (chosen, rejected *autograd.Value, err error) {
	tb := &align.TokenBatch{
		PolicyChosen:   align.TokensFromLengths(autograd.Narrow(s.perToken, 0, 0, pairs), s.counts[:pairs]),
		PolicyRejected: align.TokensFromLengths(autograd.Narrow(s.perToken, 0, pairs, pairs), s.counts[pairs:]),
	}
	b, err := align.SequenceBatch(tb, ldAlpha)
	if err != nil {
		return nil, nil, err
	}
	return b.PolicyChosen, b.PolicyRejected, nil
}
