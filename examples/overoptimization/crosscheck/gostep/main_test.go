package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/eval/study"
)

// TestGostepDumps runs gostep on the study's SFT (2 steps) and 3 DPO steps
// (dump 2, save 3) and checks its files against what they must hold: each
// step's indices are the next 16 entries of order.json, which is a
// permutation of the 8000 training pairs; the learning rate is the warmup's
// 3e-4 * min(1, k/51) (warmup 50 of the 500-step epoch); at step 1 the
// policy is the reference, so the sums are equal, the DPO loss is ln 2 and
// d loss/d sums = ∓β σ(0)/B = ∓0.03/32; the trainer's loss agrees with the
// dumped one; grad_1, grad_2, step_1..3 exist and nothing else.
func TestGostepDumps(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the study's SFT for 2 steps and DPO for 3")
	}
	o := options{s: study.DefaultOptions(), seed: 1, out: t.TempDir(), size: "S", engine: "engine",
		objective: "dpo", beta: 0.03, sft: true, steps: 3, dump: 2, save: map[int]bool{3: true}}
	o.s.SizeSFTSteps = map[string]int{"S": 2}
	o.s.SFTWarmup = 1
	require.NoError(t, run(o))

	var order struct{ Order []int }
	readJSON(t, filepath.Join(o.out, "order.json"), &order)
	require.Len(t, order.Order, o.s.Data.TrainPairs)
	seen := make([]bool, len(order.Order))
	for _, i := range order.Order {
		require.False(t, seen[i], "pair %d twice in order.json", i)
		seen[i] = true
	}
	var steps []stepRecord
	readJSON(t, filepath.Join(o.out, "steps.json"), &steps)
	require.Len(t, steps, 3)
	const b = 16
	for k, s := range steps {
		assert.Equal(t, k+1, s.Step)
		assert.Equal(t, order.Order[b*k:b*(k+1)], s.Indices, "step %d", k+1)
		assert.InEpsilon(t, 3e-4*float64(k+1)/51, s.LR, 1e-12, "step %d", k+1)
		assert.InDelta(t, s.Loss, s.TrainerLoss, 1e-6, "step %d", k+1)
		require.Len(t, s.Sums, 2*b)
		require.Len(t, s.DSums, 2*b)
	}
	first := steps[0]
	assert.Equal(t, first.RefChosen, first.Sums[:b])
	assert.Equal(t, first.RefReject, first.Sums[b:])
	assert.InDelta(t, math.Ln2, first.Loss, 1e-12)
	for j := range b {
		assert.InDelta(t, -0.03/32, first.DSums[j], 1e-15)
		assert.InDelta(t, 0.03/32, first.DSums[b+j], 1e-15)
	}
	entries, err := os.ReadDir(o.out)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"sft", "ref_logps", "order.json", "steps.json", "grad_1", "grad_2", "step_1", "step_2", "step_3"}, names)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

// TestDAAConfigRatePerSize checks that gostep trains each size at the
// study's rate for it (Options.DAALROf: 3e-4 on S, falling as 1/width).
func TestDAAConfigRatePerSize(t *testing.T) {
	o := options{s: study.DefaultOptions(), seed: 1, out: t.TempDir(), engine: "engine", steps: 3}
	cell := study.NewSynthetic(o.s).Cell(o.seed, nil) // the configuration reads the data, not the model
	for size, want := range map[string]float64{"S": 3e-4, "M": 1.5e-4, "L": 7.5e-5} {
		cfg, err := daaConfig(o, study.RunSpec{Objective: "dpo", Beta: 0.1, Size: size, Seed: 1}, cell)
		require.NoError(t, err)
		assert.InDelta(t, want, cfg.LearningRate, 1e-18, "size %s", size)
	}
}

// TestDAAConfigAsMirrored checks every field of gostep's configuration of a
// DPO run (beta 0.03, seed 1, 5 steps) on the study's cell of seed 1 against
// the configuration gostep's hand-written copy of the study's produced
// before it called study.DAAConfig (printed from commit 7227369): the
// 500-step epoch of 8000 pairs in steps of 16, warmup 50, sequences of
// 21 + 16 tokens, 128 pairs per scoring pass, the pair order's seed
// 1 xor FNV-1a of the run's id, "dpo_b0.03_S_s1" and "dpo_b0.03_M_s1"
// (the same values from a Python FNV-1a).
func TestDAAConfigAsMirrored(t *testing.T) {
	o := options{s: study.DefaultOptions(), seed: 1, out: "/xchk/go", engine: "engine", steps: 5}
	cell := study.NewSynthetic(o.s).Cell(o.seed, nil)
	want := train.Config{
		Loss: align.Config{Beta: 0.03, FDivergence: "reverse_kl", FAlphaDivergenceCoef: 0.5, Tau: 0.05, Alpha: 0.2, Gamma: 0.5,
			NLLReduction: "token_mean", DesirableWeight: 1, UndesirableWeight: 1, LossTypes: []string{"sigmoid"}, LossWeights: []float64{1}},
		PrecomputeRefLogProbs: true, RefCacheDir: "/xchk/go/ref_logps",
		RefModelMixupAlpha: 0.6, RefModelSyncSteps: 512,
		Backend:   "engine",
		Optimizer: "rmsprop", LearningRate: 3e-4,
		AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEpsilon: 1e-8, RMSPropAlpha: 0.99, RMSPropEpsilon: 1e-8,
		Scheduler: "warmup", WarmupSteps: 50,
		BatchSize: 16, GradientAccumulationSteps: 1, EvalBatchSize: 128,
		Epochs: 1, MaxSteps: 5, MaxLength: 37, MaxPromptLength: 21,
		Seed:               0xd606b515fafa3f76,
		DisableCheckpoints: true,
	}
	cfg, err := daaConfig(o, study.RunSpec{Objective: "dpo", Beta: 0.03, Size: "S", Seed: 1}, cell)
	require.NoError(t, err)
	assert.Equal(t, want, cfg, "size S")

	want.LearningRate, want.Seed = 1.5e-4, 0x993de0a06c35ed28
	cfg, err = daaConfig(o, study.RunSpec{Objective: "dpo", Beta: 0.03, Size: "M", Seed: 1}, cell)
	require.NoError(t, err)
	assert.Equal(t, want, cfg, "size M")
}
