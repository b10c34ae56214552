package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gemmFunc is the Sgemm/Dgemm signature, so one suite runs against every
// implementation of both.
type gemmFunc[T float32 | float64] func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	pad            int // leading dimensions exceed the stored widths by pad
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d alpha=%g beta=%g pad=%d", tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// unitEps returns the unit roundoff of T: 2^-24 for float32, 2^-53 for float64.
func unitEps[T float32 | float64]() float64 {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return 0x1p-24
	}
	return 0x1p-53
}

// randomSlice returns n values uniform in [-1, 1).
func randomSlice[T float32 | float64](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// checkGemmCase runs one case through gemm and compares with a naive
// product accumulated in float64. Tolerance: the rounding-error bound of any
// summation order, |err| <= 2(k+2)u * (|alpha| Σ_p |A_ip||B_pj| + |beta C_ij|),
// with u the unit roundoff of T. beta == 0 runs with C filled with NaN,
// which must not reach the result.
func checkGemmCase[T float32 | float64](t *testing.T, gemm gemmFunc[T], tc gemmCase, rng *rand.Rand) {
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
	a := randomSlice[T](rng, rowsA*lda)
	b := randomSlice[T](rng, rowsB*ldb)
	c := randomSlice[T](rng, tc.m*ldc)
	if tc.beta == 0 {
		for i := range c {
			c[i] = T(math.NaN())
		}
	}
	c0 := append([]T(nil), c...)
	gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)

	elemA := func(i, p int) float64 {
		if tc.transA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	elemB := func(p, j int) float64 {
		if tc.transB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	// The suites check millions of elements: each check calls testify only
	// when the element is wrong, for the report.
	bound := 2 * float64(tc.k+2) * unitEps[T]()
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			got := float64(c[i*ldc+j])
			if j >= tc.n { // padding between rows must be untouched
				if was := float64(c0[i*ldc+j]); math.Float64bits(got) != math.Float64bits(was) {
					require.Equalf(t, was, got, "%v: C padding [%d,%d] changed", tc, i, j)
				}
				continue
			}
			var sum, mag float64
			for p := 0; p < tc.k; p++ {
				sum += elemA(i, p) * elemB(p, j)
				mag += math.Abs(elemA(i, p) * elemB(p, j))
			}
			want := tc.alpha * sum
			mag *= math.Abs(tc.alpha)
			if tc.beta != 0 {
				want += tc.beta * float64(c0[i*ldc+j])
				mag += math.Abs(tc.beta * float64(c0[i*ldc+j]))
			}
			if !(math.Abs(got-want) <= bound*mag) {
				require.InDeltaf(t, want, got, bound*mag, "%v: C[%d,%d] vs the float64 reference", tc, i, j)
			}
		}
	}
}

var alphaBetas = [][2]float64{{1, 0}, {1, 1}, {0.5, -1.5}, {-2, 0}, {0, 2}, {0, 0}, {1.25, 0.75}}

// gemmShapeCases covers every size 1..67 in each of m, n and k, with every
// transpose combination, cycling through alpha/beta pairs and padding.
func gemmShapeCases() []gemmCase {
	var cases []gemmCase
	idx := 0
	for s := 1; s <= 67; s++ {
		u, v := 1+(s*17)%67, 1+(s*29)%67
		for _, shape := range [][3]int{{s, u, v}, {v, s, u}, {u, v, s}} {
			for _, trans := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				ab := alphaBetas[idx%len(alphaBetas)]
				cases = append(cases, gemmCase{trans[0], trans[1], shape[0], shape[1], shape[2], ab[0], ab[1], []int{0, 1, 5, 16}[idx%4]})
				idx++
			}
		}
	}
	return cases
}

// gemmSpecialCases covers every alpha/beta pair on a few shapes, empty
// products, and products big enough to cross the cache blocks and to be
// split across workers.
func gemmSpecialCases() []gemmCase {
	var cases []gemmCase
	for _, ab := range alphaBetas {
		for _, shape := range [][3]int{{13, 33, 7}, {1, 1, 1}, {24, 64, 300}, {0, 5, 3}, {5, 0, 3}, {4, 5, 0}} {
			cases = append(cases, gemmCase{false, false, shape[0], shape[1], shape[2], ab[0], ab[1], 3})
			cases = append(cases, gemmCase{true, true, shape[0], shape[1], shape[2], ab[0], ab[1], 0})
		}
	}
	for _, shape := range [][3]int{{1, 4500, 300}, {3, 2100, 900}, {2, 3000, 70}, {300, 70, 600}, {13, 2100, 100}, {150, 130, 120}, {40, 520, 130}, {97, 45, 513}} {
		for _, trans := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			cases = append(cases, gemmCase{trans[0], trans[1], shape[0], shape[1], shape[2], 0.75, 0.5, 2})
		}
	}
	return cases
}

// smallBlocks returns a copy of impl with tiny cache blocks, so that small
// tests cross every block boundary of the driver.
func smallBlocks[T float32 | float64](impl *gemmImpl[T]) *gemmImpl[T] {
	c := *impl
	c.name += "/small-blocks"
	c.kc, c.mc, c.nc = 5, 2*impl.mr, 2*impl.nr
	return &c
}

// runGemmSuite runs the conformance cases against one implementation.
func runGemmSuite[T float32 | float64](t *testing.T, impl *gemmImpl[T]) {
	for _, variant := range []*gemmImpl[T]{impl, smallBlocks(impl)} {
		t.Run(variant.name, func(t *testing.T) {
			run := func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
				opA, opB := operands(transA, transB, a, lda, b, ldb)
				gemm(variant, m, n, k, alpha, opA, opB, beta, c, ldc, true)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for _, tc := range append(gemmShapeCases(), gemmSpecialCases()...) {
				checkGemmCase(t, run, tc, rng)
			}
		})
	}
}

// TestSgemmImplementations runs the conformance suite against every float32
// implementation this machine supports.
func TestSgemmImplementations(t *testing.T) {
	for _, impl := range sgemmImpls {
		if !impl.available {
			t.Logf("%s: not supported on this CPU, skipped", impl.name)
			continue
		}
		runGemmSuite(t, impl)
	}
}

// TestDgemmImplementation runs the conformance suite against Dgemm's kernel.
func TestDgemmImplementation(t *testing.T) { runGemmSuite(t, dgemmGo) }

// TestSgemmPublic checks the exported entry points on a few cases.
func TestSgemmPublic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range gemmSpecialCases() {
		checkGemmCase(t, Sgemm, tc, rng)
		checkGemmCase(t, Dgemm, tc, rng)
	}
}

// TestSgemmStrided compares SgemmStrided and DgemmStrided with one Sgemm
// call per matrix, for batches that run in parallel by item and by matrix,
// a shared B (stride 0) and C matrices interleaved as attention heads are.
func TestSgemmStrided(t *testing.T) {
	type stridedCase struct {
		transA, transB            bool
		m, n, k, batch            int
		lda, ldb, ldc             int
		strideA, strideB, strideC int
	}
	cases := []stridedCase{
		{false, true, 16, 16, 8, 6, 8, 8, 16, 128, 128, 256}, // attention scores
		{false, false, 16, 8, 16, 4, 16, 8, 32, 256, 128, 8}, // heads interleaved in C
		{true, false, 33, 17, 5, 3, 33, 17, 17, 165, 0, 561}, // shared B
		{false, false, 130, 140, 120, 2, 120, 140, 140, 15600, 16800, 18200},
		{false, false, 3, 3, 3, 0, 3, 3, 3, 9, 9, 9},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range cases {
		rowsA, rowsB := tc.m, tc.k
		if tc.transA {
			rowsA = tc.k
		}
		if tc.transB {
			rowsB = tc.n
		}
		lenA := max(0, tc.batch-1)*tc.strideA + rowsA*tc.lda
		lenB := max(0, tc.batch-1)*tc.strideB + rowsB*tc.ldb
		lenC := max(0, tc.batch-1)*tc.strideC + tc.m*tc.ldc
		a, b := randomSlice[float32](rng, lenA), randomSlice[float32](rng, lenB)
		c := randomSlice[float32](rng, lenC)
		want := append([]float32(nil), c...)
		SgemmStrided(tc.transA, tc.transB, tc.m, tc.n, tc.k, 0.5, a, tc.lda, tc.strideA, b, tc.ldb, tc.strideB, 2, c, tc.ldc, tc.strideC, tc.batch)
		for i := 0; i < tc.batch; i++ {
			sgemmWith(sgemmGo, tc.transA, tc.transB, tc.m, tc.n, tc.k, 0.5, a[i*tc.strideA:], tc.lda, b[i*tc.strideB:], tc.ldb, 2, want[i*tc.strideC:], tc.ldc)
		}
		tol := 2 * float64(tc.k+2) * 0x1p-24 * float64(tc.k+4) // |a|,|b|,|c| <= 1
		for i := range c {
			require.InDeltaf(t, want[i], c[i], tol, "%+v: c[%d] vs per-matrix Sgemm (go)", tc, i)
		}

		a64, b64, c64 := toFloat64(a), toFloat64(b), toFloat64(c)
		copy(c64, toFloat64(want)) // start from anything; compare with per-matrix Dgemm
		want64 := append([]float64(nil), c64...)
		DgemmStrided(tc.transA, tc.transB, tc.m, tc.n, tc.k, 0.5, a64, tc.lda, tc.strideA, b64, tc.ldb, tc.strideB, 2, c64, tc.ldc, tc.strideC, tc.batch)
		for i := 0; i < tc.batch; i++ {
			Dgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, 0.5, a64[i*tc.strideA:], tc.lda, b64[i*tc.strideB:], tc.ldb, 2, want64[i*tc.strideC:], tc.ldc)
		}
		for i := range c64 {
			require.Equalf(t, want64[i], c64[i], "%+v: DgemmStrided c[%d] vs per-matrix Dgemm", tc, i)
		}
	}
}

func toFloat64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

// TestSgemmPanics checks that bad arguments panic with a message naming the
// function and the argument.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	cases := []struct {
		name string
		call func()
		want string
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }, "kernel.Sgemm: negative size m=-1"},
		{"lda too small", func() { Sgemm(false, false, 3, 4, 5, 1, s, 4, s, 4, 0, s, 4) }, "kernel.Sgemm: lda = 4 < 5, the width of the stored A (m×k = 3×5)"},
		{"lda transposed", func() { Sgemm(true, false, 3, 4, 5, 1, s, 2, s, 4, 0, s, 4) }, "lda = 2 < 3, the width of the stored A (k×m, transA = 5×3)"},
		{"ldb too small", func() { Sgemm(false, true, 3, 4, 5, 1, s, 5, s, 4, 0, s, 4) }, "ldb = 4 < 5, the width of the stored B (n×k, transB = 4×5)"},
		{"ldc too small", func() { Sgemm(false, false, 3, 4, 5, 1, s, 5, s, 4, 0, s, 3) }, "ldc = 3 < 4"},
		{"a too short", func() { Sgemm(false, false, 30, 4, 5, 1, s, 5, s, 4, 0, s, 4) }, "kernel.Sgemm: len(a) = 100 < 150 needed for the stored A (m×k = 30×5, lda = 5)"},
		{"c too short", func() { Sgemm(false, false, 3, 40, 2, 1, s, 2, s, 40, 0, s[:50], 40) }, "len(c) = 50 < 120"},
		{"strided b too short", func() {
			SgemmStrided(false, false, 2, 2, 2, 1, s, 2, 4, s, 2, 30, 0, s, 2, 4, 5)
		}, "kernel.SgemmStrided: len(b) = 100 < 124 needed for 5 stored B matrices (k×n = 2×2, ldb = 2, stride 30)"},
		{"dgemm lda", func() {
			Dgemm(false, false, 3, 4, 5, 1, make([]float64, 100), 4, make([]float64, 100), 4, 0, make([]float64, 100), 4)
		}, "kernel.Dgemm: lda = 4 < 5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.IsType(t, "", r, "panic value")
				assert.Contains(t, r, tc.want, "panic message")
			}()
			tc.call()
		})
	}
}

// TestPackPanel compares every implementation's fast packer with the
// portable packPanelGo on copy and transpose panels of several depths.
func TestPackPanel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, impl := range sgemmImpls {
		if !impl.available || impl.packPanel == nil {
			continue
		}
		for _, w := range []int{impl.mr, impl.nr} {
			for _, kc := range []int{1, 15, 16, 17, 48, 100, 256} {
				for _, transposed := range []bool{false, true} {
					ld := kc + 3
					if !transposed {
						ld = w + 5
					}
					rows, cols := kc, w // stored source
					if transposed {
						rows, cols = w, kc
					}
					src := randomSlice[float32](rng, (rows-1)*ld+cols)
					want := make([]float32, w*kc)
					got := make([]float32, w*kc)
					op := operand[float32]{src, ld, 1}
					if !transposed {
						op = operand[float32]{src, 1, ld}
					}
					packPanelGo(want, op, w, kc, w)
					if !impl.packPanel(got, src, ld, kc, w, transposed) {
						continue
					}
					for i := range want {
						require.Equalf(t, want[i], got[i], "%s w=%d kc=%d transposed=%v: dst[%d] vs packPanelGo", impl.name, w, kc, transposed, i)
					}
				}
			}
		}
	}
}

// TestSgemmAllocations checks that steady-state calls reuse pooled pack
// buffers: a serial product allocates nothing, a product split across
// workers only the closure handed to them.
func TestSgemmAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops pooled buffers at random")
	}
	a, b, c := make([]float32, 256*256), make([]float32, 256*256), make([]float32, 256*256)
	for _, tc := range []struct {
		n, want int
	}{{16, 0}, {256, 1}} {
		n := tc.n
		Sgemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		got := testing.AllocsPerRun(20, func() { Sgemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n) })
		assert.LessOrEqual(t, got, float64(tc.want), "Sgemm %d×%d×%d: allocations per call", n, n, n)
	}
}

// TestGemmGrid checks the split of C across workers: all workers used when
// there are enough tiles, and the grid that duplicates the least packing.
func TestGemmGrid(t *testing.T) {
	for _, tc := range []struct {
		workers, tilesM, tilesN, m, n int
		pm, pn                        int
	}{
		{2, 86, 32, 1024, 1024, 2, 1}, // square: split rows
		{2, 86, 64, 1024, 2048, 1, 2}, // wide: split columns, every worker packs the smaller A
		{4, 86, 32, 1024, 1024, 2, 2},
		{3, 86, 32, 1024, 1024, 3, 1},
		{2, 1, 100, 5, 3200, 1, 2},
		{8, 1, 1, 5, 5, 1, 1},
		{1, 86, 32, 1024, 1024, 1, 1},
	} {
		pm, pn := gemmGrid(tc.workers, tc.tilesM, tc.tilesN, tc.m, tc.n)
		assert.Equal(t, [2]int{tc.pm, tc.pn}, [2]int{pm, pn}, "gemmGrid(%d workers, %d×%d tiles, %d×%d)", tc.workers, tc.tilesM, tc.tilesN, tc.m, tc.n)
	}
	// Grids for more workers than this machine may have, against the
	// float64 reference.
	rng := rand.New(rand.NewPCG(9, 9))
	for _, parts := range []int{3, 4, 6} {
		run := func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			opA, opB := operands(transA, transB, a, lda, b, ldb)
			gemmParallel(sgemmBest, parts, m, n, k, alpha, opA, opB, beta, c, ldc)
		}
		for _, tc := range []gemmCase{{false, false, 100, 150, 40, 1, 0, 1}, {true, true, 37, 200, 33, 0.5, 2, 0}, {false, true, 50, 33, 70, 1, 1, 3}} {
			checkGemmCase(t, run, tc, rng)
		}
	}
}
