package kernel

import "github.com/daalab/daa/internal/parallel"

// parallelGemmFlops is the least work (2*m*n*k) for which a product is split
// across workers: below it, waking a worker costs more than it saves.
const parallelGemmFlops = 1 << 22

// operands returns op(A) (m×k) and op(B) (k×n) as packer operands.
func operands[T float32 | float64](transA, transB bool, a []T, lda int, b []T, ldb int) (opA, opB operand[T]) {
	opA = operand[T]{a, lda, 1}
	if transA {
		opA = operand[T]{a, 1, lda}
	}
	opB = operand[T]{b, 1, ldb}
	if transB {
		opB = operand[T]{b, ldb, 1}
	}
	return opA, opB
}

// gemm computes C = alpha*A*B + beta*C for op(A) m×k and op(B) k×n given as
// operands, with arguments already checked. It splits C across the workers
// of internal/parallel when threaded is set and the product is large enough.
func gemm[T float32 | float64](impl *gemmImpl[T], m, n, k int, alpha T, a, b operand[T], beta T, c []T, ldc int, threaded bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	if impl.smallM != nil && (m == 1 || m <= smallMRows && k*n >= smallMMinB) {
		impl.smallM(m, n, k, alpha, a, b, beta, c, ldc, threaded)
		return
	}
	workers := parallel.Parallelism()
	if !threaded || workers == 1 || 2*m*n*k < parallelGemmFlops {
		buf := getBuffers(impl, m, n, k)
		gemmSerial(impl, m, n, k, alpha, a, b, beta, c, ldc, buf, nil)
		putBuffers(buf)
		return
	}
	gemmParallel(impl, workers, m, n, k, alpha, a, b, beta, c, ldc)
}

// gemmParallel splits C into a grid of at most parts blocks of whole tiles
// and runs them on the workers of internal/parallel as independent
// products. (Sharing one packed B block between workers that split the
// rows, as OpenBLAS does, packs less but measured 7% slower at 1024³ on
// two Zen 5 cores: half of each shared block sits in the other core's L2.) The workers of a grid
// row all pack that row's A block and those of a grid column its B block,
// so gemmGrid picks the grid that packs the least.
func gemmParallel[T float32 | float64](impl *gemmImpl[T], parts, m, n, k int, alpha T, a, b operand[T], beta T, c []T, ldc int) {
	tilesM, tilesN := (m+impl.mr-1)/impl.mr, (n+impl.nr-1)/impl.nr
	pm, pn := gemmGrid(parts, tilesM, tilesN, m, n)
	parallel.For(pm*pn, 1, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			i, j := w/pn, w%pn
			r0, r1 := rangeOfTiles(tilesM, pm, i, impl.mr, m)
			c0, c1 := rangeOfTiles(tilesN, pn, j, impl.nr, n)
			buf := getBuffers(impl, r1-r0, c1-c0, k)
			gemmSerial(impl, r1-r0, c1-c0, k, alpha, a.at(r0, 0), b.at(c0, 0), beta, c[r0*ldc+c0:], ldc, buf, nil)
			putBuffers(buf)
		}
	})
}

// gemmGrid returns the pm×pn grid of blocks (each at least one tile) that
// uses the most of the workers and, among those, packs the least:
// pn·m + pm·n (times k). Ties go to the taller grid, whose blocks of C are
// contiguous runs of rows.
func gemmGrid(workers, tilesM, tilesN, m, n int) (pm, pn int) {
	pm, pn = 1, 1
	bestUsed, bestCost := 0, 0
	for p := 1; p <= min(workers, tilesM); p++ {
		q := min(workers/p, tilesN)
		used, cost := p*q, q*m+p*n
		if used > bestUsed || used == bestUsed && cost <= bestCost {
			pm, pn, bestUsed, bestCost = p, q, used, cost
		}
	}
	return pm, pn
}

// rangeOfTiles returns the element range of part i when tiles tiles of
// size tile (the last one cut at limit) are split into parts runs.
func rangeOfTiles(tiles, parts, i, tile, limit int) (lo, hi int) {
	t0, t1 := parallel.ChunkRange(tiles, parts, i)
	return t0 * tile, min(t1*tile, limit)
}

// gemmStrided runs batch independent products; matrix i of A starts at
// a[i*strideA:], and so on. Many small products are spread across workers
// one whole product at a time; large ones are split one at a time.
func gemmStrided[T float32 | float64](impl *gemmImpl[T], transA, transB bool, m, n, k int, alpha T, a []T, lda, strideA int, b []T, ldb, strideB int, beta T, c []T, ldc, strideC int, batch int) {
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	item := func(i int, threaded bool) {
		var ai, bi []T
		if k > 0 { // with k == 0, A and B may be empty
			ai, bi = a[i*strideA:], b[i*strideB:]
		}
		opA, opB := operands(transA, transB, ai, lda, bi, ldb)
		gemm(impl, m, n, k, alpha, opA, opB, beta, c[i*strideC:], ldc, threaded)
	}
	workers := parallel.Parallelism()
	flops := 2 * m * n * k
	byItem := batch >= workers && (flops < 64*parallelGemmFlops || batch%workers == 0 || batch >= 4*workers)
	if !byItem {
		for i := 0; i < batch; i++ {
			item(i, true)
		}
		return
	}
	grain := max(1, parallelGemmFlops/max(flops, 1))
	parallel.For(batch, grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			item(i, false)
		}
	})
}
