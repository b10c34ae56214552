package aligntest

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// File is a DAA loss test-vector file (format "daa-loss-test-vectors",
// described in daa_losses.md).
type File struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	DType     string    `json:"dtype"`
	Tolerance Tolerance `json:"tolerance_hint"`
	Summary   struct {
		NCases       int            `json:"n_cases"`
		CasesPerLoss map[string]int `json:"cases_per_loss"`
	} `json:"summary"`
	Cases []Case `json:"cases"`
}

// Tolerance is the comparison rule |got - want| <= ATol + RTol*|want|.
type Tolerance struct {
	RTol float64 `json:"rtol"`
	ATol float64 `json:"atol"`
}

// DefaultTolerance is the suggestion of daa_losses.json for float64:
// rtol 1e-9, atol 1e-12.
var DefaultTolerance = Tolerance{RTol: 1e-9, ATol: 1e-12}

// Case is one test vector.
type Case struct {
	ID      string          `json:"id"`
	Loss    string          `json:"loss"`
	Variant string          `json:"variant"`
	Source  string          `json:"source"`
	Tags    []string        `json:"tags"`
	Params  json.RawMessage `json:"params"`
	Inputs  Inputs          `json:"inputs"`
	Outputs Outputs         `json:"outputs"`
}

// Inputs holds per-token log-probs, one list per sequence. For unpaired
// losses the chosen lists are the desirable examples and the rejected lists
// the undesirable ones. Nil lists are absent inputs.
type Inputs struct {
	PolicyChosen   [][]float64 `json:"policy_chosen"`
	PolicyRejected [][]float64 `json:"policy_rejected"`
	RefChosen      [][]float64 `json:"ref_chosen"`
	RefRejected    [][]float64 `json:"ref_rejected"`
	PolicyKL       [][]float64 `json:"policy_kl"`
	RefKL          [][]float64 `json:"ref_kl"`
}

// Outputs holds the reference results of a case.
type Outputs struct {
	PerPairLoss    []float64           `json:"per_pair_loss"`
	PerExampleLoss []float64           `json:"per_example_loss"` // unpaired losses
	Loss           float64             `json:"loss"`
	Components     map[string]float64  `json:"components"`
	Grad           Grad                `json:"grad"`
	Metrics        map[string]*float64 `json:"metrics"` // nil entry = null: the metric must be absent
}

// Grad holds d(batch loss)/d(input) for the policy inputs: per sequence
// log-prob the loss consumes and per token.
type Grad struct {
	PolicyChosenLogps    []float64   `json:"policy_chosen_logps"`
	PolicyRejectedLogps  []float64   `json:"policy_rejected_logps"`
	PolicyChosenTokens   [][]float64 `json:"policy_chosen_tokens"`
	PolicyRejectedTokens [][]float64 `json:"policy_rejected_tokens"`
}

// ReadFile reads and decodes a vector file. It checks the format name and
// that summary.n_cases, when present, equals the number of cases.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("aligntest: %w", err)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("aligntest: %s: %w", path, err)
	}
	if f.Format != "daa-loss-test-vectors" {
		return nil, fmt.Errorf("aligntest: %s: format %q; want \"daa-loss-test-vectors\"", path, f.Format)
	}
	if f.Summary.NCases != 0 && f.Summary.NCases != len(f.Cases) {
		return nil, fmt.Errorf("aligntest: %s: summary.n_cases = %d but the file holds %d cases", path, f.Summary.NCases, len(f.Cases))
	}
	if f.Tolerance.RTol == 0 && f.Tolerance.ATol == 0 {
		f.Tolerance = DefaultTolerance
	}
	return &f, nil
}

// Config decodes the case's params over align.DefaultConfig (a null keeps
// the default). An unknown parameter is an error naming it.
func (c *Case) Config() (align.Config, error) {
	cfg, err := align.ParseConfig(c.Params)
	if err != nil {
		return cfg, fmt.Errorf("case %s: params: %w", c.ID, err)
	}
	return cfg, nil
}

// TokenBatch returns the case's inputs as per-token values [B, T], right
// padded with zeros: the policy inputs are fresh autograd.Param leaves (so
// their gradients can be read after Backward), the reference and KL inputs
// Params as well, to check that no gradient reaches them. It returns an
// error if a reference list differs in shape from its policy list.
func (c *Case) TokenBatch() (*align.TokenBatch, error) {
	in := c.Inputs
	pairs := []struct {
		name        string
		policy, ref [][]float64
	}{{"chosen", in.PolicyChosen, in.RefChosen}, {"rejected", in.PolicyRejected, in.RefRejected}, {"kl", in.PolicyKL, in.RefKL}}
	for _, p := range pairs {
		if p.ref == nil {
			continue
		}
		if len(p.ref) != len(p.policy) {
			return nil, fmt.Errorf("case %s: %d ref_%s sequences for %d policy_%s sequences", c.ID, len(p.ref), p.name, len(p.policy), p.name)
		}
		for i := range p.ref {
			if len(p.ref[i]) != len(p.policy[i]) {
				return nil, fmt.Errorf("case %s: ref_%s[%d] has %d tokens, policy_%s[%d] has %d", c.ID, p.name, i, len(p.ref[i]), p.name, i, len(p.policy[i]))
			}
		}
	}
	if in.PolicyChosen == nil || in.PolicyRejected == nil {
		return nil, fmt.Errorf("case %s: inputs need policy_chosen and policy_rejected", c.ID)
	}
	return &align.TokenBatch{
		PolicyChosen: padded(in.PolicyChosen), PolicyRejected: padded(in.PolicyRejected),
		RefChosen: padded(in.RefChosen), RefRejected: padded(in.RefRejected),
		PolicyKL: padded(in.PolicyKL), RefKL: padded(in.RefKL),
	}, nil
}

// padded returns a float64 Param [B, T] (T the longest row) holding seqs
// right-padded with zeros, with the lengths as mask; nil for nil seqs.
func padded(seqs [][]float64) *align.TokenLogProbs {
	if seqs == nil {
		return nil
	}
	t := 0
	lengths := make([]int, len(seqs))
	for i, s := range seqs {
		lengths[i] = len(s)
		t = max(t, len(s))
	}
	data := make([]float64, len(seqs)*t)
	for i, s := range seqs {
		copy(data[i*t:], s)
	}
	return align.TokensFromLengths(autograd.Param(tensor.FromFloat64s(data, len(seqs), t)), lengths)
}
