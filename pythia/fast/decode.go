package fast

import (
	"math"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

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
	rows           []float64   // (B, V) the logits as float64, for the sampler
	rowViews       [][]float64 // (B) rows[b*V : (b+1)*V]
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
		logits: make([]float32, b*e.vocab), rows: make([]float64, b*e.vocab), rowViews: make([][]float64, b),
	}
	for i := range d.rowViews {
		d.rowViews[i] = d.rows[i*e.vocab : (i+1)*e.vocab]
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
// cache, and leaves in d.logits the logits (B, V) predicting each row's
// first new token. Row b's real tokens occupy its last len(prompt_b)
// columns, at rotary positions 0, 1, ... (Hugging Face's
// cumsum(attention_mask) - 1).
func (d *decoder) prefill(e *Engine, prompts [][]int) {
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
	d.logitsOf(e)
}

// step appends one token per row and leaves in d.logits the logits (B, V)
// predicting the token after it.
func (d *decoder) step(e *Engine, tokens []int) {
	e.begin("Generate", d.b, 1)
	for i, tok := range tokens {
		e.ids[i], e.pos[i], e.rows[i] = int32(tok), d.next[i], int32(i)
		d.valid[i*d.capacity+d.s] = true
		d.next[i]++
	}
	d.decoding = true
	d.s++
	d.logitsOf(e)
}

// logitsOf runs the batch set up in e through the model with the cache
// attached and applies the output layer to the B rows e.rows, into
// d.logits.
func (d *decoder) logitsOf(e *Engine) {
	e.forward(d.b, false)
	e.out.logits(d.logits, e.hs, e.p.embOut, d.b, e.c)
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
