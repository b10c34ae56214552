package tensor

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

// binaryFloatValue evaluates the IEEE-style format with 1 sign bit,
// expBits exponent bits (bias 2^(expBits-1) - 1) and mantBits mantissa bits
// in float64: (-1)^s * 2^(e-bias) * (1 + m/2^mantBits) for normals,
// 2^(1-bias-mantBits) * m for subnormals, Inf or NaN at the top exponent.
func binaryFloatValue(h uint16, expBits, mantBits int) float64 {
	bias := 1<<(expBits-1) - 1
	s := h >> (expBits + mantBits)
	e := int(h>>mantBits) & (1<<expBits - 1)
	m := float64(int(h) & (1<<mantBits - 1))
	v := 0.0
	switch e {
	case 1<<expBits - 1:
		if m != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	case 0:
		v = m * math.Pow(2, float64(1-bias-mantBits))
	default:
		v = (1 + m/math.Pow(2, float64(mantBits))) * math.Pow(2, float64(e-bias))
	}
	if s == 1 {
		v = -v
	}
	return v
}

// f16Value is IEEE 754 binary16: 5 exponent bits (bias 15), 10 mantissa bits.
func f16Value(h uint16) float64 { return binaryFloatValue(h, 5, 10) }

// bf16Value is bfloat16: 8 exponent bits (bias 127), 7 mantissa bits.
func bf16Value(h uint16) float64 { return binaryFloatValue(h, 8, 7) }

// TestFromHalfBitsExhaustive widens all 65536 patterns of each format,
// shaped [256, 256], and compares with the format's definition (exact).
func TestFromHalfBitsExhaustive(t *testing.T) {
	all := make([]uint16, 1<<16)
	for i := range all {
		all[i] = uint16(i)
	}
	for _, c := range []struct {
		name string
		from func([]uint16, ...int) *Tensor
		ref  func(uint16) float64
	}{{"FromFloat16Bits", FromFloat16Bits, f16Value}, {"FromBFloat16Bits", FromBFloat16Bits, bf16Value}} {
		want := newND([]int{256, 256})
		for i, h := range all {
			want.data[i] = c.ref(h)
		}
		checkND(t, c.name, c.from(all, 256, 256), Float32, want, tol{})
		assert.Equal(t, []int{3}, c.from(all[:3]).Shape(), "%s with no shape", c.name)
	}
}

// nearestHalf is the reference narrowing: the value nearest to x among the
// sorted non-negative finite values of a format (their bit patterns are
// their order), ties to the even pattern, beyond the largest finite value
// rounding to Inf at the midpoint to the next power of two. The midpoints
// are exact in float64, so the comparison is exact.
func nearestHalf(x float64, finite []float64, inf uint16, nextPow2 float64) uint16 {
	if math.IsNaN(x) {
		panic("nearestHalf of NaN")
	}
	sign := uint16(0)
	if math.Signbit(x) {
		sign, x = 0x8000, -x
	}
	top := finite[len(finite)-1]
	if x >= (top+nextPow2)/2 {
		return sign | inf
	}
	i := sort.SearchFloat64s(finite, x) // first value >= x
	if i == len(finite) {               // between the largest finite value and the Inf midpoint
		return sign | uint16(i-1)
	}
	if finite[i] == x {
		return sign | uint16(i)
	}
	lo, hi := finite[i-1], finite[i]
	switch mid := (lo + hi) / 2; {
	case x < mid:
		return sign | uint16(i-1)
	case x > mid:
		return sign | uint16(i)
	case (i-1)%2 == 0:
		return sign | uint16(i-1)
	}
	return sign | uint16(i)
}

// TestHalfBitsRounding checks Float16Bits and BFloat16Bits against the
// nearest-value reference on every exact pattern, on their midpoints and
// just beside them, and on random values of both dtypes. Float64 inputs just
// above a float16 midpoint are the double-rounding trap (float64 → float32
// lands on the midpoint, then ties to even goes the wrong way).
func TestHalfBitsRounding(t *testing.T) {
	for _, c := range []struct {
		name     string
		bits     func(*Tensor) []uint16
		value    func(uint16) float64
		maxBits  uint16 // the largest finite pattern
		inf      uint16
		nextPow2 float64 // the power of two after the largest finite value
	}{
		{"Float16Bits", (*Tensor).Float16Bits, f16Value, 0x7bff, 0x7c00, 65536},
		{"BFloat16Bits", (*Tensor).BFloat16Bits, bf16Value, 0x7f7f, 0x7f80, math.Pow(2, 128)},
	} {
		finite := make([]float64, int(c.maxBits)+1)
		for i := range finite {
			finite[i] = c.value(uint16(i))
		}
		var xs []float64
		for i := range finite {
			xs = append(xs, finite[i], -finite[i])
			if i+1 < len(finite) {
				mid := (finite[i] + finite[i+1]) / 2
				xs = append(xs, mid, -mid, math.Nextafter(mid, 0), math.Nextafter(mid, math.Inf(1)))
			}
		}
		top := finite[len(finite)-1]
		overflow := (top + c.nextPow2) / 2
		xs = append(xs, overflow, math.Nextafter(overflow, 0), -overflow, 1e300, math.Inf(-1), math.Inf(1))
		r := rand.New(rand.NewPCG(9, 9))
		for i := 0; i < 200000; i++ {
			xs = append(xs, math.Ldexp(r.Float64()+0.5, r.IntN(60)-40)*float64(1-2*r.IntN(2)))
		}
		for _, dt := range dtypes {
			in := make([]float64, len(xs))
			for i, x := range xs {
				in[i] = roundTo(dt, x)
			}
			x := FromValues(dt, in)
			got := c.bits(x)
			bad := 0
			for i, v := range in {
				if want := nearestHalf(v, finite, c.inf, c.nextPow2); got[i] != want {
					if bad < 5 {
						assert.Equal(t, want, got[i], "%s %s(%.17g)", c.name, dt, v)
					}
					bad++
				}
			}
			assert.Zero(t, bad, "%s %s: elements wrong (of %d)", c.name, dt, len(in))
		}
		// NaN stays NaN; the result of a transposed view is in row-major order.
		for _, dt := range dtypes {
			got := c.bits(FromValues(dt, []float64{math.NaN()}))
			assert.True(t, math.IsNaN(c.value(got[0])), "%s %s(NaN) = %#04x, not a NaN", c.name, dt, got[0])
			v := FromValues(dt, []float64{1, 2, 3, 4}, 2, 2).Transpose(0, 1)
			got = c.bits(v)
			for i, w := range []float64{1, 3, 2, 4} {
				assert.Equal(t, w, c.value(got[i]), "%s of a transposed view: element %d", c.name, i)
			}
		}
	}
}

// TestHalfBitsDoubleRoundingTrap spells out the case the single rounding
// exists for: 1 + 2^-11 + 2^-40 is above the midpoint between float16 1 and
// 1 + 2^-10 (so it rounds up to 0x3c01), but float32 rounds it onto the
// midpoint, from which ties-to-even would go down to 0x3c00. Likewise for
// bfloat16 at 1 + 2^-8 + 2^-40 (0x3f81, not 0x3f80).
func TestHalfBitsDoubleRoundingTrap(t *testing.T) {
	x := FromValues(Float64, []float64{1 + math.Pow(2, -11) + math.Pow(2, -40)})
	assert.Equal(t, []uint16{0x3c01}, x.Float16Bits(), "Float16Bits(1+2^-11+2^-40)")
	y := FromValues(Float64, []float64{1 + math.Pow(2, -8) + math.Pow(2, -40)})
	assert.Equal(t, []uint16{0x3f81}, y.BFloat16Bits(), "BFloat16Bits(1+2^-8+2^-40)")
}
