package train

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// TestLoRATraining trains the same LoRA policy (rank 3 on every projection,
// random non-zero B) for 4 DPO steps on the engine in float32 and on the
// autograd model in float64: the optimizer holds the adapters alone, the
// adapters move and the base weights do not, and the two backends' final
// adapters agree to float32 rounding of the updates. sync_ref_model is
// refused with a LoRA policy.
func TestLoRATraining(t *testing.T) {
	lc := pythia.LoRAConfig{R: 3, Alpha: 6, Targets: pythia.LoRATargets}
	policies := map[tensor.DType]*pythia.Model{}
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		m := tinyModel(t, dt, 4)
		require.NoError(t, m.AttachLoRA(lc, 5))
		rng := tensor.NewRNG(6)
		for _, p := range m.LoRAParams() {
			v := p.Value.Data.ToFloat64s()
			for i := range v {
				v[i] = 0.2 * rng.NormFloat64()
			}
			p.Value.Data.CopyFrom(tensor.FromFloat64s(v, p.Value.Shape()...).Cast(dt))
		}
		policies[dt] = m
	}
	base := policies[tensor.Float32].Params()[3].Value.Data.Clone()

	var initial []float64
	for _, p := range policies[tensor.Float64].LoRAParams() {
		initial = append(initial, p.Value.Data.ToFloat64s()...)
	}
	final := map[tensor.DType][]float64{}
	for dt, m := range policies {
		cfg := tinyTrainConfig("")
		cfg.DisableCheckpoints, cfg.MaxSteps, cfg.LearningRate = true, 4, 1e-2
		tr, err := New(cfg, m, nil, resumeData())
		require.NoError(t, err)
		require.Len(t, tr.params, len(m.LoRAParams()), "%s: the optimizer's parameters", dt)
		require.NoError(t, tr.Train(context.Background()))
		for _, p := range m.LoRAParams() {
			final[dt] = append(final[dt], p.Value.Data.ToFloat64s()...)
		}
	}
	var diff, scale, moved float64
	for i, w := range final[tensor.Float64] {
		diff = math.Max(diff, math.Abs(final[tensor.Float32][i]-w))
		scale = math.Max(scale, math.Abs(w))
		moved = math.Max(moved, math.Abs(w-initial[i]))
	}
	assert.Greater(t, moved, 1e-3, "the adapters did not move")
	assert.Less(t, diff/scale, 1e-5, "float32 engine vs float64 autograd adapters after 4 steps")
	assert.Equal(t, base.Float32s(), policies[tensor.Float32].Params()[3].Value.Data.Float32s(), "a base weight moved")

	cfg := tinyTrainConfig("")
	cfg.DisableCheckpoints, cfg.SyncRefModel = true, true
	_, err := New(cfg, policies[tensor.Float32], nil, resumeData())
	assert.ErrorContains(t, err, "sync_ref_model with a LoRA policy")
}
