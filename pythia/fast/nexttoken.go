package fast

import (
	"fmt"
)

// nllState is what BackwardLoss needs from NextTokenLoss: the number of
// positions scored.
type nllState struct{ n int }

// NextTokenLoss returns the mean next-token cross-entropy of ids [B][T]
// with the semantics of pythia.Model.NextTokenLoss: the mean over scored
// positions t < T-1 of -log p(ids[b][t+1] | ids[b][:t+1]), where, with a
// mask ([B][T], true for real tokens; nil: all real), position t is scored
// only when token t+1 is real and masked tokens are hidden as keys. On a
// training engine the activations are kept for BackwardLoss. A
// right-padded batch (every mask row true then false) is packed: the
// padding is not computed at all.
//
// It panics if ids or mask is empty, ragged or larger than the engine, T <
// 2, an id is outside the vocabulary, or no position is scored.
func (e *Engine) NextTokenLoss(ids [][]int, mask [][]bool) float64 {
	n := e.nextTokenBatch("NextTokenLoss", ids, mask)
	e.forward(n, true)
	e.nll.n = n
	if e.train {
		e.pending = passNextToken
	}
	return e.meanNLL(n)
}

// NextTokenLossAndGrad computes NextTokenLoss(ids, mask) and accumulates
// its gradient into every parameter's Grad in one call: the result of
// NextTokenLoss followed by BackwardLoss(1), cheaper because the output
// layer runs once over chunks of tokens and the whole vocabulary, forming
// the gradients as each chunk's log-softmax is known (three products with
// embed_out instead of four). The first call allocates a logits buffer of
// up to 64 MB. It panics as NextTokenLoss does, or on an inference engine.
func (e *Engine) NextTokenLossAndGrad(ids [][]int, mask [][]bool) float64 {
	const op = "NextTokenLossAndGrad"
	if !e.train {
		panic("fast: " + op + " on an inference engine (made by NewInference)")
	}
	n := e.nextTokenBatch(op, ids, mask)
	e.forward(n, false)
	w := float32(-1 / float64(n)) // d(-Σ logp / n)/d logp_i
	for i := range n {
		e.weight[i] = w
	}
	if e.fused == nil {
		e.fused = newFusedOutput(e.out, e.vocab)
	}
	e.out.n = n
	e.beginGrads()
	e.fused.run(e.dhs, e.p.embOut, e.hs, e.p.embOut.w(), e.weight, e.c)
	e.backwardFromHidden()
	return e.meanNLL(n)
}

// meanNLL returns -mean(logp) over the first n scored rows.
func (e *Engine) meanNLL(n int) float64 {
	var sum float64
	for _, v := range e.out.logp[:n] {
		sum += v
	}
	return -sum / float64(n)
}

// nextTokenBatch lays out ids and mask for a next-token loss and sets the
// n scored rows and their targets, which it returns; it panics as
// NextTokenLoss does.
func (e *Engine) nextTokenBatch(op string, ids [][]int, mask [][]bool) int {
	var b, t int
	if isRightPadding(mask) {
		b, t = e.setTokensPacked(op, ids, mask)
	} else {
		b, t = e.setTokens(op, ids, mask)
	}
	if t < 2 {
		panic(fmt.Sprintf("fast: %s of sequences of %d tokens; want at least 2", op, t))
	}
	n := 0
	for i := range b {
		for j := range t - 1 {
			if mask == nil || mask[i][j+1] {
				r := e.start[i] + j
				e.rows[n], e.out.targets[n] = int32(r), e.ids[r+1]
				n++
			}
		}
	}
	if n == 0 {
		panic("fast: " + op + " with no scored position")
	}
	return n
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
	e.out.logits(out, e.hs, e.p.embOut, n, e.c)
	return out
}

// setTokens starts a padded batch from ids [B][T] and an optional mask of
// the same shape (row i's positions start at row e.start[i] = i*T),
// panicking with op's name if either is empty or ragged, the batch does
// not fit, or an id is outside the vocabulary.
func (e *Engine) setTokens(op string, ids [][]int, mask [][]bool) (b, t int) {
	b, t = checkTokens(op, ids, mask)
	e.begin(op, b, t)
	for i, row := range ids {
		e.start[i] = i * t
		for j, id := range row {
			e.setID(op, i*t+j, id, i, j)
			if mask != nil {
				e.batch.valid[i*t+j] = mask[i][j]
			}
		}
	}
	return b, t
}

// setTokensPacked starts a packed batch from ids [B][T] and a right-padding
// mask: row i's len_i real tokens are laid out from row e.start[i], one
// segment each, and the padding is left out. It panics as setTokens does.
func (e *Engine) setTokensPacked(op string, ids [][]int, mask [][]bool) (b, t int) {
	b, t = checkTokens(op, ids, mask)
	if b > e.maxB || t > e.maxT {
		panic(fmt.Sprintf("fast: %s with a batch of %d sequences of %d tokens; the engine holds up to %d of %d", op, b, t, e.maxB, e.maxT))
	}
	rows := 0
	for i := range b {
		rows += realTokens(mask[i])
	}
	e.beginRows(op, max(rows, 1))
	r := 0
	for i, row := range ids {
		n := realTokens(mask[i])
		e.start[i] = r
		if n > 0 {
			e.batch.addGroup(r, n)
		}
		for j, id := range row {
			if j >= n { // padding: checked, not laid out
				e.checkID(op, id, i, j)
				continue
			}
			e.setID(op, r, id, i, j)
			e.pos[r] = int32(j)
			r++
		}
	}
	return b, t
}

// checkTokens returns the shape [B][T] of ids, panicking with op's name if
// ids is empty or ragged or mask is not nil and not [B][T].
func checkTokens(op string, ids [][]int, mask [][]bool) (b, t int) {
	if len(ids) == 0 || len(ids[0]) == 0 {
		panic(fmt.Sprintf("fast: %s of an empty batch", op))
	}
	b, t = len(ids), len(ids[0])
	if mask != nil && len(mask) != b {
		panic(fmt.Sprintf("fast: %s mask has %d rows for %d sequences", op, len(mask), b))
	}
	for i, row := range ids {
		if len(row) != t {
			panic(fmt.Sprintf("fast: %s ids row %d has %d tokens; row 0 has %d", op, i, len(row), t))
		}
		if mask != nil && len(mask[i]) != t {
			panic(fmt.Sprintf("fast: %s mask row %d has %d entries for %d tokens", op, i, len(mask[i]), t))
		}
	}
	return b, t
}

// isRightPadding reports whether mask is not nil and every row is some true
// entries followed only by false ones.
func isRightPadding(mask [][]bool) bool {
	if mask == nil {
		return false
	}
	for _, row := range mask {
		n := realTokens(row)
		for _, ok := range row[n:] {
			if ok {
				return false
			}
		}
	}
	return true
}

// realTokens returns the number of leading true entries of row.
func realTokens(row []bool) int {
	for j, ok := range row {
		if !ok {
			return j
		}
	}
	return len(row)
}
