package fast

import (
	"math"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// fusedChunkValues bounds the logits buffer of the fused loss-and-gradient
// pass: chunks of tokens × the whole vocabulary, at most this many values
// (64 MB; 333 tokens of a 50304-entry vocabulary). Each chunk repacks
// embed_out for its two products with it: on the 70m train step, 4 M
// values cost 13% more CPU than 16 M, and 32 M 8% less.
const fusedChunkValues = 16 << 20

// fusedOutput is the output layer's forward and backward in one pass over
// chunks of scored rows (Liger-Kernel's fused linear cross-entropy), for a
// loss whose gradient with respect to each log-prob, weight_i, is known
// before the pass. Per chunk of rows R:
//
//	logits = hs_R W^T                          (|R|, V), the only buffer of that shape
//	lse_i, logp_i from the row;  dlogits_i = weight_i ([v = target_i] - p_i)
//	dhs_R = dlogits W,   dW += dlogits^T hs_R
//
// Three products over the vocabulary instead of the four of forward then
// backward (which recomputes the logits).
type fusedOutput struct {
	o      *outputLayer
	rows   int       // rows per chunk
	logits []float32 // (rows, V)
	// The chunk being processed, for the row kernel (bound once).
	r0, v  int
	weight []float32
	rowsFn func(lo, hi int)
}

// newFusedOutput sizes the pass for vocabulary v, sharing o's per-row
// buffers.
func newFusedOutput(o *outputLayer, v int) *fusedOutput {
	f := &fusedOutput{o: o, rows: max(1, min(len(o.lse), fusedChunkValues/v)), v: v}
	f.logits = make([]float32, f.rows*v)
	f.rowsFn = f.gradientRows
	return f
}

// run computes o.lse and o.logp for the first o.n rows of hs (N, C) and
// writes dhs (N, C) and adds dW (V, C) for weights (N).
func (f *fusedOutput) run(dhs []float32, dw *param, hs, w, weight []float32, c int) {
	o, v := f.o, f.v
	f.weight = weight
	wBeta := dw.beta()
	wm := weightMat{f32: w}
	if o.bf16() { // matmul.go: embed_out's bfloat16 bits
		wm = o.rowsMat(dw, 0, v, c)
	}
	for r0 := 0; r0 < o.n; r0 += f.rows {
		m := min(f.rows, o.n-r0)
		f.r0 = r0
		mulW(false, true, m, v, c, 1, hs[r0*c:], c, wm, c, 0, f.logits, v)
		parallel.For(m, rowGrain(v), f.rowsFn)
		mulW(false, false, m, c, v, 1, f.logits, v, wm, c, 0, dhs[r0*c:], c)
		if !dw.frozen {
			mul(o.bf16(), true, false, v, c, m, 1, f.logits, v, hs[r0*c:], c, wBeta, dw.g, c)
			wBeta = 1
		}
	}
}

// gradientRows turns rows [lo, hi) of the chunk's logits into their
// gradients, recording each row's lse and logp:
//
//	e = exp(logits - max), s = Σ e, lse = max + log s, p = e / s
//	dlogits = weight ([v = target] - p)
func (f *fusedOutput) gradientRows(lo, hi int) {
	o, v := f.o, f.v
	for i := lo; i < hi; i++ {
		k := f.r0 + i
		row := f.logits[i*v : (i+1)*v]
		t := int(o.targets[k])
		logit := row[t]
		m := kernel.Max(row)
		s := kernel.ExpShiftSum(row, row, m)
		o.lse[k] = float64(m) + math.Log(s)
		o.logp[k] = float64(logit) - o.lse[k]
		wk := f.weight[k]
		kernel.Scale(float32(-float64(wk)/s), row)
		row[t] += wk
	}
}
