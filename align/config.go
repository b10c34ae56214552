package align

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Config holds the hyper-parameters of every loss. The JSON keys are the
// parameter names of the DAA loss test vectors (daa_losses.md), which follow
// TRL's; a loss reads the fields it uses and ignores the others (Validate
// rejects values that make no sense for the loss it is given).
type Config struct {
	// Beta is β: the inverse temperature of the implicit reward (DPO), τ of
	// IPO, λ of ORPO. TRL default 0.1.
	Beta float64 `json:"beta"`
	// LabelSmoothing is ε (cdpo, robust, exo_pair, aot, aot_unpaired, simpo).
	LabelSmoothing float64 `json:"label_smoothing"`
	// FDivergence is TRL's f_divergence_type: reverse_kl (default, plain
	// DPO), forward_kl, js_divergence or alpha_divergence. It applies to the
	// TRL v1.9 DPOTrainer loss types.
	FDivergence string `json:"f_divergence"`
	// FAlphaDivergenceCoef is the a of alpha_divergence. TRL default 0.5
	// (since TRL v0.29; 1.0 before, which is reverse_kl in the limit).
	FAlphaDivergenceCoef float64 `json:"f_alpha_divergence_coef"`
	// LDAlpha is LD-DPO's α on the tokens past min(n_w, n_l); nil = off.
	LDAlpha *float64 `json:"ld_alpha"`
	// Tau is discopop's temperature (TRL discopop_tau, default 0.05).
	Tau float64 `json:"tau"`
	// Alpha is R-DPO's length coefficient α (0 = DPO).
	Alpha float64 `json:"alpha"`
	// Gamma is SimPO's target margin γ (TRL simpo_gamma, default 0.5).
	Gamma float64 `json:"gamma"`
	// CPOAlpha weights the NLL term of simpo (0 = pure SimPO, > 0 =
	// CPO-SimPO). Default 0 here; TRL's CPOConfig default is 1.0.
	CPOAlpha float64 `json:"cpo_alpha"`
	// NLLReduction is "token_mean" (TRL sft: pooled over all chosen tokens)
	// or "seq_mean" (mean over sequences of the per-token mean).
	NLLReduction string `json:"nll_reduction"`
	// DesirableWeight and UndesirableWeight are KTO's λ_D and λ_U.
	DesirableWeight   float64 `json:"desirable_weight"`
	UndesirableWeight float64 `json:"undesirable_weight"`
	// LossTypes and LossWeights define a weighted sum of losses (TRL's
	// loss_type list and loss_weights; the multi loss and NewFromConfig).
	LossTypes   []string  `json:"loss_types"`
	LossWeights []float64 `json:"loss_weights"`
}

// DefaultConfig returns TRL v1.9.0's defaults (DPOConfig unless noted):
// beta 0.1, label_smoothing 0, f_divergence_type reverse_kl,
// f_alpha_divergence_coef 0.5, ld_alpha None, discopop_tau 0.05,
// loss_type ["sigmoid"] with loss_weights equal (1); SimPO γ 0.5
// (CPOConfig simpo_gamma) and KTO weights 1 (KTOConfig desirable_weight,
// undesirable_weight). Not TRL's: cpo_alpha 0 here (pure SimPO; CPOConfig's
// is 1.0), R-DPO α 0 (not in TRL) and the token_mean NLL reduction.
// align/trl_defaults_test.go checks each against TRL.
func DefaultConfig() Config {
	return Config{
		Beta:                 0.1,
		FDivergence:          FDivReverseKL,
		FAlphaDivergenceCoef: 0.5,
		Tau:                  0.05,
		Gamma:                0.5,
		NLLReduction:         NLLTokenMean,
		DesirableWeight:      1,
		UndesirableWeight:    1,
		LossTypes:            []string{"sigmoid"},
		LossWeights:          []float64{1},
	}
}

// f-divergence names (TRL f_divergence_type).
const (
	FDivReverseKL = "reverse_kl"
	FDivForwardKL = "forward_kl"
	FDivJS        = "js_divergence"
	FDivAlpha     = "alpha_divergence"
)

// NLL reductions.
const (
	NLLTokenMean = "token_mean" // -sum_i S(y_w,i) / sum_i n_w,i
	NLLSeqMean   = "seq_mean"   // -mean_i S(y_w,i)/n_w,i
)

// ParseConfig decodes a JSON object of parameters (the keys of Config) over
// DefaultConfig: absent keys and nulls keep their defaults, except that a
// null loss_types or loss_weights clears the list. An unknown key is an
// error naming it.
func ParseConfig(data []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("align: config: %w", err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("align: config: data after the JSON object")
	}
	return cfg, nil
}

// trlV19 lists TRL v1.9.0 DPOTrainer loss types: the ones LD-DPO and the
// f-divergence apply to.
var trlV19 = []string{"sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard",
	"aot", "aot_unpaired", "apo_zero", "apo_down", "discopop", "sigmoid_norm"}

// usesNLL reports whether the named loss computes an NLL term.
func usesNLL(name string, c Config) bool {
	switch name {
	case "nll", "sft", "orpo":
		return true
	case "simpo":
		return c.CPOAlpha != 0
	case "multi":
		for _, t := range c.LossTypes {
			if usesNLL(t, c) {
				return true
			}
		}
	}
	return false
}

// Validate checks c for the named loss and returns an error naming the
// offending key.
func (c Config) Validate(name string) error {
	finite := func(key string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s = %v; want a finite number", key, v)
		}
		return nil
	}
	for _, kv := range []struct {
		k string
		v float64
	}{{"beta", c.Beta}, {"label_smoothing", c.LabelSmoothing}, {"f_alpha_divergence_coef", c.FAlphaDivergenceCoef},
		{"tau", c.Tau}, {"alpha", c.Alpha}, {"gamma", c.Gamma}, {"cpo_alpha", c.CPOAlpha},
		{"desirable_weight", c.DesirableWeight}, {"undesirable_weight", c.UndesirableWeight}} {
		if err := finite(kv.k, kv.v); err != nil {
			return err
		}
	}
	if !(c.Beta > 0) {
		return fmt.Errorf("beta = %v; want > 0", c.Beta)
	}
	switch c.FDivergence {
	case "", FDivReverseKL, FDivForwardKL, FDivJS, FDivAlpha:
	default:
		return fmt.Errorf("f_divergence = %q; want reverse_kl, forward_kl, js_divergence or alpha_divergence", c.FDivergence)
	}
	v19 := slices.Contains(trlV19, name) || name == "multi"
	if c.FDivergence != "" && c.FDivergence != FDivReverseKL && !v19 && name != "nll" && name != "sft" {
		return fmt.Errorf("f_divergence = %q applies to the TRL v1.9 DPOTrainer loss types only, not %s", c.FDivergence, name)
	}
	eps := c.LabelSmoothing
	switch name {
	case "exo_pair":
		if !(eps > 0 && eps < 1) {
			return fmt.Errorf("label_smoothing = %v; exo_pair needs 0 < label_smoothing < 1 (TRL recommends 1e-3)", eps)
		}
	case "robust":
		if !(eps >= 0 && eps < 0.5) {
			return fmt.Errorf("label_smoothing = %v; robust needs 0 <= label_smoothing < 0.5", eps)
		}
	case "discopop":
		if !(c.Tau > 0) {
			return fmt.Errorf("tau = %v; discopop needs tau > 0", c.Tau)
		}
	case "kto", "apo_zero_unpaired":
		if !(c.DesirableWeight > 0 && c.UndesirableWeight > 0) {
			return fmt.Errorf("desirable_weight = %v, undesirable_weight = %v; want both > 0", c.DesirableWeight, c.UndesirableWeight)
		}
	case "simpo":
		if c.CPOAlpha < 0 {
			return fmt.Errorf("cpo_alpha = %v; want >= 0", c.CPOAlpha)
		}
	}
	if !(eps >= 0 && eps <= 1) {
		return fmt.Errorf("label_smoothing = %v; want 0 <= label_smoothing <= 1", eps)
	}
	if c.LDAlpha != nil {
		a := *c.LDAlpha
		if !v19 {
			return fmt.Errorf("ld_alpha applies to the TRL v1.9 DPOTrainer loss types only, not %s", name)
		}
		if !(a >= 0 && a <= 1) {
			return fmt.Errorf("ld_alpha = %v; want 0 <= ld_alpha <= 1", a)
		}
		if usesNLL(name, c) {
			return fmt.Errorf("ld_alpha with an nll term is not supported (the NLL would use LD-weighted sums)")
		}
	}
	if usesNLL(name, c) && c.NLLReduction != NLLTokenMean && c.NLLReduction != NLLSeqMean {
		return fmt.Errorf("nll_reduction = %q; want token_mean or seq_mean", c.NLLReduction)
	}
	if name == "multi" {
		return c.validateMulti()
	}
	return nil
}

// validateMulti checks loss_types and loss_weights of a weighted sum.
func (c Config) validateMulti() error {
	if len(c.LossTypes) == 0 {
		return fmt.Errorf("loss_types is empty; multi needs at least one loss")
	}
	if len(c.LossTypes) != len(c.LossWeights) {
		return fmt.Errorf("loss_types has %d entries and loss_weights %d; want equal", len(c.LossTypes), len(c.LossWeights))
	}
	for i, t := range c.LossTypes {
		switch t {
		case "multi", "simpo", "orpo", "kto", "apo_zero_unpaired":
			return fmt.Errorf("loss_types[%d] = %q cannot be part of a weighted sum (only paired losses with a reference)", i, t)
		}
		if slices.Contains(c.LossTypes[:i], t) {
			return fmt.Errorf("loss_types[%d] = %q appears twice", i, t)
		}
		if w := c.LossWeights[i]; math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("loss_weights[%d] = %v; want a finite number", i, w)
		}
	}
	return nil
}
