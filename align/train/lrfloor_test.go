package train

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// TestLRFloor checks the linear schedule with a floor on an SFT run of 4
// steps, warmup 1, floor 0.1, base rate 1e-3: factors by hand from
// step/warmup, then 0.1 + 0.9 (4-k)/3 for k = 1, 2, 3.
func TestLRFloor(t *testing.T) {
	cfg := sftConfig("")
	cfg.DisableCheckpoints, cfg.MaxSteps, cfg.EvalEvery = true, 4, 0
	cfg.Scheduler, cfg.WarmupSteps, cfg.LRFloor, cfg.LearningRate = SchedulerLinear, 1, 0.1, 1e-3
	d := tinySFTData()
	d.Eval = nil
	tr, err := NewSFT(cfg, tinyModel(t, tensor.Float32, 1), d)
	require.NoError(t, err)
	require.NoError(t, tr.Train(context.Background()))
	var lrs []float64
	for _, r := range tr.History() {
		lrs = append(lrs, r[KeyLearningRate])
	}
	want := []float64{0, 1e-3, 1e-3 * (0.1 + 0.9*2.0/3), 1e-3 * (0.1 + 0.9*1.0/3)}
	require.Len(t, lrs, len(want))
	for i := range want {
		assert.InDelta(t, want[i], lrs[i], 1e-15, "step %d", i+1)
	}
}
