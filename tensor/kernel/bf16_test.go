package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/half"
)

// refDotStep is an independent statement of one VDPBF16PS step,
// acc + x*y, in exact big.Float arithmetic: the rules of Intel's SDM
// pseudo-code (DAZ inputs, RNE, FTZ output) with the tininess and NaN
// choices the instruction was measured to make on a Zen 5:
//   - a result is flushed when, rounded to 24 bits with an unbounded
//     exponent, it is below 2^-126 in magnitude (tininess after rounding);
//   - a NaN x, else a NaN y, else a NaN acc is returned quiet; ∞·0 and
//     ∞-∞ without a NaN input give the default NaN 0xffc00000.
func refDotStep(acc, x, y float32) float32 {
	quiet := func(v float32) float32 { return math.Float32frombits(math.Float32bits(v) | 0x00400000) }
	daz := func(v float32) float32 {
		if b := math.Float32bits(v); b&0x7f800000 == 0 {
			return math.Float32frombits(b & 0x80000000)
		}
		return v
	}
	switch {
	case x != x:
		return quiet(x)
	case y != y:
		return quiet(y)
	case acc != acc:
		return quiet(acc)
	}
	acc, x, y = daz(acc), daz(x), daz(y)
	inf := func(v float32) bool { return math.IsInf(float64(v), 0) }
	defaultNaN := math.Float32frombits(0xffc00000)
	if inf(x) && y == 0 || x == 0 && inf(y) {
		return defaultNaN
	}
	if inf(x) || inf(y) {
		sign := math.Signbit(float64(x)) != math.Signbit(float64(y))
		if inf(acc) && math.Signbit(float64(acc)) != sign {
			return defaultNaN
		}
		return float32(math.Copysign(math.Inf(1), map[bool]float64{true: -1, false: 1}[sign]))
	}
	if inf(acc) {
		return acc
	}
	const prec = 2048
	v := new(big.Float).SetPrec(prec).SetFloat64(float64(x))
	v.Mul(v, new(big.Float).SetPrec(prec).SetFloat64(float64(y)))
	productNegZero := v.Sign() == 0 && math.Signbit(float64(x)) != math.Signbit(float64(y))
	v.Add(v, new(big.Float).SetPrec(prec).SetFloat64(float64(acc)))
	if v.Sign() == 0 { // exact zero: -0 only for (-0) + (-0)
		if productNegZero && math.Signbit(float64(acc)) {
			return float32(math.Copysign(0, -1))
		}
		return 0
	}
	r := new(big.Float).SetMode(big.ToNearestEven).SetPrec(24).Set(v)
	if r.MantExp(nil) <= -126 { // |r| < 2^-126
		if r.Sign() < 0 {
			return float32(math.Copysign(0, -1))
		}
		return 0
	}
	f, _ := r.Float32()
	return f
}

// bf16Edge are bfloat16 patterns for the edge cases: signed zeros,
// subnormals, the smallest and largest normals, ones, infinities, quiet and
// signalling NaNs with payloads.
var bf16Edge = []uint16{
	0x0000, 0x8000, 0x0001, 0x8040, 0x007f, 0x0080, 0x8080, 0x3f80, 0xbf80, 0x3f81,
	0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc1, 0xffc2, 0x7f83, 0xff81, 0x1f80, 0x2000, 0x5f80,
}

// randomBF16 returns a bfloat16 pattern: an edge case, a value with an
// exponent near the underflow or overflow of products, or random bits.
func randomBF16(rng *rand.Rand) uint16 {
	switch rng.IntN(4) {
	case 0:
		return bf16Edge[rng.IntN(len(bf16Edge))]
	case 1: // |value| in [2^-80, 2^-40): products near 2^-126
		return uint16(rng.IntN(2))<<15 | uint16(127-80+rng.IntN(40))<<7 | uint16(rng.IntN(128))
	case 2: // |value| in [2^40, 2^80): products near overflow
		return uint16(rng.IntN(2))<<15 | uint16(127+40+rng.IntN(40))<<7 | uint16(rng.IntN(128))
	}
	return uint16(rng.Uint32())
}

// randomAcc returns a float32 accumulator: an edge case, a value near the
// smallest normal or the largest finite, or random bits.
func randomAcc(rng *rand.Rand) float32 {
	switch rng.IntN(4) {
	case 0:
		return math.Float32frombits([]uint32{0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x80800000, 0x3f800000,
			0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00005, 0x7f800005, 0xffc12345}[rng.IntN(14)])
	case 1: // within a few ulps of ±2^-126 and up to 2^-120
		return math.Float32frombits(uint32(rng.IntN(2))<<31 | 0x00800000 + uint32(rng.IntN(1<<26)) - 8)
	case 2:
		return math.Float32frombits(uint32(rng.IntN(2))<<31 | 0x7f000000 + uint32(rng.IntN(1<<23)))
	}
	return math.Float32frombits(rng.Uint32())
}

func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// TestDotStepBF16 checks the fast Go step against the big.Float
// statement on edge and random data, bit for bit, NaN payloads included.
func TestDotStepBF16(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	check := func(acc float32, x, y uint16) {
		t.Helper()
		xf, yf := math.Float32frombits(uint32(x)<<16), math.Float32frombits(uint32(y)<<16)
		got, want := dotStepBF16(acc, widenBF16(x), widenBF16(y)), refDotStep(acc, xf, yf)
		if !sameBits(got, want) {
			require.Failf(t, "step differs", "acc %#08x x %#04x y %#04x: dotStepBF16 %#08x, exact reference %#08x",
				math.Float32bits(acc), x, y, math.Float32bits(got), math.Float32bits(want))
		}
	}
	for _, x := range bf16Edge {
		for _, y := range bf16Edge {
			for i := 0; i < 20; i++ {
				check(randomAcc(rng), x, y)
			}
		}
	}
	for i := 0; i < 100000; i++ {
		check(randomAcc(rng), randomBF16(rng), randomBF16(rng))
	}
	// Results around the smallest normal: acc = ±2^-126 + small, tiny products.
	for i := 0; i < 30000; i++ {
		acc := math.Float32frombits(uint32(rng.IntN(2))<<31 | 0x00800000 + uint32(rng.IntN(4)))
		check(acc, uint16(rng.IntN(2))<<15|uint16(127-75+rng.IntN(4))<<7|uint16(rng.IntN(128)), uint16(127-77+rng.IntN(4))<<7|uint16(rng.IntN(128)))
	}
}

// TestDotStepBF16Cases pins the measured behaviour of VDPBF16PS on a Zen 5
// (the same cases run against the instruction in
// TestDotBF16MatchesInstruction).
func TestDotStepBF16Cases(t *testing.T) {
	for _, tc := range dotCases {
		got := dotPairBF16(tc.acc, tc.a, tc.b)
		assert.Equalf(t, tc.want, math.Float32bits(got), "%s: %#08x", tc.name, math.Float32bits(got))
	}
}

// dotCases are single VDPBF16PS lanes with the result measured on a Zen 5
// (EPYC, AVX512_BF16) through dpbf16psAVX512.
var dotCases = []struct {
	name string
	acc  float32
	a, b uint32 // pairs: low half element 2p, high half 2p+1
	want uint32
}{
	{"odd pair first: (-2^30 + 2^30) + 1", -0x1p30, 0x4e803f80, 0x3f803f80, 0x3f800000},
	{"even pair second: (-2^30 + 1) + 2^30 rounds to 0", -0x1p30, 0x3f804e80, 0x3f803f80, 0x00000000},
	{"subnormal acc read as zero", math.Float32frombits(0x00000100), 0, 0, 0x00000000},
	{"-0 + -0 + -0", math.Float32frombits(0x80000000), 0x80008000, 0, 0x80000000},
	{"subnormal bfloat16 read as zero", 0, 0x0040, 0x7180, 0x00000000},
	{"product 2^-140 flushed", 0, 0x1c80, 0x1c80, 0x00000000},
	{"product -2^-140 flushed to -0", 0, 0x9c80, 0x1c80, 0x80000000},
	{"2^-126 - 2^-152 rounds to 2^-126", 0x1p-126, 0x9980, 0x1980, 0x00800000},
	{"2^-126 - 2^-151 ties to 2^-126", 0x1p-126, 0x9a00, 0x1980, 0x00800000},
	{"2^-126 - 2^-151 - 2^-158 is tiny after rounding", 0x1p-126, 0x9a01, 0x1980, 0x00000000},
	{"2^-126 - 2^-150 flushed", 0x1p-126, 0x9a80, 0x1980, 0x00000000},
	{"fused: -1.5*2^127 + 2^128 = 2^126", -1.5 * 0x1p127, 0x5f80, 0x5f80, 0x7e800000},
	{"NaN acc kept", math.Float32frombits(0x7fc00005), 0x3f803f80, 0x3f803f80, 0x7fc00005},
	{"signalling NaN acc quieted", math.Float32frombits(0x7f800005), 0x3f803f80, 0x3f803f80, 0x7fc00005},
	{"NaN a.hi", 1, 0x7fc13f80, 0x3f803f80, 0x7fc10000},
	{"NaN b.hi", 1, 0x3f803f80, 0xffc23f80, 0xffc20000},
	{"NaN a.hi before NaN b.hi", 1, 0x7fc13f80, 0xffc23f80, 0x7fc10000},
	{"signalling NaN a.hi quieted", 1, 0x7f833f80, 0x3f803f80, 0x7fc30000},
	{"NaN a.hi before NaN acc", math.Float32frombits(0x7fc00005), 0x7fc13f80, 0x3f803f80, 0x7fc10000},
	{"NaN a.lo replaces NaN a.hi", 1, 0x7fc1ffc2, 0x3f803f80, 0xffc20000},
	{"inf*0 is the default NaN", 1, 0x7f803f80, 0x00003f80, 0xffc00000},
	{"inf - inf is the default NaN", float32(math.Inf(-1)), 0x7f803f80, 0x3f803f80, 0xffc00000},
	{"NaN acc before inf*0", math.Float32frombits(0x7fc00005), 0x7f803f80, 0x00003f80, 0x7fc00005},
}

// TestRoundBF16 checks the conversion against Intel's pseudo-code cases
// and, away from subnormals, against internal/half's F32ToBF16 (an
// independent round-to-nearest-even conversion).
func TestRoundBF16(t *testing.T) {
	for _, tc := range roundCases {
		assert.Equalf(t, tc.want, roundBF16(math.Float32frombits(tc.f)), "roundBF16(%#08x)", tc.f)
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for i := 0; i < 1000000; i++ {
		b := rng.Uint32()
		if b&0x7f800000 == 0 || b&0x7fffffff > 0x7f800000 {
			continue
		}
		f := math.Float32frombits(b)
		if got, want := roundBF16(f), half.F32ToBF16(f); got != want {
			require.Failf(t, "conversion differs", "roundBF16(%#08x) = %#04x, half.F32ToBF16 %#04x", b, got, want)
		}
	}
}

// roundCases are conversions measured on a Zen 5 through cvtBF16AVX512.
var roundCases = []struct {
	f    uint32
	want uint16
}{
	{0x007fffff, 0x0000}, {0x807fffff, 0x8000}, {0x00000001, 0x0000}, {0x80400000, 0x8000}, // subnormals
	{0x7f800001, 0x7fc0}, {0xff812345, 0xffc1}, // NaNs quieted, payload truncated
	{0x7f7fffff, 0x7f80}, {0x7f7f8000, 0x7f80}, // round up to infinity
	{0x3f808000, 0x3f80}, {0x3f818000, 0x3f82}, {0x3f808001, 0x3f81}, // ties to even
	{0x7f800000, 0x7f80}, {0xff800000, 0xff80}, {0x00800000, 0x0080},
}

// TestFMA32 checks the epilogue's fused multiply-add against big.Float on
// random and subnormal data.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for i := 0; i < 200000; i++ {
		x, y, z := randomAcc(rng), randomAcc(rng), randomAcc(rng)
		if i%2 == 0 { // products and sums in the subnormal range
			x, y = float32(rng.Float64())*0x1p-70, float32(rng.Float64()-0.5)*0x1p-60
		}
		want := refFMA32(x, y, z)
		got := fma32(x, y, z)
		if want != want {
			require.Truef(t, got != got, "fma32(%g, %g, %g) = %g, want NaN", x, y, z, got)
			continue
		}
		if !sameBits(got, want) {
			require.Failf(t, "fma32 differs", "fma32(%g, %g, %g) = %#08x, want %#08x", x, y, z, math.Float32bits(got), math.Float32bits(want))
		}
	}
}

// refFMA32 is x*y + z rounded once to float32 in big.Float arithmetic.
func refFMA32(x, y, z float32) float32 {
	if math.IsInf(float64(x), 0) || math.IsInf(float64(y), 0) || math.IsInf(float64(z), 0) || x != x || y != y || z != z {
		return float32(float64(x)*float64(y) + float64(z))
	}
	const prec = 1024
	v := new(big.Float).SetPrec(prec).SetFloat64(float64(x))
	v.Mul(v, new(big.Float).SetPrec(prec).SetFloat64(float64(y)))
	v.Add(v, new(big.Float).SetPrec(prec).SetFloat64(float64(z)))
	if v.Sign() == 0 {
		return float32(float64(x)*float64(y) + float64(z)) // the sign of an exact zero
	}
	// Round to the float32 grid, subnormals included: to 24 bits, or to a
	// multiple of 2^-149 below 2^-126.
	e := v.MantExp(nil)
	p := uint(24)
	if e < -125 {
		if e+149 <= 0 {
			p = 1 // below the smallest subnormal; Float32 rounds
		} else {
			p = uint(e + 149)
		}
	}
	f, _ := new(big.Float).SetMode(big.ToNearestEven).SetPrec(p).Set(v).Float32()
	if e+149 <= 0 {
		f, _ = v.Float32()
	}
	return f
}
