package kernel

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSgemmSmallMDoesNotAllocate checks that a small product on the
// unpacked small-m path allocates nothing, with B stored either way.
func TestSgemmSmallMDoesNotAllocate(t *testing.T) {
	const m, n, k = 3, 128, 32 // k*n >= smallMMinB: the unpacked path
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for _, transB := range []bool{false, true} {
		ldb := n
		if transB {
			ldb = k
		}
		Sgemm(false, transB, m, n, k, 1, a, k, b, ldb, 0, c, n)
		got := testing.AllocsPerRun(50, func() { Sgemm(false, transB, m, n, k, 1, a, k, b, ldb, 0, c, n) })
		assert.Zero(t, got, "transB=%v: allocations per %d×%d×%d product", transB, m, n, k)
	}
}
