package align

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
)

// Unpaired losses (TRL's KTOTrainer): the chosen fields of the Batch hold
// the N_d desirable examples and the rejected fields the N_u undesirable
// ones. PerPair lists the desirable losses, then the undesirable ones; the
// batch loss is their mean. Metrics average over the examples present:
// rewards/margins is the difference of the two reward means, and a metric
// whose group is empty, like rewards/accuracies always, is absent.

// KTO is TRL v1.9.0 KTOTrainer(loss_type="kto") (KTO, Ethayarajh et al.
// 2024, eq. 7), with r = S - R the log-ratio of an example:
//
//	desirable:   λ_D (1 - σ(β (r - z_ref)))
//	undesirable: λ_U (1 - σ(β (z_ref - r)))
//	z_ref = max(0, mean_j [S(KL_j) - R(KL_j)])   (a constant: no gradient)
//
// The KL_j are mismatched pairs (x_j, y_{j-1}), the batch's completions
// rotated by one, given as b.PolicyKL and b.RefKL. λ_D, λ_U are
// desirable_weight and undesirable_weight; 1 - σ(x) is computed as σ(-x).
// It logs kl = z_ref. It returns an error if b has no PolicyKL.
func KTO(b *Batch, cfg Config) (*Output, error) {
	if b.PolicyKL == nil || b.PolicyKL.Data.Len() == 0 {
		return nil, fmt.Errorf("kto needs the KL completions' log-probs (policy_kl)")
	}
	gap := logRatio(b.PolicyKL.Detach(), b.RefKL).Data.ToFloat64s() // S(KL_j) - R(KL_j)
	zRef := math.Max(0, mean(gap))
	// desirable: λ_D σ(β (z_ref - r)); undesirable: λ_U σ(β (r - z_ref))
	desirable := func(r *autograd.Value) *autograd.Value {
		return autograd.Scale(autograd.Sigmoid(autograd.Scale(autograd.AddScalar(r, -zRef), -cfg.Beta)), cfg.DesirableWeight)
	}
	undesirable := func(r *autograd.Value) *autograd.Value {
		return autograd.Scale(autograd.Sigmoid(autograd.Scale(autograd.AddScalar(r, -zRef), cfg.Beta)), cfg.UndesirableWeight)
	}
	out := unpairedOutput(b, cfg.Beta, desirable, undesirable)
	out.Metrics[MetricKL] = zRef
	return out, nil
}

// APOZeroUnpaired is TRL v1.9.0 KTOTrainer(loss_type="apo_zero_unpaired"),
// APO-zero on unpaired data:
//
//	desirable:   λ_D (1 - σ(β r))
//	undesirable: λ_U σ(β r)
func APOZeroUnpaired(b *Batch, cfg Config) (*Output, error) {
	desirable := func(r *autograd.Value) *autograd.Value {
		return autograd.Scale(autograd.Sigmoid(autograd.Scale(r, -cfg.Beta)), cfg.DesirableWeight) // λ_D σ(-β r)
	}
	undesirable := func(r *autograd.Value) *autograd.Value {
		return autograd.Scale(autograd.Sigmoid(autograd.Scale(r, cfg.Beta)), cfg.UndesirableWeight) // λ_U σ(β r)
	}
	return unpairedOutput(b, cfg.Beta, desirable, undesirable), nil
}

// unpairedOutput applies the per-example losses to the desirable (chosen)
// and undesirable (rejected) log-ratios of b, concatenates them and fills
// the KTO metrics. It panics if b has no example at all.
func unpairedOutput(b *Batch, beta float64, desirable, undesirable func(r *autograd.Value) *autograd.Value) *Output {
	m := make(map[string]float64, 8)
	var parts []*autograd.Value
	groups := []struct {
		policy, ref    *autograd.Value
		loss           func(*autograd.Value) *autograd.Value
		rewards, logps string
	}{
		{b.PolicyChosen, b.RefChosen, desirable, MetricRewardsChosen, MetricLogpsChosen},
		{b.PolicyRejected, b.RefRejected, undesirable, MetricRewardsRejected, MetricLogpsRejected},
	}
	for _, g := range groups {
		if rows("unpaired loss", g.policy) == 0 {
			continue
		}
		r := logRatio(g.policy, g.ref)
		parts = append(parts, g.loss(r))
		m[g.rewards] = beta * mean(r.Data.ToFloat64s())
		m[g.logps] = mean(g.policy.Data.ToFloat64s())
	}
	if len(parts) == 0 {
		panic("align: unpaired loss on a batch with no desirable and no undesirable example")
	}
	if _, ok := m[MetricRewardsRejected]; ok {
		if c, ok := m[MetricRewardsChosen]; ok {
			m[MetricRewardsMargins] = c - m[MetricRewardsRejected]
		}
	}
	perExample := autograd.Concat(0, parts...)
	return &Output{Loss: autograd.Mean(perExample), PerPair: perExample, Metrics: m}
}
