package tensor

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// refMatMul computes op(a) op(b) with a naive triple loop in float64. op
// swaps the last two axes when the flag is set; a 2-D operand is shared by
// every batch entry of the other.
func refMatMul(a, b nd, transA, transB bool) nd {
	ra, rb := len(a.shape), len(b.shape)
	m, k := a.shape[ra-2], a.shape[ra-1]
	if transA {
		m, k = k, m
	}
	n := b.shape[rb-1]
	if transB {
		n = b.shape[rb-2]
	}
	batch := a.shape[:ra-2]
	if ra == 2 {
		batch = b.shape[:rb-2]
	}
	outShape := append(append([]int{}, batch...), m, n)
	out := newND(outShape)
	atA := func(bi []int, i, l int) float64 {
		if transA {
			i, l = l, i
		}
		if ra == 2 {
			return a.at(i, l)
		}
		return a.at(append(append([]int{}, bi...), i, l)...)
	}
	atB := func(bi []int, l, j int) float64 {
		if transB {
			l, j = j, l
		}
		if rb == 2 {
			return b.at(l, j)
		}
		return b.at(append(append([]int{}, bi...), l, j)...)
	}
	forEachIndex(outShape, func(idx []int) {
		bi, i, j := idx[:len(idx)-2], idx[len(idx)-2], idx[len(idx)-1]
		s := 0.0
		for l := 0; l < k; l++ {
			s += atA(bi, i, l) * atB(bi, l, j)
		}
		out.data[flat(outShape, idx)] = s
	})
	return out
}

// TestMatMul checks MatMul for every combination of transpose flags on plain,
// batched and shared-operand shapes, empty sizes and every input layout,
// against the naive float64 product. Tolerance: float32 products accumulate
// in float32 in the SGEMM kernel's blocked order, so the error grows like
// k*eps32*sum|a||b| (about 4e-6 for k = 65 and N(0,1) inputs): 3e-5 absolute
// plus 1e-6 relative; float64: 1e-13 relative plus 1e-12 absolute.
func TestMatMul(t *testing.T) {
	r := NewRNG(41)
	cases := []struct {
		a, b []int // shapes of op(a) and op(b) before the transposes
	}{
		{[]int{3, 4}, []int{4, 5}},
		{[]int{1, 7}, []int{7, 1}},
		{[]int{2, 3, 4}, []int{2, 4, 5}},
		{[]int{2, 3, 4}, []int{4, 5}},    // b shared by the batch
		{[]int{3, 4}, []int{2, 4, 5}},    // a shared by the batch
		{[]int{2, 2, 3, 4}, []int{4, 2}}, // rank 4 with a shared b
		{[]int{2, 2, 3, 4}, []int{2, 2, 4, 3}},
		{[]int{3, 0}, []int{0, 5}},       // k = 0: zeros
		{[]int{0, 4}, []int{4, 5}},       // m = 0
		{[]int{2, 0, 4}, []int{2, 4, 3}}, // empty batch rows
		{[]int{33, 65}, []int{65, 17}},   // odd sizes, parallel rows
	}
	for _, dt := range dtypes {
		tl := tol{atol: 1e-12, rtol: 1e-13}
		if dt == Float32 {
			tl = tol{atol: 3e-5, rtol: 1e-6}
		}
		for _, c := range cases {
			require.Equal(t, c.a[len(c.a)-1], c.b[len(c.b)-2], "case %v×%v: inner dimensions", c.a, c.b)
			for _, transA := range []bool{false, true} {
				for _, transB := range []bool{false, true} {
					for _, layout := range layouts {
						a := makeInput(r, dt, swapLast(c.a, transA), layout, normal)
						b := makeInput(r, dt, swapLast(c.b, transB), layout, normal)
						want := refMatMul(readND(a), readND(b), transA, transB)
						label := fmt.Sprintf("MatMul %s %v×%v transA=%v transB=%v %s", dt, a.Shape(), b.Shape(), transA, transB, layout)
						checkND(t, label, MatMul(a, b, transA, transB), dt, want, tl)
					}
				}
			}
		}
	}
}

// swapLast returns shape with its last two axes swapped when swap is set.
func swapLast(shape []int, swap bool) []int {
	s := append([]int{}, shape...)
	if swap {
		n := len(s)
		s[n-2], s[n-1] = s[n-1], s[n-2]
	}
	return s
}

// TestMatMulNaNInf checks that NaN and Inf propagate through a product as
// IEEE arithmetic says (0*Inf = NaN; NaN poisons its row and column).
func TestMatMulNaNInf(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, dt := range dtypes {
		a := FromValues(dt, []float64{1, 0, nan, 1}, 2, 2)
		b := FromValues(dt, []float64{inf, 1, 2, 3}, 2, 2)
		// row 0: [1*inf + 0*2, 1*1 + 0*3] = [inf, 1]; row 1 has NaN.
		want := nd{shape: []int{2, 2}, data: []float64{inf, 1, nan, nan}}
		checkND(t, "MatMul NaN/Inf "+dt.String(), MatMul(a, b, false, false), dt, want, roundTol(dt))
	}
}
