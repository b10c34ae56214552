package autograd

import (
	"fmt"

	"github.com/daalab/daa/tensor"
)

// Backward computes the gradient of v, which must hold one element, with
// respect to every value it was computed from, seeding d(v)/d(v) = 1.
// It panics if v has more than one element.
func (v *Value) Backward() {
	if v.Data.Len() != 1 {
		panic(fmt.Sprintf("autograd: Backward on a value of shape %v; want one element (use BackwardWith)", v.Data.Shape()))
	}
	v.BackwardWith(tensor.Full(v.Data.DType(), 1, v.Data.Shape()...))
}

// BackwardWith propagates the given output gradient (v's shape and dtype)
// back through the graph. It panics if the shape or dtype differ.
func (v *Value) BackwardWith(grad *tensor.Tensor) {
	if !tensor.SameShape(grad, v.Data) || grad.DType() != v.Data.DType() {
		panic(fmt.Sprintf("autograd: BackwardWith gradient %s %v for a value %s %v", grad.DType(), grad.Shape(), v.Data.DType(), v.Data.Shape()))
	}
	if !v.requiresGrad {
		return
	}
	order := topoOrder(v)
	v.accumulate(grad)
	// Each value's gradient for this pass arrives in pending from the values
	// computed from it (all earlier in the reverse order), is passed on to
	// its inputs, and is then either kept (leaves, RetainGrad: added to Grad)
	// or dropped, so intermediate gradients are released as soon as used.
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		if n.pending == nil {
			continue
		}
		if n.backward != nil {
			n.backward()
		}
		if n.backward == nil || n.retainGrad {
			if n.Grad == nil {
				n.Grad = n.pending // pending is a fresh tensor no one else holds
			} else {
				tensor.AddInPlace(n.Grad, n.pending)
			}
		}
		n.pending = nil
	}
}

// topoOrder returns the values that require gradients reachable from root,
// each after all of its inputs, found by an iterative depth-first walk that
// visits inputs in recorded order (so the order is deterministic).
func topoOrder(root *Value) []*Value {
	var order []*Value
	visited := map[*Value]bool{root: true}
	type frame struct {
		v    *Value
		next int
	}
	stack := []frame{{v: root}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < len(top.v.inputs) {
			in := top.v.inputs[top.next]
			top.next++
			if !visited[in] {
				visited[in] = true
				stack = append(stack, frame{v: in})
			}
			continue
		}
		order = append(order, top.v)
		stack = stack[:len(stack)-1]
	}
	return order
}
