package aligntest

import (
	"fmt"
	"math"
	"sort"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
)

// LossFunc computes a case's loss from its config and per-token inputs.
// It must return an Output whose Loss is a scalar built from the inputs'
// values and whose Sequences holds the sequence log-probs it consumed (as
// align.Loss.ComputeTokens sets it), so per-sequence gradients can be read.
type LossFunc func(cfg align.Config, in *align.TokenBatch) (*align.Output, error)

// Registry returns a LossFunc for every loss registered in align, under its
// registered name: align.New(name, cfg) then ComputeTokens.
func Registry() map[string]LossFunc {
	funcs := map[string]LossFunc{}
	for _, name := range align.Names() {
		funcs[name] = func(cfg align.Config, in *align.TokenBatch) (*align.Output, error) {
			loss, err := align.New(name, cfg)
			if err != nil {
				return nil, err
			}
			return loss.ComputeTokens(in)
		}
	}
	return funcs
}

// Mismatch is one disagreement between a loss and a test vector.
type Mismatch struct {
	Case  string  // case id, e.g. "sigmoid/ld-02"
	Field string  // "loss", "per_pair_loss[1]", "grad.policy_chosen_tokens[0][3]", "metrics[rewards/chosen]", ...
	Got   float64 // the loss function's value (NaN when there is none)
	Want  float64 // the reference value (NaN when there is none)
	Note  string  // what went wrong when it is not a numeric difference
}

// Error formats the mismatch with its case id.
func (m Mismatch) Error() string {
	if m.Note != "" {
		return fmt.Sprintf("case %s: %s: %s", m.Case, m.Field, m.Note)
	}
	return fmt.Sprintf("case %s: %s: got %.17g, want %.17g (diff %.3g)", m.Case, m.Field, m.Got, m.Want, math.Abs(m.Got-m.Want))
}

// Report summarises a Check over a file.
type Report struct {
	Cases      int            // cases run
	PerLoss    map[string]int // cases run per loss name
	Mismatches []Mismatch
	// Worst is the largest |got - want| / (atol + rtol*|want|) over every
	// compared number (<= 1 when all pass), at WorstField of WorstCase.
	Worst                 float64
	WorstCase, WorstField string
}

// add merges the result of one case into the report.
func (r *Report) add(c *Case, ck *checker) {
	r.Cases++
	r.PerLoss[c.Loss]++
	r.Mismatches = append(r.Mismatches, ck.out...)
	if ck.worst > r.Worst {
		r.Worst, r.WorstCase, r.WorstField = ck.worst, c.ID, ck.worstField
	}
}

// Check runs every case of the vector file at path with funcs[case.Loss]
// and returns the report; a case whose loss has no function is a mismatch.
// The error is for a file that cannot be read.
func Check(path string, funcs map[string]LossFunc) (*Report, error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	rep := &Report{PerLoss: map[string]int{}}
	for i := range f.Cases {
		c := &f.Cases[i]
		rep.add(c, checkCase(c, funcs[c.Loss], f.Tolerance))
	}
	return rep, nil
}

// CheckCase runs one case with fn and compares, within tol: the batch loss,
// the per-pair (or per-example) losses, the gradients with respect to the
// sequence log-probs and to every per-token log-prob (and that padding,
// reference and KL inputs get none), the metrics (a null metric must be
// absent, and no extra metric may appear) and the components when the case
// has them. fn nil is reported as an unknown loss.
func CheckCase(c *Case, fn LossFunc, tol Tolerance) []Mismatch {
	return checkCase(c, fn, tol).out
}

func checkCase(c *Case, fn LossFunc, tol Tolerance) *checker {
	ck := &checker{id: c.ID, tol: tol}
	if fn == nil {
		ck.note("loss", fmt.Sprintf("no loss function for %q", c.Loss))
		return ck
	}
	cfg, err := c.Config()
	if err != nil {
		ck.note("params", err.Error())
		return ck
	}
	in, err := c.TokenBatch()
	if err != nil {
		ck.note("inputs", err.Error())
		return ck
	}
	out, err := fn(cfg, in)
	if err != nil {
		ck.note("error", err.Error())
		return ck
	}
	if out == nil || out.Loss == nil || out.Loss.Data.Len() != 1 {
		ck.note("loss", "the loss function returned no scalar loss")
		return ck
	}
	out.Loss.Backward()

	want := c.Outputs
	ck.scalar("loss", out.Loss.Item(), want.Loss)
	perKey, perWant := "per_pair_loss", want.PerPairLoss
	if want.PerExampleLoss != nil {
		perKey, perWant = "per_example_loss", want.PerExampleLoss
	}
	if out.PerPair == nil {
		ck.note(perKey, "the output has no PerPair")
	} else {
		ck.vector(perKey, out.PerPair.Data.ToFloat64s(), perWant)
	}

	if out.Sequences == nil {
		ck.note("grad.policy_*_logps", "the output has no Sequences; per-sequence gradients cannot be read")
	} else {
		ck.vector("grad.policy_chosen_logps", gradOf(out.Sequences.PolicyChosen), want.Grad.PolicyChosenLogps)
		ck.vector("grad.policy_rejected_logps", gradOf(out.Sequences.PolicyRejected), want.Grad.PolicyRejectedLogps)
	}
	ck.tokens("grad.policy_chosen_tokens", in.PolicyChosen, want.Grad.PolicyChosenTokens)
	ck.tokens("grad.policy_rejected_tokens", in.PolicyRejected, want.Grad.PolicyRejectedTokens)
	for name, p := range map[string]*align.TokenLogProbs{"ref_chosen": in.RefChosen, "ref_rejected": in.RefRejected, "policy_kl": in.PolicyKL, "ref_kl": in.RefKL} {
		ck.noGrad("grad."+name+"_tokens", p)
	}

	ck.metrics(out.Metrics, want.Metrics)
	if want.Components != nil {
		ck.namedValues("components", out.Components, want.Components)
	}
	return ck
}

// checker accumulates the mismatches of one case.
type checker struct {
	id         string
	tol        Tolerance
	out        []Mismatch
	worst      float64 // largest |got - want| / (atol + rtol*|want|)
	worstField string
}

func (ck *checker) note(field, note string) {
	ck.out = append(ck.out, Mismatch{Case: ck.id, Field: field, Got: math.NaN(), Want: math.NaN(), Note: note})
}

func (ck *checker) scalar(field string, got, want float64) {
	bound := ck.tol.ATol + ck.tol.RTol*math.Abs(want)
	if r := math.Abs(got-want) / bound; r > ck.worst || math.IsNaN(r) {
		ck.worst, ck.worstField = r, field
	}
	if !(math.Abs(got-want) <= bound) { // also catches NaN
		ck.out = append(ck.out, Mismatch{Case: ck.id, Field: field, Got: got, Want: want})
	}
}

func (ck *checker) vector(field string, got, want []float64) {
	if len(got) != len(want) {
		ck.note(field, fmt.Sprintf("%d values, want %d", len(got), len(want)))
		return
	}
	for i := range want {
		ck.scalar(fmt.Sprintf("%s[%d]", field, i), got[i], want[i])
	}
}

// tokens compares the per-token gradient of p (row i's first len(want[i])
// entries) with want, and checks that padding positions got none.
func (ck *checker) tokens(field string, p *align.TokenLogProbs, want [][]float64) {
	b, t := p.Values.Data.Dim(0), p.Values.Data.Dim(1)
	g := gradOf(p.Values)
	if len(g) != b*t {
		g = make([]float64, b*t) // no gradient reached the input: all zeros
	}
	if len(want) != b {
		ck.note(field, fmt.Sprintf("%d rows, want %d", b, len(want)))
		return
	}
	for i := 0; i < b; i++ {
		row := g[i*t : (i+1)*t]
		if len(want[i]) > t {
			ck.note(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%d tokens, want %d", t, len(want[i])))
			continue
		}
		for j := range want[i] {
			ck.scalar(fmt.Sprintf("%s[%d][%d]", field, i, j), row[j], want[i][j])
		}
		for j := len(want[i]); j < t; j++ {
			if row[j] != 0 {
				ck.out = append(ck.out, Mismatch{Case: ck.id, Field: fmt.Sprintf("%s[%d][%d] (padding)", field, i, j), Got: row[j], Want: 0})
			}
		}
	}
}

// noGrad checks that no gradient reached p (a reference or KL input).
func (ck *checker) noGrad(field string, p *align.TokenLogProbs) {
	if p == nil {
		return
	}
	for k, v := range gradOf(p.Values) {
		if v != 0 {
			ck.out = append(ck.out, Mismatch{Case: ck.id, Field: fmt.Sprintf("%s (flat %d)", field, k), Got: v, Want: 0,
				Note: fmt.Sprintf("gradient %g reached an input that must get none", v)})
			return
		}
	}
}

// metrics compares metric maps: null wants must be absent, numbers close,
// and got may hold no other key.
func (ck *checker) metrics(got map[string]float64, want map[string]*float64) {
	for _, k := range sortedKeys(want) {
		g, ok := got[k]
		switch {
		case want[k] == nil && ok:
			ck.note("metrics["+k+"]", fmt.Sprintf("got %g, want null (absent)", g))
		case want[k] != nil && !ok:
			ck.note("metrics["+k+"]", fmt.Sprintf("missing, want %.17g", *want[k]))
		case want[k] != nil:
			ck.scalar("metrics["+k+"]", g, *want[k])
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			ck.note("metrics["+k+"]", fmt.Sprintf("unexpected metric (value %g)", got[k]))
		}
	}
}

// namedValues compares two maps of numbers key by key.
func (ck *checker) namedValues(field string, got, want map[string]float64) {
	for _, k := range sortedKeys(want) {
		g, ok := got[k]
		if !ok {
			ck.note(field+"["+k+"]", fmt.Sprintf("missing, want %.17g", want[k]))
			continue
		}
		ck.scalar(field+"["+k+"]", g, want[k])
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			ck.note(field+"["+k+"]", fmt.Sprintf("unexpected (value %g)", got[k]))
		}
	}
}

// gradOf returns v's gradient as float64s, nil when none reached it.
func gradOf(v *autograd.Value) []float64 {
	if v == nil || v.Grad == nil {
		if v != nil {
			return make([]float64, v.Data.Len())
		}
		return nil
	}
	return v.Grad.ToFloat64s()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
