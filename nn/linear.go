package nn

import (
	"fmt"

	"github.com/daalab/daa/autograd"
)

// Linear returns x W^T + b, the PyTorch nn.Linear map, for x [..., in],
// weight [out, in] (the layout PyTorch and Hugging Face checkpoints store) and
// bias [out] or nil; the result is [..., out]. The product is one matrix
// multiplication with the weight shared across the leading axes of x, so the
// weight's gradient is summed over them.
// It panics if weight is not [out, in] or bias is not [out].
func Linear(x, weight, bias *autograd.Value) *autograd.Value {
	xs, ws := x.Shape(), weight.Shape()
	if len(ws) != 2 || len(xs) < 2 || xs[len(xs)-1] != ws[1] {
		panic(fmt.Sprintf("nn: Linear input %v with weight %v; want input [..., %d]", xs, ws, ws[len(ws)-1]))
	}
	y := autograd.MatMul(x, weight, false, true) // [..., out]
	if bias == nil {
		return y
	}
	if bs := bias.Shape(); len(bs) != 1 || bs[0] != ws[0] {
		panic(fmt.Sprintf("nn: Linear bias %v for weight %v; want [%d]", bs, ws, ws[0]))
	}
	return autograd.Add(y, bias)
}
