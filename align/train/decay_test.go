package train

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// TestWeightDecayByName checks which parameters AdamW's weight decay
// reaches: Hugging Face's rule (optim.DecayMask), every weight matrix and
// embedding but no bias and no LayerNorm parameter. One SFT step of AdamW
// (constant rate η, no clipping) is taken from the same float64 weights
// with weight decay λ and with none; the gradient is the same, so torch's
// decoupled update p(1-ηλ) - η·u differs from p - η·u by exactly -ηλ·p on
// a decayed parameter and by 0 on the others (float64 rounding: 1e-12).
// The weights are perturbed first so that biases and LayerNorm parameters
// are not 0 or 1 and a wrong rule would show.
func TestWeightDecayByName(t *testing.T) {
	const lr, wd = 1e-2, 0.5
	init := tinyModel(t, tensor.Float64, 1)
	rng := rand.New(rand.NewPCG(7, 0))
	for _, p := range init.Params() {
		for i, v := range p.Value.Data.Float64s() {
			p.Value.Data.Float64s()[i] = v + 0.1*rng.NormFloat64()
		}
	}
	step := func(decay float64) *pythia.Model {
		cfg := DefaultConfig()
		cfg.Optimizer, cfg.LearningRate, cfg.WeightDecay = OptimizerAdamW, lr, decay
		cfg.Scheduler, cfg.WarmupSteps, cfg.MaxGradNorm = SchedulerConstant, 0, 0
		cfg.BatchSize, cfg.MaxSteps, cfg.EvalEvery = 4, 1, 0
		cfg.OutputDir, cfg.DisableCheckpoints = "", true
		m := float64Copy(t, init)
		tr, err := NewSFT(cfg, m, SFTData{Train: tinySFT(41, 9), EOS: tinyEOS})
		require.NoError(t, err)
		require.NoError(t, tr.Train(context.Background()))
		require.Equal(t, 1, tr.Step())
		return tr.Policy()
	}
	decayed, plain := step(wd).Params(), step(0).Params()
	var nDecay, nKeep int
	for i, p := range init.Params() {
		want := 0.0
		if optim.DecayMask(p.Name) {
			want = -lr * wd
			nDecay++
		} else {
			nKeep++
		}
		a, b := decayed[i].Value.Data.Float64s(), plain[i].Value.Data.Float64s()
		for k, p0 := range p.Value.Data.Float64s() {
			if !assert.InDelta(t, want*p0, a[k]-b[k], 1e-12, "%s[%d]", p.Name, k) {
				break
			}
		}
	}
	require.Positive(t, nDecay, "no parameter decayed")
	require.Positive(t, nKeep, "no bias or LayerNorm parameter")
}
