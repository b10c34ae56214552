package study

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/pythia"
)

// refCacheDir is where, under Options.Out, the DAA runs keep the
// reference log-probs of their cell's training pairs (align/train's
// precomputed reference cache, keyed by data and weights).
const refCacheDir = "ref_logps"

// DAAConfig returns align/train's configuration of one DAA run of spec on
// cell c, and the run's number of optimizer steps. It sets the objective's
// align loss at spec.Beta (NewLoss; R-DPO's alpha o.RDPOAlpha); RMSProp at
// the size's rate o.DAALROf(spec.Size) with o.RMSPropAlpha and
// o.RMSPropEps, no weight decay, clipping at c.MaxGradNorm when positive;
// linear warmup over o.DAAWarmupFrac of the steps, then constant;
// o.DAABatch pairs per step in micro-batches of c.MicroBatch;
//
//	steps = c.Epochs * floor(len(c.Train) / o.DAABatch)
//
// MaxLength c.TrainSeq and MaxPromptLength the longest training prompt;
// scoring passes of c.EvalRows/2 pairs; the pairs in a per-run order
// (spec.Seed xor the FNV-1a hash of spec.ID()); reference log-probs
// precomputed once per cell into o.Out/ref_logps; o.Precision; no
// evaluation and no checkpoints (a run in memory). The backend is
// align/train's default.
//
// It returns an error for an unknown objective, when the pairs make no
// step of o.DAABatch pairs, or when c.MicroBatch does not divide
// o.DAABatch.
func DAAConfig(o Options, spec RunSpec, c *Cell) (train.Config, int, error) {
	loss, err := NewLoss(spec.Objective, spec.Beta, o.RDPOAlpha) // resolves dpo/ipo/slic and checks the name
	if err != nil {
		return train.Config{}, 0, err
	}
	steps := c.Epochs * (len(c.Train) / o.DAABatch)
	if steps < 1 {
		return train.Config{}, 0, fmt.Errorf("%d training pairs make no step of %d pairs", len(c.Train), o.DAABatch)
	}
	if o.DAABatch%c.MicroBatch != 0 {
		return train.Config{}, 0, fmt.Errorf("micro-batch %d does not divide the batch of %d pairs", c.MicroBatch, o.DAABatch)
	}
	cfg := train.DefaultConfig()
	cfg.Loss = loss.Config
	cfg.Loss.LossTypes, cfg.Loss.LossWeights = []string{loss.Name}, []float64{1}
	cfg.Optimizer, cfg.LearningRate, cfg.WeightDecay = train.OptimizerRMSProp, o.DAALROf(spec.Size), 0
	cfg.RMSPropAlpha, cfg.RMSPropEpsilon = o.RMSPropAlpha, o.RMSPropEps
	cfg.Scheduler, cfg.WarmupSteps = train.SchedulerWarmup, int(o.DAAWarmupFrac*float64(steps))
	cfg.MaxGradNorm = c.MaxGradNorm
	cfg.BatchSize, cfg.GradientAccumulationSteps = c.MicroBatch, o.DAABatch/c.MicroBatch
	cfg.EvalBatchSize = max(1, c.EvalRows/2)
	cfg.Epochs, cfg.MaxSteps = c.Epochs, steps
	cfg.MaxLength = c.TrainSeq
	cfg.MaxPromptLength = 1
	for _, p := range c.Train {
		cfg.MaxPromptLength = max(cfg.MaxPromptLength, len(p.Prompt))
	}
	cfg.Seed = spec.Seed ^ hashString(spec.ID())
	cfg.EvalEvery, cfg.SaveEvery = 0, 0
	cfg.PrecomputeRefLogProbs, cfg.RefCacheDir = true, refCacheDirOf(o)
	cfg.OutputDir, cfg.DisableCheckpoints = "", true
	cfg.Precision = o.Precision
	return cfg, steps, nil
}

func refCacheDirOf(o Options) string { return filepath.Join(o.Out, refCacheDir) }

// trainData returns c's training pairs as align/train takes them: the
// trainer appends EOS to each response and cuts prompt + response + EOS to
// TrainSeq tokens, so a response that ends with EOS is given without it and
// one that truncation cut (no EOS, filling TrainSeq) comes out the same.
func trainData(c *Cell) train.Data {
	ds := &train.Dataset{Name: "train", Pairs: make([]data.TokenizedPair, len(c.Train))}
	strip := func(y []int) []int {
		if len(y) > 0 && y[len(y)-1] == c.EOS {
			return y[:len(y)-1]
		}
		return y
	}
	for i, p := range c.Train {
		ds.Pairs[i] = data.TokenizedPair{Prompt: p.Prompt, Chosen: strip(p.Chosen), Rejected: strip(p.Rejected)}
	}
	return train.Data{Train: ds, EOS: c.EOS, Pad: c.EOS}
}

// trainDAA trains a copy of the cell's reference with the run's objective
// through align/train (DAAConfig). It calls evaluate on the starting
// model and after every 1/o.Checkpoints of the run with the optimizer steps
// taken and the pairs seen so far, and step after every optimizer step.
func trainDAA(o Options, spec RunSpec, c *Cell, evaluate func(policy *pythia.Model, step, examples int) error, step func()) error {
	cfg, steps, err := DAAConfig(o, spec, c)
	if err != nil {
		return err
	}
	policy, ref := c.Reference.Clone(), c.Reference
	if o.Real != nil && o.Real.LoRA.R > 0 {
		// Adapters initialised from the run's seed on the frozen copy; the
		// reference is that copy with its adapters off (align/train's LoRA mode).
		if err := policy.AttachLoRA(o.Real.LoRA, spec.Seed); err != nil {
			return err
		}
		ref = nil
	}
	tr, err := train.New(cfg, policy, ref, trainData(c))
	if err != nil {
		return err
	}
	evalAt := checkpointSteps(steps, o.Checkpoints)
	if evalAt[0] {
		if err := evaluate(policy, 0, 0); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var evalErr error
	tr.OnStep = func(train.Record) {
		step()
		if s := tr.Step(); evalErr == nil && evalAt[s] {
			if evalErr = evaluate(tr.Policy(), s, tr.Examples()); evalErr != nil {
				cancel()
			}
		}
	}
	err = tr.Train(ctx)
	if evalErr != nil {
		return evalErr
	}
	return err
}

// checkpointSteps returns the steps evaluated: round(k*steps/n) for
// k = 0..n.
func checkpointSteps(steps, n int) map[int]bool {
	at := map[int]bool{}
	for k := 0; k <= n; k++ {
		at[(2*k*steps+n)/(2*n)] = true
	}
	return at
}
