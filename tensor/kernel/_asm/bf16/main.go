// Command bf16 generates the amd64 AVX512_BF16 kernels of package kernel:
// the 12x32 bfloat16 GEMM microkernel, the float32-to-bfloat16 converters
// and pair packers, and a probe that runs VDPBF16PS on given data (used by
// the tests to check the Go model of the instruction bit for bit).
//
// Run through go generate in tensor/kernel:
//
//	go run -C _asm ./bf16 -out ../gemm_bf16_amd64.s -stubs ../gemm_bf16_stubs_amd64.go -pkg kernel
package main

import (
	"github.com/daalab/daa/tensor/kernel/_asm/avxutil"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/reg"
)

func zmm(i int) reg.VecPhysical { return avxutil.Zmm(i) }

// generate adds every function to avo's global context.
func generate() {
	ConstraintExpr("!purego")
	emitConstants()
	microkernel(12, 2, 4, false)
	microkernel(12, 2, 4, true)
	convertRows("cvtBF16AVX512", "uint32")
	convertRows("roundBF16sAVX512", "uint16")
	for _, s := range []widenSource{fromFloat32, fromStored} {
		packPairsCopy(s, 12)
		packPairsCopy(s, 32)
		packWideCopy(s, 12)
		packWideCopy(s, 32)
		widenRows(s)
	}
	dotProbe()
	dotPeak(24)
	fmaFTZProbe()
	vendor()
}

func main() {
	generate()
	Generate()
}
