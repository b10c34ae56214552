package optim

import (
	"fmt"
	"math"
)

// Schedule returns the factor that multiplies every group's base learning
// rate at optimizer step `step` (0 for the first Step call, 1 for the
// second, ...), as the lambda of torch.optim.lr_scheduler.LambdaLR does: a
// LambdaLR created with the optimizer and stepped after each optimizer.step()
// applies lr = base_lr * lambda(k) to the k-th update (counting from 0).
// The factor must be finite and >= 0; Step panics otherwise.
type Schedule func(step int) float64

// Constant returns the factor 1 at every step.
func Constant() Schedule { return func(int) float64 { return 1 } }

// LinearWarmup returns min(1, (step+1)/(warmup+1)), the schedule of the DPO
// reference training code that the DAA over-optimization paper uses
// (LambdaLR(lambda step: min(1.0, (step + 1) / (warmup_steps + 1)))): the
// first step already uses 1/(warmup+1) of the learning rate, and step
// warmup-1 onwards the full rate. It panics if warmup < 0.
func LinearWarmup(warmup int) Schedule {
	checkSteps("LinearWarmup", warmup, warmup)
	return func(step int) float64 {
		return min(1, float64(step+1)/float64(warmup+1))
	}
}

// warmupFactor is Hugging Face's warmup ramp: step/max(1, warmup), used
// while step < warmup (so the first step has learning rate 0).
func warmupFactor(step, warmup int) float64 {
	return float64(step) / float64(max(1, warmup))
}

// CosineWithWarmup returns Hugging Face's get_cosine_schedule_with_warmup:
//
//	step < warmup:  step / max(1, warmup)
//	otherwise:      max(0, 0.5*(1 + cos(pi * cycles * 2 * progress)))
//	                with progress = (step-warmup) / max(1, total-warmup)
//
// cycles = 0.5 (Hugging Face's default) decays from 1 to 0 at step total
// along half a cosine. It panics if warmup < 0 or total < warmup.
func CosineWithWarmup(warmup, total int, cycles float64) Schedule {
	checkSteps("CosineWithWarmup", warmup, total)
	return func(step int) float64 {
		if step < warmup {
			return warmupFactor(step, warmup)
		}
		progress := float64(step-warmup) / float64(max(1, total-warmup))
		return max(0, 0.5*(1+math.Cos(math.Pi*cycles*2*progress)))
	}
}

// LinearWarmupDecay returns Hugging Face's get_linear_schedule_with_warmup:
//
//	step < warmup:  step / max(1, warmup)
//	otherwise:      max(0, (total-step) / max(1, total-warmup))
//
// rising from 0 to 1 over warmup steps, then falling linearly to 0 at step
// total and staying there. It panics if warmup < 0 or total < warmup.
func LinearWarmupDecay(warmup, total int) Schedule {
	checkSteps("LinearWarmupDecay", warmup, total)
	return func(step int) float64 {
		if step < warmup {
			return warmupFactor(step, warmup)
		}
		return max(0, float64(total-step)/float64(max(1, total-warmup)))
	}
}

// LinearWarmupDecayToFloor is LinearWarmupDecay decaying to floor instead of
// 0 (floor 0.1 ends at a tenth of the learning rate):
//
//	step < warmup:  step / max(1, warmup)
//	otherwise:      floor + (1-floor) * max(0, (total-step) / max(1, total-warmup))
//
// It panics if warmup < 0, total < warmup or floor is outside [0, 1].
func LinearWarmupDecayToFloor(warmup, total int, floor float64) Schedule {
	checkSteps("LinearWarmupDecayToFloor", warmup, total)
	if !(floor >= 0 && floor <= 1) {
		panic(fmt.Sprintf("optim: LinearWarmupDecayToFloor: floor = %v, want 0 <= floor <= 1", floor))
	}
	decay := LinearWarmupDecay(warmup, total)
	return func(step int) float64 {
		if step < warmup {
			return warmupFactor(step, warmup)
		}
		return floor + (1-floor)*decay(step)
	}
}

// checkSteps panics unless 0 <= warmup <= total.
func checkSteps(name string, warmup, total int) {
	if warmup < 0 || total < warmup {
		panic(fmt.Sprintf("optim: %s: warmup = %d, total = %d; want 0 <= warmup <= total", name, warmup, total))
	}
}
