package align

import (
	"fmt"
	"maps"

	"github.com/daalab/daa/autograd"
)

// Multi is TRL's multi-loss, loss_type=[...] with loss_weights: a weighted
// sum of paired losses over the same batch,
//
//	loss = sum_k w_k mean_i ℓ_k,i,   PerPair_i = sum_k w_k ℓ_k,i,
//
// with cfg.LossTypes naming the losses (any registered paired loss with a
// reference, user-registered ones included) and cfg.LossWeights the w_k.
// Examples: MPO = ["sigmoid", "bco_pair", "nll"] with [0.8, 0.2, 1.0]; RPO
// = ["sigmoid", "nll"] with [1, rpo_alpha]. Components holds each mean_i
// ℓ_k by loss name; Metrics merges the components' metrics (nll_loss when
// there is an NLL term).
func Multi(b *Batch, cfg Config) (*Output, error) {
	if err := cfg.validateMulti(); err != nil {
		return nil, err
	}
	var perPair *autograd.Value
	metrics := map[string]float64{}
	components := map[string]float64{}
	for k, name := range cfg.LossTypes {
		loss, err := New(name, cfg)
		if err != nil {
			return nil, fmt.Errorf("loss_types[%d]: %w", k, err)
		}
		out, err := loss.Func(b, cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		components[name] = out.Loss.Item()
		maps.Copy(metrics, out.Metrics)
		term := autograd.Scale(out.PerPair, cfg.LossWeights[k]) // w_k ℓ_k
		if perPair == nil {
			perPair = term
		} else {
			perPair = autograd.Add(perPair, term)
		}
	}
	return &Output{Loss: autograd.Mean(perPair), PerPair: perPair, Metrics: metrics, Components: components}, nil
}
