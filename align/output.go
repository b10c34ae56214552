package align

import (
	"github.com/daalab/daa/autograd"
)

// Metric names, as TRL logs them.
const (
	MetricRewardsChosen   = "rewards/chosen"     // mean_i β r_w,i
	MetricRewardsRejected = "rewards/rejected"   // mean_i β r_l,i
	MetricRewardsAccuracy = "rewards/accuracies" // mean_i 1[β r_w,i > β r_l,i] (strict)
	MetricRewardsMargins  = "rewards/margins"    // mean_i β (r_w,i - r_l,i)
	MetricLogpsChosen     = "logps/chosen"       // mean_i S(y_w,i)
	MetricLogpsRejected   = "logps/rejected"     // mean_i S(y_l,i)
	MetricNLLLoss         = "nll_loss"           // the NLL term, when there is one
	MetricLogOddsRatio    = "log_odds_ratio"     // orpo: mean_i log σ(lo_i)
	MetricLogOddsChosen   = "log_odds_chosen"    // orpo: mean_i lo_i
	MetricKL              = "kl"                 // kto: z_ref
	ComponentPreference   = "preference"         // simpo/orpo component: the preference term
	ComponentNLL          = "nll"                // simpo/orpo component: the NLL term
)

// Output is the result of a loss on one batch.
type Output struct {
	// Loss is the batch loss, a scalar value: the mean of PerPair. Backward
	// on it reaches whatever produced the policy log-probs.
	Loss *autograd.Value
	// PerPair holds the per-pair losses ℓ_i, [B] (unpaired losses: the N_d
	// desirable then the N_u undesirable examples; aot: order statistic k,
	// not pair k). Batch-level terms such as the NLL are broadcast into it,
	// so Loss == mean(PerPair) always.
	PerPair *autograd.Value
	// Metrics holds the logged scalars (see the Metric constants), batch
	// means that are not differentiated. A metric whose group is empty
	// (kto without undesirable examples) is absent.
	Metrics map[string]float64
	// Components holds the mean of each term of a composite loss: multi
	// (one entry per loss type), simpo and orpo ("preference", "nll").
	Components map[string]float64
	// Sequences is the batch of sequence log-probs the loss consumed (set
	// by Loss.Compute and Loss.ComputeTokens). Its policy values keep their
	// gradient after Backward.
	Sequences *Batch
}

// NewPairOutput returns the Output of a paired loss: PerPair = perPair [B],
// Loss = mean(perPair), and TRL's reward metrics of b at beta (rewards from
// the raw log-ratios r = S - R, logps the sums S). It is the last line of
// most losses, custom ones included. It panics if b is not a paired batch.
func NewPairOutput(b *Batch, beta float64, perPair *autograd.Value) *Output {
	b.pairs("NewPairOutput")
	rw, rl := LogRatios(b)
	return &Output{
		Loss:    autograd.Mean(perPair),
		PerPair: perPair,
		Metrics: rewardMetrics(beta, rw.Data.ToFloat64s(), rl.Data.ToFloat64s(),
			b.PolicyChosen.Data.ToFloat64s(), b.PolicyRejected.Data.ToFloat64s()),
	}
}

// rewardMetrics returns TRL's reward metrics from per-pair chosen and
// rejected log-ratios (or, for simpo and orpo, mean log-probs) and the
// sequence log-probs to average for logps/*:
//
//	rewards/chosen = mean β r_w, rewards/rejected = mean β r_l,
//	rewards/accuracies = mean 1[β r_w > β r_l], rewards/margins = mean β(r_w - r_l).
func rewardMetrics(beta float64, rw, rl, lw, ll []float64) map[string]float64 {
	n := float64(len(rw))
	var chosen, rejected, acc, margin, logpW, logpL float64
	for i := range rw {
		cr, rj := beta*rw[i], beta*rl[i]
		chosen += cr
		rejected += rj
		if cr > rj { // strict: a pair with Δ = 0 counts 0
			acc++
		}
		margin += cr - rj
		logpW += lw[i]
		logpL += ll[i]
	}
	m := make(map[string]float64, 8)
	m[MetricRewardsChosen] = chosen / n
	m[MetricRewardsRejected] = rejected / n
	m[MetricRewardsAccuracy] = acc / n
	m[MetricRewardsMargins] = margin / n
	m[MetricLogpsChosen] = logpW / n
	m[MetricLogpsRejected] = logpL / n
	return m
}

// mean returns the mean of xs (NaN for none).
func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
