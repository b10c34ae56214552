//go:build !purego

package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/cpu"
)

func requireBF16(t *testing.T) {
	t.Helper()
	if !cpu.X86.HasAVX512BF16 {
		t.Skip("this CPU has no AVX512_BF16: the instruction cannot be compared with its Go model here")
	}
}

// TestDotBF16MatchesInstruction runs VDPBF16PS on edge and random lanes and
// compares every result with dotPairBF16 bit for bit, NaN payloads
// included, and checks the measured cases of dotCases.
func TestDotBF16MatchesInstruction(t *testing.T) {
	requireBF16(t)
	for _, tc := range dotCases {
		acc := [16]float32{tc.acc}
		a, b := [16]uint32{tc.a}, [16]uint32{tc.b}
		dpbf16psAVX512(&acc[0], &a[0], &b[0], 1)
		assert.Equalf(t, tc.want, math.Float32bits(acc[0]), "%s: instruction gives %#08x", tc.name, math.Float32bits(acc[0]))
	}
	rng := rand.New(rand.NewPCG(21, 22))
	const lanes = 16 * 1024
	acc, want := make([]float32, lanes), make([]float32, lanes)
	a, b := make([]uint32, lanes), make([]uint32, lanes)
	for round := 0; round < 40; round++ {
		for i := range acc {
			acc[i] = randomAcc(rng)
			a[i] = uint32(randomBF16(rng)) | uint32(randomBF16(rng))<<16
			b[i] = uint32(randomBF16(rng)) | uint32(randomBF16(rng))<<16
			if round%2 == 1 { // near the smallest normal
				acc[i] = math.Float32frombits(uint32(rng.IntN(2))<<31 | 0x00800000 + uint32(rng.IntN(4)))
				a[i] = uint32(rng.IntN(2))<<31 | uint32(127-75+rng.IntN(4))<<23 | uint32(rng.IntN(128))<<16 | uint32(rng.IntN(1<<16))
				b[i] = uint32(127-77+rng.IntN(4))<<23 | uint32(rng.IntN(128))<<16 | uint32(rng.IntN(1<<16))
			}
			want[i] = dotPairBF16(acc[i], a[i], b[i])
		}
		dpbf16psAVX512(&acc[0], &a[0], &b[0], lanes/16)
		for i := range acc {
			if !sameBits(acc[i], want[i]) {
				require.Failf(t, "instruction and model differ", "lane %d: a %#08x b %#08x: instruction %#08x, Go model %#08x",
					i, a[i], b[i], math.Float32bits(acc[i]), math.Float32bits(want[i]))
			}
		}
	}
}

// TestRoundBF16MatchesInstruction converts edge and random float32 values
// with VCVTNE2PS2BF16 and compares with roundBF16 bit for bit.
func TestRoundBF16MatchesInstruction(t *testing.T) {
	requireBF16(t)
	const n = 1 << 16
	src := make([]float32, n)
	dst := make([]uint32, n/2)
	for i, tc := range roundCases {
		src[i] = math.Float32frombits(tc.f)
	}
	rng := rand.New(rand.NewPCG(23, 24))
	for round := 0; round < 16; round++ {
		for i := len(roundCases); i < n; i++ {
			src[i] = math.Float32frombits(rng.Uint32() >> uint(rng.IntN(2)*8)) // some with small exponents
		}
		cvtBF16AVX512(&dst[0], &src[0], n/32)
		for i, v := range src {
			got := uint16(dst[i/2] >> (16 * (i % 2)))
			if want := roundBF16(v); got != want {
				require.Failf(t, "conversion differs", "VCVTNE2PS2BF16(%#08x) = %#04x, roundBF16 %#04x", math.Float32bits(v), got, want)
			}
		}
	}
}
