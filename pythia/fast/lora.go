package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor/kernel"
)

// The four projections of a block that can carry a LoRA adapter, in the
// order a forward pass runs them (and pythia.LoRATargets lists them).
const (
	projQKV   = iota // attention.query_key_value: (rows, C) -> (rows, 3C)
	projDense        // attention.dense: (rows, C) -> (rows, C)
	projUp           // mlp.dense_h_to_4h: (rows, C) -> (rows, I)
	projDown         // mlp.dense_4h_to_h: (rows, I) -> (rows, C)
	numProj
)

// adapter is one LoRA adapter of the model (nn.LoRA) as the engine sees
// it: A (r, in) and B (out, r) as trainable parameters, and per pass the
// values its backward needs.
type adapter struct {
	l       *nn.LoRA
	a, b    *param
	r       int
	in, out int
	low     []float32 // (rows, r) u A^T of the last forward pass
	mask    []uint64  // (rows, in) bits: the dropout mask of the last forward pass (kept elements set); nil until dropout is used
	dropped bool      // the last forward pass applied mask
}

// bindAdapters records the adapters of m's blocks (nil where a projection
// has none) and appends their A and B to mp.all, so that they get
// gradients like any other parameter. Which adapters exist is fixed now;
// their values, merge state and dropout mode (nn.LoRA.RNG) are read at
// every pass.
func (e *Engine) bindAdapters(m *pythia.Model) {
	name := func(l, k int, ab string) string { // for messages
		return fmt.Sprintf("layer %d %s lora_%s", l, pythia.LoRATargets[k], ab)
	}
	for i := range m.Layers {
		l := &m.Layers[i]
		var as [numProj]*adapter
		for k, lora := range [numProj]*nn.LoRA{l.Attention.QKVLoRA, l.Attention.DenseLoRA, l.MLP.UpLoRA, l.MLP.DownLoRA} {
			if lora == nil {
				continue
			}
			bs := lora.B.Shape()
			ad := &adapter{
				l: lora, r: lora.Rank(), in: lora.A.Shape()[1], out: bs[0],
				a: &param{name: name(i, k, "A"), v: lora.A, frozen: !lora.A.RequiresGrad()},
				b: &param{name: name(i, k, "B"), v: lora.B, frozen: !lora.B.RequiresGrad()},
			}
			e.p.all = append(e.p.all, ad.a, ad.b)
			as[k] = ad
		}
		e.lora = append(e.lora, as)
	}
}

// allocAdapters sizes every adapter's per-pass buffers for n rows and the
// engine's shared adapter scratch.
func (e *Engine) allocAdapters(n int) {
	widest, rank := 0, 0
	for _, as := range e.lora {
		for _, ad := range as {
			if ad == nil {
				continue
			}
			ad.low = make([]float32, n*ad.r) // the mask is allocated by the first pass with dropout
			widest, rank = max(widest, ad.in), max(rank, ad.r)
		}
	}
	if widest > 0 {
		e.loraU, e.loraDlow = make([]float32, n*widest), make([]float32, n*rank)
	}
}

// active returns the adapter of projection k of layer l when it takes part
// in the pass: present and not merged into its base weight.
func (e *Engine) active(l, k int) *adapter {
	if e.lora == nil {
		return nil
	}
	ad := e.lora[l][k]
	if ad == nil || ad.l.Merged {
		return nil
	}
	return ad
}

// loraForward adds projection k's adapter term of layer l, if any, to y:
//
//	u   = dropout(x)            (rows, in)  x itself without dropout
//	low = u A^T                 (rows, r)
//	y  += s low B^T             (rows, out)
//
// s = nn.LoRA.Scale(). Dropout applies in training mode (the adapter's RNG
// set and Dropout > 0): each element of x is kept with probability
// 1-Dropout and scaled by 1/(1-Dropout), drawn as nn.LoRA draws them, one
// RNG.Float64() per element in row order. With draw false (a layer
// recomputed for the backward pass) the mask of the last forward pass is
// applied again instead of drawing a new one.
func (e *Engine) loraForward(l, k int, y, x []float32, draw bool) {
	ad := e.active(l, k)
	if ad == nil {
		return
	}
	n, r, in, out := e.n, ad.r, ad.in, ad.out
	u := x
	if draw {
		ad.dropped = ad.l.RNG != nil && ad.l.Dropout > 0
		if ad.dropped {
			if ad.mask == nil {
				ad.mask = make([]uint64, (e.maxB*e.maxT*in+63)/64)
			}
			drawMask(ad.mask, ad.l, n*in)
		}
	}
	if ad.dropped {
		u = e.loraU[:n*in]
		applyMask(u, x, ad.mask, keepScale(ad.l))
	}
	kernel.Sgemm(false, true, n, r, in, 1, u, in, ad.a.w(), in, 0, ad.low, r)                      // (rows, r)
	kernel.Sgemm(false, true, n, out, r, float32(ad.l.Scale()), ad.low, r, ad.b.w(), r, 1, y, out) // (rows, out)
}

// loraBackward adds the gradients of loraForward for dy (rows, out), the
// gradient of the projection's output, given its input x (rows, in):
//
//	dlow = s dy B               (rows, r)
//	dB  += s dy^T low           (out, r)
//	dA  += dlow^T u             (r, in)
//	dx  += dropout'(dlow A)     (rows, in)   the mask of the forward pass
//
// dx already holds the base layer's dy W.
func (e *Engine) loraBackward(l, k int, dx, dy, x []float32) {
	ad := e.active(l, k)
	if ad == nil {
		return
	}
	n, r, in, out := e.n, ad.r, ad.in, ad.out
	s := float32(ad.l.Scale())
	dlow := e.loraDlow[:n*r]
	kernel.Sgemm(false, false, n, r, out, s, dy, out, ad.b.w(), r, 0, dlow, r) // (rows, r)
	if !ad.b.frozen {
		kernel.Sgemm(true, false, out, r, n, s, dy, out, ad.low, r, ad.b.beta(), ad.b.g, r) // (out, r)
	}
	u := x
	if ad.dropped {
		u = e.loraU[:n*in]
		applyMask(u, x, ad.mask, keepScale(ad.l))
	}
	if !ad.a.frozen {
		kernel.Sgemm(true, false, r, in, n, 1, dlow, r, u, in, ad.a.beta(), ad.a.g, in) // (r, in)
	}
	if !ad.dropped {
		kernel.Sgemm(false, false, n, in, r, 1, dlow, r, ad.a.w(), in, 1, dx, in) // (rows, in)
		return
	}
	du := e.loraU[:n*in]
	kernel.Sgemm(false, false, n, in, r, 1, dlow, r, ad.a.w(), in, 0, du, in) // (rows, in)
	keep := keepScale(ad.l)
	parallel.For(n*in, 1<<15, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if ad.mask[i>>6]&(1<<(i&63)) != 0 {
				dx[i] += keep * du[i]
			}
		}
	})
}

// keepScale returns 1/(1-Dropout), the factor of the kept elements.
func keepScale(l *nn.LoRA) float32 { return float32(1 / (1 - l.Dropout)) }

// drawMask sets the first n bits of mask: bit i kept (set) unless
// l.RNG.Float64() < l.Dropout, drawn in order i = 0..n-1 exactly as
// nn.LoRA's dropout draws its mask over the elements of its input.
func drawMask(mask []uint64, l *nn.LoRA, n int) {
	clear(mask[:(n+63)/64])
	for i := range n {
		if l.RNG.Float64() >= l.Dropout {
			mask[i>>6] |= 1 << (i & 63)
		}
	}
}

// applyMask sets u = x * keep where mask's bit is set, 0 elsewhere, for
// the first len(u) elements.
func applyMask(u, x []float32, mask []uint64, keep float32) {
	parallel.For(len(u), 1<<15, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if mask[i>>6]&(1<<(i&63)) != 0 {
				u[i] = keep * x[i]
			} else {
				u[i] = 0
			}
		}
	})
}
