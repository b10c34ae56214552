package train

import (
	"fmt"

	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/nn/optim"
)

// newOptimizer builds the configured optimizer and schedule over params.
func newOptimizer(cfg Config, params []nn.Param, total int) (optim.Optimizer, error) {
	var sched optim.Schedule
	switch cfg.Scheduler {
	case SchedulerWarmup:
		sched = optim.LinearWarmup(cfg.WarmupSteps)
	case SchedulerConstant:
		sched = optim.Constant()
	default:
		if cfg.WarmupSteps > total {
			return nil, fmt.Errorf("train: warmup_steps = %d exceeds the run's %d optimizer steps (lr_scheduler_type %s)", cfg.WarmupSteps, total, cfg.Scheduler)
		}
		if cfg.Scheduler == SchedulerCosine {
			sched = optim.CosineWithWarmup(cfg.WarmupSteps, total, 0.5)
		} else {
			sched = optim.LinearWarmupDecayToFloor(cfg.WarmupSteps, total, cfg.LRFloor) // floor 0: Hugging Face's linear schedule
		}
	}
	var opt optim.Optimizer
	var err error
	if cfg.Optimizer == OptimizerAdamW {
		opt, err = optim.NewAdamW(params, optim.AdamWConfig{LR: cfg.LearningRate, Beta1: cfg.AdamBeta1, Beta2: cfg.AdamBeta2,
			Eps: cfg.AdamEpsilon, WeightDecay: cfg.WeightDecay, Decay: optim.DecayByName, Schedule: sched})
	} else {
		opt, err = optim.NewRMSProp(params, optim.RMSPropConfig{LR: cfg.LearningRate, Alpha: cfg.RMSPropAlpha,
			Eps: cfg.RMSPropEpsilon, WeightDecay: cfg.WeightDecay, Decay: optim.DecayByName, Schedule: sched})
	}
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return opt, nil
}
