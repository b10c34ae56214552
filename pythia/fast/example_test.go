package fast_test

import (
	"fmt"
	"math"

	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// A DPO training loop on the fast engine: the policy's engine runs forward
// and backward, a frozen copy of the initial weights is the reference, and
// the sigmoid loss is computed on the summed response log-probs.
func Example() {
	cfg := pythia.Config{
		VocabSize: 50, HiddenSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 4, IntermediateSize: 64,
		RotaryPct: 0.25, RotaryEmbBase: 10000, LayerNormEps: 1e-5, UseParallelResidual: true,
		HiddenAct: "gelu", AttentionBias: true, InitializerRange: 0.02,
	}
	policy, _ := pythia.NewRandom(cfg, tensor.Float32, 1)
	reference, _ := pythia.NewRandom(cfg, tensor.Float32, 1) // the same initial weights
	pe, _ := fast.New(policy, 4, 16)
	re, _ := fast.NewInference(reference, 4, 16)
	opt, _ := optim.NewAdamW(policy.Params(), optim.DefaultAdamW())

	// Two preference pairs: rows 0-1 chosen, 2-3 rejected, sharing prompts.
	prompts := [][]int{{1, 2, 3}, {4, 5}, {1, 2, 3}, {4, 5}}
	responses := [][]int{{6, 7, 8}, {9, 10}, {11, 12}, {13, 14, 15}}
	const beta = 0.1
	for step := range 3 {
		opt.ZeroGrad()
		pl := pe.SequenceLogProbs(prompts, responses)
		rl := re.SequenceLogProbs(prompts, responses)
		// loss = mean_i -log σ(β h_i), h_i = (pc_i - pr_i) - (rc_i - rr_i)
		var loss float64
		dSum := make([]float64, 4)
		for i := range 2 {
			h := (pl.Sum[i] - pl.Sum[2+i]) - (rl.Sum[i] - rl.Sum[2+i])
			loss += math.Log1p(math.Exp(-beta*h)) / 2
			g := -beta / (1 + math.Exp(beta*h)) / 2 // dloss/dpc_i
			dSum[i], dSum[2+i] = g, -g
		}
		fmt.Printf("step %d: loss %.4f\n", step, loss)
		pe.Backward(dSum)
		opt.Step()
	}
	// Output:
	// step 0: loss 0.6931
	// step 1: loss 0.6367
	// step 2: loss 0.6050
}
