package align

import (
	"fmt"

	"github.com/daalab/daa/autograd"
)

// NLL is the negative log-likelihood of the chosen completions (TRL v1.9.0
// loss_type="sft" when the reduction is token_mean):
//
//	token_mean: -sum_i S(y_w,i) / sum_i n_w,i   (cross-entropy pooled over all chosen tokens)
//	seq_mean:   -mean_i S(y_w,i)/n_w,i          (OpenRLHF nll_loss_coef form)
//
// It is a batch scalar, broadcast to every pair so that Loss ==
// mean(PerPair). It logs nll_loss besides the reward metrics. It panics on
// an unknown reduction (Config.Validate rejects one).
func NLL(b *Batch, cfg Config) (*Output, error) {
	n := b.pairs("NLL")
	nll := nllTerm(b.PolicyChosen, b.ChosenLengths, cfg.NLLReduction)
	out := NewPairOutput(b, cfg.Beta, broadcastScalar(nll, n))
	out.Metrics[MetricNLLLoss] = nll.Item()
	return out, nil
}

// nllTerm returns the NLL of completions with summed log-probs s [N] and
// token counts lengths, a scalar.
func nllTerm(s *autograd.Value, lengths []int, reduction string) *autograd.Value {
	switch reduction {
	case NLLTokenMean:
		total := 0
		for _, l := range lengths {
			total += l
		}
		return autograd.Scale(autograd.Sum(s), -1/float64(total)) // -sum S / sum n
	case NLLSeqMean:
		return autograd.Neg(autograd.Mean(PerToken(s, lengths))) // -mean S/n
	}
	panic(fmt.Sprintf("align: unknown nll_reduction %q (want token_mean or seq_mean)", reduction))
}
