package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/eval/study"
	"github.com/daalab/daa/eval/study/synth"
)

// runDAA trains a copy of cell's reference with the objective through
// align/train (daaConfig on cell, the study's cell of the seed) on the
// seed's training pairs ds.Train and writes order.json, steps.json,
// grad_<k> and step_<k> from the trainer's hooks.
func runDAA(o options, ds *synth.Dataset, cell *study.Cell) error {
	ref := cell.Reference
	spec := study.RunSpec{Objective: o.objective, Beta: o.beta, Size: o.size, Seed: o.seed}
	cfg, err := daaConfig(o, spec, cell)
	if err != nil {
		return err
	}
	set := &train.Dataset{Name: fmt.Sprintf("synthetic training pairs of seed %d", o.seed), Pairs: make([]data.TokenizedPair, len(ds.Train))}
	for i, p := range ds.Train { // responses without EOS: the trainer appends it
		set.Pairs[i] = data.TokenizedPair{Prompt: p.Doc.Prompt(), Chosen: p.Chosen, Rejected: p.Rejected}
	}
	policy := ref.Clone()
	tr, err := train.New(cfg, policy, ref, train.Data{Train: set, EOS: synth.EOS, Pad: synth.EOS})
	if err != nil {
		return err
	}
	d, err := newDumper(o, cfg, ds, policy, ref)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hookErr error
	check := func(err error) {
		if err != nil && hookErr == nil {
			hookErr = err
			cancel() // Train stops before the next step
		}
	}
	tr.OnPreOptimizerStep = func(info train.StepInfo) {
		if info.Step == 1 {
			check(writeJSON(filepath.Join(o.out, "order.json"), map[string]any{"order": tr.EpochOrder()}))
		}
		check(d.beforeUpdate(info))
	}
	tr.OnStep = func(rec train.Record) { check(d.afterUpdate(tr.Step(), rec)) }
	err = tr.Train(ctx)
	if hookErr != nil {
		return hookErr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return d.finish()
}
