package align

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseLossSpec parses a loss specification into loss names and weights,
// in order. Two forms are accepted:
//
//	sigmoid                       one loss, weight 1
//	sigmoid:0.8,bco_pair:0.2,sft  comma-separated name[:weight] (weight 1 when omitted)
//	{"sigmoid": 0.8, "sft": 1.0}  a JSON object of name: weight (order kept)
//
// Names are not checked against the registry here (New does that). An
// empty name, a repeated name, or a weight that is not a finite number is
// an error naming the entry.
func ParseLossSpec(spec string) (names []string, weights []float64, err error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "{") {
		return parseLossSpecJSON(spec)
	}
	if spec == "" {
		return nil, nil, fmt.Errorf("align: loss spec is empty")
	}
	for i, entry := range strings.Split(spec, ",") {
		name, w, hasWeight := strings.Cut(strings.TrimSpace(entry), ":")
		weight := 1.0
		if hasWeight {
			weight, err = strconv.ParseFloat(strings.TrimSpace(w), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("align: loss spec entry %d (%q): weight: %w", i, entry, err)
			}
		}
		if names, weights, err = addLossSpecEntry(names, weights, i, strings.TrimSpace(name), weight); err != nil {
			return nil, nil, err
		}
	}
	return names, weights, nil
}

// parseLossSpecJSON reads {"name": weight, ...} keeping the key order.
func parseLossSpecJSON(spec string) (names []string, weights []float64, err error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(spec)))
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, fmt.Errorf("align: loss spec JSON: %w", err)
	}
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("align: loss spec JSON: %w", err)
		}
		name, _ := tok.(string)
		var weight float64
		if err := dec.Decode(&weight); err != nil {
			return nil, nil, fmt.Errorf("align: loss spec JSON: weight of %q: %w", name, err)
		}
		if names, weights, err = addLossSpecEntry(names, weights, i, name, weight); err != nil {
			return nil, nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, nil, fmt.Errorf("align: loss spec JSON: %w", err)
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("align: loss spec JSON: data after the object")
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("align: loss spec JSON: no loss")
	}
	return names, weights, nil
}

func addLossSpecEntry(names []string, weights []float64, i int, name string, w float64) ([]string, []float64, error) {
	if name == "" {
		return nil, nil, fmt.Errorf("align: loss spec entry %d: empty loss name", i)
	}
	for _, n := range names {
		if n == name {
			return nil, nil, fmt.Errorf("align: loss spec entry %d: %q appears twice", i, name)
		}
	}
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return nil, nil, fmt.Errorf("align: loss spec entry %d (%s): weight %v is not finite", i, name, w)
	}
	return append(names, name), append(weights, w), nil
}

// AddFlags defines command-line flags for the fields of c on fs, named as
// the JSON keys (-beta, -label_smoothing, -f_divergence, -ld_alpha, ...),
// with c's current values as defaults. -loss_type takes a loss
// specification (ParseLossSpec) and sets LossTypes and LossWeights;
// -ld_alpha "" turns LD-DPO off.
func (c *Config) AddFlags(fs *flag.FlagSet) {
	fs.Float64Var(&c.Beta, "beta", c.Beta, "β: implicit reward scale (IPO τ, ORPO λ)")
	fs.Float64Var(&c.LabelSmoothing, "label_smoothing", c.LabelSmoothing, "ε: label smoothing (cdpo, robust, exo_pair, aot, simpo)")
	fs.StringVar(&c.FDivergence, "f_divergence", c.FDivergence, "reverse_kl, forward_kl, js_divergence or alpha_divergence")
	fs.Float64Var(&c.FAlphaDivergenceCoef, "f_alpha_divergence_coef", c.FAlphaDivergenceCoef, "a of alpha_divergence")
	fs.Var(ldAlphaFlag{&c.LDAlpha}, "ld_alpha", "LD-DPO weight of the tokens past min(n_w, n_l); empty = off")
	fs.Float64Var(&c.Tau, "tau", c.Tau, "discopop temperature")
	fs.Float64Var(&c.Alpha, "alpha", c.Alpha, "R-DPO length coefficient")
	fs.Float64Var(&c.Gamma, "gamma", c.Gamma, "SimPO target margin γ")
	fs.Float64Var(&c.CPOAlpha, "cpo_alpha", c.CPOAlpha, "weight of SimPO's NLL term (CPO-SimPO)")
	fs.StringVar(&c.NLLReduction, "nll_reduction", c.NLLReduction, "token_mean or seq_mean")
	fs.Float64Var(&c.DesirableWeight, "desirable_weight", c.DesirableWeight, "KTO λ_D")
	fs.Float64Var(&c.UndesirableWeight, "undesirable_weight", c.UndesirableWeight, "KTO λ_U")
	fs.Var(lossSpecFlag{c}, "loss_type", `loss or weighted losses: "sigmoid", "sigmoid:1,sft:0.5" or {"sigmoid":1,"sft":0.5}`)
}

// ldAlphaFlag is the -ld_alpha flag: a float, or "" for off.
type ldAlphaFlag struct{ p **float64 }

func (f ldAlphaFlag) String() string {
	if f.p == nil || *f.p == nil {
		return ""
	}
	return strconv.FormatFloat(**f.p, 'g', -1, 64)
}

func (f ldAlphaFlag) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		*f.p = nil
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	*f.p = &v
	return nil
}

// lossSpecFlag is the -loss_type flag.
type lossSpecFlag struct{ c *Config }

func (f lossSpecFlag) String() string {
	if f.c == nil {
		return ""
	}
	parts := make([]string, len(f.c.LossTypes))
	for i, n := range f.c.LossTypes {
		parts[i] = n
		if i < len(f.c.LossWeights) && f.c.LossWeights[i] != 1 {
			parts[i] += ":" + strconv.FormatFloat(f.c.LossWeights[i], 'g', -1, 64)
		}
	}
	return strings.Join(parts, ",")
}

func (f lossSpecFlag) Set(s string) error {
	names, weights, err := ParseLossSpec(s)
	if err != nil {
		return err
	}
	f.c.LossTypes, f.c.LossWeights = names, weights
	return nil
}
