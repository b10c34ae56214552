package kernel

// gemmImpl is one GEMM implementation for element type T: a microkernel that
// computes an mr×nr tile of C from packed panels, the cache blocking around
// it, and optionally a fast packer for full panels. The blocked driver in
// gemm_blocked.go is shared by every implementation.
type gemmImpl[T float32 | float64] struct {
	name      string
	available bool // the CPU (and build) supports it
	mr, nr    int  // tile of C computed by one kernel call
	kc        int  // depth of a packed block: an mr×kc A panel and a kc×nr B panel stay in L1 or L2
	mc        int  // rows of a packed A block (mc×kc stays in L2), a multiple of mr
	nc        int  // columns of a packed B block (kc×nc stays in L3), a multiple of nr

	// kernel computes the mr×nr tile C = alpha*A*B + beta*C from a packed
	// A panel (a[p*mr+i] = A[i,p], p < k) and a packed B panel
	// (b[p*nr+j] = B[p,j]); C is row-major with leading dimension ldc.
	// beta == 0 must not read C. k >= 1.
	kernel func(k int, a, b, c *T, ldc int, alpha, beta T)

	// kernelBias, if not nil, is kernel with beta == 1 on a C tile filled
	// with the nr values at bias, without reading C: C = alpha*A*B + bias,
	// rounded as kernel rounds alpha*A*B + 1*C (see SgemmBias).
	kernelBias func(k int, a, b, c *T, ldc int, alpha T, bias *T)

	// kernelRows and kernelRowsBias, if not nil (both or neither), are
	// kernel and kernelBias reading A's mr rows in place instead of a
	// packed panel: A[i,p] = a[i*lda+p].
	kernelRows     func(k int, a *T, lda int, b, c *T, ldc int, alpha, beta T)
	kernelRowsBias func(k int, a *T, lda int, b, c *T, ldc int, alpha T, bias *T)

	// kernelCols and kernelColsBias, likewise, read A's mr columns of a
	// transposed A in place: A[i,p] = a[p*lda+i].
	kernelCols     func(k int, a *T, lda int, b, c *T, ldc int, alpha, beta T)
	kernelColsBias func(k int, a *T, lda int, b, c *T, ldc int, alpha T, bias *T)

	// packPanel, if not nil, packs one full panel of width w (mr or nr) and
	// depth kc and reports whether it handled this width; see packPanels.
	packPanel func(dst, src []T, ld, kc, w int, transposed bool) bool

	// smallM, if not nil, computes products with at most smallMRows rows
	// without packing (see gemm_small.go).
	smallM func(m, n, k int, alpha T, a, b operand[T], beta T, c []T, ldc int, threaded bool)
}

// sgemmImpls lists the float32 implementations, fastest first; the first
// available one (sgemmBest) serves Sgemm. archSgemmImpls comes from the
// architecture files (none under the purego tag).
var sgemmImpls = append(archSgemmImpls(), sgemmGo)

// sgemmBest is the implementation Sgemm uses.
var sgemmBest = bestSgemm()

// sgemmGo is the portable float32 implementation.
var sgemmGo = &gemmImpl[float32]{
	name: "go", available: true,
	mr: goMR, nr: goNR, kc: 256, mc: 64, nc: 1024,
	kernel: kernelGo[float32],
	smallM: sgemmSmallM(vecGo),
}

// dgemmGo is the float64 implementation (pure Go on every architecture).
var dgemmGo = &gemmImpl[float64]{
	name: "go", available: true,
	mr: goMR, nr: goNR, kc: 256, mc: 64, nc: 1024,
	kernel: kernelGo[float64],
}

// bestSgemm returns the first available float32 implementation.
func bestSgemm() *gemmImpl[float32] {
	for _, impl := range sgemmImpls {
		if impl.available {
			return impl
		}
	}
	return sgemmGo
}
