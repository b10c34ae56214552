package fast

import (
	"math"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// attnBatch says which keys each query row attends to. The rows of a batch
// are cut into segments, runs of consecutive rows that attend causally to
// themselves. A segment may have a prefix segment whose rows it sees in
// full before its own: the shared prompt of several responses, computed
// once. A group is a segment without a prefix followed by the segments
// that use it as their prefix; groups are independent (the unit of
// parallel work).
//
// A right-padded batch of B sequences of T tokens is B groups of one
// segment of T rows; SequenceLogProbs packs each distinct prompt once,
// followed by its responses.
type attnBatch struct {
	nh, hd int
	keys   int       // the most keys a query may have: the row stride of stored probabilities
	valid  []bool    // per row: may be attended to as a key (a real token)
	segs   []segment // in row order, each group's first segment followed by its dependents
	groups [][2]int  // segments [lo, hi) of each group; segs[lo] is the group's prefix
}

// segment is a run of n rows starting at row start; prefix is the index of
// the segment it sees in full (-1 for none); first is the offset of its
// first valid row (n when none).
type segment struct {
	start, n, prefix, first int
}

// reset empties the batch.
func (g *attnBatch) reset() {
	g.segs, g.groups = g.segs[:0], g.groups[:0]
}

// addGroup appends a segment of n rows at start without a prefix,
// starting a new group, and returns its index.
func (g *attnBatch) addGroup(start, n int) int {
	g.groups = append(g.groups, [2]int{len(g.segs), len(g.segs) + 1})
	g.segs = append(g.segs, segment{start: start, n: n, prefix: -1})
	return len(g.segs) - 1
}

// addDependent appends a segment of n rows at start that sees the last
// group's first segment as its prefix.
func (g *attnBatch) addDependent(start, n int) {
	last := &g.groups[len(g.groups)-1]
	g.segs = append(g.segs, segment{start: start, n: n, prefix: last[0]})
	last[1]++
}

// setFirst records each segment's first valid row.
func (g *attnBatch) setFirst() {
	for i := range g.segs {
		s := &g.segs[i]
		s.first = s.n
		for j := range s.n {
			if g.valid[s.start+j] {
				s.first = j
				break
			}
		}
	}
}

// follows reports whether segment s starts right after its prefix p (the
// first response to a shared prompt, or the only one): then the keys and
// values [K_p; K_s] and [V_p; V_s] are consecutive rows of qkv, and one
// product covers both blocks.
func follows(s, p segment) bool { return p.n > 0 && s.start == p.start+p.n }

// prefixOf returns segment s's prefix (a zero segment when it has none).
func (g *attnBatch) prefixOf(s segment) segment {
	if s.prefix < 0 {
		return segment{}
	}
	return g.segs[s.prefix]
}

// attentionForward computes causal self-attention per group and head h,
// reading q, k and v from qkv (rows, 3C) in the per-head [q_h | k_h | v_h]
// layout. For a segment s with prefix p (p empty for none) and the keys
// K = [K_p; K_s] (rows of the prefix, then of the segment):
//
//	S = q_s K^T / √hd                                (n_s, n_p + n_s)
//	P = softmax of each row of S over its visible keys, 0 elsewhere
//	atty[s rows, h*hd:(h+1)*hd] = P [V_p; V_s]      of (rows, C)
//	lse[r*NH + h] = log Σ_visible exp(S[r])          (rows, NH)
//
// Row i of s sees the valid prefix rows and the valid rows 0..i of s. A
// row that sees no key attends uniformly to the whole row of keys, which
// is what Hugging Face's masked_fill with the lowest float gives; its lse
// is NaN (a marker). P is kept in probs (rows, NH, g.keys) for the
// backward pass when probs is not nil, else it lives in scratch, which
// holds T*T values per parallel chunk, T the longest n_p + n_s.
func attentionForward(atty, lse, probs, qkv []float32, g *attnBatch, scratch [][]float32) {
	items := len(g.groups) * g.nh
	parallel.For(items, 1, func(lo, hi int) {
		tile := scratch[chunkOf(items, 1, lo)]
		for item := lo; item < hi; item++ {
			grp, h := g.groups[item/g.nh], item%g.nh
			for _, s := range g.segs[grp[0]:grp[1]] {
				g.forwardSegment(atty, lse, probs, qkv, s, h, tile)
			}
		}
	})
}

// forwardSegment is attentionForward for segment s and head h.
func (g *attnBatch) forwardSegment(atty, lse, probs, qkv []float32, s segment, h int, tile []float32) {
	hd, c := g.hd, g.nh*g.hd
	p := g.prefixOf(s)
	n, ld := p.n+s.n, p.n+s.n // keys; row stride of the tile
	if probs != nil {
		tile, ld = g.probsOf(probs, s, h)
	}
	scale := float32(1 / math.Sqrt(float64(hd)))
	q := qkv[s.start*3*c+h*3*hd:]
	out := atty[s.start*c+h*hd:]
	g.scores(tile, ld, qkv, s, p, h, scale)
	for i := range s.n {
		row := tile[i*ld : i*ld+n]
		if g.seesNothing(s, p, i) {
			uniform(row)
			lse[(s.start+i)*g.nh+h] = float32(math.NaN())
			continue
		}
		vis := g.maskRow(row, s, p, i)
		m := kernel.Max(vis)
		sum := kernel.ExpShiftSum(vis, vis, m)
		kernel.Scale(float32(1/sum), vis)
		lse[(s.start+i)*g.nh+h] = m + float32(math.Log(sum))
	}
	if follows(s, p) { // out = P [V_p; V_s] in one product
		kernel.Sgemm(false, false, s.n, hd, n, 1, tile, ld, qkv[p.start*3*c+h*3*hd+2*hd:], 3*c, 0, out, c)
		return
	}
	beta := float32(0)
	if p.n > 0 {
		vp := qkv[p.start*3*c+h*3*hd+2*hd:]
		kernel.Sgemm(false, false, s.n, hd, p.n, 1, tile, ld, vp, 3*c, 0, out, c)
		beta = 1
	}
	kernel.Sgemm(false, false, s.n, hd, s.n, 1, tile[p.n:], ld, q[2*hd:], 3*c, beta, out, c)
}

// scores sets the tile (s.n rows of stride ld) to S = q_s [K_p; K_s]^T *
// scale for segment s, its prefix p (empty for none) and head h: one
// product when s follows p, else one per key block.
func (g *attnBatch) scores(tile []float32, ld int, qkv []float32, s, p segment, h int, scale float32) {
	hd, c := g.hd, g.nh*g.hd
	q := qkv[s.start*3*c+h*3*hd:]
	kp := qkv[p.start*3*c+h*3*hd+hd:]
	if follows(s, p) {
		kernel.Sgemm(false, true, s.n, p.n+s.n, hd, scale, q, 3*c, kp, 3*c, 0, tile, ld)
		return
	}
	if p.n > 0 {
		kernel.Sgemm(false, true, s.n, p.n, hd, scale, q, 3*c, kp, 3*c, 0, tile, ld)
	}
	kernel.Sgemm(false, true, s.n, s.n, hd, scale, q, 3*c, q[hd:], 3*c, 0, tile[p.n:], ld)
}

// probsOf returns the stored probabilities of segment s and head h in
// probs (rows, NH, keys) and their row stride.
func (g *attnBatch) probsOf(probs []float32, s segment, h int) ([]float32, int) {
	return probs[(s.start*g.nh+h)*g.keys:], g.nh * g.keys
}

// seesNothing reports whether row i of segment s (prefix p) has no valid key.
func (g *attnBatch) seesNothing(s, p segment, i int) bool {
	return i < s.first && p.first >= p.n
}

// uniform sets every entry of row to 1/len(row).
func uniform(row []float32) {
	for j := range row {
		row[j] = 1 / float32(len(row))
	}
}

// maskRow sets the scores of the keys row i of s (prefix p) may not see to
// -Inf (the later rows of s to 0) and returns the entries of the keys up
// to and including row i: the prefix's and rows 0..i of s.
func (g *attnBatch) maskRow(row []float32, s, p segment, i int) []float32 {
	clear(row[p.n+i+1:])
	vis := row[:p.n+i+1]
	for j, ok := range g.valid[p.start : p.start+p.n] {
		if !ok {
			vis[j] = float32(math.Inf(-1))
		}
	}
	for j, ok := range g.valid[s.start : s.start+i+1] {
		if !ok {
			vis[p.n+j] = float32(math.Inf(-1))
		}
	}
	return vis
}

// attentionBackward computes the gradients of attentionForward with
// respect to q, k and v into dqkv (rows, 3C), given datty (rows, C),
// recomputing the probabilities from qkv and lse. Per segment s with
// prefix p and dO its rows of datty:
//
//	P  = exp(S - lse) on visible keys
//	dV_s = P_s^T dO,   dV_p += P_p^T dO      (P = [P_p | P_s] by key block)
//	dP = dO [V_p; V_s]^T
//	dS = P ∘ (dP - rowsum(P ∘ dP))          (0 for a row that sees no key)
//	dq_s = dS [K_p; K_s] / √hd
//	dK_s = dS_s^T q_s / √hd,   dK_p += dS_p^T q_s / √hd
//
// A group's first segment is done first (its gradients assigned), then its
// dependents, which add into the prefix's dK and dV. probs holds the
// probabilities attentionForward kept, or is nil (recompute them). scratch
// holds 2*T*T values per parallel chunk.
func attentionBackward(dqkv, datty, qkv, lse, probs []float32, g *attnBatch, scratch [][]float32) {
	items := len(g.groups) * g.nh
	parallel.For(items, 1, func(lo, hi int) {
		s := scratch[chunkOf(items, 1, lo)]
		half := len(s) / 2
		for item := lo; item < hi; item++ {
			grp, h := g.groups[item/g.nh], item%g.nh
			for _, seg := range g.segs[grp[0]:grp[1]] {
				g.backwardSegment(dqkv, datty, qkv, lse, probs, seg, h, s[:half], s[half:])
			}
		}
	})
}

// backwardSegment is attentionBackward for segment s and head h, with
// scratch tiles p and dp.
func (g *attnBatch) backwardSegment(dqkv, datty, qkv, lse, probs []float32, s segment, h int, p, dp []float32) {
	hd, c := g.hd, g.nh*g.hd
	pre := g.prefixOf(s)
	ld, pld := pre.n+s.n, pre.n+s.n // row strides of dp and p
	scale := float32(1 / math.Sqrt(float64(hd)))
	off, poff := s.start*3*c+h*3*hd, pre.start*3*c+h*3*hd
	q, k, v := qkv[off:], qkv[off+hd:], qkv[off+2*hd:]
	dq, dk, dv := dqkv[off:], dqkv[off+hd:], dqkv[off+2*hd:]
	do := datty[s.start*c+h*hd:]
	if probs != nil {
		p, pld = g.probsOf(probs, s, h)
	} else {
		g.recomputeProbs(p, qkv, lse, s, h)
	}
	adj := follows(s, pre)
	if adj {
		// The rows of [dV_p; dV_s] and [dK_p; dK_s] are consecutive: one
		// product each, adding into the prefix's rows and into s's rows
		// set to zero first.
		for i := range s.n {
			clear(dv[i*3*c : i*3*c+hd])
			clear(dk[i*3*c : i*3*c+hd])
		}
		kernel.Sgemm(true, false, pre.n+s.n, hd, s.n, 1, p, pld, do, c, 1, dqkv[poff+2*hd:], 3*c)
		kernel.Sgemm(false, true, s.n, pre.n+s.n, hd, 1, do, c, qkv[poff+2*hd:], 3*c, 0, dp, ld)
	} else {
		kernel.Sgemm(true, false, s.n, hd, s.n, 1, p[pre.n:], pld, do, c, 0, dv, 3*c)
		kernel.Sgemm(false, true, s.n, s.n, hd, 1, do, c, v, 3*c, 0, dp[pre.n:], ld)
		if pre.n > 0 {
			kernel.Sgemm(true, false, pre.n, hd, s.n, 1, p, pld, do, c, 1, dqkv[poff+2*hd:], 3*c)
			kernel.Sgemm(false, true, s.n, pre.n, hd, 1, do, c, qkv[poff+2*hd:], 3*c, 0, dp, ld)
		}
	}
	for i := range s.n {
		dsr := dp[i*ld : (i+1)*ld]
		if g.seesNothing(s, pre, i) {
			clear(dsr) // masked_fill blocks the gradient of every score
			continue
		}
		n := pre.n + i + 1
		pr := p[i*pld : i*pld+n]
		d := kernel.Dot(pr, dsr[:n])
		for j, pv := range pr {
			dsr[j] = pv * (dsr[j] - d)
		}
		clear(dsr[n:])
	}
	if adj {
		kernel.Sgemm(false, false, s.n, hd, pre.n+s.n, scale, dp, ld, qkv[poff+hd:], 3*c, 0, dq, 3*c)
		kernel.Sgemm(true, false, pre.n+s.n, hd, s.n, scale, dp, ld, q, 3*c, 1, dqkv[poff+hd:], 3*c)
		return
	}
	beta := float32(0)
	if pre.n > 0 {
		kernel.Sgemm(false, false, s.n, hd, pre.n, scale, dp, ld, qkv[poff+hd:], 3*c, 0, dq, 3*c)
		kernel.Sgemm(true, false, pre.n, hd, s.n, scale, dp, ld, q, 3*c, 1, dqkv[poff+hd:], 3*c)
		beta = 1
	}
	kernel.Sgemm(false, false, s.n, hd, s.n, scale, dp[pre.n:], ld, k, 3*c, beta, dq, 3*c)
	kernel.Sgemm(true, false, s.n, hd, s.n, scale, dp[pre.n:], ld, q, 3*c, 0, dk, 3*c)
}

// recomputeProbs writes the probabilities of segment s and head h into
// the tile p (row stride n_p + n_s) from qkv and lse: P = exp(S - lse) on
// the visible keys, uniform for a row that sees none.
func (g *attnBatch) recomputeProbs(p, qkv, lse []float32, s segment, h int) {
	pre := g.prefixOf(s)
	ld := pre.n + s.n
	scale := float32(1 / math.Sqrt(float64(g.hd)))
	g.scores(p, ld, qkv, s, pre, h, scale)
	for i := range s.n {
		row := p[i*ld : (i+1)*ld]
		if g.seesNothing(s, pre, i) {
			uniform(row)
			continue
		}
		vis := g.maskRow(row, s, pre, i)
		kernel.ExpShiftSum(vis, vis, lse[(s.start+i)*g.nh+h])
	}
}
