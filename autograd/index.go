package autograd

import (
	"github.com/daalab/daa/tensor"
)

// IndexSelect returns x's entries at idx along axis (tensor.IndexSelect).
// The gradient is scattered back with IndexAdd, accumulating repeats.
// It panics if axis or an index is out of range.
func IndexSelect(x *Value, axis int, idx []int) *Value {
	return record("IndexSelect", tensor.IndexSelect(x.Data, axis, idx), func(g *tensor.Tensor) {
		full := tensor.ZerosLike(x.Data)
		tensor.IndexAdd(full, axis, idx, g)
		x.accumulate(full)
	}, x)
}

// Embedding looks up rows of weight [V, H] for token ids, giving [len(ids), H].
// It panics if an id is out of range [0, V).
func Embedding(weight *Value, ids []int) *Value {
	return IndexSelect(weight, 0, ids)
}

// Gather picks entries of x along axis as tensor.Gather does. The gradient
// is scattered back with ScatterAdd.
// It panics where tensor.Gather does (axis or index out of range, an index count that does not fit).
func Gather(x *Value, axis int, index []int) *Value {
	return record("Gather", tensor.Gather(x.Data, axis, index), func(g *tensor.Tensor) {
		full := tensor.ZerosLike(x.Data)
		tensor.ScatterAdd(full, axis, index, g)
		x.accumulate(full)
	}, x)
}

// Where returns a where cond (a constant tensor) is nonzero and b elsewhere,
// all broadcast together. Each side's gradient is masked accordingly.
// It panics if the shapes do not broadcast or a and b have different dtypes.
func Where(cond *tensor.Tensor, a, b *Value) *Value {
	return record("Where", tensor.Where(cond, a.Data, b.Data), func(g *tensor.Tensor) {
		zero := tensor.ZerosLike(g)
		if a.requiresGrad {
			a.accumulate(unbroadcast(tensor.Where(cond, g, zero), a))
		}
		if b.requiresGrad {
			b.accumulate(unbroadcast(tensor.Where(cond, zero, g), b))
		}
	}, a, b)
}

// MaskedFill returns x with v where mask (a constant, broadcast to x) is
// nonzero; those positions get no gradient.
// It panics if mask does not broadcast to x's shape.
func MaskedFill(x *Value, mask *tensor.Tensor, v float64) *Value {
	return record("MaskedFill", tensor.MaskedFill(x.Data, mask, v), func(g *tensor.Tensor) {
		x.accumulate(tensor.MaskedFill(g, mask, 0))
	}, x)
}
