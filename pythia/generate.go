package pythia

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/daalab/daa/internal/parallel"
)

// GenerateOptions control Generate.
type GenerateOptions struct {
	SampleOptions
	// MaxNewTokens bounds the number of tokens generated per prompt (> 0).
	MaxNewTokens int
	// StopTokens end a row's generation once one of them is sampled (it is
	// kept as the row's last token); typically []int{cfg.EOSTokenID}. Nil
	// never stops early.
	StopTokens []int
	// Seed seeds the sampling: row b draws from its own PCG stream
	// (math/rand/v2, seeded with Seed and b), so a row's tokens depend only
	// on Seed, b and its prompt.
	Seed uint64
}

// Generation is the result of Generate, row by row.
type Generation struct {
	// Tokens[b] are the new tokens of prompt b (the prompt is not repeated),
	// ending with the stop token when one was sampled.
	Tokens [][]int
	// LogProbs[b][i] is the log-probability of Tokens[b][i] under the
	// distribution it was sampled from (temperature, top-k and top-p
	// applied); 0 under greedy decoding.
	LogProbs [][]float64
	// ModelLogProbs[b][i] is its log-probability under the model itself,
	// log_softmax of the untempered logits (what SequenceLogProbs computes
	// for the same prompt and tokens).
	ModelLogProbs [][]float64
	// Stopped[b] reports whether row b ended with a stop token (rather than
	// at MaxNewTokens).
	Stopped []bool
}

// Generate continues each prompt (token ids; prompts may differ in length
// and are not padded by the caller) with up to opts.MaxNewTokens tokens,
// decoding with a KV cache on a frozen view of m (no graph is built). The
// batch is left-padded internally with masked padding and per-row rotary
// positions, so each row's logits are those of its prompt run alone, as in
// Hugging Face's generate with an attention mask.
//
// It returns an error if CheckGenerate does: no prompts, an empty prompt,
// an id outside the vocabulary, or an option out of range.
func (m *Model) Generate(prompts [][]int, opts GenerateOptions) (*Generation, error) {
	if err := CheckGenerate(prompts, opts, m.Config.VocabSize); err != nil {
		return nil, err
	}
	return GenerateWith(&decoder{m: m.Frozen()}, prompts, opts), nil
}

// GenerateWith is the generation loop of every backend (Model.Generate,
// fast.Engine.Generate): it runs the prompts through d in groups of
// d.MaxBatch() rows (a row's tokens do not depend on its group), then
// samples each row's next token under opts from the logits d returns and
// feeds it back with d.Step, until every row has sampled a stop token or
// opts.MaxNewTokens tokens. Row b samples from its own PCG stream seeded
// with (opts.Seed, b), and rows are sampled in parallel when the vocabulary
// is large, so the result does not depend on the number of threads. A row
// that is done keeps feeding its last token; its logits are ignored.
//
// prompts and opts must pass CheckGenerate for d's vocabulary; otherwise d
// may panic. GenerateWith panics if d.MaxBatch() < 1.
func GenerateWith(d Decoder, prompts [][]int, opts GenerateOptions) *Generation {
	n, maxB := len(prompts), d.MaxBatch()
	if maxB < 1 {
		panic(fmt.Sprintf("pythia: GenerateWith: decoder's MaxBatch is %d; want >= 1", maxB))
	}
	g := &Generation{Tokens: make([][]int, n), LogProbs: make([][]float64, n), ModelLogProbs: make([][]float64, n), Stopped: make([]bool, n)}
	samplers := make([]sampler, min(n, maxB))
	for lo := 0; lo < n; lo += maxB {
		generateGroup(d, prompts, lo, min(lo+maxB, n), opts, g, samplers)
	}
	return g
}

// generateGroup generates rows [lo, hi) of g, with samplers[i] drawing for
// row lo+i.
func generateGroup(d Decoder, prompts [][]int, lo, hi int, opts GenerateOptions, g *Generation, samplers []sampler) {
	b := hi - lo
	rngs := make([]*rand.Rand, b)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(opts.Seed, uint64(lo+i)))
	}
	done := make([]bool, b)
	last := make([]int, b)
	logits := d.Prefill(prompts[lo:hi], opts.MaxNewTokens) // [b][V]
	for {
		// Rows draw from their own streams: sample them in parallel, in
		// chunks of about 64K logits.
		parallel.For(b, max(1, 1<<16/len(logits[0])), func(i0, i1 int) {
			for i := i0; i < i1; i++ {
				if done[i] {
					continue
				}
				tok, lp, mlp := samplers[i].sample(logits[i], opts.SampleOptions, rngs[i])
				r := lo + i
				g.Tokens[r] = append(g.Tokens[r], tok)
				g.LogProbs[r] = append(g.LogProbs[r], lp)
				g.ModelLogProbs[r] = append(g.ModelLogProbs[r], mlp)
				last[i] = tok
				g.Stopped[r] = slices.Contains(opts.StopTokens, tok)
				done[i] = g.Stopped[r] || len(g.Tokens[r]) == opts.MaxNewTokens
			}
		})
		if !slices.Contains(done, false) {
			return
		}
		logits = d.Step(last)
	}
}

// CheckGenerate validates the arguments of Generate for a vocabulary of
// vocab tokens: it returns an error if there are no prompts, a prompt is
// empty or holds an id outside [0, vocab), or an option is out of range
// (MaxNewTokens < 1, Temperature < 0, TopK < 0, TopP outside [0, 1]).
func CheckGenerate(prompts [][]int, o GenerateOptions, vocab int) error {
	switch {
	case len(prompts) == 0:
		return fmt.Errorf("pythia: Generate with no prompts")
	case o.MaxNewTokens < 1:
		return fmt.Errorf("pythia: Generate with MaxNewTokens %d; want >= 1", o.MaxNewTokens)
	case o.Temperature < 0:
		return fmt.Errorf("pythia: Generate with Temperature %v; want >= 0", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("pythia: Generate with TopK %d; want >= 0", o.TopK)
	case !(o.TopP >= 0 && o.TopP <= 1):
		return fmt.Errorf("pythia: Generate with TopP %v; want a probability in [0, 1]", o.TopP)
	}
	for i, p := range prompts {
		if len(p) == 0 {
			return fmt.Errorf("pythia: Generate prompt %d is empty", i)
		}
		for j, id := range p {
			if id < 0 || id >= vocab {
				return fmt.Errorf("pythia: Generate prompt %d token %d is %d, outside the vocabulary [0, %d)", i, j, id, vocab)
			}
		}
	}
	return nil
}
