package train

import "slices"

// StepInfo describes an optimizer step to Trainer.OnPreOptimizerStep,
// which, when set, is called once per optimizer step after the backward
// passes of all its micro-batches and before gradient clipping and the
// optimizer update (the place of Hugging Face's
// TrainerCallback.on_pre_optimizer_step, which runs after clipping): the
// trainable parameters' Grad hold the gradient of the step's loss,
// unclipped, and the policy still has the weights the step was scored
// with. The hook may read both (e.g. dump them); a change it makes to the
// gradients is clipped and applied as if the backward had produced it,
// and it must not change the weights. It runs for preference (New) and
// SFT (NewSFT) steps alike.
type StepInfo struct {
	// Step is the step's number from 1: the optimizer steps taken once it
	// is applied (Trainer.Step() is Step-1 during the call).
	Step int
	// Indices are the step's training examples in the order they were
	// scored: positions in Data.Train.Pairs (New) or in
	// SFTData.Train.Examples (NewSFT), a run of EpochOrder's permutation.
	// The slice is a copy the hook may keep.
	Indices []int
	// LearningRate is the rate the optimizer is about to apply (the
	// scheduled rate of this step, the record's learning_rate).
	LearningRate float64
}

// preOptimizerStep calls OnPreOptimizerStep, if set, for the step about to
// update the parameters with the gradients of the examples idx.
func (t *Trainer) preOptimizerStep(idx []int) {
	if t.OnPreOptimizerStep == nil {
		return
	}
	t.OnPreOptimizerStep(StepInfo{Step: t.step + 1, Indices: slices.Clone(idx), LearningRate: t.opt.LR(0)})
}

// EpochOrder returns a copy of the current epoch's data order: the
// permutation of the training set's indices whose consecutive runs are the
// epoch's steps (StepInfo.Indices). It is nil before the first step; from
// OnPreOptimizerStep at the first step of an epoch it is that epoch's
// order. The permutation is a function of Config.Seed alone (a fresh
// shuffle per epoch, order.go).
func (t *Trainer) EpochOrder() []int { return slices.Clone(t.order.perm) }
