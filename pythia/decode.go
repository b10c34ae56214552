package pythia

import (
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
)

// decoder runs a model incrementally over a batch of prompts with a KV
// cache. Prompts of different lengths are left-padded: row b's real tokens
// occupy the last len(prompt_b) columns of the prefill, padded keys are
// masked, and rotary positions count from each row's first real token
// (Hugging Face's position_ids = cumsum(attention_mask) - 1), so every row's
// logits are those of its unpadded sequence.
type decoder struct {
	m     *Model   // a frozen model: no graph is recorded
	kv    []*nn.KV // per layer, keys and values [B, heads, S, headDim] of all S positions so far
	valid [][]bool // [B][S]: which of the S positions hold real tokens
	next  []int    // [B]: rotary position of each row's next token
	vocab int      // V
}

// newDecoder runs the prompts (non-empty, ids in the vocabulary) through the
// frozen model m and returns the decoder with the logits [B][V] that
// predict each row's first new token.
func newDecoder(m *Model, prompts [][]int) (*decoder, [][]float64) {
	b, s := len(prompts), 0
	for _, p := range prompts {
		s = max(s, len(p))
	}
	d := &decoder{m: m, valid: make([][]bool, b), next: make([]int, b), vocab: m.Config.VocabSize}
	ids, positions := make([][]int, b), make([][]int, b)
	for i, p := range prompts {
		pad := s - len(p)
		ids[i], positions[i], d.valid[i] = make([]int, s), make([]int, s), make([]bool, s)
		copy(ids[i][pad:], p) // padding with token 0, masked
		for j := pad; j < s; j++ {
			positions[i][j], d.valid[i][j] = j-pad, true
		}
		d.next[i] = len(p)
	}
	h, kv := m.run(ids, positions, nn.CausalMask(m.DType(), s, s, d.valid), nil, nil) // (B, S, H)
	d.kv = kv
	return d, d.logits(autograd.Narrow(h, 1, s-1, 1))
}

// step appends one token per row and returns the logits [B][V] predicting
// the token after it.
func (d *decoder) step(tokens []int) [][]float64 {
	ids, positions := make([][]int, len(tokens)), make([][]int, len(tokens))
	for i, tok := range tokens {
		ids[i], positions[i] = []int{tok}, []int{d.next[i]}
		d.valid[i] = append(d.valid[i], true)
		d.next[i]++
	}
	s := len(d.valid[0])
	h, kv := d.m.run(ids, positions, nn.CausalMask(d.m.DType(), 1, s, d.valid), d.kv, nil) // (B, 1, H)
	d.kv = kv
	return d.logits(h)
}

// logits applies the output layer to h [B, 1, H] and returns the rows [B][V].
func (d *decoder) logits(h *autograd.Value) [][]float64 {
	flat := d.m.Logits(h).Data.ToFloat64s() // (B, 1, V)
	rows := make([][]float64, len(flat)/d.vocab)
	for i := range rows {
		rows[i] = flat[i*d.vocab : (i+1)*d.vocab]
	}
	return rows
}
