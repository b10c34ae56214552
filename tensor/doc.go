// Package tensor holds dense row-major n-dimensional tensors of float32 (the
// compute type) or float64 (gradient checks and reference-grade loss math),
// and the operations on them.
//
// A Tensor is a shape, strides and an offset into a shared storage slice, so
// Reshape, Permute, Transpose, Narrow and Expand return views without copying.
// Operations accept any view and return new contiguous tensors; Contiguous
// copies a view into fresh row-major storage when a caller needs a flat slice.
//
// Element-wise binary operations broadcast as NumPy does: shapes are aligned
// on their last axis and a dimension of size 1 stretches to match. Reductions
// accumulate in float64 whatever the element type, and every parallel loop
// cuts its work into chunks that depend only on the sizes and GOMAXPROCS, so
// results are bit-for-bit repeatable for a given GOMAXPROCS.
//
// Checkpoint weights in float16 or bfloat16 enter through FromFloat16Bits
// and FromBFloat16Bits (exact widening to float32) and leave through
// Float16Bits and BFloat16Bits (round to nearest even, once).
//
// Shape mistakes are programmer errors: operations panic with a message that
// names the operation and the shapes involved, as gonum does. Each exported
// function's doc comment says when it panics.
package tensor
