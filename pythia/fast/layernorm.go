package fast

import (
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor/kernel"
)

// layernormForward normalizes n rows of c features with the biased
// variance:
//
//	out[i] = (x[r] - mean_i) * rstd_i * w + b,   rstd_i = 1/sqrt(var_i + eps)
//
// where r = rows[i] (rows nil: r = i). out is (n, c); x is (rows, c); mean
// and rstd (n) are kept for the backward pass.
func layernormForward(out, mean, rstd, x []float32, rows []int32, w, b []float32, n, c int, eps float32) {
	parallel.For(n, rowGrain(c), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := rowOf(rows, i)
			mean[i], rstd[i] = kernel.LayerNorm(out[i*c:(i+1)*c], x[r*c:(r+1)*c], w, b, eps)
		}
	})
}

// layernormBackward adds the gradients of layernormForward for dout (n, c):
//
//	xhat  = (x[r] - mean) * rstd,   dnorm = dout * w
//	dx[r] += rstd * (dnorm - mean(dnorm) - xhat * mean(dnorm * xhat))
//	dw    += Σ_i dout_i * xhat_i,    db += Σ_i dout_i
//
// dx is (rows, c) like x. rows may repeat (a packed DPO batch scores a
// prompt's last row once for each response to it): with rows non-nil the
// per-row gradients go to gather (n, c) first, and are then added into dx
// in the order of i by workers that split the columns, so two rows with
// the same target never race and the sums do not depend on timing. gather
// may be nil when rows is nil. scratch holds 4*c values per parallel
// chunk: the chunk's float32 partial sums of dw and db (combined in chunk
// order) and two rows of temporaries.
func layernormBackward(dx []float32, dw, db *param, dout, x []float32, rows []int32, mean, rstd, w []float32, n, c int, scratch, gather []float32) {
	grain := rowGrain(c)
	chunks := parallel.Chunks(n, grain)
	parts := scratch[:chunks*4*c]
	parallel.For(n, grain, func(lo, hi int) {
		k := chunkOf(n, grain, lo)
		part := parts[k*4*c : (k+1)*4*c]
		pw, pb, xhat, dnorm := part[:c], part[c:2*c], part[2*c:3*c], part[3*c:]
		clear(pw)
		clear(pb)
		for i := lo; i < hi; i++ {
			r := rowOf(rows, i)
			xr, dy := x[r*c:(r+1)*c], dout[i*c:(i+1)*c]
			if rows == nil { // dx row i belongs to this chunk alone
				kernel.LayerNormBackward(dx[i*c:(i+1)*c], pw, pb, dy, xr, w, mean[i], rstd[i], xhat, dnorm, true)
			} else {
				kernel.LayerNormBackward(gather[i*c:(i+1)*c], pw, pb, dy, xr, w, mean[i], rstd[i], xhat, dnorm, false)
			}
		}
	})
	if rows != nil {
		scatterRows(dx, gather, rows, n, c)
	}
	for k := 1; k < chunks; k++ {
		kernel.Axpy(1, parts[k*4*c:k*4*c+2*c], parts[:2*c])
	}
	dw.add(parts[:c])
	db.add(parts[c : 2*c])
}

// scatterRows adds src row i (n, c) into dst row rows[i] for i = 0..n-1 in
// that order. rows may repeat: the workers split the columns, never the
// rows, so no two of them write one value, and each value's sum is formed
// in the order of i whatever the number of workers.
func scatterRows(dst, src []float32, rows []int32, n, c int) {
	parallel.For(c, max(1, (1<<15)/max(n, 1)), func(lo, hi int) { // chunks of >= 32K values
		for i := range n {
			r := int(rows[i])
			kernel.Axpy(1, src[i*c+lo:i*c+hi], dst[r*c+lo:r*c+hi])
		}
	})
}

// rowOf returns rows[i], or i when rows is nil.
func rowOf(rows []int32, i int) int {
	if rows == nil {
		return i
	}
	return int(rows[i])
}

// rowGrain is the number of rows of c values a parallel chunk should hold
// at least, so that waking a worker (a few microseconds) pays off.
func rowGrain(c int) int { return max(1, 16384/max(c, 1)) }

// chunkOf returns the index of the chunk of parallel.For(n, grain, ...)
// that starts at lo.
func chunkOf(n, grain, lo int) int {
	chunks := parallel.Chunks(n, grain)
	for k := range chunks {
		if l, _ := parallel.ChunkRange(n, chunks, k); l == lo {
			return k
		}
	}
	panic("fast: chunkOf: no chunk starts at the given row")
}
