package half

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The references below are independent of the code under test: they compute
// format values from the IEEE definitions in float64 with math.Ldexp, and
// round by comparing against exact float64 midpoints between neighbouring
// representable values.

// ieeeValue is the IEEE 754 definition of a 1|expBits|mantBits pattern,
// evaluated in float64: (-1)^s * 2^(e-bias) * (1 + m/2^mantBits) for normals,
// (-1)^s * 2^(1-bias) * m/2^mantBits for subnormals, Inf/NaN at the top exponent.
func ieeeValue(h uint16, expBits, mantBits int) float64 {
	emax := 1<<expBits - 1
	bias := emax >> 1
	s := h >> 15
	e := int(h>>mantBits) & emax
	m := float64(int(h) & (1<<mantBits - 1))
	scale := float64(int(1) << mantBits)
	var v float64
	switch {
	case e == emax && m == 0:
		v = math.Inf(1)
	case e == emax:
		v = math.NaN()
	case e == 0:
		v = math.Ldexp(m/scale, 1-bias)
	default:
		v = math.Ldexp(1+m/scale, e-bias)
	}
	if s == 1 {
		return -v
	}
	return v
}

func f16Value(h uint16) float64  { return ieeeValue(h, 5, 10) }
func bf16Value(h uint16) float64 { return ieeeValue(h, 8, 7) }

// rneTable holds the non-negative finite values of a format in increasing
// order (they increase with the bit pattern), followed by the value the next
// exponent would give (2^(emax+1)) standing for +Inf, as IEEE overflow rules
// round against it.
type rneTable struct {
	vals  []float64
	codes []uint16
}

func newRNETable(value func(uint16) float64, inf uint16, beyondMax float64) rneTable {
	var t rneTable
	for h := uint16(0); h < inf; h++ {
		t.vals = append(t.vals, value(h))
		t.codes = append(t.codes, h)
	}
	t.vals = append(t.vals, beyondMax)
	t.codes = append(t.codes, inf)
	return t
}

// round returns the code of the table value nearest to x (finite), ties to
// the even code; magnitudes at or past beyondMax are Inf.
func (t rneTable) round(x float64) uint16 {
	var sign uint16
	if math.Signbit(x) {
		sign, x = 0x8000, -x
	}
	n := len(t.vals)
	if x >= t.vals[n-1] {
		return sign | t.codes[n-1]
	}
	i := sort.SearchFloat64s(t.vals, x) // first index with vals[i] >= x
	if t.vals[i] == x {
		return sign | t.codes[i]
	}
	lo, hi := i-1, i
	mid := (t.vals[lo] + t.vals[hi]) / 2 // exact: both have few mantissa bits
	switch {
	case x < mid:
		return sign | t.codes[lo]
	case x > mid:
		return sign | t.codes[hi]
	case t.codes[lo]&1 == 0:
		return sign | t.codes[lo]
	default:
		return sign | t.codes[hi]
	}
}

var (
	f16Table  = newRNETable(f16Value, 0x7c00, 65536)
	bf16Table = newRNETable(bf16Value, 0x7f80, math.Ldexp(1, 128))
)

// format is one 16-bit format with its conversions under test and its
// float64 reference.
type format struct {
	name     string
	toF32    func(uint16) float32
	fromF32  func(float32) uint16
	value    func(uint16) float64 // reference decoding
	table    rneTable             // reference rounding
	expMask  uint16               // exponent field
	quietBit uint16               // top mantissa bit
}

var formats = []format{
	{"float16", F16ToF32, F32ToF16, f16Value, f16Table, 0x7c00, 0x0200},
	{"bfloat16", BF16ToF32, F32ToBF16, bf16Value, bf16Table, 0x7f80, 0x0040},
}

func (f format) isNaN(h uint16) bool {
	mantMask := (f.expMask & -f.expMask) - 1 // the bits below the exponent field
	return h&f.expMask == f.expMask && h&mantMask != 0
}

// TestToF32Exhaustive checks all 65536 patterns of each format against the
// IEEE definition (exact, tolerance 0) and that narrowing maps each back to
// itself (NaNs: stay NaN with the same sign and payload, quiet bit set).
func TestToF32Exhaustive(t *testing.T) {
	for _, f := range formats {
		for i := 0; i < 1<<16; i++ {
			h := uint16(i)
			got := f.toF32(h)
			want := f.value(h)
			if f.isNaN(h) {
				require.True(t, math.IsNaN(float64(got)), "%s: widen(%#04x) = %v, want NaN", f.name, h, got)
				require.Equal(t, h&0x8000 != 0, math.Signbit(float64(got)), "%s: sign of widen(%#04x)", f.name, h)
				require.Equalf(t, h|f.quietBit, f.fromF32(got), "%s: narrow(widen(%#04x)), want the quiet NaN", f.name, h)
				continue
			}
			// Compare bits so that -0 must widen to -0.
			require.Equalf(t, math.Float64bits(want), math.Float64bits(float64(got)), "%s: widen(%#04x) = %v, want %v", f.name, h, got, want)
			require.Equalf(t, h, f.fromF32(got), "%s: narrow(widen(%#04x))", f.name, h)
		}
	}
}

// boundaryFloats returns, for every pair of neighbouring values of table
// (including the overflow threshold), the float32s at, just below and just
// above the midpoint, and each value's own float32 neighbours: the inputs
// where round-to-nearest-even is decided.
func boundaryFloats(table rneTable) []float32 {
	var out []float32
	add := func(v float64) {
		f := float32(v)
		if float64(f) != v && v < math.MaxFloat32 {
			// midpoint not representable in float32: its two neighbours
			f = float32(math.Nextafter(v, 0))
		}
		for _, g := range []float32{f, math.Nextafter32(f, 0), math.Nextafter32(f, float32(math.Inf(1)))} {
			out = append(out, g, -g)
		}
	}
	for i := 0; i+1 < len(table.vals); i++ {
		add(table.vals[i])
		add((table.vals[i] + table.vals[i+1]) / 2)
	}
	return out
}

// randomFloats returns n finite float32s with uniformly random bit patterns
// (all exponents equally likely) plus n uniform in [-70000, 70000].
func randomFloats(n int) []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	var out []float32
	for len(out) < n {
		f := math.Float32frombits(r.Uint32())
		if !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) {
			out = append(out, f)
		}
	}
	for i := 0; i < n; i++ {
		out = append(out, float32((r.Float64()*2-1)*70000))
	}
	return out
}

// TestFromF32RoundNearestEven compares narrowing with the float64 reference
// rounding (exact match required) on boundary and random float32s.
func TestFromF32RoundNearestEven(t *testing.T) {
	special := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, 65504, 65519.996, 65520, 5.960464477539063e-08, 2.9802322387695312e-08}
	random := randomFloats(1 << 20)
	for _, f := range formats {
		inputs := append(append(boundaryFloats(f.table), random...), special...)
		for _, x := range inputs {
			if got, want := f.fromF32(x), f.table.round(float64(x)); got != want {
				// testify only on a mismatch: this loop runs 2^21 times.
				require.Equalf(t, want, got, "%s: narrow(%v = %#08x)", f.name, x, math.Float32bits(x))
			}
		}
	}
}

// TestSpecialValues pins well-known encodings (IEEE 754-2008 table values).
func TestSpecialValues(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct {
		f        float32
		f16, b16 uint16
	}{
		{1, 0x3c00, 0x3f80},
		{-2, 0xc000, 0xc000},
		{65504, 0x7bff, 0x4780},
		{inf, 0x7c00, 0x7f80},
		{-inf, 0xfc00, 0xff80},
		{1e6, 0x7c00, 0x4974},
		{5.960464477539063e-08, 0x0001, 0x3380}, // 2^-24, smallest f16 subnormal
		{6.103515625e-05, 0x0400, 0x3880},       // 2^-14, smallest f16 normal
		{0.1, 0x2e66, 0x3dcd},
		{float32(math.Copysign(0, -1)), 0x8000, 0x8000},
	}
	for _, c := range cases {
		assert.Equalf(t, c.f16, F32ToF16(c.f), "F32ToF16(%v)", c.f)
		assert.Equalf(t, c.b16, F32ToBF16(c.f), "F32ToBF16(%v)", c.f)
	}
	nan := math.Float32frombits(0x7f800001) // signalling NaN with only the lowest payload bit
	h := F32ToF16(nan)
	assert.True(t, formats[0].isNaN(h), "F32ToF16(sNaN) = %#04x, not a NaN", h)
	h = F32ToBF16(nan)
	assert.True(t, formats[1].isNaN(h), "F32ToBF16(sNaN) = %#04x, not a NaN", h)
}

// TestSlices checks the slice forms element-wise against the scalar forms and
// that a length mismatch panics.
func TestSlices(t *testing.T) {
	src := []float32{0, 1, -2.5, 1e-7, 70000, float32(math.NaN())}
	h := make([]uint16, len(src))
	b := make([]uint16, len(src))
	F32sToF16s(h, src)
	F32sToBF16s(b, src)
	back := make([]float32, len(src))
	F16sToF32s(back, h)
	for i := range src {
		require.Equalf(t, F32ToF16(src[i]), h[i], "element %d: F32sToF16s vs F32ToF16", i)
		require.Equalf(t, F32ToBF16(src[i]), b[i], "element %d: F32sToBF16s vs F32ToBF16", i)
		require.Equalf(t, math.Float32bits(F16ToF32(h[i])), math.Float32bits(back[i]), "element %d: F16sToF32s vs F16ToF32", i)
	}
	BF16sToF32s(back, b)
	for i := range src {
		require.Equalf(t, math.Float32bits(BF16ToF32(b[i])), math.Float32bits(back[i]), "element %d: BF16sToF32s vs BF16ToF32", i)
	}
	for name, f := range map[string]func(){
		"F16sToF32s":  func() { F16sToF32s(make([]float32, 2), make([]uint16, 3)) },
		"F32sToF16s":  func() { F32sToF16s(make([]uint16, 2), make([]float32, 3)) },
		"BF16sToF32s": func() { BF16sToF32s(make([]float32, 2), make([]uint16, 3)) },
		"F32sToBF16s": func() { F32sToBF16s(make([]uint16, 2), make([]float32, 3)) },
	} {
		assert.Panics(t, f, "%s with mismatched lengths", name)
	}
}

func BenchmarkF16sToF32s(b *testing.B) {
	src := make([]uint16, 1<<16)
	for i := range src {
		src[i] = uint16(i)
	}
	dst := make([]float32, len(src))
	b.SetBytes(int64(2 * len(src)))
	for b.Loop() {
		F16sToF32s(dst, src)
	}
}

func BenchmarkF32sToF16s(b *testing.B) {
	src := randomFloats(1 << 15)
	dst := make([]uint16, len(src))
	b.SetBytes(int64(4 * len(src)))
	for b.Loop() {
		F32sToF16s(dst, src)
	}
}
