package autograd

import "github.com/daalab/daa/tensor"

// MatMul returns op(a) × op(b) as tensor.MatMul does ([..., m, k] × [..., k, n]
// → [..., m, n], op transposing the last two axes when its flag is set; a 2-D
// operand is shared across the other's batch).
//
// With C = A B: dA = dC B^T and dB = A^T dC, with the transposes folded into
// the flags so no transposed copy is made; a shared 2-D operand's gradient is
// summed over the batch.
// It panics where tensor.MatMul does (rank < 2, mismatched inner sizes or batch shapes, differing dtypes).
func MatMul(a, b *Value, transA, transB bool) *Value {
	out := tensor.MatMul(a.Data, b.Data, transA, transB)
	return record("MatMul", out, func(g *tensor.Tensor) {
		if a.requiresGrad {
			var ga *tensor.Tensor
			if transA { // A^T stored: dA_stored = (dC B^T)^T = op(B) dC^T
				ga = tensor.MatMul(b.Data, g, transB, true)
			} else {
				ga = tensor.MatMul(g, b.Data, false, !transB)
			}
			a.accumulate(sumBatch(ga, a))
		}
		if b.requiresGrad {
			var gb *tensor.Tensor
			if transB { // B^T stored: dB_stored = (A^T dC)^T = dC^T op(A)
				gb = tensor.MatMul(g, a.Data, true, transA)
			} else {
				gb = tensor.MatMul(a.Data, g, !transA, false)
			}
			b.accumulate(sumBatch(gb, b))
		}
	}, a, b)
}

// sumBatch sums a batched gradient [..., r, c] over its batch axes when the
// operand was a shared 2-D matrix.
func sumBatch(g *tensor.Tensor, like *Value) *tensor.Tensor {
	if g.Rank() == like.Data.Rank() {
		return g
	}
	axes := make([]int, g.Rank()-2)
	for i := range axes {
		axes[i] = i
	}
	return tensor.Sum(g, axes...)
}
