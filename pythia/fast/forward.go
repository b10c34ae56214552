package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
)

// beginRows starts a batch of n rows, every one a real token, with no
// segments yet: the caller sets ids, positions and the attention segments.
// It panics with op's name if n rows do not fit the engine.
func (e *Engine) beginRows(op string, n int) {
	if n < 1 || n > e.maxB*e.maxT {
		panic(fmt.Sprintf("fast: %s with %d tokens; the engine holds up to %d", op, n, e.maxB*e.maxT))
	}
	e.pending = passNone
	e.prec.newPass(e.cache != nil && e.cache.s > 0) // precision.go: decode steps reuse the prefill's bf16 weights
	e.n = n
	e.batch.reset()
	for i := range n {
		e.batch.valid[i] = true
	}
}

// begin starts a right-padded batch of b rows of t positions: b segments
// of t rows, every position real and at rotary position 0..t-1 until the
// caller changes valid and pos. It panics with op's name if the batch does
// not fit the engine.
func (e *Engine) begin(op string, b, t int) {
	if b < 1 || t < 1 || b > e.maxB || t > e.maxT {
		panic(fmt.Sprintf("fast: %s with a batch of %d sequences of %d tokens; the engine holds up to %d of %d", op, b, t, e.maxB, e.maxT))
	}
	e.beginRows(op, b*t)
	e.t = t
	for i := range b {
		e.batch.addGroup(i*t, t)
	}
	for r := range b * t {
		e.pos[r] = int32(r % t)
	}
}

// setID stores token id at row r, panicking with op's name if it is
// outside the vocabulary; seq and at locate it in the caller's input.
func (e *Engine) setID(op string, r, id, seq, at int) {
	e.checkID(op, id, seq, at)
	e.ids[r] = int32(id)
}

// checkID panics with op's name if id, at [seq][at] of the caller's input,
// is outside the vocabulary.
func (e *Engine) checkID(op string, id, seq, at int) {
	if id < 0 || id >= e.vocab {
		panic(fmt.Sprintf("fast: %s token %d at [%d][%d] outside the vocabulary [0, %d)", op, id, seq, at, e.vocab))
	}
}

// forward runs the batch set up by begin or beginRows through the
// embedding and every layer, then the final LayerNorm of the n scored rows
// e.rows and, with score, the fused output layer for e.out.targets.
func (e *Engine) forward(n int, score bool) {
	bt, c := e.n, e.c
	e.batch.setFirst()
	x := e.res[0] // (rows, C) = embed_in[ids]
	parallel.For(bt, rowGrain(c), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			e.embedRow(x[r*c:(r+1)*c], int(e.ids[r]))
		}
	})
	for l := range e.layers {
		e.layerForward(l, e.resIn(l), e.resIn(l+1), e.actsOf(l), true)
	}
	last := e.resIn(e.layers)
	layernormForward(e.hs, e.hsMu, e.hsRs, last, e.rows[:n], e.p.lnfw.w(), e.p.lnfb.w(), n, c, e.eps)
	if score {
		e.out.n = n
		e.out.forward(e.hs, e.p.embOut, c)
	}
}

// resIn returns the residual stream entering layer l (l = L: leaving the
// last layer).
func (e *Engine) resIn(l int) []float32 {
	if e.train {
		return e.res[l]
	}
	return e.res[l%2]
}

// actsOf returns the activation buffers of layer l (one shared set for
// an inference engine or with activation checkpointing).
func (e *Engine) actsOf(l int) *layerActs {
	if e.train && !e.checkpoint {
		return &e.acts[l]
	}
	return &e.acts[0]
}

// actOut returns the buffer of layer a's activation output: its own when
// it keeps one, else the shared e.fch2.
func (e *Engine) actOut(a *layerActs) []float32 {
	if a.act != nil {
		return a.act
	}
	return e.fch2
}

// layerForward applies transformer block l to x (rows, C), writing y:
//
//	parallel:   y = x + attn(ln1(x)) + mlp(ln2(x))
//	sequential: mid = x + attn(ln1(x));  y = mid + mlp(ln2(mid))
//
// attn(z) = attention(rotary(z Wqkv^T + bqkv)) Wd^T + bd and
// mlp(z) = act(z Wup^T + bup) Wdown^T + bdown; the biases and the residual
// are written first and the dense products added onto them. LoRA adapters
// add their terms after each product (loraForward); draw is false when the
// layer is recomputed for the backward pass (the dropout masks are reused).
func (e *Engine) layerForward(l int, x, y []float32, a *layerActs, draw bool) {
	lp := &e.p.layers[l]
	n, c, in := e.n, e.c, e.inter
	layernormForward(a.ln1, a.ln1Mu, a.ln1Rs, x, nil, lp.ln1w.w(), lp.ln1b.w(), n, c, e.eps)
	linearForward(a.qkv, a.ln1, e.weightMat(lp.qkvw), data(lp.qkvb), n, c, 3*c) // (rows, 3C)
	e.loraForward(l, projQKV, a.qkv, a.ln1, draw)
	e.rope.forward(a.qkv, e.pos, n, e.nh, e.hd)
	if e.cache != nil {
		e.cache.attention(e, l, a)
	} else {
		attentionForward(a.atty, a.lse, a.probs, a.qkv, &e.batch, e.attnS) // (rows, C)
	}
	mlpIn := x
	if e.parallelResidual {
		residualStart(y, x, data(lp.denseb), lp.downb.w(), n, c)
		mulW(false, true, n, c, c, 1, a.atty, c, e.weightMat(lp.densew), c, 1, y, c)
		e.loraForward(l, projDense, y, a.atty, draw)
	} else {
		residualStart(a.mid, x, data(lp.denseb), nil, n, c)
		mulW(false, true, n, c, c, 1, a.atty, c, e.weightMat(lp.densew), c, 1, a.mid, c)
		e.loraForward(l, projDense, a.mid, a.atty, draw)
		residualStart(y, a.mid, lp.downb.w(), nil, n, c)
		mlpIn = a.mid
	}
	layernormForward(a.ln2, a.ln2Mu, a.ln2Rs, mlpIn, nil, lp.ln2w.w(), lp.ln2b.w(), n, c, e.eps)
	linearForward(a.fch, a.ln2, e.weightMat(lp.upw), lp.upb.w(), n, c, in) // (rows, I)
	e.loraForward(l, projUp, a.fch, a.ln2, draw)
	act := e.actOut(a)
	activationForward(e.act, act[:n*in], a.fch[:n*in])
	mulW(false, true, n, c, in, 1, act, in, e.weightMat(lp.downw), in, 1, y, c)
	e.loraForward(l, projDown, y, act, draw)
}
