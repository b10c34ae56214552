package tensor

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// firstBitDiff returns the first position where a and b hold elements that
// are not bit-identical, or -1 if there is none.
func firstBitDiff(a, b *Tensor) int {
	x, y := a.ToFloat64s(), b.ToFloat64s()
	for i := range min(len(x), len(y)) {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return i
		}
	}
	if len(x) != len(y) {
		return min(len(x), len(y))
	}
	return -1
}

// TestDeterminism runs large parallel reductions, a matrix product and the
// row softmaxes twice on the same inputs and requires bit-identical results:
// parallel chunks depend only on sizes and GOMAXPROCS, never on scheduling.
func TestDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	x := RandN(NewRNG(71), Float32, 0, 1, 1<<22)
	rows := x.Reshape(1024, 4096)
	a := RandN(NewRNG(72), Float32, 0, 1, 192, 256)
	b := RandN(NewRNG(73), Float32, 0, 1, 256, 160)
	cases := []struct {
		name string
		f    func() *Tensor
	}{
		{"Sum all 4M", func() *Tensor { return Sum(x) }},
		{"Sum rows", func() *Tensor { return Sum(rows, 1) }},
		{"Sum columns", func() *Tensor { return Sum(rows, 0) }},
		{"Mean all", func() *Tensor { return Mean(x) }},
		{"LogSumExp rows", func() *Tensor { return LogSumExp(rows, 1) }},
		{"MatMul 192x256x160", func() *Tensor { return MatMul(a, b, false, false) }},
		{"MatMul transposed", func() *Tensor { return MatMul(b, a, true, true) }},
		{"Softmax rows", func() *Tensor { return Softmax(rows, 1) }},
		{"LogSoftmax rows", func() *Tensor { return LogSoftmax(rows, 1) }},
	}
	for _, c := range cases {
		first, second := c.f(), c.f()
		assert.Equal(t, -1, firstBitDiff(first, second), "%s: first element where two runs differ", c.name)
	}
}
