package pythia

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// SequenceLogProbs holds the log-probabilities of a batch of responses, each
// given its prompt, as differentiable values.
type SequenceLogProbs struct {
	// PerToken [B, R] (R the longest response): entry [b, j] is
	// log p(response_b[j] | prompt_b, response_b[:j]); 0 for j >= Count[b].
	PerToken *autograd.Value
	// Sum [B] is the sum of row b's response log-probs (log p(response | prompt)).
	Sum *autograd.Value
	// Mean [B] is Sum / Count (0 for an empty response).
	Mean *autograd.Value
	// Count[b] is the number of response tokens scored, len(responses[b]).
	Count []int
}

// SequenceLogProbs scores responses[b] given prompts[b] for every b. Each
// pair is concatenated, the batch is right-padded and run through the model
// with an attention mask, and response token t is scored from the logits at
// position t-1 (the label shift), as in TRL's concatenated forward. Only the
// response positions go through the output layer.
// It panics if the slices' lengths differ, a prompt is empty, every
// response is empty, or an id is outside the vocabulary (with the message
// of CheckSequences, which returns these conditions as an error for
// callers that score untrusted data).
func (m *Model) SequenceLogProbs(prompts, responses [][]int) *SequenceLogProbs {
	s, _ := m.sequenceLogProbs(prompts, responses)
	return s
}

// CheckSequences returns an error naming the sequence and token when
// SequenceLogProbs(prompts, responses) would panic: the slices' lengths
// differ or are 0, a prompt is empty, every response is empty, or an id is
// outside [0, VocabSize). It never panics.
func (m *Model) CheckSequences(prompts, responses [][]int) error {
	if len(prompts) != len(responses) || len(prompts) == 0 {
		return fmt.Errorf("pythia: SequenceLogProbs with %d prompts and %d responses", len(prompts), len(responses))
	}
	r, vocab := 0, m.Config.VocabSize
	for i := range prompts {
		if len(prompts[i]) == 0 {
			return fmt.Errorf("pythia: SequenceLogProbs prompt %d is empty; the first response token needs a context", i)
		}
		r = max(r, len(responses[i]))
		for _, s := range []struct {
			name string
			ids  []int
		}{{"prompt", prompts[i]}, {"response", responses[i]}} {
			for j, id := range s.ids {
				if id < 0 || id >= vocab {
					return fmt.Errorf("pythia: SequenceLogProbs %s %d token %d is %d, outside the vocabulary [0, %d)", s.name, i, j, id, vocab)
				}
			}
		}
	}
	if r == 0 {
		return fmt.Errorf("pythia: SequenceLogProbs with no response tokens")
	}
	return nil
}

// sequenceLogProbs is SequenceLogProbs, also returning the logits (B, R, V)
// of the response slots.
func (m *Model) sequenceLogProbs(prompts, responses [][]int) (*SequenceLogProbs, *autograd.Value) {
	if err := m.CheckSequences(prompts, responses); err != nil {
		panic(err.Error())
	}
	b := len(prompts)
	t, r := 0, 0
	for i := range prompts {
		t = max(t, len(prompts[i])+len(responses[i]))
		r = max(r, len(responses[i]))
	}
	ids, mask := make([][]int, b), make([][]bool, b)
	rows := make([]int, 0, b*r) // row of the flattened hidden states predicting each response slot
	targets, scored := make([][]int, b), make([][]bool, b)
	counts := make([]int, b)
	for i, p := range prompts {
		seq := append(append([]int(nil), p...), responses[i]...)
		ids[i], mask[i] = make([]int, t), make([]bool, t)
		copy(ids[i], seq) // right padding with token 0; masked
		for j := range seq {
			mask[i][j] = true
		}
		targets[i], scored[i] = make([]int, r), make([]bool, r)
		counts[i] = len(responses[i])
		for j := range r {
			pos := len(p) - 1 // padding slots read a real row and are masked out
			if j < counts[i] {
				pos += j
				targets[i][j], scored[i][j] = responses[i][j], true
			}
			rows = append(rows, i*t+pos)
		}
	}
	h := m.Hidden(ids, mask, nil) // (B, T, H)
	hd := m.Config.HiddenSize
	h = autograd.IndexSelect(autograd.Reshape(h, b*t, hd), 0, rows) // (B*R, H)
	logits := m.Logits(autograd.Reshape(h, b, r, hd))               // (B, R, V)
	per := nn.TokenLogProbs(logits, targets, scored)                // (B, R)
	sum := autograd.Sum(per, 1)                                     // (B)
	inv := make([]float64, b)
	for i, c := range counts {
		inv[i] = 1 / float64(max(c, 1))
	}
	mean := autograd.Mul(sum, autograd.Const(tensor.FromValues(m.DType(), inv, b)))
	return &SequenceLogProbs{PerToken: per, Sum: sum, Mean: mean, Count: counts}, logits
}

// NextTokenLoss returns the mean next-token cross-entropy of ids [B][T]
// (Hugging Face's loss with labels = input_ids): the mean over scored
// positions t < T-1 of -log p(ids[b][t+1] | ids[b][:t+1]). With a mask
// (right padding, as in Forward), position t is scored only when token t+1
// is real. It panics as Forward does, or if no position is scored.
func (m *Model) NextTokenLoss(ids [][]int, mask [][]bool) *autograd.Value {
	_, b, t := nn.Flatten("NextTokenLoss", ids)
	if t < 2 {
		panic(fmt.Sprintf("pythia: NextTokenLoss of sequences of %d tokens; want at least 2", t))
	}
	h := autograd.Narrow(m.Hidden(ids, mask, nil), 1, 0, t-1) // (B, T-1, H): positions predicting tokens 1..T-1
	targets, scored := make([][]int, b), make([][]bool, b)
	n := 0
	for i := range ids {
		targets[i], scored[i] = ids[i][1:], make([]bool, t-1)
		for j := range scored[i] {
			scored[i][j] = mask == nil || mask[i][j+1]
			if scored[i][j] {
				n++
			}
		}
	}
	if n == 0 {
		panic("pythia: NextTokenLoss with no scored position")
	}
	logp := nn.TokenLogProbs(m.Logits(h), targets, scored) // (B, T-1)
	return autograd.Scale(autograd.Sum(logp), -1/float64(n))
}
