package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Go's assembler knows neither VDPBF16PS nor VCVTNE2PS2BF16, so they are
// emitted as BYTE directives. Both are three-register AVX-512 instructions
// with the EVEX prefix (Intel SDM vol. 2, section 2.7):
//
//	62 | R X B R' 0 0 m m | W v v v v 1 p p | z L' L b V' a a a | opcode | modrm
//
// where R, X, B, R', vvvv and V' are stored inverted; R:R' extend ModRM.reg
// (the destination) to 32 registers, B:X extend ModRM.rm (the second
// source; X is the fifth bit for a register operand), V':vvvv is the first
// source; mm = 2 selects the 0F38 map; pp = 2 means an F3 prefix, 3 an F2
// prefix; L'L = 10 selects 512 bits; z = b = aaa = 0 (no masking, no
// broadcast); ModRM is 11 reg rm.
//
//	VDPBF16PS      zmm1, zmm2, zmm3: EVEX.512.F3.0F38.W0 52 /r
//	VCVTNE2PS2BF16 zmm1, zmm2, zmm3: EVEX.512.F2.0F38.W0 72 /r
//
// encode_test.go assembles every instruction the generator emits with GNU
// as and compares the bytes.

// evexInstr is one emitted instruction: its mnemonic (Intel operand order:
// destination, first source, second source) and register numbers.
type evexInstr struct {
	mnemonic        string
	dst, src1, src2 int
}

// emitted records every byte-encoded instruction, for encode_test.go.
var emitted []evexInstr

var evexOpcodes = map[string]struct{ pp, opcode byte }{
	"vdpbf16ps":      {2, 0x52},
	"vcvtne2ps2bf16": {3, 0x72},
}

// encode returns the six bytes of the instruction.
func (e evexInstr) encode() []byte {
	op, ok := evexOpcodes[e.mnemonic]
	if !ok {
		panic("evex: unknown mnemonic " + e.mnemonic)
	}
	for _, r := range []int{e.dst, e.src1, e.src2} {
		if r < 0 || r > 31 {
			panic(fmt.Sprintf("evex: register %d out of range", r))
		}
	}
	inv := func(r, bit int) byte { // the inverted bit of a register number
		return byte(^r>>bit) & 1
	}
	p1 := inv(e.dst, 3)<<7 | inv(e.src2, 4)<<6 | inv(e.src2, 3)<<5 | inv(e.dst, 4)<<4 | 2
	p2 := byte(^e.src1&15)<<3 | 1<<2 | op.pp // W = 0
	p3 := byte(2)<<5 | inv(e.src1, 4)<<3     // L'L = 10, V'
	modrm := 0xc0 | byte(e.dst&7)<<3 | byte(e.src2&7)
	return []byte{0x62, p1, p2, p3, op.opcode, modrm}
}

// emit writes the instruction as a comment and BYTE directives.
func emit(mnemonic string, dst, src1, src2 reg.VecPhysical) {
	e := evexInstr{mnemonic, zmmNumber(dst), zmmNumber(src1), zmmNumber(src2)}
	emitted = append(emitted, e)
	Comment(fmt.Sprintf("%s Z%d, Z%d, Z%d (Intel order: dst, src1, src2)", mnemonic, e.dst, e.src1, e.src2))
	for _, b := range e.encode() {
		Instruction(&ir.Instruction{Opcode: "BYTE", Operands: []Op{U8(b)}})
	}
}

// zmmNumber returns i for the register Zi.
func zmmNumber(r reg.VecPhysical) int {
	for i := 0; i < 32; i++ {
		if zmm(i) == r {
			return i
		}
	}
	panic(fmt.Sprintf("evex: %v is not a zmm register", r))
}

// VDPBF16PS emits srcdest += dot products of the bfloat16 pairs of a and b
// (per float32 lane i: acc += a.hi*b.hi, then acc += a.lo*b.lo, each
// rounded to nearest even, denormals flushed to zero).
func VDPBF16PS(acc, a, b reg.VecPhysical) { emit("vdpbf16ps", acc, a, b) }

// VCVTNE2PS2BF16 emits dst = the 32 bfloat16 values of lo (words 0..15)
// and hi (words 16..31), rounded to nearest even.
func VCVTNE2PS2BF16(dst, hi, lo reg.VecPhysical) { emit("vcvtne2ps2bf16", dst, hi, lo) }
