// Package avxutil holds the helpers shared by the kernel generators:
// physical vector registers by number and argument addresses.
package avxutil

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

var zmms = [...]VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}
var ymms = [...]VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}

// Zmm returns the AVX-512 register Zi.
func Zmm(i int) VecPhysical { return zmms[i] }

// Ymm returns the AVX register Yi (i < 16).
func Ymm(i int) VecPhysical { return ymms[i] }

// ParamAddr returns the frame address of the named scalar argument.
func ParamAddr(name string) Mem {
	basic, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return basic.Addr
}
