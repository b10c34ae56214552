//go:build purego || !amd64

package kernel

// archGemmBF16Impls is empty: only the portable implementation exists here.
func archGemmBF16Impls() []*bf16Impl { return nil }

// roundBF16sFast is nil: RoundBF16 rounds in Go.
var roundBF16sFast func(dst []uint16, src []float32)
