package autograd_test

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// Gradients of a scalar loss reach every Param it was computed from; a
// Const (data) builds no graph.
func Example() {
	w := autograd.Param(tensor.FromValues(tensor.Float64, []float64{0.5, -1}))
	x := autograd.Const(tensor.FromValues(tensor.Float64, []float64{2, 3}))
	loss := autograd.Sum(autograd.Square(autograd.Mul(w, x))) // sum((w x)^2)
	loss.Backward()
	fmt.Println(loss.Item(), w.Grad.ToFloat64s(), x.Grad == nil) // d/dw = 2 w x^2
	// Output: 10 [4 -18] true
}

// CheckGrad compares Backward's gradients with central finite differences:
// the way to unit-test a custom loss.
func ExampleCheckGrad() {
	margin := tensor.FromValues(tensor.Float64, []float64{0.3, -1.2, 2})
	err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
		return autograd.Neg(autograd.Mean(autograd.LogSigmoid(autograd.Scale(in[0], 0.1)))) // a DPO-style loss
	}, []*tensor.Tensor{margin}, autograd.CheckOptions{})
	fmt.Println(err)
	// Output: <nil>
}
