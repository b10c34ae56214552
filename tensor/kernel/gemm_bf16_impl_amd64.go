//go:build !purego

package kernel

//go:generate go run -C _asm ./bf16 -out ../gemm_bf16_amd64.s -stubs ../gemm_bf16_stubs_amd64.go -pkg kernel
