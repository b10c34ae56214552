package align

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/tensor"
)

// ReferenceSync configures TR-DPO's reference-model updates (Gorbatovski et
// al. 2024, "Learn Your Reference Model for Real Good Alignment"), as TRL's
// SyncRefModelCallback (sync_ref_model=True): every Every optimizer steps
// the reference weights move towards the policy's,
//
//	ref = Alpha * policy + (1 - Alpha) * ref    (soft update)
//
// and Alpha = 1 copies them (hard update). TRL's defaults are Alpha 0.6
// (ref_model_mixup_alpha) and Every 512 (ref_model_sync_steps).
type ReferenceSync struct {
	Alpha float64 // α in [0, 1]: the policy's share; 1 = hard update
	Every int     // τ >= 1: steps between updates
}

// Validate returns an error naming the field if Alpha is outside [0, 1]
// or Every below 1.
func (s ReferenceSync) Validate() error {
	if !(s.Alpha >= 0 && s.Alpha <= 1) {
		return fmt.Errorf("align: reference sync: alpha = %v; want 0 <= alpha <= 1", s.Alpha)
	}
	if s.Every < 1 {
		return fmt.Errorf("align: reference sync: every = %d; want >= 1", s.Every)
	}
	return nil
}

// Due reports whether the reference is updated after optimizer step step
// (counted from 1): at steps τ, 2τ, 3τ, ... as TRL's on_step_end.
func (s ReferenceSync) Due(step int) bool { return s.Every > 0 && step > 0 && step%s.Every == 0 }

// SyncReference updates each ref[i] in place towards policy[i]:
// ref = alpha*policy + (1-alpha)*ref element-wise, computed in the
// tensors' dtype as TRL's mul_(1-alpha).add_(policy, alpha=alpha); alpha = 1
// copies policy exactly. It panics if the lists differ in length, a pair
// differs in shape or dtype, or alpha is outside [0, 1].
func SyncReference(ref, policy []*tensor.Tensor, alpha float64) {
	if len(ref) != len(policy) {
		panic(fmt.Sprintf("align: SyncReference: %d reference tensors, %d policy tensors", len(ref), len(policy)))
	}
	if !(alpha >= 0 && alpha <= 1) {
		panic(fmt.Sprintf("align: SyncReference: alpha = %v outside [0, 1]", alpha))
	}
	for i := range ref {
		r, p := ref[i], policy[i]
		if !tensor.SameShape(r, p) || r.DType() != p.DType() {
			panic(fmt.Sprintf("align: SyncReference: tensor %d: reference %s %v, policy %s %v", i, r.DType(), r.Shape(), p.DType(), p.Shape()))
		}
		switch {
		case alpha == 1:
			r.CopyFrom(p)
		case !r.IsContiguous():
			r.CopyFrom(tensor.Add(tensor.Scale(r, 1-alpha), tensor.Scale(p, alpha)))
		case r.DType() == tensor.Float32:
			mix(r.Float32s(), p.Contiguous().Float32s(), float32(alpha), float32(1-alpha))
		default:
			mix(r.Float64s(), p.Contiguous().Float64s(), alpha, 1-alpha)
		}
	}
}

// mix sets r = r*keep + a*p element-wise (keep = 1-a, rounded once from
// float64), in parallel chunks.
func mix[T float32 | float64](r, p []T, a, keep T) {
	parallel.For(len(r), 1<<15, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			r[j] = r[j]*keep + a*p[j]
		}
	})
}
