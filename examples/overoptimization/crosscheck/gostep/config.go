package main

import (
	"fmt"
	"hash/fnv"
	"path/filepath"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/eval/study"
	"github.com/daalab/daa/eval/study/synth"
)

// seqLen is the longest sequence the study trains on the synthetic task: a
// prompt and MaxNewTokens response tokens (responses and EOS fit).
const seqLen = synth.PromptLen + synth.MaxNewTokens

// runSeed is the seed of the run's data order as the study derives it:
// RunSpec.Seed xor the FNV-1a hash of RunSpec.ID().
func runSeed(spec study.RunSpec) uint64 {
	h := fnv.New64a()
	h.Write([]byte(spec.ID()))
	return spec.Seed ^ h.Sum64()
}

// daaConfig mirrors eval/study's trainConfig (train.go) for spec on the
// synthetic task's cell (Synthetic.Prepare: one epoch, the step's pairs in
// one micro-batch, no clipping, 256-row scoring passes), with o's study
// settings, except that the run stops after o.steps steps: MaxSteps is cut
// and the warmup schedule, which does not depend on it, stays the epoch's.
// The reference log-probs are precomputed into out/ref_logps, as the study
// does into its own output directory.
func daaConfig(o options, spec study.RunSpec, pairs int) (train.Config, error) {
	epoch := pairs / o.s.DAABatch // optimizer steps of the study's run
	if epoch < 1 {
		return train.Config{}, fmt.Errorf("%d training pairs make no step of %d pairs", pairs, o.s.DAABatch)
	}
	loss, err := study.NewLoss(spec.Objective, spec.Beta, o.s.RDPOAlpha) // the objective's align loss and configuration
	if err != nil {
		return train.Config{}, err
	}
	cfg := train.DefaultConfig()
	cfg.Loss = loss.Config
	cfg.Loss.LossTypes = []string{loss.Name}
	cfg.Loss.LossWeights = []float64{1}

	cfg.Optimizer = train.OptimizerRMSProp
	cfg.LearningRate = o.s.DAALROf(spec.Size) // falls as 1/width, as the study's
	cfg.RMSPropAlpha = o.s.RMSPropAlpha
	cfg.RMSPropEpsilon = o.s.RMSPropEps
	cfg.WeightDecay = 0
	cfg.MaxGradNorm = 0
	cfg.Scheduler = train.SchedulerWarmup
	cfg.WarmupSteps = int(o.s.DAAWarmupFrac * float64(epoch))

	cfg.BatchSize = o.s.DAABatch
	cfg.GradientAccumulationSteps = 1
	cfg.EvalBatchSize = 128
	cfg.Epochs = 1
	cfg.MaxSteps = o.steps
	cfg.MaxLength = seqLen
	cfg.MaxPromptLength = synth.PromptLen // every prompt's length
	cfg.Seed = runSeed(spec)

	cfg.Backend = o.engine
	cfg.EvalEvery = 0
	cfg.SaveEvery = 0
	cfg.PrecomputeRefLogProbs = true
	cfg.RefCacheDir = filepath.Join(o.out, "ref_logps")
	cfg.OutputDir = ""
	cfg.DisableCheckpoints = true
	return cfg, nil
}
