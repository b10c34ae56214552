package main

import (
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/eval/study"
)

// daaConfig returns the study's configuration of the DAA run spec on cell c
// (study.DAAConfig with o's study settings) with the three changes gostep
// makes: the run stops after o.steps steps, the models run on o.engine, and
// the reference log-probs are cached under o.out. It returns
// study.DAAConfig's errors.
func daaConfig(o options, spec study.RunSpec, c *study.Cell) (train.Config, error) {
	s := o.s
	// The study caches the reference log-probs in s.Out/ref_logps; gostep
	// writes everything under -out.
	s.Out = o.out
	cfg, _, err := study.DAAConfig(s, spec, c)
	if err != nil {
		return train.Config{}, err
	}
	// A cross-check needs a few steps, not the epoch: MaxSteps is cut to
	// -steps, while the warmup (o.DAAWarmupFrac of the epoch's steps)
	// stays the epoch's, so step k's rate is the study's.
	cfg.MaxSteps = o.steps
	// -engine picks align/train's backend (the study runs its default,
	// the engine) so that the autograd path can be checked too.
	cfg.Backend = o.engine
	return cfg, nil
}
