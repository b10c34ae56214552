// Command vec generates the amd64 vector and row kernels of package kernel
// (dot products, sums, axpy, scale, row max, exp, softmax pieces, layer
// norm pieces, GELU, and the element-wise passes of the GELU and layer norm backward) for AVX-512 and for AVX2+FMA, with masked tails.
//
// Run through go generate in tensor/kernel:
//
//	go run -C _asm ./vec -out ../vec_amd64.s -stubs ../vec_stubs_amd64.go -pkg kernel
package main

import . "github.com/mmcloughlin/avo/build"

func main() {
	ConstraintExpr("!purego")
	defineExpConstants()
	defineGELUConstants()
	defineGELUBackwardConstants()
	emitConstants()
	for _, x := range []visa{avx512, avx2} {
		x.dot()
		x.sum()
		x.sumSqDev()
		x.axpy()
		x.scale()
		x.maxKernel()
		x.expKernel()
		x.expShiftSum(true)
		x.expShiftSum(false)
		x.normalize(false)
		x.normalize(true)
		x.geluKernel()
		x.geluTanhKernel()
		x.geluBackwardKernel()
		x.layerNormBackwardPrep()
		x.layerNormBackwardApply(true)
		x.layerNormBackwardApply(false)
	}
	Generate()
}
