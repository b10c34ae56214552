package align_test

import (
	"fmt"
	"log"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// The DPO loss (sigmoid, β = 0.1) on two pairs of summed completion
// log-probs, its TRL metrics, and its gradient with respect to the
// policy's chosen log-probs. Here r_w = S_w - R_w = (1, 1) and r_l =
// (-1, 0), so Δ = (2, 1) and
//
//	loss = mean_i -log σ(β Δ_i) = (log(1+e^-0.2) + log(1+e^-0.1))/2 = 0.62127
//	∂loss/∂S_w,i = -β σ(-β Δ_i)/2 = (-0.02251, -0.02375)
//
// The reference values are constants: the loss detaches them.
func ExampleNew() {
	loss, err := align.New("sigmoid", align.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	vec := func(x ...float64) *tensor.Tensor { return tensor.FromFloat64s(x, len(x)) }
	b := &align.Batch{
		PolicyChosen:    autograd.Param(vec(-12, -20)), // S(y_w): policy log-probs, summed over each completion
		PolicyRejected:  autograd.Param(vec(-15, -18)), // S(y_l)
		RefChosen:       autograd.Const(vec(-13, -21)), // R(y_w): the same under the reference model
		RefRejected:     autograd.Const(vec(-14, -18)), // R(y_l)
		ChosenLengths:   []int{5, 7},                   // completion tokens
		RejectedLengths: []int{6, 6},
	}
	out, err := loss.Compute(b)
	if err != nil {
		log.Fatal(err)
	}
	out.Loss.Backward()
	fmt.Printf("loss %.5f\n", out.Loss.Item())
	for _, m := range []string{align.MetricRewardsChosen, align.MetricRewardsRejected, align.MetricRewardsMargins, align.MetricRewardsAccuracy} {
		fmt.Printf("%s %.3f\n", m, out.Metrics[m])
	}
	fmt.Printf("dloss/dS(y_w) %.5f\n", b.PolicyChosen.Grad.ToFloat64s())
	// Output:
	// loss 0.62127
	// rewards/chosen 0.100
	// rewards/rejected -0.050
	// rewards/margins 0.150
	// rewards/accuracies 1.000
	// dloss/dS(y_w) [-0.02251 -0.02375]
}

// A weighted sum of losses from a specification, as -loss_type takes it:
// the DPO loss plus half the SFT (NLL) loss on the chosen completions.
func ExampleParseLossSpec() {
	names, weights, err := align.ParseLossSpec("sigmoid:1,sft:0.5")
	if err != nil {
		log.Fatal(err)
	}
	cfg := align.DefaultConfig()
	cfg.LossTypes, cfg.LossWeights = names, weights
	loss, err := align.NewFromConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loss.Name, names, weights)
	// Output:
	// multi [sigmoid sft] [1 0.5]
}
