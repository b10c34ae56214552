package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gemmBF16Model is the bfloat16 GEMM written plainly from its definition
// (GemmBF16's doc) on op(A) (m×k) and op(B) (k×n) given as bfloat16
// matrices: for each element and each k block of kc values, the pairs
// (2q, 2q+1) (a missing odd value is 0) summed by dotPairBF16, then the
// block's epilogue.
func gemmBF16Model(tc gemmCase, kc int, opA, opB []uint16, c []float32, ldc int) {
	alpha, beta := float32(tc.alpha), float32(tc.beta)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			cij := &c[i*ldc+j]
			if tc.k == 0 || alpha == 0 {
				if beta == 0 {
					*cij = 0
				} else if beta != 1 {
					*cij *= beta
				}
				continue
			}
			for pc := 0; pc < tc.k; pc += kc {
				end := min(pc+kc, tc.k)
				var acc float32
				for p := pc; p < end; p += 2 {
					pa, pb := uint32(opA[i*tc.k+p]), uint32(opB[p*tc.n+j])
					if p+1 < end {
						pa |= uint32(opA[i*tc.k+p+1]) << 16
						pb |= uint32(opB[(p+1)*tc.n+j]) << 16
					}
					acc = dotPairBF16(acc, pa, pb)
				}
				switch {
				case pc > 0:
					*cij = fma32(alpha, acc, *cij)
				case beta == 0:
					*cij = alpha * acc
				default:
					*cij = fma32(alpha, acc, float32(beta**cij))
				}
			}
		}
	}
}

// roundedOp returns the rows×cols matrix op(X) of the stored x (transposed
// when trans) rounded to bfloat16.
func roundedOp(x []float32, ld int, trans bool, rows, cols int) []uint16 {
	op := make([]uint16, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			if trans {
				op[r*cols+c] = roundBF16(x[c*ld+r])
			} else {
				op[r*cols+c] = roundBF16(x[r*ld+c])
			}
		}
	}
	return op
}

// checkGemmBF16Case runs one case through gemm (B as float32, or as
// bfloat16 patterns when bf16B) and compares every element of C with the
// model bit for bit (any NaN matches any NaN: payloads are not part of the
// contract) and with a float64 product of the bfloat16-rounded inputs
// within 2(k+2)·2^-24·(|alpha| Σ|a||b| + |beta C|). beta == 0 runs with C
// full of NaN, and the padding of C between rows must stay untouched.
func checkGemmBF16Case(t *testing.T, gemm func(tc gemmCase, a []float32, lda int, b []float32, hb []uint16, ldb int, c []float32, ldc int), kc int, tc gemmCase, bf16B bool, rng *rand.Rand) {
	t.Helper()
	rowsA, colsA := tc.m, tc.k
	if tc.transA {
		rowsA, colsA = tc.k, tc.m
	}
	rowsB, colsB := tc.k, tc.n
	if tc.transB {
		rowsB, colsB = tc.n, tc.k
	}
	lda, ldb, ldc := max(1, colsA+tc.pad), max(1, colsB+tc.pad), max(1, tc.n+tc.pad)
	a := randomSlice[float32](rng, rowsA*lda)
	b := randomSlice[float32](rng, rowsB*ldb)
	var hb []uint16
	if bf16B {
		hb = make([]uint16, len(b))
		for i, v := range b {
			hb[i] = roundBF16(v)
			if i%13 == 5 { // stored subnormals, read as zero of their sign
				hb[i] = uint16(i%2)<<15 | uint16(1+i%127)
				b[i] = widenBF16(hb[i])
			}
		}
	}
	c := randomSlice[float32](rng, tc.m*ldc)
	if tc.beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	c0 := append([]float32(nil), c...)
	want := append([]float32(nil), c...)
	gemm(tc, a, lda, b, hb, ldb, c, ldc)
	opA, opB := roundedOp(a, lda, tc.transA, tc.m, tc.k), roundedOp(b, ldb, tc.transB, tc.k, tc.n)
	gemmBF16Model(tc, kc, opA, opB, want, ldc)
	fa, fb := make([]float64, len(opA)), make([]float64, len(opB))
	for i, h := range opA {
		fa[i] = float64(widenBF16(h))
	}
	for i, h := range opB {
		fb[i] = float64(widenBF16(h))
	}
	bound := 2 * float64(tc.k+2) * 0x1p-24
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			got, model := c[i*ldc+j], want[i*ldc+j]
			if j >= tc.n {
				if !sameBits(got, c0[i*ldc+j]) {
					require.Failf(t, "padding changed", "%v: C padding [%d,%d] changed from %g to %g", tc, i, j, c0[i*ldc+j], got)
				}
				continue
			}
			if !sameBits(got, model) && !(got != got && model != model) {
				require.Failf(t, "differs from the model", "%v bf16B=%v kc=%d: C[%d,%d] = %g (%#08x), Go model %g (%#08x)",
					tc, bf16B, kc, i, j, got, math.Float32bits(got), model, math.Float32bits(model))
			}
			var sum, mag float64
			for p := 0; p < tc.k; p++ {
				prod := fa[i*tc.k+p] * fb[p*tc.n+j]
				sum += prod
				mag += math.Abs(prod)
			}
			ref := tc.alpha * sum
			mag *= math.Abs(tc.alpha)
			if tc.beta != 0 {
				ref += tc.beta * float64(c0[i*ldc+j])
				mag += math.Abs(tc.beta * float64(c0[i*ldc+j]))
			}
			if !(math.Abs(float64(got)-ref) <= bound*mag) {
				require.Failf(t, "outside the error bound", "%v: C[%d,%d] = %g, float64 reference %g, |diff| %g > %g", tc, i, j, got, ref, math.Abs(float64(got)-ref), bound*mag)
			}
		}
	}
}

// gemmBF16SpecialCases covers every alpha/beta pair on a few shapes, empty
// products, and products that cross the production blocks one at a time
// (k > gemmBF16KC, odd; m > mc; n > nc) or are split across workers.
func gemmBF16SpecialCases() []gemmCase {
	var cases []gemmCase
	for _, ab := range alphaBetas {
		for _, shape := range [][3]int{{13, 33, 7}, {1, 1, 1}, {0, 5, 3}, {5, 0, 3}, {4, 5, 0}} {
			cases = append(cases, gemmCase{false, false, shape[0], shape[1], shape[2], ab[0], ab[1], 3})
			cases = append(cases, gemmCase{true, true, shape[0], shape[1], shape[2], ab[0], ab[1], 0})
		}
	}
	for _, shape := range [][3]int{{20, 40, 1031}, {150, 40, 30}, {13, 1030, 20}, {100, 150, 140}, {2, 3000, 70}} {
		for _, trans := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			cases = append(cases, gemmCase{trans[0], trans[1], shape[0], shape[1], shape[2], 0.75, 0.5, 2})
		}
	}
	return cases
}

// TestGemmBF16Implementations runs the conformance cases (every size 1..67,
// every transpose pair, alpha/beta pairs with beta 0 on NaN-filled C,
// padded leading dimensions, products split across workers) against every
// bfloat16 implementation this machine supports, with B as float32 and as
// bfloat16, with the production blocking (and the big products) and with tiny blocks
// (an even and an odd kc) that cross every block boundary.
func TestGemmBF16Implementations(t *testing.T) {
	for _, impl := range gemmBF16Impls {
		if !impl.available {
			t.Logf("%s: not supported on this CPU, skipped", impl.name)
			continue
		}
		small := func(kc int) *bf16Impl {
			c := *impl
			c.name += "/small-blocks"
			c.kc, c.mc, c.nc = kc, 2*impl.mr, 2*impl.nr
			return &c
		}
		for _, variant := range []*bf16Impl{impl, small(6), small(5)} {
			t.Run(variant.name, func(t *testing.T) {
				run := func(tc gemmCase, a []float32, lda int, b []float32, hb []uint16, ldb int, c []float32, ldc int) {
					opA, opB := bf16Operands(tc.transA, tc.transB, a, nil, lda, b, hb, ldb)
					if hb != nil {
						opB.f32 = nil
					}
					gemmBF16(variant, tc.m, tc.n, tc.k, float32(tc.alpha), opA, opB, float32(tc.beta), c, ldc, true)
				}
				rng := rand.New(rand.NewPCG(31, 32))
				cases := gemmShapeCases()
				if variant == impl { // big products: across the production blocks and workers
					cases = append(cases, gemmBF16SpecialCases()...)
				}
				for i, tc := range cases {
					checkGemmBF16Case(t, run, variant.kc, tc, i%2 == 1, rng)
				}
			})
		}
	}
}

// TestGemmBF16Public checks the exported entry points: GemmBF16 and
// GemmBF16B against the model, GemmBF16B giving the bits of GemmBF16 on
// the same rounded B, and GemmBF16Strided against one call per matrix.
func TestGemmBF16Public(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	public := func(tc gemmCase, a []float32, lda int, b []float32, hb []uint16, ldb int, c []float32, ldc int) {
		if hb != nil {
			GemmBF16B(tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, hb, ldb, float32(tc.beta), c, ldc)
			return
		}
		GemmBF16(tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), c, ldc)
	}
	for i, tc := range gemmBF16SpecialCases() {
		checkGemmBF16Case(t, public, gemmBF16KC, tc, i%2 == 0, rng)
	}

	const m, n, k, batch = 37, 45, 70, 5
	a, b := randomSlice[float32](rng, batch*m*k), randomSlice[float32](rng, n*k)
	c := randomSlice[float32](rng, batch*m*n)
	want := append([]float32(nil), c...)
	GemmBF16Strided(false, true, m, n, k, 0.5, a, k, m*k, b, k, 0, 2, c, n, m*n, batch) // B shared
	for i := 0; i < batch; i++ {
		GemmBF16(false, true, m, n, k, 0.5, a[i*m*k:], k, b, k, 2, want[i*m*n:], n)
	}
	require.Equal(t, want, c, "GemmBF16Strided and one GemmBF16 per matrix differ")
}

// TestGemmBF16Panics checks that bad arguments panic with a message naming
// the function, the argument and the shape: each case of a 3×4×5 product
// through GemmBF16, GemmBF16B (B as bfloat16) and GemmBF16Strided (batch
// 1), then the batched cases of GemmBF16Strided. The lengths the messages
// quote are (rows-1)*ld + cols, plus (batch-1)*stride.
func TestGemmBF16Panics(t *testing.T) {
	type args struct {
		transA, transB   bool
		m, n, k          int
		lenA, lenB, lenC int
		lda, ldb, ldc    int
	}
	ok := args{m: 3, n: 4, k: 5, lenA: 15, lenB: 20, lenC: 12, lda: 5, ldb: 4, ldc: 4}
	with := func(f func(*args)) args { x := ok; f(&x); return x }
	cases := []struct {
		name string
		args args
		want string // after "kernel.<function>: "
	}{
		{"negative m", with(func(x *args) { x.m = -1 }), "negative size m=-1 n=4 k=5 batch=1"},
		{"negative n", with(func(x *args) { x.n = -4 }), "negative size m=3 n=-4 k=5 batch=1"},
		{"negative k", with(func(x *args) { x.k = -5 }), "negative size m=3 n=4 k=-5 batch=1"},
		{"lda", with(func(x *args) { x.lda = 4 }), "lda = 4 < 5, the width of the stored A (m×k = 3×5)"},
		{"lda transA", with(func(x *args) { x.transA, x.lda = true, 2 }), "lda = 2 < 3, the width of the stored A (k×m, transA = 5×3)"},
		{"ldb", with(func(x *args) { x.ldb = 3 }), "ldb = 3 < 4, the width of the stored B (k×n = 5×4)"},
		{"ldb transB", with(func(x *args) { x.transB, x.ldb = true, 4 }), "ldb = 4 < 5, the width of the stored B (n×k, transB = 4×5)"},
		{"ldc", with(func(x *args) { x.ldc = 3 }), "ldc = 3 < 4, the width of the stored C (m×n = 3×4)"},
		{"short a", with(func(x *args) { x.lenA = 14 }), "len(a) = 14 < 15 needed for the stored A (m×k = 3×5, lda = 5)"},
		{"short a transA", with(func(x *args) { x.transA, x.lda, x.lenA = true, 7, 30 }), "len(a) = 30 < 31 needed for the stored A (k×m, transA = 5×3, lda = 7)"},
		{"short b", with(func(x *args) { x.lenB = 19 }), "len(b) = 19 < 20 needed for the stored B (k×n = 5×4, ldb = 4)"},
		{"short b transB", with(func(x *args) { x.transB, x.ldb, x.lenB = true, 6, 20 }), "len(b) = 20 < 23 needed for the stored B (n×k, transB = 4×5, ldb = 6)"},
		{"short c", with(func(x *args) { x.lenC = 11 }), "len(c) = 11 < 12 needed for the stored C (m×n = 3×4, ldc = 4)"},
		{"short c ldc", with(func(x *args) { x.ldc, x.lenC = 9, 21 }), "len(c) = 21 < 22 needed for the stored C (m×n = 3×4, ldc = 9)"},
	}
	entries := []struct {
		fn   string
		call func(x args, a, b []float32, hb []uint16, c []float32)
	}{
		{"kernel.GemmBF16", func(x args, a, b []float32, _ []uint16, c []float32) {
			GemmBF16(x.transA, x.transB, x.m, x.n, x.k, 1, a, x.lda, b, x.ldb, 0, c, x.ldc)
		}},
		{"kernel.GemmBF16B", func(x args, a, _ []float32, hb []uint16, c []float32) {
			GemmBF16B(x.transA, x.transB, x.m, x.n, x.k, 1, a, x.lda, hb, x.ldb, 0, c, x.ldc)
		}},
		{"kernel.GemmBF16Strided", func(x args, a, b []float32, _ []uint16, c []float32) {
			GemmBF16Strided(x.transA, x.transB, x.m, x.n, x.k, 1, a, x.lda, 0, b, x.ldb, 0, 0, c, x.ldc, 0, 1)
		}},
	}
	for _, e := range entries {
		// The valid arguments must not panic, or a case could pass on the
		// wrong argument's message.
		require.NotPanics(t, func() {
			e.call(ok, make([]float32, ok.lenA), make([]float32, ok.lenB), make([]uint16, ok.lenB), make([]float32, ok.lenC))
		}, "%s on valid arguments", e.fn)
		for _, tc := range cases {
			x := tc.args
			a, b, hb, c := make([]float32, x.lenA), make([]float32, x.lenB), make([]uint16, x.lenB), make([]float32, x.lenC)
			assert.PanicsWithValue(t, e.fn+": "+tc.want, func() { e.call(x, a, b, hb, c) }, "%s: %s", e.fn, tc.name)
		}
	}

	s := make([]float32, 100)
	strided := []struct {
		name string
		call func()
		want string
	}{
		{"negative batch", func() { GemmBF16Strided(false, false, 3, 4, 5, 1, s, 5, 15, s, 4, 20, 0, s, 4, 12, -1) },
			"kernel.GemmBF16Strided: negative size m=3 n=4 k=5 batch=-1"},
		{"negative stride", func() { GemmBF16Strided(false, false, 3, 4, 5, 1, s, 5, 15, s, 4, -1, 0, s, 4, 12, 2) },
			"kernel.GemmBF16Strided: negative stride strideA=15 strideB=-1 strideC=12"},
		{"batched a", func() { GemmBF16Strided(false, false, 3, 4, 5, 1, s[:29], 5, 15, s, 4, 20, 0, s, 4, 12, 2) },
			"kernel.GemmBF16Strided: len(a) = 29 < 30 needed for 2 stored A matrices (m×k = 3×5, lda = 5, stride 15)"},
		{"batched b", func() { GemmBF16Strided(false, true, 3, 4, 5, 1, s, 5, 15, s, 5, 30, 0, s, 4, 12, 4) },
			"kernel.GemmBF16Strided: len(b) = 100 < 110 needed for 4 stored B matrices (n×k, transB = 4×5, ldb = 5, stride 30)"},
		{"batched c", func() { GemmBF16Strided(false, false, 3, 4, 5, 1, s, 5, 0, s, 4, 0, 0, s[:35], 4, 12, 3) },
			"kernel.GemmBF16Strided: len(c) = 35 < 36 needed for 3 stored C matrices (m×n = 3×4, ldc = 4, stride 12)"},
	}
	for _, tc := range strided {
		assert.PanicsWithValue(t, tc.want, tc.call, tc.name)
	}
}

// TestGemmBF16Allocations checks that steady-state calls reuse pooled pack
// buffers: a serial product allocates nothing, a product split across
// workers only the closure handed to them.
func TestGemmBF16Allocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops pooled buffers at random")
	}
	a, b, c := make([]float32, 256*256), make([]float32, 256*256), make([]float32, 256*256)
	for _, tc := range []struct{ n, want int }{{16, 0}, {256, 1}} {
		n := tc.n
		GemmBF16(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		got := testing.AllocsPerRun(20, func() { GemmBF16(false, true, n, n, n, 1, a, n, b, n, 0, c, n) })
		require.LessOrEqualf(t, got, float64(tc.want), "GemmBF16 %d×%d×%d: allocations per call", n, n, n)
	}
}

// TestRoundBF16Slice checks RoundBF16 against roundBF16 on lengths around
// its 32-value blocks, and that GemmBF16B on the rounded B gives GemmBF16's
// bits, subnormal and NaN elements of B included.
func TestRoundBF16Slice(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, n := range []int{0, 1, 31, 32, 33, 100, 1000} {
		src := randomSlice[float32](rng, n)
		for i := range src {
			if i%7 == 3 {
				src[i] = math.Float32frombits(rng.Uint32()) // any class: subnormals, infinities, NaNs
			}
		}
		dst := make([]uint16, n)
		RoundBF16(dst, src)
		for i, v := range src {
			require.Equalf(t, roundBF16(v), dst[i], "n=%d: RoundBF16 of %#08x", n, math.Float32bits(v))
		}
	}
	const m, n, k = 30, 70, 45
	a, b := randomSlice[float32](rng, m*k), randomSlice[float32](rng, n*k)
	for i := range b {
		if i%11 == 0 {
			b[i] = math.Float32frombits(uint32(rng.IntN(2))<<31 | 0x007fff00 + uint32(rng.IntN(256))) // just below 2^-126
		}
	}
	hb := make([]uint16, len(b))
	RoundBF16(hb, b)
	want, got := make([]float32, m*n), make([]float32, m*n)
	GemmBF16(false, true, m, n, k, 1, a, k, b, k, 0, want, n)
	GemmBF16B(false, true, m, n, k, 1, a, k, hb, k, 0, got, n)
	require.Equal(t, want, got, "GemmBF16B on RoundBF16(B) and GemmBF16 on B differ")
}

// TestRoundBF16Panics checks the length check.
func TestRoundBF16Panics(t *testing.T) {
	require.PanicsWithValue(t, "kernel.RoundBF16: len(dst) = 2 but len(src) = 3", func() {
		RoundBF16(make([]uint16, 2), make([]float32, 3))
	})
}
