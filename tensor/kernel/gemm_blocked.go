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

// getBuffers returns buffers large enough for impl on an m×n×k product.
func getBuffers[T float32 | float64](impl *gemmImpl[T], m, n, k int) *gemmBuffers[T] {
	kc := min(impl.kc, k)
	sizeA := roundUp(min(impl.mc, m), impl.mr) * kc
	sizeB := roundUp(min(impl.nc, n), impl.nr) * kc
	buf, _ := bufferPool[T]().Get().(*gemmBuffers[T])
	if buf == nil {
		buf = new(gemmBuffers[T])
	}
	if len(buf.a) < sizeA {
		buf.a = alignedSlice[T](max(sizeA, impl.mc*impl.kc))
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
// Goto/BLIS blocking: for each kc×nc block of B (packed into buf.b) and each
// mc×kc block of A (packed into buf.a), the microkernel sweeps the mr×nr
// tiles of the corresponding C block. A is m×k and B is k×n as operands
// (see operand); C is m×n with leading dimension ldc. Edge tiles go through
// buf.tile. k >= 1 and all sizes are valid (checked by the callers).
func gemmSerial[T float32 | float64](impl *gemmImpl[T], m, n, k int, alpha T, a, b operand[T], beta T, c []T, ldc int, buf *gemmBuffers[T]) {
	mr, nr := impl.mr, impl.nr
	for jc := 0; jc < n; jc += impl.nc {
		ncb := min(impl.nc, n-jc)
		for pc := 0; pc < k; pc += impl.kc {
			kcb := min(impl.kc, k-pc)
			betaBlock := beta // later k blocks accumulate onto the first
			if pc > 0 {
				betaBlock = 1
			}
			packPanels(buf.b, b.at(jc, pc), ncb, kcb, nr, impl.packPanel)
			for ic := 0; ic < m; ic += impl.mc {
				mcb := min(impl.mc, m-ic)
				packPanels(buf.a, a.at(ic, pc), mcb, kcb, mr, impl.packPanel)
				for jr := 0; jr < ncb; jr += nr {
					bp := &buf.b[jr*kcb]
					cols := min(nr, ncb-jr)
					for ir := 0; ir < mcb; ir += mr {
						ap := &buf.a[ir*kcb]
						rows := min(mr, mcb-ir)
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							impl.kernel(kcb, ap, bp, &c[ci], ldc, alpha, betaBlock)
							continue
						}
						impl.kernel(kcb, ap, bp, &buf.tile[0], nr, alpha, 0)
						mergeTile(c[ci:], ldc, buf.tile, nr, rows, cols, betaBlock)
					}
				}
			}
		}
	}
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
