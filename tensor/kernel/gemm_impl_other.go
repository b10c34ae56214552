//go:build purego || !amd64

package kernel

// archSgemmImpls is empty: only the portable implementation exists here.
func archSgemmImpls() []*gemmImpl[float32] { return nil }
