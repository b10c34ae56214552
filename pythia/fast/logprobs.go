package fast

import (
	"fmt"
	"slices"

	"github.com/daalab/daa/pythia"
)

// LogProbs are the log-probabilities of a batch of responses given their
// prompts and their logit sums, as SequenceLogProbs returns them (the
// pythia.Scorer contract's type). They belong to the engine and are
// overwritten by its next SequenceLogProbs call.
type LogProbs = pythia.LogProbs

// The engine is a backend of the scoring contract.
var _ pythia.Scorer = (*Engine)(nil)

// SequenceLogProbs scores responses[b] given prompts[b] for every b, with
// the semantics of pythia.Model.SequenceLogProbs: response token j is
// scored from the position before it (the label shift), given the prompt
// and the response before it. The batch is packed rather than padded: each
// distinct prompt is run once and its responses attend to it (the chosen
// and rejected responses of a preference pair share their prompt's
// computation), which gives what running every concatenated sequence alone
// gives. Only response positions go through the output layer. On a
// training engine the activations are kept for Backward or
// BackwardPerToken. LogitSum is accumulated in float64 inside the fused
// output layer, chunk by chunk, without the (tokens, V) logits.
//
// It panics if the slices' lengths differ or exceed MaxBatch, a prompt is
// empty, every response is empty, a prompt plus its response is longer
// than MaxSeq, or an id is outside the vocabulary.
func (e *Engine) SequenceLogProbs(prompts, responses [][]int) *LogProbs {
	const op = "SequenceLogProbs"
	if len(prompts) != len(responses) || len(prompts) == 0 {
		panic(fmt.Sprintf("fast: %s with %d prompts and %d responses", op, len(prompts), len(responses)))
	}
	r := 0
	for i, p := range prompts {
		if len(p) == 0 {
			panic(fmt.Sprintf("fast: %s prompt %d is empty; the first response token needs a context", op, i))
		}
		if len(p)+len(responses[i]) > e.maxT {
			panic(fmt.Sprintf("fast: %s sequence %d has %d prompt and %d response tokens; the engine holds up to %d", op, i, len(p), len(responses[i]), e.maxT))
		}
		r = max(r, len(responses[i]))
	}
	if len(prompts) > e.maxB {
		panic(fmt.Sprintf("fast: %s with %d sequences; the engine holds up to %d", op, len(prompts), e.maxB))
	}
	if r == 0 {
		panic("fast: " + op + " with no response tokens")
	}
	e.packSequences(op, prompts, responses)
	n := 0
	for k, resp := range responses {
		for j, tok := range resp {
			row := e.start[k] + j - 1 // the row before response token j
			if j == 0 {
				row = e.last[k]
			}
			e.rows[n], e.out.targets[n] = int32(row), int32(tok)
			n++
		}
	}
	e.forward(n, true)
	e.collectSequences(responses)
	if e.train {
		e.pending = passSequence
	}
	return &e.seq
}

// packSequences lays the batch out packed: for each distinct prompt (in
// order of first appearance), its tokens once, at positions 0..len-1, then
// the tokens of every response to it, each at positions len, len+1, ...
// and attending to the prompt's rows and its own. It records in e.last the
// row of each sequence's last prompt token and in e.start the first row of
// its response.
func (e *Engine) packSequences(op string, prompts, responses [][]int) {
	rows := 0
	for k, p := range prompts {
		e.group[k] = k // the first sequence with the same prompt
		for j := range k {
			if e.group[j] == j && slices.Equal(prompts[j], p) {
				e.group[k] = j
				break
			}
		}
		if e.group[k] == k {
			rows += len(p)
		}
		rows += len(responses[k])
	}
	e.beginRows(op, rows)
	r := 0
	for k, p := range prompts {
		if e.group[k] != k {
			continue // its prompt is already laid out
		}
		e.batch.addGroup(r, len(p))
		last := r + len(p) - 1
		for j, id := range p {
			e.setID(op, r, id, k, j)
			e.pos[r] = int32(j)
			r++
		}
		for k2 := k; k2 < len(prompts); k2++ {
			if e.group[k2] != k {
				continue
			}
			resp := responses[k2]
			e.last[k2], e.start[k2] = last, r
			if len(resp) > 0 {
				e.batch.addDependent(r, len(resp))
			}
			for j, id := range resp {
				e.setID(op, r, id, k2, len(p)+j)
				e.pos[r] = int32(len(p) + j)
				r++
			}
		}
	}
}

// collectSequences fills e.seq from the output layer's log-probs, scored
// in order of sequence and position.
func (e *Engine) collectSequences(responses [][]int) {
	s := &e.seq
	b := len(responses)
	if cap(s.Sum) < e.maxB {
		s.Sum, s.Mean, s.Count = make([]float64, e.maxB), make([]float64, e.maxB), make([]int, e.maxB)
		s.PerToken, s.LogitSum, s.Top1 = make([][]float64, e.maxB), make([]float64, e.maxB), make([]int, e.maxB)
	}
	s.Sum, s.Mean, s.Count, s.PerToken = s.Sum[:b], s.Mean[:b], s.Count[:b], s.PerToken[:b]
	s.LogitSum, s.Top1 = s.LogitSum[:b], s.Top1[:b]
	o := e.out
	i := 0
	for k, resp := range responses {
		per := o.logp[i : i+len(resp)]
		var sum, logits float64
		top := 0
		for j, v := range per {
			sum += v
			logits += o.logitSum[i+j]
			if float64(o.logit[i+j]) == o.maxes[i+j] { // the target's logit is the row's maximum
				top++
			}
		}
		s.Sum[k], s.Count[k], s.PerToken[k], s.LogitSum[k], s.Top1[k] = sum, len(resp), per, logits, top
		s.Mean[k] = 0
		if len(resp) > 0 {
			s.Mean[k] = sum / float64(len(resp))
		}
		i += len(resp)
	}
}

// Backward accumulates into every parameter's Grad the gradient of a loss
// whose derivative with respect to the sums of the last SequenceLogProbs
// call is dSum ([B]). A loss of the means folds in as
// dSum[b] += dMean[b] / Count[b]. See BackwardPerToken for the gradient
// handling; it panics as BackwardPerToken does or if len(dSum) != B.
func (e *Engine) Backward(dSum []float64) {
	e.checkBackward("Backward", passSequence)
	if len(dSum) != len(e.seq.Sum) {
		panic(fmt.Sprintf("fast: Backward with %d sums for a batch of %d sequences", len(dSum), len(e.seq.Sum)))
	}
	i := 0
	for b, cnt := range e.seq.Count {
		for range cnt {
			e.weight[i] = float32(dSum[b])
			i++
		}
	}
	e.backward()
}

// BackwardPerToken accumulates into every parameter's Grad the gradient of
// a loss whose derivative with respect to PerToken[b][j] of the last
// SequenceLogProbs call is dPerToken[b][j].
//
// Gradients accumulate (+=) into existing Grad tensors; a nil Grad gets a
// float32 tensor the engine owns and reuses after the optimizer's ZeroGrad
// (so a step allocates nothing). A backward pass consumes the forward
// pass's activations. It panics on an inference engine, when the last call
// was not SequenceLogProbs or its activations were already consumed, or if
// dPerToken does not have the shape of PerToken.
func (e *Engine) BackwardPerToken(dPerToken [][]float64) {
	e.checkBackward("BackwardPerToken", passSequence)
	if len(dPerToken) != len(e.seq.Count) {
		panic(fmt.Sprintf("fast: BackwardPerToken with %d rows for a batch of %d sequences", len(dPerToken), len(e.seq.Count)))
	}
	i := 0
	for b, cnt := range e.seq.Count {
		if len(dPerToken[b]) != cnt {
			panic(fmt.Sprintf("fast: BackwardPerToken row %d has %d values for %d response tokens", b, len(dPerToken[b]), cnt))
		}
		for _, d := range dPerToken[b] {
			e.weight[i] = float32(d)
			i++
		}
	}
	e.backward()
}

// checkBackward panics unless the engine holds the activations of a
// forward pass of kind want.
func (e *Engine) checkBackward(op string, want pass) {
	if !e.train {
		panic("fast: " + op + " on an inference engine (made by NewInference)")
	}
	if e.pending != want {
		names := map[pass]string{passSequence: "SequenceLogProbs", passNextToken: "NextTokenLoss"}
		panic(fmt.Sprintf("fast: %s needs the activations of a %s call; the engine holds none (another call came between, or they were consumed by an earlier backward pass)", op, names[want]))
	}
	e.pending = passNone
}
