package kernel

import "sync"

// gemmBuffers holds the packed blocks of one goroutine's GEMM: an A block of
// mc×kc values, a B block of kc×nc values and an mr×nr tile for the edges
// of C. They come from a sync.Pool so that steady-state calls do not
// allocate.
type gemmBuffers[T float32 | float64] struct {
	a, b, tile []T
}

var sgemmBufferPool, dgemmBufferPool sync.Pool

// bufferPool returns the pool for element type T.
func bufferPool[T float32 | float64]() *sync.Pool {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return &sgemmBufferPool
	}
	return &dgemmBufferPool
}

// getBuffers returns buffers large enough for impl on an m×n×k product
// (m = 0: no A block; n = 0: no B block).
func getBuffers[T float32 | float64](impl *gemmImpl[T], m, n, k int) *gemmBuffers[T] {
	kc := min(impl.kc, k)
	sizeA := roundUp(min(impl.mc, m), impl.mr) * kc
	sizeB := roundUp(min(impl.nc, n), impl.nr) * kc
	buf, _ := bufferPool[T]().Get().(*gemmBuffers[T])
	if buf == nil {
		buf = new(gemmBuffers[T])
	}
	if len(buf.a) < sizeA {
		buf.a = alignedSlice[T](sizeA)
	}
	if len(buf.b) < sizeB {
		buf.b = alignedSlice[T](sizeB)
	}
	if len(buf.tile) < impl.mr*impl.nr {
		buf.tile = alignedSlice[T](impl.mr * impl.nr)
	}
	return buf
}

func putBuffers[T float32 | float64](buf *gemmBuffers[T]) { bufferPool[T]().Put(buf) }

// alignedSlice returns a zeroed slice of n values starting on a 64-byte
// boundary (a cache line and a zmm register).
func alignedSlice[T float32 | float64](n int) []T {
	var zero T
	size := int(unsafeSizeof(zero))
	extra := 64 / size
	s := make([]T, n+extra)
	off := (64 - int(addressOf(s)%64)) % 64 / size
	return s[off : off+n : off+n]
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// gemmSerial computes C = alpha*A*B + beta*C on one goroutine with the
// Goto/BLIS blocking: for each kc×nc block of B (packed into buf.b),
// gemmRowBlocks sweeps the rows of A. A is m×k and B is k×n as operands
// (see operand); C is m×n with leading dimension ldc. k >= 1 and all sizes
// are valid (checked by the callers). A non-nil bias (n values; then beta
// is 1 and impl.kernelBias is set) stands for C's rows in the first k
// block: C = alpha*A*B + bias, not reading C.
func gemmSerial[T float32 | float64](impl *gemmImpl[T], m, n, k int, alpha T, a, b operand[T], beta T, c []T, ldc int, buf *gemmBuffers[T], bias []T) {
	for jc := 0; jc < n; jc += impl.nc {
		ncb := min(impl.nc, n-jc)
		for pc := 0; pc < k; pc += impl.kc {
			kcb := min(impl.kc, k-pc)
			var blockBias []T
			if bias != nil && pc == 0 {
				blockBias = bias[jc:]
			}
			packPanels(buf.b, b.at(jc, pc), ncb, kcb, impl.nr, impl.packPanel)
			gemmRowBlocks(impl, 0, m, ncb, kcb, alpha, a.at(0, pc), buf.b, blockBeta(beta, pc), c[jc:], ldc, buf, blockBias)
		}
	}
}

// blockBeta is the beta of the k block starting at pc: later blocks
// accumulate onto the first.
func blockBeta[T float32 | float64](beta T, pc int) T {
	if pc > 0 {
		return 1
	}
	return beta
}

// gemmRowBlocks computes rows [r0, r1) of the C block (ncb columns from
// c's origin) += the product of A's kcb columns (a starts at the block's
// first column) and the packed kcb×ncb B block: each mc×kcb block of A is
// packed into buf.a and the microkernel sweeps its mr×nr tiles, column
// panel by column panel. Edge tiles go through buf.tile. A non-nil bias
// (ncb values, with beta 1) replaces C's rows as the addend: full tiles
// go through impl.kernelBias, edge tiles merge onto bias. When A's rows
// (a.sp == 1) or columns (a.sx == 1) are contiguous and impl has kernels
// for that layout (kernelRows, kernelCols), its whole mr-row panels are
// read in place, unpacked, and only a last partial panel is packed; the
// kernels broadcast the same values in the same order.
func gemmRowBlocks[T float32 | float64](impl *gemmImpl[T], r0, r1, ncb, kcb int, alpha T, a operand[T], packedB []T, beta T, c []T, ldc int, buf *gemmBuffers[T], bias []T) {
	mr, nr := impl.mr, impl.nr
	// In-place kernels for A's layout, if any: A[i,p] at ap[i*lda+p] (rows)
	// or ap[p*lda+i] (columns).
	var inPlace func(k int, a *T, lda int, b, c *T, ldc int, alpha, beta T)
	var inPlaceBias func(k int, a *T, lda int, b, c *T, ldc int, alpha T, bias *T)
	var lda int
	switch {
	case impl.kernelRows != nil && a.sp == 1:
		inPlace, inPlaceBias, lda = impl.kernelRows, impl.kernelRowsBias, a.sx
	case impl.kernelCols != nil && a.sx == 1:
		inPlace, inPlaceBias, lda = impl.kernelCols, impl.kernelColsBias, a.sp
	}
	for ic := r0; ic < r1; ic += impl.mc {
		mcb := min(impl.mc, r1-ic)
		unpacked := 0 // rows of the block read in place
		if inPlace != nil {
			unpacked = mcb - mcb%mr
			if unpacked > 0 {
				_ = a.data[(ic+unpacked-1)*a.sx+(kcb-1)*a.sp] // the last value the kernels read
			}
		}
		if unpacked < mcb {
			packPanels(buf.a[unpacked*kcb:], a.at(ic+unpacked, 0), mcb-unpacked, kcb, mr, impl.packPanel)
		}
		for jr := 0; jr < ncb; jr += nr {
			bp := &packedB[jr*kcb]
			cols := min(nr, ncb-jr)
			for ir := 0; ir < mcb; ir += mr {
				rows := min(mr, mcb-ir)
				ci := (ic+ir)*ldc + jr
				if ir < unpacked {
					ap := &a.data[(ic+ir)*a.sx]
					switch {
					case cols == nr && bias != nil:
						inPlaceBias(kcb, ap, lda, bp, &c[ci], ldc, alpha, &bias[jr])
					case cols == nr:
						inPlace(kcb, ap, lda, bp, &c[ci], ldc, alpha, beta)
					default:
						inPlace(kcb, ap, lda, bp, &buf.tile[0], nr, alpha, 0)
						mergeEdge(c[ci:], ldc, buf.tile, nr, rows, cols, beta, bias, jr)
					}
					continue
				}
				ap := &buf.a[ir*kcb]
				switch {
				case rows == mr && cols == nr && bias != nil:
					impl.kernelBias(kcb, ap, bp, &c[ci], ldc, alpha, &bias[jr])
					continue
				case rows == mr && cols == nr:
					impl.kernel(kcb, ap, bp, &c[ci], ldc, alpha, beta)
					continue
				}
				impl.kernel(kcb, ap, bp, &buf.tile[0], nr, alpha, 0)
				mergeEdge(c[ci:], ldc, buf.tile, nr, rows, cols, beta, bias, jr)
			}
		}
	}
}

// mergeEdge merges an edge tile t into C: onto bias[jr:] when bias is not
// nil (mergeTileBias), else as mergeTile with beta.
func mergeEdge[T float32 | float64](c []T, ldc int, t []T, ldt, rows, cols int, beta T, bias []T, jr int) {
	if bias != nil {
		mergeTileBias(c, ldc, t, ldt, rows, cols, bias[jr:jr+cols])
		return
	}
	mergeTile(c, ldc, t, ldt, rows, cols, beta)
}

// mergeTile sets the rows×cols corner of C to t + beta*C (t where beta == 0,
// without reading C); t has leading dimension ldt.
func mergeTile[T float32 | float64](c []T, ldc int, t []T, ldt, rows, cols int, beta T) {
	for i := 0; i < rows; i++ {
		crow := c[i*ldc : i*ldc+cols]
		trow := t[i*ldt : i*ldt+cols]
		if beta == 0 {
			copy(crow, trow)
			continue
		}
		for j, v := range trow {
			crow[j] = v + beta*crow[j]
		}
	}
}

// mergeTileBias sets the rows×cols corner of C to t + bias (bias: cols
// values), as mergeTile with beta 1 on C's rows filled with bias.
func mergeTileBias[T float32 | float64](c []T, ldc int, t []T, ldt, rows, cols int, bias []T) {
	bias = bias[:cols]
	for i := 0; i < rows; i++ {
		crow := c[i*ldc : i*ldc+cols]
		trow := t[i*ldt : i*ldt+cols]
		for j, v := range trow {
			crow[j] = v + bias[j]
		}
	}
}

// scaleMatrix sets the m×n matrix C to beta*C (zeros where beta == 0,
// without reading C): the whole product when k == 0 or alpha == 0.
func scaleMatrix[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}
