package align

import (
	"sort"

	"github.com/daalab/daa/autograd"
)

// AOT is Alignment via Optimal Transport (Melnyk et al. 2024), paired form,
// TRL v1.9.0 loss_type="aot":
//
//	d = sort_asc(S_w - S_l) - sort_asc(R_w - R_l)
//	ℓ_k = -(1-ε) log σ(β d_k) - ε log σ(-β d_k)
//
// The sorts run over the batch, so ℓ_k belongs to order statistic k, not to
// pair k; the gradient follows each sorted element back to its pair. It uses
// raw log-probs (no f-divergence).
func AOT(b *Batch, cfg Config) (*Output, error) {
	b.pairs("AOT")
	policy := autograd.Sub(b.PolicyChosen, b.PolicyRejected) // S_w - S_l
	var ref *autograd.Value                                  // R_w - R_l, 0 without a reference
	if b.RefChosen != nil {
		ref = autograd.Sub(b.RefChosen.Detach(), b.RefRejected.Detach())
	}
	return aotOutput(b, cfg, policy, ref), nil
}

// AOTUnpaired is AOT's unpaired form, TRL v1.9.0 loss_type="aot_unpaired":
//
//	d = sort_asc(r_w) - sort_asc(r_l)
//	ℓ_k = -(1-ε) log σ(β d_k) - ε log σ(-β d_k)
//
// with raw log-ratios; ℓ_k belongs to order statistic k.
func AOTUnpaired(b *Batch, cfg Config) (*Output, error) {
	rw, rl := LogRatios(b)
	return aotOutput(b, cfg, rw, rl), nil
}

// aotOutput returns the AOT loss on d = sort(a) - sort(c) (c nil: 0).
func aotOutput(b *Batch, cfg Config, a, c *autograd.Value) *Output {
	d := sortAscending(a)
	if c != nil {
		d = autograd.Sub(d, sortAscending(c))
	}
	return NewPairOutput(b, cfg.Beta, LabelSmoothedLogistic(autograd.Scale(d, cfg.Beta), cfg.LabelSmoothing))
}

// sortAscending returns the entries of x [B] in ascending order, [B]; each
// output entry's gradient goes to the input entry it came from (a gather by
// the stable argsort). Ties keep their input order.
func sortAscending(x *autograd.Value) *autograd.Value {
	v := x.Data.ToFloat64s()
	perm := make([]int, len(v))
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(i, j int) bool { return v[perm[i]] < v[perm[j]] })
	return autograd.IndexSelect(x, 0, perm)
}
