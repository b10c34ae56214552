//go:build purego || !amd64

package kernel

// archGemmBF16Impls is empty: only the portable implementation exists here.
func archGemmBF16Impls() []*bf16Impl { return nil }
