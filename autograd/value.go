package autograd

import (
	"fmt"

	"github.com/daalab/daa/tensor"
)

// Value is a node of the computation graph: a tensor and, once Backward has
// reached it, its gradient of the same shape and dtype.
type Value struct {
	// Data is the value's tensor. Operations never modify it.
	Data *tensor.Tensor
	// Grad is d(output)/d(Data) after Backward, nil before. For leaves it
	// accumulates across Backward calls until ZeroGrad.
	Grad *tensor.Tensor

	requiresGrad bool
	retainGrad   bool
	op           string         // the operation that made the value; "" for leaves
	inputs       []*Value       // the operation's inputs that require gradients
	backward     func()         // adds this value's pending gradient into its inputs'
	pending      *tensor.Tensor // the gradient reaching v in the current Backward pass
}

// Param returns a leaf that requires a gradient (a trainable weight).
// It never panics.
func Param(t *tensor.Tensor) *Value { return &Value{Data: t, requiresGrad: true} }

// Const returns a leaf that does not require a gradient. It never panics.
func Const(t *tensor.Tensor) *Value { return &Value{Data: t} }

// RequiresGrad reports whether gradients flow to this value. It never panics.
func (v *Value) RequiresGrad() bool { return v.requiresGrad }

// IsLeaf reports whether the value was made by Param or Const rather than by
// an operation that recorded its inputs. It never panics.
func (v *Value) IsLeaf() bool { return v.backward == nil }

// Op returns the name of the operation that made v, or "" for a leaf.
// It never panics.
func (v *Value) Op() string { return v.op }

// Detach returns a constant sharing v's data, cut from its history.
// It never panics.
func (v *Value) Detach() *Value { return &Value{Data: v.Data} }

// RetainGrad keeps the gradient of an intermediate value after Backward
// (by default only leaves keep theirs); like a leaf's, it accumulates across
// Backward calls until ZeroGrad. It never panics.
func (v *Value) RetainGrad() { v.retainGrad = true }

// ZeroGrad drops the accumulated gradient. It never panics.
func (v *Value) ZeroGrad() { v.Grad = nil }

// Shape returns a copy of the data's shape. It never panics.
func (v *Value) Shape() []int { return v.Data.Shape() }

// DType returns the data's element type. It never panics.
func (v *Value) DType() tensor.DType { return v.Data.DType() }

// Item returns the single element of a one-element value as float64.
// It panics unless v holds exactly one element.
func (v *Value) Item() float64 { return v.Data.Item() }

// String describes the value for debugging. It never panics.
func (v *Value) String() string {
	op := v.op
	if op == "" {
		op = "leaf"
	}
	return fmt.Sprintf("Value(%s, requiresGrad=%v, %s)", op, v.requiresGrad, v.Data)
}

// accumulate adds g into the gradient v receives in the current Backward
// pass, copying g on first use (g may be a view or shared with others).
func (v *Value) accumulate(g *tensor.Tensor) {
	if v.pending == nil {
		v.pending = g.Clone()
		return
	}
	tensor.AddInPlace(v.pending, g)
}

// record makes the result of an operation: it keeps the inputs that require
// gradients and the backward function only when there is at least one.
func record(op string, out *tensor.Tensor, backward func(g *tensor.Tensor), inputs ...*Value) *Value {
	v := &Value{Data: out, op: op}
	for _, in := range inputs {
		if in != nil && in.requiresGrad {
			v.inputs = append(v.inputs, in)
		}
	}
	if len(v.inputs) == 0 {
		return v
	}
	v.requiresGrad = true
	v.backward = func() { backward(v.pending) }
	return v
}
