package autograd

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// hingeLoss is mean_i max(0, 1 - beta*((pc-rc) - (pr-rr))), the README's
// custom loss, with the reference values rc, rr detached or not.
func hingeLoss(in []*Value, detach bool) *Value {
	pc, pr, rc, rr := in[0], in[1], in[2], in[3]
	if detach {
		rc, rr = rc.Detach(), rr.Detach()
	}
	margin := Sub(Sub(pc, rc), Sub(pr, rr))
	return Mean(Relu(AddScalar(Scale(margin, -0.1), 1)))
}

// hingeInputs are four [8] vectors of per-sequence log-probs.
func hingeInputs() []*tensor.Tensor {
	rng := tensor.NewRNG(1)
	var in []*tensor.Tensor
	for range 4 {
		in = append(in, tensor.RandN(rng, tensor.Float64, -10, 2, 8))
	}
	return in
}

// TestCheckGradConstant: with the reference inputs marked Constant, a loss
// that detaches them passes, and one that does not is reported at the
// first reference input with the gradient it wrongly received
// (d/d rc of mean(1 - 0.1*(pc - rc - pr + rr)) = 0.1/8 where the hinge is
// active); without Constant, the detaching loss fails the finite
// difference on that input (analytic 0, numeric 0.1/8).
func TestCheckGradConstant(t *testing.T) {
	in := hingeInputs()
	ref := CheckOptions{Constant: []int{2, 3}}
	assert.NoError(t, CheckGrad(func(v []*Value) *Value { return hingeLoss(v, true) }, in, ref), "detached reference")

	err := CheckGrad(func(v []*Value) *Value { return hingeLoss(v, false) }, in, ref)
	var m *GradMismatch
	require.ErrorAs(t, err, &m, "reference not detached")
	assert.Equal(t, 2, m.Input)
	assert.InDelta(t, 0.1/8, m.Analytic, 1e-15)
	assert.Zero(t, m.Numeric)

	err = CheckGrad(func(v []*Value) *Value { return hingeLoss(v, true) }, in, CheckOptions{})
	require.ErrorAs(t, err, &m, "detached reference checked as a variable")
	assert.Contains(t, []int{2, 3}, m.Input)
	assert.Zero(t, m.Analytic)
	assert.InDelta(t, 0.1/8, m.Numeric, 1e-7)

	// Without Constant, the loss that does not detach is a correct function
	// of all four inputs.
	assert.NoError(t, CheckGrad(func(v []*Value) *Value { return hingeLoss(v, false) }, in, CheckOptions{}))
}

func TestCheckGradConstantOutOfRange(t *testing.T) {
	assert.PanicsWithValue(t, "autograd: CheckGrad: Constant index 4 outside the 4 inputs", func() {
		_ = CheckGrad(func(v []*Value) *Value { return hingeLoss(v, true) }, hingeInputs(), CheckOptions{Constant: []int{4}})
	})
}
