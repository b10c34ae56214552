package study

import (
	"testing"

	"github.com/daalab/daa/align/train"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrainConfig checks how a run's settings become align/train's: the
// objective's align loss and beta, RMSProp with the warmup share of the
// run's steps, micro-batches and accumulation, the step count
// epochs*floor(pairs/batch), prompt and sequence lengths from the data, and
// a per-run order.
func TestTrainConfig(t *testing.T) {
	o := DefaultOptions()
	o.DAABatch, o.DAAWarmupFrac = 8, 0.25
	c := &Cell{Epochs: 2, MicroBatch: 4, TrainSeq: 12, EvalRows: 16, MaxGradNorm: 10, EOS: 9}
	for i := range 21 { // 21 pairs: 2 steps of 8 per epoch, 5 pairs left over
		c.Train = append(c.Train, Pair{Prompt: make([]int, 3+i%4), Chosen: []int{1, 9}, Rejected: []int{2, 2, 9}})
	}
	spec := RunSpec{Objective: "ipo", Beta: 0.3, Size: "S", Seed: 2}
	cfg, steps, err := DAAConfig(o, spec, c)
	require.NoError(t, err)
	assert.Equal(t, 4, steps)
	assert.Equal(t, []string{"ipo_paper"}, cfg.Loss.LossTypes)
	assert.Equal(t, []float64{1}, cfg.Loss.LossWeights)
	assert.Equal(t, 0.3, cfg.Loss.Beta)
	assert.Equal(t, train.OptimizerRMSProp, cfg.Optimizer)
	assert.Equal(t, train.SchedulerWarmup, cfg.Scheduler)
	assert.Equal(t, 1, cfg.WarmupSteps, "a quarter of 4 steps")
	assert.Equal(t, 2, cfg.GradientAccumulationSteps)
	assert.Equal(t, 4, cfg.MaxSteps)
	assert.Equal(t, 2, cfg.Epochs)
	assert.Equal(t, 4, cfg.BatchSize)
	assert.Equal(t, 12, cfg.MaxLength)
	assert.Equal(t, 6, cfg.MaxPromptLength, "the longest prompt")
	assert.Equal(t, 10.0, cfg.MaxGradNorm)
	assert.Zero(t, cfg.WeightDecay)
	assert.True(t, cfg.DisableCheckpoints)
	assert.Empty(t, cfg.OutputDir)
	require.NoError(t, cfg.Validate())
	other, _, err := DAAConfig(o, RunSpec{Objective: "ipo", Beta: 0.3, Size: "S", Seed: 3}, c)
	require.NoError(t, err)
	assert.NotEqual(t, cfg.Seed, other.Seed, "runs differ in their pair order")

	c.MicroBatch = 3
	_, _, err = DAAConfig(o, spec, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "micro-batch 3 does not divide the batch of 8 pairs")
	c.MicroBatch = 4
	_, _, err = DAAConfig(o, RunSpec{Objective: "nosuch", Beta: 1}, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown objective "nosuch"`)
	// R-DPO: align's rdpo with the options' alpha (align's tests check its
	// loss against the reference spec vectors).
	o.RDPOAlpha = 0.7
	rd, _, err := DAAConfig(o, RunSpec{Objective: "rdpo", Beta: 0.1, Size: "S", Seed: 1}, c)
	require.NoError(t, err)
	assert.Equal(t, []string{"rdpo"}, rd.Loss.LossTypes)
	assert.Equal(t, 0.7, rd.Loss.Alpha)
	assert.Equal(t, 0.1, rd.Loss.Beta)
	o.DAABatch = 32
	_, _, err = DAAConfig(o, spec, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "21 training pairs make no step of 32 pairs")
}

// TestTrainConfigLRScalesWithWidth checks the DAA rate of each size: the
// options' rate at the base width, falling as 1/width (S 3e-4, M 1.5e-4,
// L 7.5e-5 by default), one rate for every size with DAALRBaseWidth 0, and
// the rate unscaled in the real mode.
func TestTrainConfigLRScalesWithWidth(t *testing.T) {
	o := DefaultOptions()
	c := &Cell{Epochs: 1, MicroBatch: 16, TrainSeq: 12, EvalRows: 16, EOS: 9}
	for range 16 {
		c.Train = append(c.Train, Pair{Prompt: []int{3, 4}, Chosen: []int{1}, Rejected: []int{2}})
	}
	lr := func(o Options, size string) float64 {
		cfg, _, err := DAAConfig(o, RunSpec{Objective: "dpo", Beta: 0.1, Size: size, Seed: 1}, c)
		require.NoError(t, err)
		return cfg.LearningRate
	}
	require.Equal(t, 3e-4, o.DAALR)
	require.Equal(t, 32, o.DAALRBaseWidth)
	assert.Equal(t, 3e-4, lr(o, "S"))
	assert.InDelta(t, 1.5e-4, lr(o, "M"), 1e-18)
	assert.InDelta(t, 7.5e-5, lr(o, "L"), 1e-18)
	assert.InDelta(t, 6e-4, lr(o, "XS"), 1e-18)
	o.Sizes = []string{"S", "L"}
	assert.Equal(t, "Learning rates (AdamW SFT, RMSProp DAA; the DAA rate is 0.0003 at hidden width 32 and falls as 1/width): S SFT 3000 steps at 0.003, DAA at 0.0003; L SFT 1500 steps at 0.001, DAA at 7.5e-05.", trainingRates(o), "the report states them")
	o.DAALR = 1e-3
	assert.InDelta(t, 2.5e-4, lr(o, "L"), 1e-18, "-lr is the rate at the base width")
	o.DAALRBaseWidth = 0
	for _, size := range []string{"S", "M", "L"} {
		assert.Equal(t, 1e-3, lr(o, size), "one rate at every size: %s", size)
	}
	assert.Contains(t, trainingRates(o), "one DAA rate at every size")
	o.DAALRBaseWidth = 32
	o.Real = &RealOptions{Model: "pythia-70m"}
	assert.Equal(t, 1e-3, lr(o, "pythia-70m"), "the real mode's one model is not scaled")
	o.Real, o.DAALRBaseWidth = nil, -1
	assert.ErrorContains(t, o.Validate(), "-lr-base-width -1")
}

// TestTrainData checks that responses reach align/train without their EOS
// (the trainer appends it) and that a response truncation cut (no EOS) is
// passed whole.
func TestTrainData(t *testing.T) {
	c := &Cell{EOS: 9, Train: []Pair{
		{Prompt: []int{1, 2}, Chosen: []int{3, 9}, Rejected: []int{9}},
		{Prompt: []int{1}, Chosen: []int{4, 5, 6}, Rejected: []int{7, 9}},
	}}
	d := trainData(c)
	require.Len(t, d.Train.Pairs, 2)
	assert.Equal(t, []int{3}, d.Train.Pairs[0].Chosen)
	assert.Empty(t, d.Train.Pairs[0].Rejected)
	assert.Equal(t, []int{4, 5, 6}, d.Train.Pairs[1].Chosen, "cut by truncation: kept whole")
	assert.Equal(t, []int{7}, d.Train.Pairs[1].Rejected)
	assert.Equal(t, []int{1, 2}, d.Train.Pairs[0].Prompt)
	assert.Equal(t, 9, d.EOS)
}
