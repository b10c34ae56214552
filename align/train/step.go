package train

import (
	"fmt"
	"math"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// span returns the indices lo, lo+1, ..., hi-1.
func span(lo, hi int) []int {
	idx := make([]int, hi-lo)
	for i := range idx {
		idx[i] = lo + i
	}
	return idx
}

// collate lays out the pairs idx of s as one batch.
func (t *Trainer) collate(s *split, idx []int) (*data.PairBatch, error) {
	pairs := make([]data.TokenizedPair, len(idx))
	for k, i := range idx {
		pairs[k] = s.set.Pairs[i]
	}
	pb, err := t.collator.Collate(pairs)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", s.set.Name, err)
	}
	if pb.Dropped > 0 { // cannot happen: prompts are shorter than max_length
		return nil, fmt.Errorf("train: %s: %d pairs dropped by the collator", s.set.Name, pb.Dropped)
	}
	return pb, nil
}

// batchLoss computes the loss on the pairs idx of s, scoring the policy
// with sc (the training scorer with grad, whose backward the loss's
// Backward then runs, or the evaluation scorer without): the 2B
// sequences scored together, the reference sums (live, precomputed or
// none) and the loss. Errors name the data set and the pairs.
func (t *Trainer) batchLoss(s *split, idx []int, sc pythia.Scorer, grad bool) (*batchResult, error) {
	fail := func(err error) error {
		return fmt.Errorf("train: %s pairs %v: %w", s.set.Name, idx, err)
	}
	pb, err := t.collate(s, idx)
	if err != nil {
		return nil, err
	}
	b := pb.Pairs
	pol := scoreBatch(sc, pb, t.policy.DType(), grad)
	pc, pr, err := pol.sums(b, t.cfg.Loss.LDAlpha)
	if err != nil {
		return nil, fail(fmt.Errorf("policy: %w", err))
	}
	batch := &align.Batch{PolicyChosen: pc, PolicyRejected: pr, ChosenLengths: pol.counts[:b], RejectedLengths: pol.counts[b:]}
	if t.cfg.usesReference() {
		if batch.RefChosen, batch.RefRejected, err = t.refSums(s, idx, pb); err != nil {
			return nil, fail(err)
		}
	}
	out, err := t.loss.Compute(batch)
	if err != nil {
		return nil, fail(err)
	}
	res := &batchResult{out: out, pairs: b}
	for i, n := range pol.counts {
		side := i / b // 0 chosen, 1 rejected
		res.logits[side] += pol.logitSums[i]
		res.tokens[side] += n
	}
	return res, nil
}

// accumulate runs the forward and backward passes of one optimizer step
// over the training pairs idx, in micro-batches of BatchSize, leaving the
// gradient of the step's loss in the parameters' Grad. Micro-batch k of n_k
// pairs contributes (n_k / n) * loss_k, so for a loss that is a mean over
// pairs the accumulated gradient is that of the mean over all n pairs, as
// one big batch would give.
func (t *Trainer) accumulate(idx []int) (*meter, error) {
	m := &meter{}
	for lo := 0; lo < len(idx); lo += t.cfg.BatchSize {
		micro := idx[lo:min(len(idx), lo+t.cfg.BatchSize)]
		res, err := t.batchLoss(&t.train, micro, t.trainSc, true)
		if err != nil {
			t.opt.ZeroGrad()
			return nil, fmt.Errorf("step %d: %w", t.step+1, err)
		}
		loss := res.out.Loss
		if len(micro) != len(idx) {
			loss = autograd.Scale(loss, float64(len(micro))/float64(len(idx))) // n_k / n
		}
		loss.Backward()
		m.add(res)
	}
	return m, nil
}

// update finishes an optimizer step: it clips the gradients, applies the
// optimizer at the scheduled learning rate, clears the gradients and, under
// TR-DPO, syncs the reference when due. It returns the gradient norm before
// clipping and the learning rate applied.
func (t *Trainer) update() (gradNorm, lr float64, err error) {
	maxNorm := t.cfg.MaxGradNorm
	if maxNorm == 0 {
		maxNorm = math.Inf(1) // no clipping; the norm is still measured
	}
	gradNorm, err = optim.ClipGradNorm(t.params, maxNorm, true)
	if err != nil {
		t.opt.ZeroGrad()
		return 0, 0, fmt.Errorf("train: step %d: %w", t.step+1, err)
	}
	lr = t.opt.LR(0)
	t.opt.Step()
	t.opt.ZeroGrad()
	t.step++
	sync := align.ReferenceSync{Alpha: t.cfg.RefModelMixupAlpha, Every: t.cfg.RefModelSyncSteps}
	if t.cfg.SyncRefModel && sync.Due(t.step) {
		ref, pol := t.refModel.Params(), t.params
		rt, pt := make([]*tensor.Tensor, len(ref)), make([]*tensor.Tensor, len(pol))
		for i := range ref {
			rt[i], pt[i] = ref[i].Value.Data, pol[i].Value.Data
		}
		align.SyncReference(rt, pt, sync.Alpha)
		if err := t.refreshReference(); err != nil {
			return 0, 0, err
		}
	}
	return gradNorm, lr, nil
}

// trainStep takes one optimizer step on the next pairs of the data order
// and returns its record.
func (t *Trainer) trainStep() (Record, error) {
	t.setLoRATraining(true) // dropout of this step's masks (lora.go)
	defer t.setLoRATraining(false)
	if t.sft {
		return t.sftStep()
	}
	idx := t.order.next(t.cfg.stepPairs())
	m, err := t.accumulate(idx)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	t.preOptimizerStep(idx)
	norm, lr, err := t.update()
	if err != nil {
		return nil, err
	}
	t.examples += len(idx)
	rec := m.record("", t.policy.Config.VocabSize)
	rec[KeyGradNorm] = norm
	rec[KeyLearningRate] = lr
	t.bookkeeping(rec)
	return rec, nil
}

// Evaluate computes the loss metrics over every held-out pair with the
// current policy, in batches of EvalBatchSize, without gradients; the
// record's keys carry the "eval_" prefix. It returns an error if there is no
// eval set or a loss is not finite.
func (t *Trainer) Evaluate() (Record, error) {
	if t.eval.set == nil {
		return nil, fmt.Errorf("train: Evaluate without eval pairs")
	}
	if t.sft {
		return t.sftEvaluate()
	}
	sc, err := t.evalScorer()
	if err != nil {
		return nil, err
	}
	n := len(t.eval.set.Pairs)
	m := &meter{}
	for lo := 0; lo < n; lo += t.cfg.EvalBatchSize {
		res, err := t.batchLoss(&t.eval, span(lo, min(n, lo+t.cfg.EvalBatchSize)), sc, false)
		if err != nil {
			return nil, fmt.Errorf("train: evaluation at step %d: %w", t.step, err)
		}
		m.add(res)
	}
	rec := m.record(EvalPrefix, t.policy.Config.VocabSize)
	t.bookkeeping(rec)
	return rec, nil
}
