package optim_test

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/tensor"
)

// A training step: clip the gradients, take an AdamW step with decoupled
// weight decay on the weight matrix only, drop the gradients. On its first
// step Adam moves every parameter by the learning rate against the sign of
// its gradient (m_hat/sqrt(v_hat) = g/|g|), so the printed values can be
// checked by hand: the warmup gives lr = 1e-3 * (0+1)/(2+1), the weight
// shrinks by lr*0.1 first (2 -> 2*(1-lr/10) + lr = 2.000267), the bias is
// not decayed (0.5 - lr = 0.499667), and a zero gradient leaves only the
// decay (3*(1-lr/10) = 2.999900).
func Example() {
	w := autograd.Param(tensor.FromFloat64s([]float64{1, 2, 3, 4}, 2, 2))
	b := autograd.Param(tensor.FromFloat64s([]float64{0.5, -0.5}, 2))
	params := []nn.Param{{Name: "layer.weight", Value: w}, {Name: "layer.bias", Value: b}}

	opt, err := optim.NewAdamW(params, optim.AdamWConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.95, Eps: 1e-8,
		WeightDecay: 0.1, Decay: optim.DecayRank2, Schedule: optim.LinearWarmup(2)})
	if err != nil {
		panic(err)
	}
	fmt.Printf("lr %.4g\n", opt.LR(0))

	// loss.Backward() would set these.
	w.Grad = tensor.FromFloat64s([]float64{0.3, -0.4, 0, 0}, 2, 2)
	b.Grad = tensor.FromFloat64s([]float64{1, -1}, 2)

	norm, err := optim.ClipGradNorm(params, 1.0, true)
	if err != nil {
		panic(err)
	}
	opt.Step()
	opt.ZeroGrad()
	fmt.Printf("grad norm %.4g\n", norm)
	fmt.Printf("weight %.6f\n", w.Data.Float64s())
	fmt.Printf("bias %.6f\n", b.Data.Float64s())
	fmt.Printf("next lr %.4g\n", opt.LR(0))
	// Output:
	// lr 0.0003333
	// grad norm 1.5
	// weight [0.999633 2.000267 2.999900 3.999867]
	// bias [0.499667 -0.499667]
	// next lr 0.0006667
}
