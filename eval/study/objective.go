package study

import (
	"fmt"

	"github.com/daalab/daa/align"
)

// objectiveLosses names the paper's three objectives by the align losses
// they are, all on Delta = (log pi_c - log ref_c) - (log pi_r - log ref_r)
// summed over the response tokens including EOS:
//
//	dpo:  -log sigmoid(beta*Delta)          (align "sigmoid")
//	ipo:  (beta*Delta - 1)^2, the paper's form (align "ipo_paper")
//	slic: max(0, 1 - beta*Delta)            (align "hinge")
//
// and R-DPO (Park et al. 2024, arXiv 2403.19159), the paper's
// length-regularised DPO, under align's own name:
//
//	rdpo: -log sigmoid(beta*Delta + alpha*(n_w - n_l))  (align "rdpo"; n counts EOS)
var objectiveLosses = map[string]string{
	"dpo":  "sigmoid",
	"ipo":  "ipo_paper",
	"slic": "hinge",
}

// NewLoss returns the align loss of an objective at beta (and alpha, R-DPO's
// length coefficient, align's Config.Alpha; only rdpo reads it): dpo, ipo and slic
// name the paper's objectives (align's sigmoid, ipo_paper and hinge); any
// other name is looked up in align's registry, so a loss added with
// align.Register is an objective under its registered name. The loss sees
// sequence log-probs summed over the response tokens including EOS, the
// response lengths, and precomputed reference log-probs.
func NewLoss(objective string, beta, alpha float64) (*align.Loss, error) {
	name := objective
	if l, ok := objectiveLosses[objective]; ok {
		name = l
	}
	if _, err := align.Lookup(name); err != nil {
		return nil, fmt.Errorf("unknown objective %q: want dpo, ipo, slic or a registered align loss (%w)", objective, err)
	}
	cfg := align.DefaultConfig()
	cfg.Beta, cfg.Alpha = beta, alpha
	l, err := align.New(name, cfg)
	if err != nil {
		return nil, fmt.Errorf("objective %q: %w", objective, err)
	}
	return l, nil
}
