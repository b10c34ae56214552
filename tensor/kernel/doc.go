// Package kernel holds the raw-slice float32 and float64 compute kernels of
// daa: SGEMM/DGEMM and the vector and row kernels (dot products, softmax
// pieces, layer norm, GELU) that the tensor package builds on.
package kernel
