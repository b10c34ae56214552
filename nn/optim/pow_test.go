package optim

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPowIntCorrectlyRounded checks powInt against x^n evaluated exactly
// with math/big (x is a float64, so x^n is a finite binary fraction computed
// here at 4096 bits) and rounded once to float64: the correctly rounded
// value that glibc's pow, and so Python's beta**step in torch's AdamW,
// returns. Tolerance: exact equality.
func TestPowIntCorrectlyRounded(t *testing.T) {
	for _, x := range []float64{0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 0.8, 0.5, 0.3, 0.0, 1.0} {
		for _, n := range []int64{0, 1, 2, 3, 4, 5, 6, 7, 10, 17, 100, 1000, 1234, 10000, 123457} {
			assert.Equal(t, exactPow(x, n), powInt(x, n), "powInt(%v, %d) vs the exact power", x, n)
		}
	}
}

// exactPow returns x^n rounded once to float64 (nearest even) by multiplying
// in big.Float at a precision large enough to keep every bit for these n.
func exactPow(x float64, n int64) float64 {
	const prec = 1 << 22 // x has 53 significant bits, so x^n needs at most 53n
	if n > prec/53 {
		// Too many bits to keep exactly; 4096 bits still leave the rounding
		// to float64 unambiguous by a huge margin.
		r := new(big.Float).SetPrec(4096).SetFloat64(1)
		b := new(big.Float).SetPrec(4096).SetFloat64(x)
		for ; n > 0; n >>= 1 {
			if n&1 == 1 {
				r.Mul(r, b)
			}
			b.Mul(b, b)
		}
		f, _ := r.Float64()
		return f
	}
	r := new(big.Float).SetPrec(prec).SetFloat64(1)
	b := new(big.Float).SetPrec(prec).SetFloat64(x)
	for i := int64(0); i < n; i++ {
		r.Mul(r, b)
	}
	f, _ := r.Float64()
	return f
}

// TestMathPowIsNotEnough documents why powInt exists: math.Pow(0.9, 4) is
// one ulp above the correctly rounded 0.9^4 that torch's AdamW uses.
func TestMathPowIsNotEnough(t *testing.T) {
	if math.Pow(0.9, 4) == exactPow(0.9, 4) {
		t.Skip("math.Pow(0.9, 4) is correctly rounded on this platform")
	}
	require.Equal(t, exactPow(0.9, 4), powInt(0.9, 4), "powInt(0.9, 4) is not correctly rounded")
}
