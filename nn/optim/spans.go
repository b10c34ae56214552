package optim

import (
	"sort"

	"github.com/daalab/daa/tensor"
)

// float is the set of element types parameters and gradients may have.
type float interface{ float32 | float64 }

// spans lays tensors of different lengths end to end, so that one
// parallel.For covers many parameters and balances them across cores:
// element e of the flattened range is element e-offsets[i] of tensor i,
// where offsets[i] <= e < offsets[i+1].
type spans struct{ offsets []int }

// reset empties the list, keeping its capacity.
func (s *spans) reset() { s.offsets = append(s.offsets[:0], 0) }

// add appends a tensor of n elements.
func (s *spans) add(n int) { s.offsets = append(s.offsets, s.offsets[len(s.offsets)-1]+n) }

// total returns the number of elements of all tensors.
func (s *spans) total() int { return s.offsets[len(s.offsets)-1] }

// each calls fn(i, a, b) for every tensor i that overlaps the flattened
// range [lo, hi), with [a, b) the overlap in tensor i's own indices.
func (s *spans) each(lo, hi int, fn func(i, a, b int)) {
	n := len(s.offsets) - 1
	// The last i with offsets[i] <= lo (empty tensors share an offset with the next one).
	i := sort.SearchInts(s.offsets, lo+1) - 1
	for ; i < n && s.offsets[i] < hi; i++ {
		a := max(lo, s.offsets[i]) - s.offsets[i]
		b := min(hi, s.offsets[i+1]) - s.offsets[i]
		if a < b {
			fn(i, a, b)
		}
	}
}

// elems returns elements [lo, hi) of a contiguous tensor as []T, aliasing
// its storage. It panics if T is not the tensor's dtype.
func elems[T float](t *tensor.Tensor, lo, hi int) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(t.Float32s()[lo:hi]).([]T)
	}
	return any(t.Float64s()[lo:hi]).([]T)
}
