package align_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// lossCase is a loss name with the config changes a test applies to
// align.DefaultConfig.
type lossCase struct {
	label string
	name  string
	edit  func(c *align.Config)
}

func ptr(v float64) *float64 { return &v }

// everyLoss lists every registered loss with a typical config, plus the
// f-divergence and LD-DPO variants.
func everyLoss() []lossCase {
	cs := []lossCase{
		{"sigmoid", "sigmoid", nil},
		{"hinge", "hinge", func(c *align.Config) { c.Beta = 0.5 }},
		{"ipo", "ipo", nil},
		{"exo_pair", "exo_pair", func(c *align.Config) { c.LabelSmoothing = 1e-3 }},
		{"nca_pair", "nca_pair", nil},
		{"robust", "robust", func(c *align.Config) { c.LabelSmoothing = 0.1 }},
		{"bco_pair", "bco_pair", nil},
		{"sppo_hard", "sppo_hard", nil},
		{"aot", "aot", func(c *align.Config) { c.LabelSmoothing = 0.1 }},
		{"aot_unpaired", "aot_unpaired", func(c *align.Config) { c.LabelSmoothing = 0.1 }},
		{"apo_zero", "apo_zero", nil},
		{"apo_down", "apo_down", nil},
		{"discopop", "discopop", nil},
		{"sigmoid_norm", "sigmoid_norm", nil},
		{"nll", "nll", nil},
		{"nll/seq_mean", "nll", func(c *align.Config) { c.NLLReduction = align.NLLSeqMean }},
		{"sft", "sft", nil},
		{"multi/mpo", "multi", func(c *align.Config) {
			c.LossTypes, c.LossWeights = []string{"sigmoid", "bco_pair", "nll"}, []float64{0.8, 0.2, 1}
		}},
		{"cdpo", "cdpo", func(c *align.Config) { c.LabelSmoothing = 0.1 }},
		{"ipo_sum", "ipo_sum", nil},
		{"ipo_paper", "ipo_paper", nil},
		{"rdpo", "rdpo", func(c *align.Config) { c.Alpha = 0.05 }},
		{"simpo", "simpo", func(c *align.Config) { c.Beta, c.LabelSmoothing = 2, 0.1 }},
		{"simpo/cpo", "simpo", func(c *align.Config) { c.Beta, c.CPOAlpha, c.NLLReduction = 2.5, 1, align.NLLSeqMean }},
		{"orpo", "orpo", nil},
		{"kto", "kto", func(c *align.Config) { c.DesirableWeight, c.UndesirableWeight = 1.33, 0.75 }},
		{"apo_zero_unpaired", "apo_zero_unpaired", nil},
	}
	for _, fd := range []string{align.FDivForwardKL, align.FDivJS, align.FDivAlpha} {
		for _, n := range []string{"sigmoid", "hinge", "ipo", "nca_pair", "bco_pair", "sppo_hard", "apo_down", "discopop"} {
			cs = append(cs, lossCase{n + "/" + fd, n, func(c *align.Config) { c.FDivergence, c.FAlphaDivergenceCoef = fd, 0.5 }})
		}
	}
	for _, n := range []string{"sigmoid", "ipo", "sigmoid_norm", "aot", "hinge", "apo_zero", "bco_pair", "robust"} {
		cs = append(cs, lossCase{n + "/ld", n, func(c *align.Config) { c.LDAlpha = ptr(0.5) }})
	}
	return cs
}

func unpaired(name string) bool { return name == "kto" || name == "apo_zero_unpaired" }

func (lc lossCase) config() align.Config {
	cfg := align.DefaultConfig()
	if lc.edit != nil {
		lc.edit(&cfg)
	}
	return cfg
}

func (lc lossCase) loss(t testing.TB) *align.Loss {
	t.Helper()
	l, err := align.New(lc.name, lc.config())
	require.NoError(t, err, lc.label)
	return l
}

// tokenInputs holds random per-token inputs: policy tokens (the values a
// gradient check differentiates) and constant reference and KL tokens.
type tokenInputs struct {
	chosen, rejected       *tensor.Tensor // [B, T] policy log-probs
	chosenLen, rejectedLen []int
	refChosen, refRejected *tensor.Tensor
	kl, refKL              *tensor.Tensor
	klLen                  []int
}

// randomTokens draws log-probs around mean with spread, lengths 1..t, nw
// chosen and nl rejected rows (nw == nl for paired losses).
func randomTokens(rng *rand.Rand, nw, nl, t int) tokenInputs {
	draw := func(n int) (*tensor.Tensor, []int) {
		x := tensor.RandU(rng, tensor.Float64, -4, -0.05, n, t)
		lens := make([]int, n)
		for i := range lens {
			lens[i] = 1 + rng.IntN(t)
		}
		return x, lens
	}
	in := tokenInputs{}
	in.chosen, in.chosenLen = draw(nw)
	in.rejected, in.rejectedLen = draw(nl)
	in.refChosen = tensor.RandU(rng, tensor.Float64, -4, -0.05, nw, t)
	in.refRejected = tensor.RandU(rng, tensor.Float64, -4, -0.05, nl, t)
	in.kl, in.klLen = draw(nw + nl)
	in.refKL = tensor.RandU(rng, tensor.Float64, -4, -0.05, nw+nl, t)
	return in
}

// batch builds a TokenBatch with chosen and rejected as the policy values.
func (in tokenInputs) batch(chosen, rejected *autograd.Value, withKL bool) *align.TokenBatch {
	tb := &align.TokenBatch{
		PolicyChosen:   align.TokensFromLengths(chosen, in.chosenLen),
		PolicyRejected: align.TokensFromLengths(rejected, in.rejectedLen),
		RefChosen:      align.TokensFromLengths(autograd.Const(in.refChosen), in.chosenLen),
		RefRejected:    align.TokensFromLengths(autograd.Const(in.refRejected), in.rejectedLen),
	}
	if withKL {
		tb.PolicyKL = align.TokensFromLengths(autograd.Const(in.kl), in.klLen)
		tb.RefKL = align.TokensFromLengths(autograd.Const(in.refKL), in.klLen)
	}
	return tb
}
