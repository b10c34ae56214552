//go:build !purego

package kernel

func archVecImpls() []*vecImpl { return nil }
