package kernel

import (
	"sync"
	"unsafe"

	"github.com/daalab/daa/internal/parallel"
)

// gemmBF16KC is the depth of a packed k block of every bfloat16
// implementation: each block is summed on its own and added to C, so the
// implementations agree bit for bit only if they share it. 512 values
// (256 pairs) keep a 12-row A panel (12 KiB) in L1 and a 32-column B panel
// (32 KiB) in L1/L2.
const gemmBF16KC = 512

// bf16Impl is one bfloat16 GEMM implementation: a microkernel computing an
// mr×nr float32 tile of C from panels of bfloat16 pairs, its cache
// blocking, and optionally fast packers. The driver in this file is shared
// by every implementation.
type bf16Impl struct {
	name      string
	available bool // the CPU (and build) supports it
	mr, nr    int  // tile of C computed by one kernel call
	kc        int  // depth of a packed block; gemmBF16KC except in tests
	mc, nc    int  // rows of a packed A block, columns of a packed B block

	// wide panels hold two float32 steps per pair, the widened odd element
	// then the even one (for the FMA kernels), instead of one word of two
	// bfloat16 values.
	wide bool

	// kernel computes the mr×nr tile C = alpha*acc + beta*C (acc summed
	// as VDPBF16PS does; C = fma(alpha, acc, beta*C) with beta*C rounded;
	// C = alpha*acc without reading C when beta == 0) from a packed A
	// panel (a[p*mr+i] holds A[i,2p] low, A[i,2p+1] high) and a packed B
	// panel (b[p*nr+j] holds B[2p,j], B[2p+1,j]) of k >= 1 pairs.
	kernel func(k int, a, b *uint32, c *float32, ldc int, alpha, beta float32)

	// pack, if not nil, packs full panels quickly (see packPairs).
	//
	// With wide set the kernel takes 2k float32 steps per panel instead
	// (see packPairs) and k is still the number of pairs.
	pack bf16Packer
}

// bf16Buffers holds one goroutine's packed blocks: A (mc×kc values as
// pairs), B (kc×nc), scratch for the packers (32 rows of kc values) and an
// mr×nr tile for the edges of C.
type bf16Buffers struct {
	a, b, tmp []uint32
	tile      []float32
}

var bf16BufferPool sync.Pool

// words returns the words a panel holds per pair and row: 2 when wide.
func (impl *bf16Impl) words() int {
	if impl.wide {
		return 2
	}
	return 1
}

// getBF16Buffers returns buffers for impl on an m×n×k product.
func getBF16Buffers(impl *bf16Impl, m, n, k int) *bf16Buffers {
	kc2 := pairs(min(impl.kc, k)) * impl.words()
	sizeA := roundUp(min(impl.mc, m), impl.mr) * kc2
	sizeB := roundUp(min(impl.nc, n), impl.nr) * kc2
	sizeTmp := max(impl.mr, impl.nr) * kc2
	buf, _ := bf16BufferPool.Get().(*bf16Buffers)
	if buf == nil {
		buf = new(bf16Buffers)
	}
	words := func(s []uint32, n int) []uint32 {
		if len(s) >= n {
			return s
		}
		f := alignedSlice[float32](n)
		return unsafe.Slice((*uint32)(unsafe.Pointer(&f[0])), n)
	}
	buf.a, buf.b, buf.tmp = words(buf.a, sizeA), words(buf.b, sizeB), words(buf.tmp, sizeTmp)
	if len(buf.tile) < impl.mr*impl.nr {
		buf.tile = alignedSlice[float32](impl.mr * impl.nr)
	}
	return buf
}

// gemmBF16 computes C = alpha*A*B + beta*C for op(A) m×k and op(B) k×n
// given as operands, with arguments already checked, splitting C across
// the workers of internal/parallel when threaded and large enough.
func gemmBF16(impl *bf16Impl, m, n, k int, alpha float32, a, b bf16Operand, beta float32, c []float32, ldc int, threaded bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	workers := parallel.Parallelism()
	if !threaded || workers == 1 || 2*m*n*k < parallelGemmFlops {
		gemmBF16Block(impl, m, n, k, alpha, a, b, beta, c, ldc)
		return
	}
	// A grid of blocks of whole tiles, as gemmParallel splits Sgemm.
	tilesM, tilesN := (m+impl.mr-1)/impl.mr, (n+impl.nr-1)/impl.nr
	pm, pn := gemmGrid(workers, tilesM, tilesN, m, n)
	parallel.For(pm*pn, 1, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			i, j := w/pn, w%pn
			r0, r1 := rangeOfTiles(tilesM, pm, i, impl.mr, m)
			c0, c1 := rangeOfTiles(tilesN, pn, j, impl.nr, n)
			gemmBF16Block(impl, r1-r0, c1-c0, k, alpha, a.at(r0, 0), b.at(c0, 0), beta, c[r0*ldc+c0:], ldc)
		}
	})
}

// gemmBF16Block computes one product on the calling goroutine with pooled
// buffers: for each kc×nc block of B (packed into buf.b), each mc×kc
// block of A is packed into buf.a and the microkernel sweeps its tiles.
// Later k blocks add onto C (beta 1). Edge tiles go through buf.tile.
func gemmBF16Block(impl *bf16Impl, m, n, k int, alpha float32, a, b bf16Operand, beta float32, c []float32, ldc int) {
	buf := getBF16Buffers(impl, m, n, k)
	defer bf16BufferPool.Put(buf)
	mr, nr := impl.mr, impl.nr
	for jc := 0; jc < n; jc += impl.nc {
		ncb := min(impl.nc, n-jc)
		for pc := 0; pc < k; pc += impl.kc {
			kcb := min(impl.kc, k-pc)
			kc2 := pairs(kcb)
			stride := kc2 * impl.words() // words per panel row
			betaBlock := blockBeta(beta, pc)
			packPairs(buf.b, b.at(jc, pc), ncb, kcb, nr, impl.wide, impl.pack, buf.tmp)
			for ic := 0; ic < m; ic += impl.mc {
				mcb := min(impl.mc, m-ic)
				packPairs(buf.a, a.at(ic, pc), mcb, kcb, mr, impl.wide, impl.pack, buf.tmp)
				for jr := 0; jr < ncb; jr += nr {
					bp := &buf.b[jr*stride]
					cols := min(nr, ncb-jr)
					for ir := 0; ir < mcb; ir += mr {
						ap := &buf.a[ir*stride]
						rows := min(mr, mcb-ir)
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							impl.kernel(kc2, ap, bp, &c[ci], ldc, alpha, betaBlock)
							continue
						}
						impl.kernel(kc2, ap, bp, &buf.tile[0], nr, 1, 0)
						mergeBF16Tile(c[ci:], ldc, buf.tile, nr, rows, cols, alpha, betaBlock)
					}
				}
			}
		}
	}
}

// mergeBF16Tile sets the rows×cols corner of C from the sums in t (leading
// dimension ldt) as the kernels' epilogue does: alpha*t where beta == 0
// (C not read), else fma(alpha, t, beta*C) with beta*C rounded first.
func mergeBF16Tile(c []float32, ldc int, t []float32, ldt, rows, cols int, alpha, beta float32) {
	for i := 0; i < rows; i++ {
		crow := c[i*ldc : i*ldc+cols]
		trow := t[i*ldt : i*ldt+cols]
		for j, v := range trow {
			if beta == 0 {
				crow[j] = alpha * v
			} else {
				crow[j] = fma32(alpha, v, float32(beta*crow[j]))
			}
		}
	}
}

// forEachProduct runs item(i, threaded) for i < batch products of flops
// each: many small products go to the workers one whole product at a time
// (item(i, false)), large ones run in turn, each split (item(i, true)).
// The policy is gemmStrided's.
func forEachProduct(batch, flops int, item func(i int, threaded bool)) {
	workers := parallel.Parallelism()
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
