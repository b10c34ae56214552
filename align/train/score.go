package train

import (
	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// scores is what one forward pass of a model over a collated batch of B
// pairs (2B rows: chosen then rejected) gives the loss and the metrics.
type scores struct {
	// perToken [2B, R] holds log p(y_j | x, y_<j) for the completion tokens
	// (EOS included) of each row in its first counts[i] entries, 0 after;
	// R is the longest completion. It is differentiable when the model's
	// weights are parameters.
	perToken *autograd.Value
	counts   []int // [2B] completion tokens scored per row
	// logitSums [2B] is, per row, the sum over its completion positions and
	// the whole vocabulary of the logits (for TRL's logits/chosen metric).
	logitSums []float64
}

// scoreBatch runs m over the collated batch b and scores every completion
// token from the position before it, as TRL's concatenated forward does:
// the 2B rows go through the model together (right-padded, padding masked
// as keys) and only the completion positions go through the output layer.
// It computes exactly what pythia.Model.SequenceLogProbs computes for the
// same prompts and completions (tested), and also the logit sums, which
// SequenceLogProbs does not return.
//
// This is the one place the trainer runs a model; the fused float32 engine
// of package pythia/fast (SequenceLogProbs, then BackwardPerToken with the
// gradient the loss leaves on perToken) can take its place.
func scoreBatch(m *pythia.Model, b *data.PairBatch) *scores {
	rows, t := 2*b.Pairs, b.Len
	r := 0
	for _, n := range b.CompletionLengths {
		r = max(r, n)
	}
	ids, mask := make([][]int, rows), make([][]bool, rows)
	targets, scored := make([][]int, rows), make([][]bool, rows)
	sel := make([]int, 0, rows*r) // row of the flattened hidden states predicting each completion slot
	for i := range rows {
		rowIDs, rowMask, _ := b.Row(i)
		ids[i], mask[i] = rowIDs, make([]bool, t)
		for j, v := range rowMask {
			mask[i][j] = v != 0
		}
		np, n := b.PromptLengths[i], b.CompletionLengths[i]
		targets[i], scored[i] = make([]int, r), make([]bool, r)
		for j := range r {
			pos := np - 1 // slots past the completion read a real row and are masked out
			if j < n {
				pos += j
				targets[i][j], scored[i][j] = rowIDs[np+j], true
			}
			sel = append(sel, i*t+pos)
		}
	}
	hd := m.Config.HiddenSize
	h := m.Hidden(ids, mask, nil)                                     // (2B, T, H)
	h = autograd.IndexSelect(autograd.Reshape(h, rows*t, hd), 0, sel) // (2B*R, H)
	logits := m.Logits(autograd.Reshape(h, rows, r, hd))              // (2B, R, V)
	per := nn.TokenLogProbs(logits, targets, scored)                  // (2B, R)
	return &scores{perToken: per, counts: b.CompletionLengths, logitSums: logitSums(m, h, b.CompletionLengths, r)}
}

// logitSums returns, per row, Σ_j Σ_v logits[j, v] over the row's scored
// slots j. The logits are h W^T with no bias, so the sum over the
// vocabulary is h · (Σ_v W_v): one dot product per slot instead of a pass
// over the [2B, R, V] logits. h is (2B*R, H), accumulated in float64.
func logitSums(m *pythia.Model, h *autograd.Value, counts []int, r int) []float64 {
	hd := m.Config.HiddenSize
	var colSum []float64 // Σ_v W_v, (H)
	if w := m.EmbedOut.Data; w.DType() == tensor.Float32 {
		colSum = columnSums(w.Contiguous().Float32s(), hd)
	} else {
		colSum = columnSums(w.Contiguous().Float64s(), hd)
	}
	hs := h.Data.ToFloat64s()
	out := make([]float64, len(counts))
	for i, n := range counts {
		for j := range n {
			row := hs[(i*r+j)*hd : (i*r+j+1)*hd]
			for k, x := range row {
				out[i] += x * colSum[k]
			}
		}
	}
	return out
}

// columnSums returns the column sums of the row-major matrix w with hd
// columns, in float64.
func columnSums[T float32 | float64](w []T, hd int) []float64 {
	out := make([]float64, hd)
	for v := 0; v < len(w); v += hd {
		for k, x := range w[v : v+hd] {
			out[k] += float64(x)
		}
	}
	return out
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
