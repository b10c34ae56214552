package eval_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/eval"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// TestReverseKLOnTinyModels samples from a tiny random GPT-NeoX policy with
// pythia.Generate and checks the k1 and k3 estimates of KL(pi || pi_ref)
// against the exact KL of the two models' distributions over every
// continuation, enumerated with SequenceLogProbs (vocabulary 5, 3 new
// tokens, no stop token: 125 sequences per prompt). Reference: the exact
// sum over sequences; tolerance: 3 standard errors of each estimate.
func TestReverseKLOnTinyModels(t *testing.T) {
	cfg := pythia.Config{VocabSize: 5, HiddenSize: 8, NumHiddenLayers: 1, NumAttentionHeads: 2, IntermediateSize: 16,
		RotaryPct: 0.5, RotaryEmbBase: 10000, MaxPositionEmbeddings: 16, LayerNormEps: 1e-5, UseParallelResidual: true,
		HiddenAct: "gelu", AttentionBias: true, InitializerRange: 0.8, BOSTokenID: -1, EOSTokenID: -1}
	policy, err := pythia.NewRandom(cfg, tensor.Float64, 1)
	require.NoError(t, err)
	ref, err := pythia.NewRandom(cfg, tensor.Float64, 2)
	require.NoError(t, err)
	prompts := [][]int{{0, 1}, {3}}
	const newTokens = 3

	// Exact KL per prompt: sum over all continuations y of p(y) (log p(y) - log q(y)).
	var all [][]int
	for y := 0; y < 125; y++ {
		all = append(all, []int{y / 25, y / 5 % 5, y % 5})
	}
	exact := 0.0
	for _, pr := range prompts {
		rep := make([][]int, len(all))
		for i := range rep {
			rep[i] = pr
		}
		lp := policy.Frozen().SequenceLogProbs(rep, all).Sum.Data.ToFloat64s()
		lq := ref.Frozen().SequenceLogProbs(rep, all).Sum.Data.ToFloat64s()
		total := 0.0
		for i := range all {
			p := math.Exp(lp[i])
			total += p
			exact += p * (lp[i] - lq[i]) / float64(len(prompts))
		}
		require.InDelta(t, 1, total, 1e-9, "sum of the policy probabilities over all continuations of %v", pr)
	}

	// Sampled estimate: 2000 samples per prompt at temperature 1.
	const perPrompt = 2000
	var batch [][]int
	for _, pr := range prompts {
		for range perPrompt {
			batch = append(batch, pr)
		}
	}
	gen, err := policy.Generate(batch, pythia.GenerateOptions{SampleOptions: pythia.SampleOptions{Temperature: 1}, MaxNewTokens: newTokens, Seed: 7})
	require.NoError(t, err)
	refLP := ref.Frozen().SequenceLogProbs(batch, gen.Tokens)
	flat, width := refLP.PerToken.Data.ToFloat64s(), refLP.PerToken.Data.Dim(1)
	refTok := make([][]float64, len(batch))
	for b := range batch {
		refTok[b] = flat[b*width : b*width+len(gen.Tokens[b])]
	}
	est := eval.ReverseKL(gen.ModelLogProbs, refTok, nil) // equal samples per prompt: stratified, iid within a prompt
	for _, c := range []struct {
		name string
		e    eval.Estimate
	}{{"k1", est.K1}, {"k3", est.K3}} {
		assert.InDelta(t, exact, c.e.Mean, 3*c.e.SE, "%s = %.4f ± %.4f vs the exact KL: more than 3 standard errors apart", c.name, c.e.Mean, c.e.SE)
	}
	require.GreaterOrEqual(t, exact, 0.05, "exact KL too small for the test to mean anything")
	t.Logf("exact KL %.4f; k1 %v; k3 %v", exact, est.K1, est.K3)
}
