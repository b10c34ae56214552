package align

import (
	"fmt"

	"github.com/daalab/daa/autograd"
)

// Reference-free losses (TRL's CPO and ORPO trainers): they read only the
// policy log-probs and ignore any reference. Their rewards are β·A(y) and
// their logps/* metrics means of A(y), A(y) = S(y)/|y|.

// SimPO is TRL v1.9.0 CPOTrainer(loss_type="simpo") (SimPO, Meng et al.
// 2024), with A(y) = S(y)/|y| the token-averaged log-prob:
//
//	u = β (A_w - A_l) - γ            (computed as β ((A_w - A_l) - γ/β), as TRL)
//	ℓ = -(1-ε) log σ(u) - ε log σ(-u) + cpo_alpha · NLL
//
// cpo_alpha = 0 is pure SimPO, > 0 is CPO-SimPO with the NLL of the chosen
// completions (nll_reduction; TRL pools the tokens). Components:
// "preference" = mean of the first part, "nll" (0 when cpo_alpha = 0).
func SimPO(b *Batch, cfg Config) (*Output, error) {
	n := b.pairs("SimPO")
	aw, al := PerToken(b.PolicyChosen, b.ChosenLengths), PerToken(b.PolicyRejected, b.RejectedLengths)
	logits := autograd.AddScalar(autograd.Sub(aw, al), -cfg.Gamma/cfg.Beta) // (A_w - A_l) - γ/β
	pref := LabelSmoothedLogistic(autograd.Scale(logits, cfg.Beta), cfg.LabelSmoothing)
	perPair := pref
	nll := 0.0
	if cfg.CPOAlpha != 0 {
		term := nllTerm(b.PolicyChosen, b.ChosenLengths, cfg.NLLReduction)
		nll = term.Item()
		perPair = autograd.Add(pref, broadcastScalar(autograd.Scale(term, cfg.CPOAlpha), n)) // + cpo_alpha · NLL
	}
	out := referenceFreeOutput(cfg.Beta, perPair, aw, al)
	out.Metrics[MetricNLLLoss] = nll
	out.Components = map[string]float64{ComponentPreference: mean(pref.Data.ToFloat64s()), ComponentNLL: nll}
	return out, nil
}

// ORPO is TRL v1.9.0 ORPOTrainer (ORPO, Hong et al. 2024) with λ = β:
//
//	lo = (A_w - A_l) - [log(1 - e^{A_w}) - log(1 - e^{A_l})]   (log odds ratio)
//	ℓ = NLL - β log σ(lo)
//
// with log(1 - e^A) computed stably by autograd.Log1mExp and the NLL over
// the given chosen completion tokens (nll_reduction). It logs
// log_odds_ratio = mean log σ(lo) and log_odds_chosen = mean lo. It returns
// an error if a mean log-prob A is >= 0 (log(1 - e^A) is undefined there).
func ORPO(b *Batch, cfg Config) (*Output, error) {
	n := b.pairs("ORPO")
	aw, al := PerToken(b.PolicyChosen, b.ChosenLengths), PerToken(b.PolicyRejected, b.RejectedLengths)
	for _, g := range []struct {
		name string
		a    *autograd.Value
	}{{"chosen", aw}, {"rejected", al}} {
		for i, x := range g.a.Data.ToFloat64s() {
			if !(x < 0) {
				return nil, fmt.Errorf("mean log-prob of the %s completion of pair %d is %v; orpo needs < 0 (log(1 - e^A) is undefined at A >= 0)", g.name, i, x)
			}
		}
	}
	odds := autograd.Sub(autograd.Log1mExp(aw), autograd.Log1mExp(al)) // log(1-e^A_w) - log(1-e^A_l)
	lo := autograd.Sub(autograd.Sub(aw, al), odds)
	ratio := autograd.LogSigmoid(lo) // log σ(lo)
	nll := nllTerm(b.PolicyChosen, b.ChosenLengths, cfg.NLLReduction)
	perPair := autograd.Sub(broadcastScalar(nll, n), autograd.Scale(ratio, cfg.Beta)) // NLL - β log σ(lo)
	out := referenceFreeOutput(cfg.Beta, perPair, aw, al)
	ratios := ratio.Data.ToFloat64s()
	out.Metrics[MetricLogOddsRatio] = mean(ratios)
	out.Metrics[MetricLogOddsChosen] = mean(lo.Data.ToFloat64s())
	out.Metrics[MetricNLLLoss] = nll.Item()
	out.Components = map[string]float64{ComponentPreference: -cfg.Beta * mean(ratios), ComponentNLL: nll.Item()}
	return out, nil
}

// referenceFreeOutput returns the Output of simpo and orpo: rewards β·A and
// logps/* the means of A.
func referenceFreeOutput(beta float64, perPair, aw, al *autograd.Value) *Output {
	w, l := aw.Data.ToFloat64s(), al.Data.ToFloat64s()
	return &Output{Loss: autograd.Mean(perPair), PerPair: perPair, Metrics: rewardMetrics(beta, w, l, w, l)}
}
