package fast

import (
	"math"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// vocabChunk is the number of vocabulary entries the fused output layer
// handles per step: the logits of one chunk, (N, vocabChunk), are the only
// [tokens, vocabulary]-shaped buffer it keeps. (On the 70m DPO step, CPU
// time is flat within 2% from 256 to 2048 and 5% higher at 4096.)
const vocabChunk = 1024

// outputLayer is the fused output layer (Liger-Kernel's fused linear
// cross-entropy): for N scored hidden rows hs (N, C) with target tokens,
// the log-probabilities
//
//	logp_i = (hs_i · W_target_i) - lse_i,   lse_i = log Σ_v exp(hs_i · W_v)
//
// for W = embed_out (V, C), computed a vocabulary chunk at a time, without
// the (N, V) logits.
type outputLayer struct {
	n       int
	targets []int32   // (N)
	lse     []float64 // (N)
	logit   []float32 // (N) hs_i · W_target_i
	logp    []float64 // (N)
	// logitSum (N) is Σ_v logits_iv, summed in float64 (TRL's logits/* metrics).
	logitSum []float64
	maxes    []float64 // (N) running maximum over the chunks seen
	sums     []float64 // (N) running Σ exp(logit - max)
	chunk    []float32 // (N, vocabChunk) one chunk of logits
	wide     []float32 // (vocabChunk, C) a bfloat16 engine's widened chunk of W

	prec *precision // the engine's product arithmetic (matmul.go)

	// The chunk being processed, for the row kernels below (bound once as
	// method values, so the chunk loop does not allocate closures).
	v0, vn      int
	weight      []float32 // backward: dloss/dlogp per row
	forwardRows func(lo, hi int)
	gradRows    func(lo, hi int)
}

// newOutputLayer sizes the buffers for up to n rows.
func newOutputLayer(n int) *outputLayer {
	o := &outputLayer{
		targets: make([]int32, n), lse: make([]float64, n), logit: make([]float32, n), logp: make([]float64, n),
		logitSum: make([]float64, n), maxes: make([]float64, n), sums: make([]float64, n), chunk: make([]float32, n*vocabChunk),
	}
	o.forwardRows, o.gradRows = o.accumulateRows, o.gradientRows
	return o
}

// forward sets lse, logp and logitSum for the first o.n rows of hs (N, C)
// and o.targets, with W = w (V, C). The log-sum-exp is accumulated online
// over the chunks in float64: m' = max(m, max_chunk), s' = s e^(m-m') +
// Σ e^(x-m'); so is logitSum, Σ_v x_v.
func (o *outputLayer) forward(hs []float32, w *param, c int) {
	n := o.n
	for i := range n {
		o.maxes[i], o.sums[i], o.logitSum[i] = math.Inf(-1), 0, 0
	}
	v := o.vocab(w, c)
	for v0 := 0; v0 < v; v0 += vocabChunk {
		o.v0, o.vn = v0, min(vocabChunk, v-v0)
		mulW(false, true, n, o.vn, c, 1, hs, c, o.rowsMat(w, v0, o.vn, c), c, 0, o.chunk, o.vn)
		parallel.For(n, rowGrain(o.vn), o.forwardRows)
	}
	for i := range n {
		o.lse[i] = o.maxes[i] + math.Log(o.sums[i])
		o.logp[i] = float64(o.logit[i]) - o.lse[i]
	}
}

// vocab returns the number of rows of the output matrix w (V, C).
func (o *outputLayer) vocab(w *param, c int) int {
	if w.bf16 != nil {
		return len(w.bf16) / c
	}
	return len(w.w()) / c
}

// rowsOf returns rows [v0, v0+vn) of w (V, C) as float32, widened into
// o.wide for a bfloat16 engine.
func (o *outputLayer) rowsOf(w *param, v0, vn, c int) []float32 {
	if w.bf16 != nil {
		wide := o.wide[:vn*c]
		widen(wide, w.bf16[v0*c:(v0+vn)*c])
		return wide
	}
	return w.w()[v0*c : (v0+vn)*c]
}

// logits sets out (N, V) = hs (N, C) w^T for the first n rows of hs,
// a vocabulary chunk at a time for a bfloat16 engine.
func (o *outputLayer) logits(out, hs []float32, w *param, n, c int) {
	v := o.vocab(w, c)
	if w.bf16 == nil || o.bf16() {
		mulW(false, true, n, v, c, 1, hs, c, o.rowsMat(w, 0, v, c), c, 0, out, v)
		return
	}
	for v0 := 0; v0 < v; v0 += vocabChunk {
		vn := min(vocabChunk, v-v0)
		mulW(false, true, n, vn, c, 1, hs, c, o.rowsMat(w, v0, vn, c), c, 0, out[v0:], v)
	}
}

// accumulateRows folds rows [lo, hi) of the current chunk of logits into
// the running maxima, sums and logit sums, keeping the target logits.
func (o *outputLayer) accumulateRows(lo, hi int) {
	v0, vn := o.v0, o.vn
	for i := lo; i < hi; i++ {
		row := o.chunk[i*vn : (i+1)*vn]
		if t := int(o.targets[i]) - v0; t >= 0 && t < vn {
			o.logit[i] = row[t]
		}
		o.logitSum[i] += kernel.Sum(row) // in float64
		m := kernel.Max(row)
		s := kernel.ExpShiftSum(row, row, m)
		mi, mc := o.maxes[i], float64(m)
		if mc > mi {
			o.sums[i] = o.sums[i]*math.Exp(mi-mc) + s
			o.maxes[i] = mc
		} else {
			o.sums[i] += s * math.Exp(mc-mi)
		}
	}
}

// backward adds the gradients of Σ_i weight_i logp_i, chunk by chunk:
//
//	dlogits_iv = weight_i ([v = target_i] - p_iv),   p_iv = exp(logit_iv - lse_i)
//	dhs = dlogits W      (N, C), assigned
//	dW += dlogits^T hs   (V, C)
//
// recomputing each chunk's logits from hs and W = dw's values (widened a
// chunk at a time when bfloat16); weight is (N). A frozen dw gets no dW.
func (o *outputLayer) backward(dhs []float32, dw *param, hs []float32, weight []float32, c int) {
	n := o.n
	v := o.vocab(dw, c)
	wBeta := dw.beta() // every chunk writes its own rows of dW
	o.weight = weight
	for v0 := 0; v0 < v; v0 += vocabChunk {
		o.v0, o.vn = v0, min(vocabChunk, v-v0)
		vn := o.vn
		w := o.rowsMat(dw, v0, vn, c) // (vn, C)
		mulW(false, true, n, vn, c, 1, hs, c, w, c, 0, o.chunk, vn)
		parallel.For(n, rowGrain(vn), o.gradRows)
		hBeta := float32(1)
		if v0 == 0 {
			hBeta = 0
		}
		mulW(false, false, n, c, vn, 1, o.chunk, vn, w, c, hBeta, dhs, c)
		if !dw.frozen {
			mul(o.bf16(), true, false, vn, c, n, 1, o.chunk, vn, hs, c, wBeta, dw.g[v0*c:], c)
		}
	}
}

// gradientRows turns rows [lo, hi) of the current chunk of logits into
// their gradients weight_i ([v = target_i] - p_iv).
func (o *outputLayer) gradientRows(lo, hi int) {
	v0, vn := o.v0, o.vn
	for i := lo; i < hi; i++ {
		row := o.chunk[i*vn : (i+1)*vn]
		kernel.ExpShiftSum(row, row, float32(o.lse[i]))
		kernel.Scale(-o.weight[i], row)
		if t := int(o.targets[i]) - v0; t >= 0 && t < vn {
			row[t] += o.weight[i]
		}
	}
}
