package fast

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor/kernel"
)

// Generate continues each prompt with up to opts.MaxNewTokens tokens, with
// the semantics, options and result of pythia.Model.Generate: a KV cache,
// left-padded prompts with masked padding and per-row rotary positions,
// row b sampling from its own PCG stream seeded with (opts.Seed, b), stop
// tokens kept as a row's last token. Prompts are run in groups of
// MaxBatch rows (a row's tokens do not depend on its group). It overwrites
// the activations a pending Backward needs: call it between training
// steps.
//
// It returns an error if there are no prompts, a prompt is empty, longer
// than MaxSeq or holds an id outside the vocabulary, or an option is out
// of range (MaxNewTokens < 1, Temperature < 0, TopK < 0, TopP outside
// [0, 1]).
func (e *Engine) Generate(prompts [][]int, opts pythia.GenerateOptions) (*pythia.Generation, error) {
	if err := e.checkGenerate(prompts, opts); err != nil {
		return nil, err
	}
	e.pending = passNone
	n := len(prompts)
	g := &pythia.Generation{Tokens: make([][]int, n), LogProbs: make([][]float64, n), ModelLogProbs: make([][]float64, n), Stopped: make([]bool, n)}
	for lo := 0; lo < n; lo += e.maxB {
		e.generateGroup(prompts, lo, min(lo+e.maxB, n), opts, g)
	}
	return g, nil
}

// generateGroup generates rows [lo, hi) of g.
func (e *Engine) generateGroup(prompts [][]int, lo, hi int, opts pythia.GenerateOptions, g *pythia.Generation) {
	b := hi - lo
	rngs := make([]*rand.Rand, b)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(opts.Seed, uint64(lo+i)))
	}
	d := e.newDecoder(prompts[lo:hi], opts.MaxNewTokens)
	e.cache = d
	defer func() { e.cache = nil }()
	logits := d.prefill(e, prompts[lo:hi])
	done := make([]bool, b)
	last := make([]int, b)
	for {
		// Rows draw from their own streams: sample them in parallel.
		parallel.For(b, max(1, 1<<16/e.vocab), func(i0, i1 int) {
			for i := i0; i < i1; i++ {
				if done[i] {
					continue // keeps feeding its last token; its logits are ignored
				}
				row := d.rows[i*e.vocab : (i+1)*e.vocab]
				for j, v := range logits[i*e.vocab : (i+1)*e.vocab] {
					row[j] = float64(v)
				}
				tok, lp, mlp := d.samplers[i].sample(row, opts.SampleOptions, rngs[i])
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
		logits = d.step(e, last)
	}
}

// checkGenerate validates Generate's arguments.
func (e *Engine) checkGenerate(prompts [][]int, o pythia.GenerateOptions) error {
	switch {
	case len(prompts) == 0:
		return fmt.Errorf("fast: Generate with no prompts")
	case o.MaxNewTokens < 1:
		return fmt.Errorf("fast: Generate with MaxNewTokens %d; want >= 1", o.MaxNewTokens)
	case o.Temperature < 0:
		return fmt.Errorf("fast: Generate with Temperature %v; want >= 0", o.Temperature)
	case o.TopK < 0:
		return fmt.Errorf("fast: Generate with TopK %d; want >= 0", o.TopK)
	case !(o.TopP >= 0 && o.TopP <= 1):
		return fmt.Errorf("fast: Generate with TopP %v; want a probability in [0, 1]", o.TopP)
	}
	for i, p := range prompts {
		if len(p) == 0 || len(p) > e.maxT {
			return fmt.Errorf("fast: Generate prompt %d has %d tokens; want 1 to %d (the engine's MaxSeq)", i, len(p), e.maxT)
		}
		for j, id := range p {
			if id < 0 || id >= e.vocab {
				return fmt.Errorf("fast: Generate prompt %d token %d is %d, outside the vocabulary [0, %d)", i, j, id, e.vocab)
			}
		}
	}
	return nil
}

// decoder is Generate's KV cache for one group of B rows: every layer's
// rotated keys and values of the positions run so far.
type decoder struct {
	b, s, capacity int         // rows, positions filled, positions the cache holds
	k, v           [][]float32 // per layer: (B, NH, capacity, hd)
	valid          []bool      // (B, capacity): position holds a real token (left padding does not)
	next           []int32     // (B) rotary position of each row's next token
	decoding       bool        // false during the prefill
	scores         [][]float32 // per parallel chunk: capacity attention weights
	logits         []float32   // (B, V) logits predicting each row's next token
	rows           []float64   // (B, V) the logits as float64, for the samplers
	samplers       []sampler   // (B) one per row, so rows are sampled in parallel
}

// newDecoder returns a cache for prompts (non-empty, at most MaxSeq
// tokens) and maxNew generated tokens.
func (e *Engine) newDecoder(prompts [][]int, maxNew int) *decoder {
	b, s := len(prompts), 0
	for _, p := range prompts {
		s = max(s, len(p))
	}
	capacity := s + maxNew
	e.rope.grow(capacity)
	d := &decoder{
		b: b, capacity: capacity, valid: make([]bool, b*capacity), next: make([]int32, b),
		logits: make([]float32, b*e.vocab), rows: make([]float64, b*e.vocab), samplers: make([]sampler, b),
	}
	for range e.layers {
		d.k = append(d.k, make([]float32, b*capacity*e.c))
		d.v = append(d.v, make([]float32, b*capacity*e.c))
	}
	for range parallel.Workers() {
		d.scores = append(d.scores, make([]float32, capacity))
	}
	return d
}

// prefill runs the left-padded prompts through the model, filling the
// cache, and returns the logits (B, V) predicting each row's first new
// token. Row b's real tokens occupy its last len(prompt_b) columns, at
// rotary positions 0, 1, ... (Hugging Face's cumsum(attention_mask) - 1).
func (d *decoder) prefill(e *Engine, prompts [][]int) []float32 {
	s := 0 // the longest prompt
	for _, p := range prompts {
		s = max(s, len(p))
	}
	e.begin("Generate", d.b, s)
	for i, p := range prompts {
		pad := s - len(p)
		for j := range s {
			id, pos := 0, 0 // padding: token 0 at position 0, masked
			if j >= pad {
				id, pos = p[j-pad], j-pad
			}
			e.setID("Generate", i*s+j, id, i, j)
			e.pos[i*s+j] = int32(pos)
			e.batch.valid[i*s+j] = j >= pad
			d.valid[i*d.capacity+j] = j >= pad
		}
		d.next[i] = int32(len(p))
		e.rows[i] = int32(i*s + s - 1)
	}
	d.decoding, d.s = false, s
	return d.logitsOf(e)
}

// step appends one token per row and returns the logits (B, V) predicting
// the token after it.
func (d *decoder) step(e *Engine, tokens []int) []float32 {
	e.begin("Generate", d.b, 1)
	for i, tok := range tokens {
		e.ids[i], e.pos[i], e.rows[i] = int32(tok), d.next[i], int32(i)
		d.valid[i*d.capacity+d.s] = true
		d.next[i]++
	}
	d.decoding = true
	d.s++
	return d.logitsOf(e)
}

// logitsOf runs the batch set up in e through the model with the cache
// attached and applies the output layer to the B rows e.rows.
func (d *decoder) logitsOf(e *Engine) []float32 {
	e.forward(d.b, false)
	e.out.logits(d.logits, e.hs, e.p.embOut, d.b, e.c)
	return d.logits
}

// attention is layerForward's attention when generating: during the
// prefill, attentionForward over the left-padded prompts, then the keys and
// values of every position are stored; during decoding, each row's new key
// and value are stored at position s-1 and its query attends to the
// valid cached positions:
//
//	p = softmax(q K^T / √hd) over valid keys,   atty = p V
func (d *decoder) attention(e *Engine, l int, a *layerActs) {
	nh, hd, c, t := e.nh, e.hd, e.c, e.t
	first := d.s - t // cache position of the batch's first column
	for i := range d.b {
		for j := range t {
			row := a.qkv[(i*t+j)*3*c:]
			for h := range nh {
				at := ((i*nh+h)*d.capacity + first + j) * hd
				copy(d.k[l][at:at+hd], row[h*3*hd+hd:h*3*hd+2*hd])
				copy(d.v[l][at:at+hd], row[h*3*hd+2*hd:h*3*hd+3*hd])
			}
		}
	}
	if !d.decoding {
		attentionForward(a.atty, a.lse, nil, a.qkv, &e.batch, e.attnS)
		return
	}
	scale := float32(1 / math.Sqrt(float64(hd)))
	n, s := d.b*nh, d.s
	parallel.For(n, 1, func(lo, hi int) {
		p := d.scores[chunkOf(n, 1, lo)][:s]
		for item := lo; item < hi; item++ {
			i, h := item/nh, item%nh
			q := a.qkv[i*3*c+h*3*hd : i*3*c+h*3*hd+hd]
			keys, vals := d.k[l][item*d.capacity*hd:], d.v[l][item*d.capacity*hd:]
			valid := d.valid[i*d.capacity : i*d.capacity+s]
			for j, ok := range valid {
				p[j] = float32(math.Inf(-1))
				if ok {
					p[j] = scale * kernel.Dot(q, keys[j*hd:(j+1)*hd])
				}
			}
			kernel.Softmax(p, p)
			out := a.atty[i*c+h*hd : i*c+(h+1)*hd]
			clear(out)
			for j, w := range p {
				if w != 0 {
					kernel.Axpy(w, vals[j*hd:(j+1)*hd], out)
				}
			}
		}
	})
}
