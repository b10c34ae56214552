//go:build purego || !amd64

package kernel

// archVecImpls is empty: only the portable implementation exists here.
func archVecImpls() []*vecImpl { return nil }
