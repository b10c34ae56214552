package eval_test

import (
	"fmt"

	"github.com/daalab/daa/eval"
)

// Reverse KL from per-token log-probs of policy samples, clustered by prompt.
func ExampleReverseKL() {
	// Two prompts, two samples each: log pi and log pi_ref of every response
	// token (including EOS).
	policy := [][]float64{{-0.1, -0.2}, {-0.3}, {-0.2, -0.1, -0.4}, {-0.5}}
	ref := [][]float64{{-0.9, -0.6}, {-0.4}, {-0.8, -0.7, -0.9}, {-0.6}}
	prompts := []int{0, 0, 1, 1}
	kl := eval.ReverseKL(policy, ref, prompts)
	fmt.Printf("k1 = %.3f ± %.3f, d = %.3f\n", kl.K1.Mean, kl.K1.SE, eval.SqrtKL(kl.K1.Mean))
	// Output:
	// k1 = 0.775 ± 0.125, d = 0.880
}

// Win rate of policy samples against reference summaries under a gold reward.
func ExampleWinRateFromRewards() {
	candidate := [][]float64{{1.0, 0.5}, {0.75}} // gold rewards of 2 + 1 policy samples
	reference := [][]float64{{0.5, 0.5}, {1.0}}  // gold rewards of the reference summaries
	w := eval.WinRateFromRewards(candidate, reference)
	fmt.Printf("win rate %.3f over %d comparisons on %d prompts\n", w.Mean, w.N, w.Units)
	// Output:
	// win rate 0.600 over 5 comparisons on 2 prompts
}
