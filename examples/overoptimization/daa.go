package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
)

// runSpec names one DAA training run of the grid.
type runSpec struct {
	Objective string  `json:"objective"`
	Beta      float64 `json:"beta"`
	Size      string  `json:"size"`
	Seed      uint64  `json:"seed"`
}

func (r runSpec) String() string {
	return fmt.Sprintf("%s beta=%g size=%s seed=%d", r.Objective, r.Beta, r.Size, r.Seed)
}

// ID is a file-name-safe identifier of the run.
func (r runSpec) ID() string {
	return fmt.Sprintf("%s_b%g_%s_s%d", r.Objective, r.Beta, r.Size, r.Seed)
}

// trainDAA trains a copy of the reference model with the run's objective for
// one epoch over the training pairs (RMSProp, linear warmup then constant),
// and calls evaluate on the starting model and after every 1/Checkpoints of
// the epoch with the number of pairs seen so far.
func trainDAA(o Options, spec runSpec, ref *reference, ds *task.Dataset, evaluate func(policy *pythia.Model, step, examples int) error, progress func()) error {
	policy, err := cloneModel(ref.model)
	if err != nil {
		return err
	}
	loss, err := newLoss(spec.Objective, spec.Beta)
	if err != nil {
		return err
	}
	steps := len(ds.Train) / o.DAABatch
	cfg := optim.DefaultRMSProp()
	cfg.LR, cfg.Alpha, cfg.Eps = o.DAALR, o.RMSPropAlpha, o.RMSPropEps
	cfg.Schedule = optim.LinearWarmup(int(o.DAAWarmupFrac * float64(steps)))
	opt, err := optim.NewRMSProp(policy.Params(), cfg)
	if err != nil {
		return err
	}
	sc, err := newScorer(policy, 2*o.DAABatch, true)
	if err != nil {
		return err
	}
	order := rand.New(rand.NewPCG(spec.Seed, hashString(spec.ID()))).Perm(len(ds.Train))
	next := 0
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
		idx := order[next : next+o.DAABatch]
		next += o.DAABatch
		pairs := make([]task.Pair, len(idx))
		refC, refR := make([]float64, len(idx)), make([]float64, len(idx))
		lc, lr := make([]int, len(idx)), make([]int, len(idx))
		for j, i := range idx {
			pairs[j] = ds.Train[i]
			refC[j], refR[j] = ref.trainChosen[i], ref.trainRejected[i]
			lc[j], lr[j] = len(pairs[j].Chosen)+1, len(pairs[j].Rejected)+1
		}
		prompts, responses := pairBatch(pairs)
		sums, _ := sc.sums(prompts, responses, false)
		grad, err := pairLossGrad(loss, sums, refC, refR, lc, lr)
		if err != nil {
			return fmt.Errorf("%s step %d: %w", spec, step, err)
		}
		sc.backward(grad)
		opt.Step()
		opt.ZeroGrad()
		progress()
	}
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

// hashString is FNV-1a, to derive per-run random streams from run names.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
