package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/pythia"
)

// Generate continues each prompt with up to opts.MaxNewTokens tokens, with
// the semantics, options and result of pythia.Model.Generate (the same
// generation loop and sampler, pythia.GenerateWith, over the engine's KV
// cache): left-padded prompts with masked padding and per-row rotary
// positions, row b sampling from its own PCG stream seeded with
// (opts.Seed, b), stop tokens kept as a row's last token. Prompts are run
// in groups of MaxBatch rows (a row's tokens do not depend on its group).
// It overwrites the activations a pending Backward needs: call it between
// training steps.
//
// It returns an error if a prompt is longer than MaxSeq or if
// pythia.CheckGenerate does: no prompts, an empty prompt, an id outside
// the vocabulary, or an option out of range.
func (e *Engine) Generate(prompts [][]int, opts pythia.GenerateOptions) (*pythia.Generation, error) {
	for i, p := range prompts {
		if len(p) > e.maxT {
			return nil, fmt.Errorf("fast: Generate prompt %d has %d tokens; want at most %d (the engine's MaxSeq)", i, len(p), e.maxT)
		}
	}
	if err := pythia.CheckGenerate(prompts, opts, e.vocab); err != nil {
		return nil, err
	}
	e.pending = passNone
	defer func() { e.cache = nil }()
	return pythia.GenerateWith(&generator{e: e}, prompts, opts), nil
}

// generator is the engine's pythia.Decoder: each Prefill attaches a new KV
// cache to the engine, which its forward passes then read and fill.
type generator struct {
	e *Engine
	d *decoder
}

// MaxBatch implements pythia.Decoder: the engine's MaxBatch.
func (g *generator) MaxBatch() int { return g.e.maxB }

// Prefill implements pythia.Decoder. It panics if there are more than
// MaxBatch prompts, or a prompt is empty or longer than MaxSeq.
func (g *generator) Prefill(prompts [][]int, maxNew int) [][]float64 {
	if len(prompts) > g.e.maxB {
		panic(fmt.Sprintf("fast: Prefill of %d prompts; the engine holds %d", len(prompts), g.e.maxB))
	}
	for i, p := range prompts {
		if len(p) == 0 || len(p) > g.e.maxT {
			panic(fmt.Sprintf("fast: Prefill prompt %d has %d tokens; want 1 to %d", i, len(p), g.e.maxT))
		}
	}
	g.d = g.e.newDecoder(prompts, maxNew)
	g.e.cache = g.d
	g.d.prefill(g.e, prompts)
	return g.d.float64Rows(g.e.vocab)
}

// Step implements pythia.Decoder. It panics if len(tokens) is not the
// number of prompts of the last Prefill or the cache is full (more than
// maxNew steps).
func (g *generator) Step(tokens []int) [][]float64 {
	if g.d == nil || len(tokens) != g.d.b || g.d.s == g.d.capacity {
		panic(fmt.Sprintf("fast: Step with %d tokens; want one per row of a Prefill with room left", len(tokens)))
	}
	g.d.step(g.e, tokens)
	return g.d.float64Rows(g.e.vocab)
}

// float64Rows widens the logits (B, V) of the last pass into rows [B][V]
// for the sampler, in parallel for large vocabularies.
func (d *decoder) float64Rows(vocab int) [][]float64 {
	parallel.For(d.b, max(1, 1<<16/vocab), func(lo, hi int) {
		for j, v := range d.logits[lo*vocab : hi*vocab] {
			d.rows[lo*vocab+j] = float64(v)
		}
	})
	return d.rowViews
}
