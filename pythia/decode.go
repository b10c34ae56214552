package pythia

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
)

// Decoder is what GenerateWith needs from a backend: a forward pass over a
// batch of prompts that keeps every layer's keys and values (the prefill),
// then decode steps that run one new token per row against them. Both
// return the logits predicting each row's next token, one row [V] per
// prompt, valid until the next call. Model.Generate decodes with the
// autograd model, fast.Engine.Generate with the fused float32 engine.
type Decoder interface {
	// MaxBatch returns the largest number of prompts Prefill accepts
	// (>= 1); GenerateWith runs larger batches in groups.
	MaxBatch() int
	// Prefill discards any previous cache, runs the B prompts (1 <= B <=
	// MaxBatch, each non-empty with ids in the vocabulary; they may differ
	// in length) with room for maxNew more tokens per row, and returns the
	// logits [B][V] predicting each row's first new token. Row b's logits
	// must be those of prompt b run alone. It may panic on arguments that
	// CheckGenerate rejects or that exceed the backend's limits.
	Prefill(prompts [][]int, maxNew int) [][]float64
	// Step appends tokens[b] to row b and returns the logits [B][V]
	// predicting the token after it. It panics if len(tokens) is not the B
	// of the last Prefill, and may panic when called before a Prefill or
	// more than maxNew times after it.
	Step(tokens []int) [][]float64
}

// decoder is the autograd model's Decoder: it runs a frozen model
// incrementally with a KV cache. Prompts of different lengths are
// left-padded: row b's real tokens occupy the last len(prompt_b) columns of
// the prefill, padded keys are masked, and rotary positions count from each
// row's first real token (Hugging Face's position_ids =
// cumsum(attention_mask) - 1), so every row's logits are those of its
// unpadded sequence.
type decoder struct {
	m     *Model   // a frozen model: no graph is recorded
	kv    []*nn.KV // per layer, keys and values [B, heads, S, headDim] of all S positions so far
	valid [][]bool // [B][S]: which of the S positions hold real tokens
	next  []int    // [B]: rotary position of each row's next token
}

// MaxBatch implements Decoder: the model takes batches of any size.
func (d *decoder) MaxBatch() int { return math.MaxInt }

// Prefill implements Decoder; the cache grows as needed, so maxNew is not
// used.
func (d *decoder) Prefill(prompts [][]int, maxNew int) [][]float64 {
	b, s := len(prompts), 0
	for _, p := range prompts {
		s = max(s, len(p))
	}
	d.valid, d.next = make([][]bool, b), make([]int, b)
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
	h, kv := d.m.run(ids, positions, nn.CausalMask(d.m.DType(), s, s, d.valid), nil, nil) // (B, S, H)
	d.kv = kv
	return d.logits(autograd.Narrow(h, 1, s-1, 1))
}

// Step implements Decoder.
func (d *decoder) Step(tokens []int) [][]float64 {
	if len(tokens) != len(d.next) {
		panic(fmt.Sprintf("pythia: decoder Step with %d tokens for %d rows", len(tokens), len(d.next)))
	}
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
	vocab := d.m.Config.VocabSize
	flat := d.m.Logits(h).Data.ToFloat64s() // (B, 1, V)
	rows := make([][]float64, len(flat)/vocab)
	for i := range rows {
		rows[i] = flat[i*vocab : (i+1)*vocab]
	}
	return rows
}
