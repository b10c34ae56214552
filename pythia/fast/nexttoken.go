package fast

import (
	"fmt"

	"github.com/daalab/daa/tensor/kernel"
)

// nllState is what BackwardLoss needs from NextTokenLoss: the number of
// positions scored.
type nllState struct{ n int }

// NextTokenLoss returns the mean next-token cross-entropy of ids [B][T]
// with the semantics of pythia.Model.NextTokenLoss: the mean over scored
// positions t < T-1 of -log p(ids[b][t+1] | ids[b][:t+1]), where, with a
// mask ([B][T], true for real tokens; nil: all real), position t is scored
// only when token t+1 is real and masked tokens are hidden as keys. On a
// training engine the activations are kept for BackwardLoss.
//
// It panics if ids or mask is empty, ragged or larger than the engine, T <
// 2, an id is outside the vocabulary, or no position is scored.
func (e *Engine) NextTokenLoss(ids [][]int, mask [][]bool) float64 {
	const op = "NextTokenLoss"
	b, t := e.setTokens(op, ids, mask)
	if t < 2 {
		panic(fmt.Sprintf("fast: %s of sequences of %d tokens; want at least 2", op, t))
	}
	n := 0
	for i := range b {
		for j := range t - 1 {
			if e.batch.valid[i*t+j+1] {
				e.rows[n], e.out.targets[n] = int32(i*t+j), e.ids[i*t+j+1]
				n++
			}
		}
	}
	if n == 0 {
		panic("fast: " + op + " with no scored position")
	}
	e.forward(n, true)
	var sum float64
	for _, v := range e.out.logp[:n] {
		sum += v
	}
	e.nll.n = n
	if e.train {
		e.pending = passNextToken
	}
	return -sum / float64(n)
}

// BackwardLoss accumulates into every parameter's Grad the gradient of
// dLoss times the loss of the last NextTokenLoss call (dLoss = 1 for the
// loss itself), with the gradient handling of BackwardPerToken. It panics
// on an inference engine or when the last call was not NextTokenLoss or
// its activations were already consumed.
func (e *Engine) BackwardLoss(dLoss float64) {
	e.checkBackward("BackwardLoss", passNextToken)
	w := float32(-dLoss / float64(e.nll.n)) // d(-Σ logp / n)/d logp_i
	for i := range e.nll.n {
		e.weight[i] = w
	}
	e.backward()
}

// Logits returns the logits (B, T, V) of ids [B][T] with mask as in
// NextTokenLoss (nil: every token real), row-major, as pythia.Model.Forward
// computes them; padded positions get values that mean nothing. The slice
// belongs to the engine (allocated on the first call, MaxBatch*MaxSeq*V
// values) and is overwritten by the next call. It panics as NextTokenLoss
// does.
func (e *Engine) Logits(ids [][]int, mask [][]bool) []float32 {
	b, t := e.setTokens("Logits", ids, mask)
	n := b * t
	for r := range n {
		e.rows[r] = int32(r)
	}
	e.forward(n, false)
	if e.logits == nil {
		e.logits = make([]float32, e.maxB*e.maxT*e.vocab)
	}
	out := e.logits[:n*e.vocab]
	kernel.Sgemm(false, true, n, e.vocab, e.c, 1, e.hs, e.c, e.p.embOut.w(), e.c, 0, out, e.vocab)
	return out
}

// setTokens starts a batch from ids [B][T] and an optional mask of the
// same shape, panicking with op's name if either is empty or ragged, the
// batch does not fit, or an id is outside the vocabulary.
func (e *Engine) setTokens(op string, ids [][]int, mask [][]bool) (b, t int) {
	if len(ids) == 0 || len(ids[0]) == 0 {
		panic(fmt.Sprintf("fast: %s of an empty batch", op))
	}
	b, t = len(ids), len(ids[0])
	if mask != nil && len(mask) != b {
		panic(fmt.Sprintf("fast: %s mask has %d rows for %d sequences", op, len(mask), b))
	}
	e.begin(op, b, t)
	for i, row := range ids {
		if len(row) != t {
			panic(fmt.Sprintf("fast: %s ids row %d has %d tokens; row 0 has %d", op, i, len(row), t))
		}
		if mask != nil && len(mask[i]) != t {
			panic(fmt.Sprintf("fast: %s mask row %d has %d entries for %d tokens", op, i, len(mask[i]), t))
		}
		for j, id := range row {
			e.setID(op, i*t+j, id)
			if mask != nil {
				e.batch.valid[i*t+j] = mask[i][j]
			}
		}
	}
	return b, t
}
