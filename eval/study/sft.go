package study

import (
	"context"
	"fmt"

	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/eval/study/synth"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// sftConfig returns align/train's configuration of the synthetic task's SFT
// with the run's seed: AdamW at the size's rate (o.SFTLROf) with torch's defaults otherwise
// (betas 0.9/0.999, eps 1e-8, weight decay 0.01, which align/train applies
// by Hugging Face's rule: not biases, not LayerNorms, as optim.NewAdamW
// does by default), linear warmup over o.SFTWarmup steps then linear decay
// to o.SFTFloor of the rate at the size's last step (o.SFTStepsOf), clipping at o.SFTClip,
// o.SFTBatch examples per step, the examples in a seeded permutation per
// epoch, no evaluation and no checkpoints (a run in memory).
func sftConfig(o Options, size string, seed uint64) train.Config {
	adam := optim.DefaultAdamW()
	cfg := train.DefaultConfig()
	cfg.Optimizer, cfg.LearningRate, cfg.WeightDecay = train.OptimizerAdamW, o.SFTLROf(size), adam.WeightDecay
	cfg.AdamBeta1, cfg.AdamBeta2, cfg.AdamEpsilon = adam.Beta1, adam.Beta2, adam.Eps
	cfg.Scheduler, cfg.WarmupSteps, cfg.LRFloor = train.SchedulerLinear, o.SFTWarmup, o.SFTFloor
	cfg.MaxGradNorm = o.SFTClip
	cfg.BatchSize, cfg.GradientAccumulationSteps = o.SFTBatch, 1
	cfg.Epochs, cfg.MaxSteps = 1, o.SFTStepsOf(size)
	// Every prompt is synth.PromptLen tokens; a summary and its EOS fit in
	// the MaxNewTokens after it (at most Noise.MaxLen+1 tokens).
	cfg.MaxLength, cfg.MaxPromptLength = syntheticSeq, synth.PromptLen
	cfg.Seed = seed
	cfg.EvalEvery, cfg.SaveEvery = 0, 0
	cfg.OutputDir, cfg.DisableCheckpoints = "", true
	return cfg
}

// sftData returns the noisy summaries of ds as align/train's SFT examples:
// the document's prompt and its summary (the trainer appends EOS, and the
// loss is the mean NLL over the summary and EOS tokens of a step; the
// prompt is context).
func sftData(ds *synth.Dataset, seed uint64) train.SFTData {
	set := &train.SFTDataset{Name: fmt.Sprintf("synthetic SFT examples of seed %d", seed), Examples: make([]train.SFTExample, len(ds.SFT))}
	for i, ex := range ds.SFT {
		set.Examples[i] = train.SFTExample{Prompt: ex.Doc.Prompt(), Completion: ex.Summary}
	}
	return train.SFTData{Train: set, EOS: synth.EOS}
}

// trainSFT fits a fresh model of the given size to the noisy summaries of
// ds with align/train's SFT (sftConfig). step is called after every
// optimizer step.
func trainSFT(o Options, size string, seed uint64, ds *synth.Dataset, step func()) (*pythia.Model, error) {
	m, err := pythia.NewRandom(modelConfig(size), tensor.Float32, seed)
	if err != nil {
		return nil, err
	}
	tr, err := train.NewSFT(sftConfig(o, size, seed), m, sftData(ds, seed))
	if err != nil {
		return nil, fmt.Errorf("SFT size %s seed %d: %w", size, seed, err)
	}
	tr.OnStep = func(train.Record) { step() }
	if err := tr.Train(context.Background()); err != nil {
		return nil, fmt.Errorf("SFT size %s seed %d: %w", size, seed, err)
	}
	return tr.Policy(), nil
}
