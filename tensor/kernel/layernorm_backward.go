package kernel

// LayerNormBackward computes the gradients of LayerNorm for one row of C
// values, given the row x, the upstream gradient dy, the weight w (C) and
// the mean and rstd LayerNorm returned:
//
//	xhat  = (x - mean)·rstd,   dnorm = dy·w
//	m1    = Σ dnorm / C,       m2 = Σ dnorm·xhat / C   (float64 sums, rounded to float32)
//	dx   += rstd·((dnorm - m1) - xhat·m2)   (add; without add dx is set to it)
//	dw   += dy·xhat,           db += dy
//
// xhat and dnorm are scratch rows of C values that it overwrites. Every
// element-wise step rounds once in float32, in the order written, so all
// implementations give the results of the portable loops bit for bit
// (with the sums of their own Sum and Dot). It panics if x is empty or
// another slice's length differs from len(x).
func LayerNormBackward(dx, dw, db, dy, x, w []float32, mean, rstd float32, xhat, dnorm []float32, add bool) {
	if len(x) == 0 {
		panic("kernel.LayerNormBackward: empty row")
	}
	n := len(x)
	if len(dx) != n || len(dw) != n || len(db) != n || len(dy) != n || len(w) != n || len(xhat) != n || len(dnorm) != n {
		checkSameLen("kernel.LayerNormBackward", "dx", "x", len(dx), n)
		checkSameLen("kernel.LayerNormBackward", "dw", "x", len(dw), n)
		checkSameLen("kernel.LayerNormBackward", "db", "x", len(db), n)
		checkSameLen("kernel.LayerNormBackward", "dy", "x", len(dy), n)
		checkSameLen("kernel.LayerNormBackward", "w", "x", len(w), n)
		checkSameLen("kernel.LayerNormBackward", "xhat", "x", len(xhat), n)
		checkSameLen("kernel.LayerNormBackward", "dnorm", "x", len(dnorm), n)
	}
	layerNormBackwardWith(vecBest, dx, dw, db, dy, x, w, mean, rstd, xhat, dnorm, add)
}

// layerNormBackwardWith is LayerNormBackward on the implementation v.
func layerNormBackwardWith(v *vecImpl, dx, dw, db, dy, x, w []float32, mean, rstd float32, xhat, dnorm []float32, add bool) {
	v.layerNormBackwardPrep(xhat, dnorm, x, dy, w, mean, rstd)
	c := float64(len(x))
	m1 := float32(v.sum(dnorm) / c)
	m2 := float32(float64(float32(v.dot(dnorm, xhat))) / c)
	v.layerNormBackwardApply(dx, dw, db, dnorm, xhat, dy, rstd, m1, m2, add)
}

// layerNormBackwardPrepGo sets xhat = (x - mean)·rstd and dnorm = dy·w.
func layerNormBackwardPrepGo(xhat, dnorm, x, dy, w []float32, mean, rstd float32) {
	n := len(x)
	xhat, dnorm, dy, w = xhat[:n], dnorm[:n], dy[:n], w[:n] // one bounds check for the loop
	for j, v := range x {
		xhat[j] = (v - mean) * rstd
		dnorm[j] = dy[j] * w[j]
	}
}

// layerNormBackwardApplyGo adds (add) or sets dx = rstd·((dnorm - m1) -
// xhat·m2) and adds pw += dy·xhat, pb += dy.
func layerNormBackwardApplyGo(dx, pw, pb, dnorm, xhat, dy []float32, rstd, m1, m2 float32, add bool) {
	n := len(dy)
	dx, pw, pb, dnorm, xhat = dx[:n], pw[:n], pb[:n], dnorm[:n], xhat[:n]
	if add {
		for j := range dx {
			dx[j] += rstd * (dnorm[j] - m1 - xhat[j]*m2)
		}
	} else {
		for j := range dx {
			dx[j] = rstd * (dnorm[j] - m1 - xhat[j]*m2)
		}
	}
	for j := range pw {
		pw[j] += dy[j] * xhat[j]
		pb[j] += dy[j]
	}
}
