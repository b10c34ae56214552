package autograd

import (
	"fmt"

	"github.com/daalab/daa/tensor"
)

// Custom returns a value computed outside autograd, so that code which is
// not built from autograd operations (a fused engine, a hand-written
// kernel) can feed any loss built from them. out is the value's data; the
// caller must not modify it afterwards. inputs are the graph values the
// computation read (may be empty).
//
// When a Backward pass reaches the value, backward is called exactly once
// with the value's whole gradient (out's shape and dtype; the caller must
// not keep it). It returns one gradient per input, each of that input's
// shape and dtype, or nil for an input it gives no gradient; it may also
// accumulate gradients into state the graph does not see, such as an
// engine's parameters:
//
//	logps := engine.SequenceLogProbs(prompts, responses)       // outside the graph
//	v := autograd.Custom("logps", tensor.FromValues(tensor.Float64, logps.Sum, b), nil,
//		func(g *tensor.Tensor) []*tensor.Tensor {
//			engine.Backward(g.Float64s())                        // into the model's Grad
//			return nil
//		})
//	loss := MyLoss(v)
//	loss.Backward()                                          // runs the engine's backward pass
//
// Because of such external state the value always requires a gradient, even
// when no input does (wrap data that needs none with Const instead).
// Custom panics if out is nil. The Backward pass panics if backward returns
// a number of gradients other than len(inputs), or a gradient whose shape or
// dtype differs from its input's.
func Custom(name string, out *tensor.Tensor, inputs []*Value, backward func(grad *tensor.Tensor) []*tensor.Tensor) *Value {
	if out == nil {
		panic(fmt.Sprintf("autograd: Custom %q with nil data", name))
	}
	v := &Value{Data: out, op: name, requiresGrad: true}
	for _, in := range inputs {
		if in != nil && in.requiresGrad {
			v.inputs = append(v.inputs, in)
		}
	}
	v.backward = func() {
		grads := backward(v.pending)
		if len(grads) != len(inputs) {
			panic(fmt.Sprintf("autograd: Custom %q backward returned %d gradients for %d inputs", name, len(grads), len(inputs)))
		}
		for i, g := range grads {
			in := inputs[i]
			if g == nil || in == nil || !in.requiresGrad {
				continue
			}
			if !tensor.SameShape(g, in.Data) || g.DType() != in.Data.DType() {
				panic(fmt.Sprintf("autograd: Custom %q backward gave input %d a gradient %s %v; the input is %s %v",
					name, i, g.DType(), g.Shape(), in.Data.DType(), in.Data.Shape()))
			}
			in.accumulate(g)
		}
	}
	return v
}
