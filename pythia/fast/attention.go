package fast

import (
	"math"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// attnBatch is the geometry of a batch for the attention kernels: B
// sequences of T positions, heads of hd features, the key mask and each
// row's first attendable position.
type attnBatch struct {
	b, t, nh, hd int
	valid        []bool  // (B*T): position may be attended to (a real token)
	first        []int32 // (B): first valid position of each row, T when none
}

// attentionForward computes causal self-attention for every sequence b and
// head h, reading q, k and v from qkv (B*T, 3C) in the per-head
// [q_h | k_h | v_h] layout:
//
//	S = q k^T / √hd                                            (T, T)
//	P = softmax of each row of S over the visible keys, 0 elsewhere
//	atty[b, :, h*hd:(h+1)*hd] = P v                           (T, hd) of (B*T, C)
//	lse[b, h, t] = log Σ_visible exp(S[t, s])                  (B, NH, T)
//
// Query t sees key s when s <= t and valid[b*T+s]. A query that sees no key
// attends uniformly to all T keys, which is what Hugging Face's masked_fill
// with the lowest float gives (lse is then NaN, a marker). scratch holds
// one T*T buffer per parallel chunk.
func attentionForward(atty, lse, qkv []float32, g attnBatch, scratch [][]float32) {
	t, hd, c := g.t, g.hd, g.nh*g.hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	n := g.b * g.nh
	parallel.For(n, 1, func(lo, hi int) {
		p := scratch[chunkOf(n, 1, lo)][:t*t]
		for item := lo; item < hi; item++ {
			b, h := item/g.nh, item%g.nh
			q := qkv[b*t*3*c+h*3*hd:]
			k, v := q[hd:], q[2*hd:]
			kernel.Sgemm(false, true, t, t, hd, scale, q, 3*c, k, 3*c, 0, p, t)
			ls := lse[item*t : (item+1)*t]
			for i := range t {
				ls[i] = softmaxRow(p[i*t:(i+1)*t], i, g, b)
			}
			kernel.Sgemm(false, false, t, hd, t, 1, p, t, v, 3*c, 0, atty[b*t*c+h*hd:], c)
		}
	})
}

// softmaxRow turns the scores row of query i of sequence b into its
// attention probabilities in place and returns their log-sum-exp (NaN for
// a query that sees no key, whose row becomes uniform).
func softmaxRow(row []float32, i int, g attnBatch, b int) float32 {
	if i < int(g.first[b]) {
		for s := range row {
			row[s] = 1 / float32(len(row))
		}
		return float32(math.NaN())
	}
	vis := maskRow(row, i, g, b)
	m := kernel.Max(vis)
	sum := kernel.ExpShiftSum(vis, vis, m)
	kernel.Scale(float32(1/sum), vis)
	return m + float32(math.Log(sum))
}

// maskRow sets the scores of keys query i may not see to -Inf (those after
// i to 0) and returns the row's first i+1 entries.
func maskRow(row []float32, i int, g attnBatch, b int) []float32 {
	clear(row[i+1:])
	vis := row[:i+1]
	valid := g.valid[b*g.t : b*g.t+i+1]
	for s, ok := range valid {
		if !ok {
			vis[s] = float32(math.Inf(-1))
		}
	}
	return vis
}

// attentionBackward computes the gradients of attentionForward with
// respect to q, k and v, writing (not adding) them into dqkv (B*T, 3C),
// given datty (B*T, C). It recomputes the probabilities from qkv and lse:
//
//	P  = exp(S - lse) on visible keys
//	dv = P^T dO,   dP = dO v^T
//	dS = P ∘ (dP - rowsum(P ∘ dP))        (0 for a query that sees no key)
//	dq = dS k / √hd,   dk = dS^T q / √hd
//
// scratch holds 2*T*T values per parallel chunk.
func attentionBackward(dqkv, datty, qkv, lse []float32, g attnBatch, scratch [][]float32) {
	t, hd, c := g.t, g.hd, g.nh*g.hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	n := g.b * g.nh
	parallel.For(n, 1, func(lo, hi int) {
		s := scratch[chunkOf(n, 1, lo)]
		p, dp := s[:t*t], s[t*t:2*t*t]
		for item := lo; item < hi; item++ {
			b, h := item/g.nh, item%g.nh
			off := b*t*3*c + h*3*hd
			q, k, v := qkv[off:], qkv[off+hd:], qkv[off+2*hd:]
			dq, dk, dv := dqkv[off:], dqkv[off+hd:], dqkv[off+2*hd:]
			do := datty[b*t*c+h*hd:]
			kernel.Sgemm(false, true, t, t, hd, scale, q, 3*c, k, 3*c, 0, p, t)
			ls := lse[item*t : (item+1)*t]
			for i := range t {
				row := p[i*t : (i+1)*t]
				if i < int(g.first[b]) {
					for j := range row {
						row[j] = 1 / float32(t)
					}
					continue
				}
				vis := maskRow(row, i, g, b)
				kernel.ExpShiftSum(vis, vis, ls[i])
			}
			kernel.Sgemm(true, false, t, hd, t, 1, p, t, do, c, 0, dv, 3*c)
			kernel.Sgemm(false, true, t, t, hd, 1, do, c, v, 3*c, 0, dp, t)
			for i := range t {
				dsr := dp[i*t : (i+1)*t]
				if i < int(g.first[b]) {
					clear(dsr) // masked_fill blocks the gradient of every score
					continue
				}
				pr := p[i*t : i*t+i+1]
				d := kernel.Dot(pr, dsr[:i+1])
				for j, pv := range pr {
					dsr[j] = pv * (dsr[j] - d)
				}
				clear(dsr[i+1:])
			}
			kernel.Sgemm(false, false, t, hd, t, scale, dp, t, k, 3*c, 0, dq, 3*c)
			kernel.Sgemm(true, false, t, hd, t, scale, dp, t, q, 3*c, 0, dk, 3*c)
		}
	})
}
