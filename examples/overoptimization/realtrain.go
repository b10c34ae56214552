package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
)

// realReference is the model the user brought, the SFT reference of every
// run, with the reference log-probs of every training and held-out pair
// computed once, and the inference engines shared by the runs (which run
// one at a time).
type realReference struct {
	*realModel
	set *realSet
	// trainChosen[i], trainRejected[i]: log ref(y|x) of training pair i
	// summed over the response tokens and EOS; likewise for held-out pairs.
	trainChosen, trainRejected     []float64
	heldOutChosen, heldOutRejected []float64

	trainSeq int          // longest training sequence (prompt + response)
	evalRows int          // sequences per scoring or sampling pass: 8 * -micro-batch
	evalSeq  int          // longest scored or sampled sequence
	refEng   *fast.Engine // inference on the reference
	polEng   *fast.Engine // inference on the current run's policy (rebuilt per run)
}

// newRealReference sizes the engines and scores every pair under the
// reference.
func newRealReference(o Options, rm *realModel, set *realSet) (*realReference, error) {
	ref := &realReference{realModel: rm, set: set, evalRows: 8 * o.Real.MicroBatch}
	for _, p := range set.Train {
		ref.trainSeq = max(ref.trainSeq, len(p.Prompt)+max(len(p.Chosen), len(p.Rejected)))
	}
	ref.evalSeq = ref.trainSeq
	for _, p := range set.HeldOut {
		ref.evalSeq = max(ref.evalSeq, len(p.Prompt)+max(len(p.Chosen), len(p.Rejected)))
	}
	for _, e := range set.Eval {
		ref.evalSeq = max(ref.evalSeq, len(e.Prompt)+o.Real.MaxNewTokens)
	}
	var err error
	if ref.refEng, err = fast.NewInference(rm.model, ref.evalRows, ref.evalSeq); err != nil {
		return nil, err
	}
	sc := &scorer{eng: ref.refEng}
	ref.trainChosen, ref.trainRejected = realPairSums(sc, set.Train)
	ref.heldOutChosen, ref.heldOutRejected = realPairSums(sc, set.HeldOut)
	return ref, nil
}

// engineFor returns an inference engine reading policy's weights.
func (ref *realReference) engineFor(policy *pythia.Model) (*fast.Engine, error) {
	if policy == ref.model {
		return ref.refEng, nil
	}
	if ref.polEng == nil || ref.polEng.Model() != policy {
		ref.polEng = nil // let the previous run's buffers go before allocating
		e, err := fast.NewInference(policy, ref.evalRows, ref.evalSeq)
		if err != nil {
			return nil, err
		}
		ref.polEng = e
	}
	return ref.polEng, nil
}

// realPairBatch lays out pairs as one batch of 2B sequences, chosen rows
// first (the responses already end with EOS).
func realPairBatch(pairs []realPair) (prompts, responses [][]int) {
	b := len(pairs)
	prompts, responses = make([][]int, 2*b), make([][]int, 2*b)
	for i, p := range pairs {
		prompts[i], prompts[b+i] = p.Prompt, p.Prompt
		responses[i], responses[b+i] = p.Chosen, p.Rejected
	}
	return prompts, responses
}

// realPairSums scores the chosen and rejected responses of every pair, as
// many pairs per pass as the engine takes.
func realPairSums(sc *scorer, pairs []realPair) (chosen, rejected []float64) {
	batch := sc.eng.MaxBatch() / 2
	for lo := 0; lo < len(pairs); lo += batch {
		part := pairs[lo:min(lo+batch, len(pairs))]
		prompts, responses := realPairBatch(part)
		sums, _ := sc.sums(prompts, responses, false)
		chosen = append(chosen, sums[:len(part)]...)
		rejected = append(rejected, sums[len(part):]...)
	}
	return chosen, rejected
}

// trainReal trains a copy of the reference with the run's objective for
// -epochs over the training pairs, -batch pairs per RMSProp step (linear
// warmup over -warmup of the steps, then constant; gradient clipping at
// -max-grad-norm), accumulating the gradient over passes of -micro-batch
// pairs. It calls evaluate on the starting model and after every
// 1/Checkpoints of the run with the number of pairs seen so far.
func trainReal(o Options, spec runSpec, ref *realReference, evaluate func(policy *pythia.Model, step, examples int) error, progress func()) error {
	policy, err := cloneModel(ref.model)
	if err != nil {
		return err
	}
	loss, err := newLoss(spec.Objective, spec.Beta)
	if err != nil {
		return err
	}
	train := ref.set.Train
	perEpoch := len(train) / o.DAABatch
	steps := o.Real.Epochs * perEpoch
	cfg := optim.DefaultRMSProp()
	cfg.LR, cfg.Alpha, cfg.Eps = o.DAALR, o.RMSPropAlpha, o.RMSPropEps
	cfg.Schedule = optim.LinearWarmup(int(o.DAAWarmupFrac * float64(steps)))
	opt, err := optim.NewRMSProp(policy.Params(), cfg)
	if err != nil {
		return err
	}
	eng, err := fast.New(policy, 2*o.Real.MicroBatch, ref.trainSeq)
	if err != nil {
		return err
	}
	sc := &scorer{eng: eng}
	rng := rand.New(rand.NewPCG(spec.Seed, hashString(spec.ID())))
	var order []int
	// Evaluate at step round(k*steps/Checkpoints) for k = 0..Checkpoints.
	evalAt := map[int]bool{}
	for k := 0; k <= o.Checkpoints; k++ {
		evalAt[(2*k*steps+o.Checkpoints)/(2*o.Checkpoints)] = true
	}
	for step := 0; step <= steps; step++ {
		if evalAt[step] {
			if err := evaluate(policy, step, step*o.DAABatch); err != nil {
				return err
			}
		}
		if step == steps {
			break
		}
		if step%perEpoch == 0 {
			order = rng.Perm(len(train)) // a new order every epoch
		}
		idx := order[(step%perEpoch)*o.DAABatch:][:o.DAABatch]
		for lo := 0; lo < len(idx); lo += o.Real.MicroBatch {
			micro := idx[lo:min(lo+o.Real.MicroBatch, len(idx))]
			if err := accumulatePairGrad(sc, loss, ref, micro, float64(len(micro))/float64(len(idx))); err != nil {
				return fmt.Errorf("%s step %d: %w", spec, step, err)
			}
		}
		if o.Real.MaxGradNorm > 0 {
			if _, err := optim.ClipGradNorm(policy.Params(), o.Real.MaxGradNorm, true); err != nil {
				return fmt.Errorf("%s step %d: %w", spec, step, err)
			}
		}
		opt.Step()
		opt.ZeroGrad()
		progress()
	}
	return nil
}

// accumulatePairGrad adds share * d(mean loss over the pairs idx)/d params to
// the policy's gradients: the losses are per pair, so the mean over a step's
// B pairs is the sum over its micro-batches of share = b/B times their mean.
func accumulatePairGrad(sc *scorer, loss *align.Loss, ref *realReference, idx []int, share float64) error {
	b := len(idx)
	pairs := make([]realPair, b)
	refC, refR := make([]float64, b), make([]float64, b)
	lc, lr := make([]int, b), make([]int, b)
	for j, i := range idx {
		pairs[j] = ref.set.Train[i]
		refC[j], refR[j] = ref.trainChosen[i], ref.trainRejected[i]
		lc[j], lr[j] = len(pairs[j].Chosen), len(pairs[j].Rejected)
	}
	prompts, responses := realPairBatch(pairs)
	sums, _ := sc.sums(prompts, responses, false)
	grad, err := pairLossGrad(loss, sums, refC, refR, lc, lr)
	if err != nil {
		return err
	}
	for k := range grad {
		grad[k] *= share
	}
	sc.backward(grad)
	return nil
}
