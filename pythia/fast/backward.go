package fast

import (
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// backward propagates e.weight (N), the gradient of the loss with respect
// to each scored log-probability, through the output layer, the final
// LayerNorm, every layer and the embedding, accumulating every parameter's
// gradient.
func (e *Engine) backward() {
	e.beginGrads()
	e.out.backward(e.dhs, e.p.embOut, e.hs, e.weight, e.c)
	e.backwardFromHidden()
}

// beginGrads prepares every parameter's gradient for a backward pass.
func (e *Engine) beginGrads() {
	for _, p := range e.p.all {
		p.beginGrad()
	}
}

// backwardFromHidden propagates e.dhs, the gradient with respect to the
// final LayerNorm's outputs at the scored rows, through that LayerNorm,
// every layer and the embedding.
func (e *Engine) backwardFromHidden() {
	n, bt, c := e.out.n, e.n, e.c
	last := e.resIn(e.layers)
	clear(e.dres[:bt*c])
	layernormBackward(e.dres, e.p.lnfw, e.p.lnfb, e.dhs, last, e.rows[:n], e.hsMu, e.hsRs, e.p.lnfw.w(), n, c, e.lnS, e.dhsX)
	for l := e.layers - 1; l >= 0; l-- {
		e.layerBackward(l, e.res[l], e.backwardActs(l))
	}
	// Embedding: dE[id] += dres[r] for every row, touching only those rows;
	// the workers split the columns, so rows sharing an id do not race.
	if emb := e.p.embIn; !emb.frozen {
		emb.zeroIfFresh()
		parallel.For(c, max(1, (1<<15)/bt), func(lo, hi int) { // chunks of >= 32K values
			for r := range bt {
				id := int(e.ids[r])
				kernel.Axpy(1, e.dres[r*c+lo:r*c+hi], emb.g[id*c+lo:id*c+hi])
			}
		})
	}
	for _, p := range e.p.all {
		p.zeroIfFresh() // nothing wrote it (cannot happen with the passes above; keeps stale values out)
	}
}

// layerBackward turns e.dres from the gradient of layer l's output y into
// the gradient of its input x, adding the gradients of the layer's
// parameters:
//
//	mlp:   dfch2 = dy Wdown, dfch = dfch2 act'(fch), dln2 = dfch Wup
//	attn:  datty = dmid Wd, dqkv = attention', rotary^-1, dln1 = dqkv Wqkv
//	parallel:   dx = dy + ln1'(dln1) + ln2'(dln2)
//	sequential: dmid = dy + ln2'(dln2); dx = dmid + ln1'(dln1)
func (e *Engine) layerBackward(l int, x []float32, a *layerActs) {
	lp := &e.p.layers[l]
	n, c, in := e.n, e.c, e.inter
	act := e.actOut(a) // act(fch), the input of dense_4h_to_h
	if a.act == nil {
		activationForward(e.act, act[:n*in], a.fch[:n*in]) // recomputed
	}
	linearBackward(e.dfch, lp.downw, lp.downb, e.dres, act, e.weightMat(lp.downw), e.ones, n, in, c)
	e.loraBackward(l, projDown, e.dfch, e.dres, act)
	activationBackward(e.act, e.dfch[:n*in], a.fch[:n*in], act[:n*in], e.actS)
	linearBackward(e.dlnB, lp.upw, lp.upb, e.dfch, a.ln2, e.weightMat(lp.upw), e.ones, n, c, in)
	e.loraBackward(l, projUp, e.dlnB, e.dfch, a.ln2)
	if !e.parallelResidual {
		layernormBackward(e.dres, lp.ln2w, lp.ln2b, e.dlnB, a.mid, nil, a.ln2Mu, a.ln2Rs, lp.ln2w.w(), n, c, e.lnS, nil)
	}
	linearBackward(e.datty, lp.densew, lp.denseb, e.dres, a.atty, e.weightMat(lp.densew), e.ones, n, c, c)
	e.loraBackward(l, projDense, e.datty, e.dres, a.atty)
	attentionBackward(e.dqkv, e.datty, a.qkv, a.lse, a.probs, &e.batch, e.attnS)
	e.rope.backward(e.dqkv, e.pos, n, e.nh, e.hd)
	linearBackward(e.dlnA, lp.qkvw, lp.qkvb, e.dqkv, a.ln1, e.weightMat(lp.qkvw), e.ones, n, c, 3*c)
	e.loraBackward(l, projQKV, e.dlnA, e.dqkv, a.ln1)
	if e.parallelResidual {
		layernormBackward(e.dres, lp.ln2w, lp.ln2b, e.dlnB, x, nil, a.ln2Mu, a.ln2Rs, lp.ln2w.w(), n, c, e.lnS, nil)
	}
	layernormBackward(e.dres, lp.ln1w, lp.ln1b, e.dlnA, x, nil, a.ln1Mu, a.ln1Rs, lp.ln1w.w(), n, c, e.lnS, nil)
}
