package pythia

import (
	"fmt"
	"math/rand/v2"
	"slices"
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
// It returns an error if there are no prompts, a prompt is empty or holds an
// id outside the vocabulary, or an option is out of range (MaxNewTokens < 1,
// Temperature < 0, TopK < 0, TopP outside [0, 1]).
func (m *Model) Generate(prompts [][]int, opts GenerateOptions) (*Generation, error) {
	if err := checkGenerate(prompts, opts, m.Config.VocabSize); err != nil {
		return nil, err
	}
	b := len(prompts)
	g := &Generation{Tokens: make([][]int, b), LogProbs: make([][]float64, b), ModelLogProbs: make([][]float64, b), Stopped: make([]bool, b)}
	rngs := make([]*rand.Rand, b)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(opts.Seed, uint64(i)))
	}
	dec, logits := newDecoder(m.Frozen(), prompts)
	done := make([]bool, b)
	last := make([]int, b)
	for {
		for i := range b {
			if done[i] {
				continue // keeps feeding its last token; its logits are ignored
			}
			tok, lp, mlp := sampleToken(logits[i], opts.SampleOptions, rngs[i])
			g.Tokens[i] = append(g.Tokens[i], tok)
			g.LogProbs[i] = append(g.LogProbs[i], lp)
			g.ModelLogProbs[i] = append(g.ModelLogProbs[i], mlp)
			last[i] = tok
			g.Stopped[i] = slices.Contains(opts.StopTokens, tok)
			done[i] = g.Stopped[i] || len(g.Tokens[i]) == opts.MaxNewTokens
		}
		if !slices.Contains(done, false) {
			return g, nil
		}
		logits = dec.step(last)
	}
}

// checkGenerate validates Generate's arguments.
func checkGenerate(prompts [][]int, o GenerateOptions, vocab int) error {
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
