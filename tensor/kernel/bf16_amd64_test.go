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

// TestFMAFTZMatchesDotBF16 checks the premise of the FMA kernel: two
// VFMADD231PS steps under MXCSR's FTZ and DAZ, odd element first, give
// VDPBF16PS's bits (the Go model's, NaN payloads included on the measured
// cases, NaN for NaN on random lanes).
func TestFMAFTZMatchesDotBF16(t *testing.T) {
	if !gemmBF16FMA.available {
		t.Skip("no AVX-512 on this CPU")
	}
	for _, tc := range dotCases {
		acc := [16]float32{tc.acc}
		x, y := [16]float32{widenBF16(uint16(tc.a >> 16))}, [16]float32{widenBF16(uint16(tc.b >> 16))}
		fmaFTZProbeAVX512(&acc[0], &x[0], &y[0], 1)
		x[0], y[0] = widenBF16(uint16(tc.a)), widenBF16(uint16(tc.b))
		fmaFTZProbeAVX512(&acc[0], &x[0], &y[0], 1)
		assert.Equalf(t, tc.want, math.Float32bits(acc[0]), "%s: two FMAs give %#08x", tc.name, math.Float32bits(acc[0]))
	}
	rng := rand.New(rand.NewPCG(25, 26))
	const lanes = 16 * 1024
	acc, x, y, want := make([]float32, lanes), make([]float32, lanes), make([]float32, lanes), make([]float32, lanes)
	for round := 0; round < 20; round++ {
		for i := range acc {
			acc[i] = randomAcc(rng)
			xh, yh := randomBF16(rng), randomBF16(rng)
			if round%2 == 1 { // near the smallest normal
				acc[i] = math.Float32frombits(uint32(rng.IntN(2))<<31 | 0x00800000 + uint32(rng.IntN(4)))
				xh = uint16(rng.IntN(2))<<15 | uint16(127-75+rng.IntN(4))<<7 | uint16(rng.IntN(128))
				yh = uint16(127-77+rng.IntN(4))<<7 | uint16(rng.IntN(128))
			}
			x[i], y[i] = math.Float32frombits(uint32(xh)<<16), math.Float32frombits(uint32(yh)<<16) // DAZ reads subnormals as 0
			want[i] = dotStepBF16(acc[i], widenBF16(xh), widenBF16(yh))
		}
		fmaFTZProbeAVX512(&acc[0], &x[0], &y[0], lanes/16)
		for i := range acc {
			if !sameBits(acc[i], want[i]) && !(acc[i] != acc[i] && want[i] != want[i]) {
				require.Failf(t, "FMA under FTZ/DAZ and the model differ", "lane %d: x %#08x y %#08x: FMA %#08x, model %#08x",
					i, math.Float32bits(x[i]), math.Float32bits(y[i]), math.Float32bits(acc[i]), math.Float32bits(want[i]))
			}
		}
	}
}

// TestWidePackers compares the AVX-512 wide packer with packWidePanelGo on
// copy and transposed panels of several depths, odd ones included, of
// float32 and of stored bfloat16 values.
func TestWidePackers(t *testing.T) {
	if !gemmBF16FMA.available || !cpu.X86.HasAVX512BF16 {
		t.Skip("no AVX512_BF16: the wide panels of float32 values are packed in Go")
	}
	rng := rand.New(rand.NewPCG(27, 28))
	for _, w := range []int{12, 32} {
		for _, kc := range []int{1, 2, 15, 16, 17, 33, 64, 511, 512} {
			for _, transposed := range []bool{false, true} {
				ld := w + 5
				op := bf16Operand{sx: 1, sp: ld}
				rows, cols := kc, w
				if transposed {
					ld = kc + 3
					op = bf16Operand{sx: ld, sp: 1}
					rows, cols = w, kc
				}
				op.f32 = randomSlice[float32](rng, (rows-1)*ld+cols)
				stored := op
				stored.f32, stored.b16 = nil, make([]uint16, len(op.f32))
				for i, v := range op.f32 {
					stored.b16[i] = roundBF16(v)
				}
				for _, src := range []bf16Operand{op, stored} {
					want, got := make([]uint32, 2*pairs(kc)*w), make([]uint32, 2*pairs(kc)*w)
					packWidePanelGo(want, src, w, kc, w)
					tmp := make([]uint32, 2*pairs(kc)*w)
					if !packWideAVX512(got, src, kc, w, tmp) {
						require.Truef(t, kc == 1 && !transposed, "w=%d kc=%d transposed=%v: not packed", w, kc, transposed)
						continue
					}
					require.Equalf(t, want, got, "w=%d kc=%d transposed=%v stored=%v", w, kc, transposed, src.b16 != nil)
				}
			}
		}
	}
}

// TestPairPackers compares the AVX512_BF16 pair packer with
// packPairPanelGo on copy and transposed panels of several depths, odd ones
// included, of float32 and of stored bfloat16 values.
func TestPairPackers(t *testing.T) {
	requireBF16(t)
	rng := rand.New(rand.NewPCG(29, 30))
	for _, w := range []int{12, 32} {
		for _, kc := range []int{1, 2, 15, 16, 17, 33, 64, 511, 512} {
			for _, transposed := range []bool{false, true} {
				ld := w + 5
				op := bf16Operand{sx: 1, sp: ld}
				rows, cols := kc, w
				if transposed {
					ld = kc + 3
					op = bf16Operand{sx: ld, sp: 1}
					rows, cols = w, kc
				}
				op.f32 = randomSlice[float32](rng, (rows-1)*ld+cols)
				stored := op
				stored.f32, stored.b16 = nil, make([]uint16, len(op.f32))
				RoundBF16(stored.b16, op.f32)
				misaligned := stored // rows start 2 bytes past a 4-byte boundary
				misaligned.b16 = append([]uint16{0}, stored.b16...)[1:]
				for _, src := range []bf16Operand{op, stored, misaligned} {
					want, got := make([]uint32, pairs(kc)*w), make([]uint32, pairs(kc)*w)
					packPairPanelGo(want, src, w, kc, w)
					if !packPairsAVX512(got, src, kc, w, make([]uint32, pairs(kc)*w)) {
						continue // layouts left to Go
					}
					require.Equalf(t, want, got, "w=%d kc=%d transposed=%v stored=%v", w, kc, transposed, src.b16 != nil)
				}
			}
		}
	}
}
