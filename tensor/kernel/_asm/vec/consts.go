package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
)

// A vector constant: 16 copies (64 bytes) of a 32-bit pattern, or 8 copies
// of a float64, so that AVX-512 and AVX2 code can use it as a memory operand.
type vconst struct {
	name string
	bits []uint64 // 16 uint32 patterns or 8 uint64 patterns
	wide bool     // float64 lanes
}

var constTable []vconst

func f32(name string, v float32) {
	bits := make([]uint64, 16)
	for i := range bits {
		bits[i] = uint64(math.Float32bits(v))
	}
	constTable = append(constTable, vconst{name, bits, false})
}

func u32s(name string, f func(lane int) uint32) {
	bits := make([]uint64, 16)
	for i := range bits {
		bits[i] = uint64(f(i))
	}
	constTable = append(constTable, vconst{name, bits, false})
}

func f64(name string, v float64) {
	bits := make([]uint64, 8)
	for i := range bits {
		bits[i] = math.Float64bits(v)
	}
	constTable = append(constTable, vconst{name, bits, true})
}

var constBase Mem

// emitConstants writes the table as the read-only symbol vecconst.
func emitConstants() {
	constBase = GLOBL("vecconst", RODATA|NOPTR)
	for i, c := range constTable {
		for l, b := range c.bits {
			if c.wide {
				DATA(64*i+8*l, U64(b))
			} else {
				DATA(64*i+4*l, U32(b))
			}
		}
	}
}

// constant returns the memory operand of the named constant.
func constant(name string) Mem {
	for i, c := range constTable {
		if c.name == name {
			return constBase.Offset(64 * i)
		}
	}
	panic(fmt.Sprintf("constant %q not defined", name))
}
