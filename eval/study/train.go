package study

import (
	"fmt"
	"math/rand/v2"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
)

// trainDAA trains a copy of the cell's reference with the run's objective
// for c.Epochs over the training pairs, o.DAABatch pairs per RMSProp step
// (linear warmup over o.DAAWarmupFrac of the steps, then constant; gradient
// clipping at c.MaxGradNorm when positive), accumulating the gradient over
// passes of c.MicroBatch pairs. Each epoch visits the pairs in a new order
// drawn from the run's own stream. It calls evaluate on the starting model
// and after every 1/o.Checkpoints of the run with the optimizer steps taken
// and the pairs seen so far, and step after every optimizer step.
func trainDAA(o Options, spec RunSpec, c *Cell, evaluate func(policy *pythia.Model, step, examples int) error, step func()) error {
	policy, err := cloneModel(c.Reference)
	if err != nil {
		return err
	}
	loss, err := NewLoss(spec.Objective, spec.Beta)
	if err != nil {
		return err
	}
	perEpoch := len(c.Train) / o.DAABatch
	steps := c.Epochs * perEpoch
	if steps < 1 {
		return fmt.Errorf("%d training pairs make no step of %d pairs", len(c.Train), o.DAABatch)
	}
	cfg := optim.DefaultRMSProp()
	cfg.LR, cfg.Alpha, cfg.Eps = o.DAALR, o.RMSPropAlpha, o.RMSPropEps
	cfg.Schedule = optim.LinearWarmup(int(o.DAAWarmupFrac * float64(steps)))
	opt, err := optim.NewRMSProp(policy.Params(), cfg)
	if err != nil {
		return err
	}
	sc, err := newScorer(policy, 2*c.MicroBatch, c.TrainSeq, true)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(spec.Seed, hashString(spec.ID())))
	var order []int
	evalAt := checkpointSteps(steps, o.Checkpoints)
	for s := 0; s <= steps; s++ {
		if evalAt[s] {
			if err := evaluate(policy, s, s*o.DAABatch); err != nil {
				return err
			}
		}
		if s == steps {
			break
		}
		if s%perEpoch == 0 {
			order = rng.Perm(len(c.Train)) // a new order every epoch
		}
		idx := order[(s%perEpoch)*o.DAABatch:][:o.DAABatch]
		for lo := 0; lo < len(idx); lo += c.MicroBatch {
			micro := idx[lo:min(lo+c.MicroBatch, len(idx))]
			if err := accumulatePairGrad(sc, loss, c, micro, float64(len(micro))/float64(len(idx))); err != nil {
				return fmt.Errorf("%s step %d: %w", spec, s, err)
			}
		}
		if c.MaxGradNorm > 0 {
			if _, err := optim.ClipGradNorm(policy.Params(), c.MaxGradNorm, true); err != nil {
				return fmt.Errorf("%s step %d: %w", spec, s, err)
			}
		}
		opt.Step()
		opt.ZeroGrad()
		step()
	}
	return nil
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

// accumulatePairGrad adds share * d(mean loss over the training pairs
// idx)/d params to the policy's gradients: the losses are per pair, so the
// mean over a step's B pairs is the sum over its micro-batches of
// share = b/B times their mean.
func accumulatePairGrad(sc *scorer, loss *align.Loss, c *Cell, idx []int, share float64) error {
	b := len(idx)
	pairs := make([]Pair, b)
	refC, refR := make([]float64, b), make([]float64, b)
	lc, lr := make([]int, b), make([]int, b)
	for j, i := range idx {
		pairs[j] = c.Train[i]
		refC[j], refR[j] = c.RefTrain.Chosen[i], c.RefTrain.Rejected[i]
		lc[j], lr[j] = len(pairs[j].Chosen), len(pairs[j].Rejected)
	}
	prompts, responses := pairBatch(pairs)
	sums, _ := sc.sums(prompts, responses, false)
	grad, err := pairLossGrad(loss, sums, refC, refR, lc, lr)
	if err != nil {
		return err
	}
	if share != 1 {
		for k := range grad {
			grad[k] *= share
		}
	}
	sc.backward(grad)
	return nil
}

// cloneModel returns an independent copy of m's weights.
func cloneModel(m *pythia.Model) (*pythia.Model, error) {
	c, err := pythia.New(m.Config, m.DType())
	if err != nil {
		return nil, err
	}
	src, dst := m.Params(), c.Params()
	for i := range src {
		dst[i].Value.Data.CopyFrom(src[i].Value.Data)
	}
	return c, nil
}
