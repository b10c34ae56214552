package autograd

import (
	"fmt"
	"math"

	"github.com/daalab/daa/tensor"
)

// CheckOptions sets the finite-difference step and the tolerance of
// CheckGrad, and which inputs are constants. A gradient entry passes when
// |analytic - numeric| <= Atol + Rtol*|numeric|.
type CheckOptions struct {
	Step float64 // central-difference step h; default 1e-6
	Atol float64 // absolute tolerance; default 1e-7
	Rtol float64 // relative tolerance; default 1e-5
	// Constant lists the indices of inputs that f must treat as constants,
	// such as reference log-probs a loss detaches: f still changes with
	// them, but no gradient may reach them. CheckGrad skips the finite
	// difference for these inputs and instead requires the gradient
	// Backward gives them to be absent or exactly 0.
	Constant []int
}

func (o CheckOptions) withDefaults() CheckOptions {
	if o.Step == 0 {
		o.Step = 1e-6
	}
	if o.Atol == 0 {
		o.Atol = 1e-7
	}
	if o.Rtol == 0 {
		o.Rtol = 1e-5
	}
	return o
}

// GradMismatch describes the worst gradient entry CheckGrad found.
type GradMismatch struct {
	Input    int     // which input
	Index    []int   // the element's index in that input
	Analytic float64 // the gradient Backward computed
	Numeric  float64 // the central finite difference
}

// Error formats the mismatch. It never panics.
func (m *GradMismatch) Error() string {
	return fmt.Sprintf("autograd: gradient of input %d at %v: analytic %.12g, finite difference %.12g (diff %.3g)",
		m.Input, m.Index, m.Analytic, m.Numeric, math.Abs(m.Analytic-m.Numeric))
}

// CheckGrad verifies the gradients of a scalar function f of the inputs.
// Each input is converted to float64 and wrapped with Param; f builds its
// result from autograd operations and must return a one-element value. The
// analytic gradient from Backward is compared, entry by entry, with the
// central difference (f(x+h) - f(x-h)) / 2h evaluated in float64. It returns
// nil when every entry is within tolerance, a *GradMismatch for the worst
// failing entry otherwise, or an error if f does not return one element.
// Inputs listed in opts.Constant are not differentiated numerically; a
// non-zero gradient on one of them is a *GradMismatch with Numeric 0 (the
// gradient a constant should get).
//
// To unit-test a custom loss:
//
//	func TestMyLoss(t *testing.T) {
//		rng := tensor.NewRNG(1)
//		logps := tensor.RandN(rng, tensor.Float64, -5, 1, 8)
//		err := autograd.CheckGrad(func(in []*autograd.Value) *autograd.Value {
//			return MyLoss(in[0])
//		}, []*tensor.Tensor{logps}, autograd.CheckOptions{})
//		if err != nil {
//			t.Fatal(err)
//		}
//	}
//
// It panics if f does or if opts.Constant holds an index outside inputs.
func CheckGrad(f func(inputs []*Value) *Value, inputs []*tensor.Tensor, opts CheckOptions) error {
	opts = opts.withDefaults()
	constant := make([]bool, len(inputs))
	for _, i := range opts.Constant {
		if i < 0 || i >= len(inputs) {
			panic(fmt.Sprintf("autograd: CheckGrad: Constant index %d outside the %d inputs", i, len(inputs)))
		}
		constant[i] = true
	}
	x := make([]*tensor.Tensor, len(inputs))
	params := make([]*Value, len(inputs))
	for i, in := range inputs {
		x[i] = in.Cast(tensor.Float64).Clone()
		params[i] = Param(x[i])
	}
	out := f(params)
	if out.Data.Len() != 1 {
		return fmt.Errorf("autograd: CheckGrad: f returned shape %v; want one element", out.Data.Shape())
	}
	out.Backward()
	eval := func() float64 {
		consts := make([]*Value, len(x))
		for i := range x {
			consts[i] = Const(x[i])
		}
		return f(consts).Item()
	}
	var worst *GradMismatch
	worstExcess := 0.0
	for i, xi := range x {
		data := xi.Float64s()
		var analytic []float64
		if params[i].Grad != nil {
			analytic = params[i].Grad.ToFloat64s()
		} else {
			analytic = make([]float64, len(data)) // f does not depend on this input
		}
		if constant[i] {
			for j, g := range analytic {
				if g != 0 { // a constant gets no gradient, exactly
					return &GradMismatch{Input: i, Index: unravel(j, xi.Shape()), Analytic: g, Numeric: 0}
				}
			}
			continue
		}
		for j := range data {
			orig := data[j]
			data[j] = orig + opts.Step
			fp := eval()
			data[j] = orig - opts.Step
			fm := eval()
			data[j] = orig
			numeric := (fp - fm) / (2 * opts.Step)
			diff := math.Abs(analytic[j] - numeric)
			excess := diff - (opts.Atol + opts.Rtol*math.Abs(numeric))
			if excess > worstExcess || (math.IsNaN(diff) && worst == nil) {
				worstExcess = excess
				worst = &GradMismatch{Input: i, Index: unravel(j, xi.Shape()), Analytic: analytic[j], Numeric: numeric}
			}
		}
	}
	if worst != nil {
		return worst
	}
	return nil
}

// unravel turns a row-major flat index into a multi-index.
func unravel(flat int, shape []int) []int {
	idx := make([]int, len(shape))
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] > 0 {
			idx[i] = flat % shape[i]
			flat /= shape[i]
		}
	}
	return idx
}
