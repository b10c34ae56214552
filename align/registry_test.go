package align_test

import (
	"flag"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// TestRegistryNames checks that every loss of daa_losses.md is registered
// under its name, plus TRL's "sft".
func TestRegistryNames(t *testing.T) {
	want := []string{"sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
		"aot_unpaired", "apo_zero", "apo_down", "discopop", "sigmoid_norm", "nll", "multi", "cdpo", "ipo_sum",
		"ipo_paper", "rdpo", "simpo", "orpo", "kto", "apo_zero_unpaired", "sft"}
	names := align.Names()
	for _, n := range want {
		assert.Contains(t, names, n, "loss not registered")
	}
	_, err := align.Lookup("dpo_typo")
	assert.ErrorIs(t, err, align.ErrUnknownLoss, "Lookup(dpo_typo)")
}

// TestConfigValidate checks that invalid configs are errors naming the key.
func TestConfigValidate(t *testing.T) {
	cases := []struct {
		loss string
		edit func(c *align.Config)
		want string // "" = valid
	}{
		{"sigmoid", nil, ""},
		{"sigmoid", func(c *align.Config) { c.Beta = 0 }, "beta = 0"},
		{"sigmoid", func(c *align.Config) { c.Beta = math.NaN() }, "beta = NaN"},
		{"sigmoid", func(c *align.Config) { c.FDivergence = "kl" }, `f_divergence = "kl"`},
		{"cdpo", func(c *align.Config) { c.FDivergence = align.FDivJS }, "applies to the TRL v1.9"},
		{"exo_pair", nil, "exo_pair needs 0 < label_smoothing < 1"},
		{"exo_pair", func(c *align.Config) { c.LabelSmoothing = 1e-3 }, ""},
		{"robust", func(c *align.Config) { c.LabelSmoothing = 0.5 }, "robust needs 0 <= label_smoothing < 0.5"},
		{"discopop", func(c *align.Config) { c.Tau = 0 }, "tau = 0"},
		{"kto", func(c *align.Config) { c.UndesirableWeight = 0 }, "undesirable_weight = 0"},
		{"sigmoid", func(c *align.Config) { c.LDAlpha = ptr(0.5) }, ""},
		{"sigmoid", func(c *align.Config) { c.LDAlpha = ptr(1.5) }, "ld_alpha = 1.5"},
		{"simpo", func(c *align.Config) { c.LDAlpha = ptr(0.5) }, "ld_alpha applies to the TRL v1.9"},
		{"nll", func(c *align.Config) { c.NLLReduction = "sum" }, `nll_reduction = "sum"`},
		{"sft", func(c *align.Config) { c.NLLReduction = align.NLLSeqMean }, "sft is the token_mean NLL"},
		{"multi", func(c *align.Config) { c.LossTypes, c.LossWeights = []string{"sigmoid", "nll"}, []float64{1} }, "loss_weights 1"},
		{"multi", func(c *align.Config) { c.LossTypes, c.LossWeights = []string{"sigmoid", "kto"}, []float64{1, 1} }, `loss_types[1] = "kto"`},
		{"multi", func(c *align.Config) { c.LossTypes, c.LossWeights = []string{"sigmoid", "exo_pair"}, []float64{1, 1} }, "exo_pair needs"},
		{"multi", func(c *align.Config) {
			c.LossTypes, c.LossWeights, c.LDAlpha = []string{"sigmoid", "nll"}, []float64{1, 1}, ptr(0.5)
		}, "ld_alpha with an nll term"},
		{"multi", func(c *align.Config) { c.LossTypes, c.LossWeights = []string{"sigmoid", "sigmoid"}, []float64{1, 1} }, "appears twice"},
	}
	for _, c := range cases {
		cfg := align.DefaultConfig()
		if c.edit != nil {
			c.edit(&cfg)
		}
		_, err := align.New(c.loss, cfg)
		if c.want == "" {
			assert.NoError(t, err, c.loss)
		} else {
			assert.ErrorContains(t, err, c.want, c.loss)
		}
	}
}

// TestParseConfig decodes a JSON config over the defaults and rejects an
// unknown key by name.
func TestParseConfig(t *testing.T) {
	cfg, err := align.ParseConfig([]byte(`{"beta": 0.5, "ld_alpha": 0.25, "tau": null, "loss_types": ["sigmoid", "nll"], "loss_weights": [1, 0.5]}`))
	require.NoError(t, err)
	want := align.DefaultConfig()
	want.Beta, want.LDAlpha = 0.5, ptr(0.25)
	want.LossTypes, want.LossWeights = []string{"sigmoid", "nll"}, []float64{1, 0.5}
	assert.Equal(t, want, cfg, "ParseConfig")
	_, err = align.ParseConfig([]byte(`{"betta": 0.5}`))
	assert.ErrorContains(t, err, `"betta"`, "unknown key")
}

// TestParseLossSpec covers the string and JSON forms and their errors.
func TestParseLossSpec(t *testing.T) {
	cases := []struct {
		spec    string
		names   []string
		weights []float64
		err     string
	}{
		{"sigmoid", []string{"sigmoid"}, []float64{1}, ""},
		{"sigmoid:1.0, sft:0.5", []string{"sigmoid", "sft"}, []float64{1, 0.5}, ""},
		{"sigmoid:0.8,bco_pair:0.2,sft", []string{"sigmoid", "bco_pair", "sft"}, []float64{0.8, 0.2, 1}, ""},
		{`{"sigmoid": 0.8, "bco_pair": 0.2, "nll": 1}`, []string{"sigmoid", "bco_pair", "nll"}, []float64{0.8, 0.2, 1}, ""},
		{"", nil, nil, "empty"},
		{"sigmoid:x", nil, nil, `entry 0 ("sigmoid:x"): weight`},
		{"sigmoid,,sft", nil, nil, "entry 1: empty loss name"},
		{"sigmoid,sigmoid:2", nil, nil, `"sigmoid" appears twice`},
		{"sigmoid:NaN", nil, nil, "not finite"},
		{`{"sigmoid": "a"}`, nil, nil, `weight of "sigmoid"`},
		{`{}`, nil, nil, "no loss"},
	}
	for _, c := range cases {
		names, weights, err := align.ParseLossSpec(c.spec)
		if c.err != "" {
			assert.ErrorContains(t, err, c.err, "%q", c.spec)
			continue
		}
		if assert.NoError(t, err, "%q", c.spec) {
			assert.Equal(t, c.names, names, "%q: names", c.spec)
			assert.Equal(t, c.weights, weights, "%q: weights", c.spec)
		}
	}
}

// TestFlags parses a command line into a Config and builds the loss.
func TestFlags(t *testing.T) {
	cfg := align.DefaultConfig()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	cfg.AddFlags(fs)
	require.NoError(t, fs.Parse([]string{"-beta", "0.25", "-ld_alpha", "0.5", "-loss_type", "sigmoid:0.8,bco_pair:0.2"}))
	require.Equal(t, 0.25, cfg.Beta)
	require.NotNil(t, cfg.LDAlpha)
	require.Equal(t, 0.5, *cfg.LDAlpha)
	require.Equal(t, []string{"sigmoid", "bco_pair"}, cfg.LossTypes)
	loss, err := align.NewFromConfig(cfg)
	require.NoError(t, err)
	require.Equal(t, "multi", loss.Name)
	require.NoError(t, fs.Parse([]string{"-ld_alpha", "", "-loss_type", "ipo"}))
	require.Nil(t, cfg.LDAlpha, "after -ld_alpha ''")
	loss, err = align.NewFromConfig(cfg)
	require.NoError(t, err, "after -ld_alpha '' -loss_type ipo")
	require.Equal(t, "ipo", loss.Name, "after -loss_type ipo")
}

// TestRegisterCustom registers a loss and uses it as a multi component:
// the weighted sum equals the weighted sum of the separate losses.
func TestRegisterCustom(t *testing.T) {
	half := func(b *align.Batch, cfg align.Config) (*align.Output, error) { // ℓ = ½ Δ²·β
		d := align.Margin(b)
		return align.NewPairOutput(b, cfg.Beta, autograd.Scale(autograd.Square(d), cfg.Beta/2)), nil
	}
	align.Register("test_half_square", align.ValidatingConstructor("test_half_square", half))
	cfg := align.DefaultConfig()
	cfg.LossTypes, cfg.LossWeights = []string{"sigmoid", "test_half_square"}, []float64{1, 0.5}
	multi, err := align.NewFromConfig(cfg)
	require.NoError(t, err)
	seq := func(v ...float64) *autograd.Value {
		return autograd.Param(tensor.FromValues(tensor.Float64, v, len(v)))
	}
	b := &align.Batch{PolicyChosen: seq(-1, -2), PolicyRejected: seq(-3, -1.5), ChosenLengths: []int{1, 2}, RejectedLengths: []int{3, 1}}
	out, err := multi.Compute(b)
	require.NoError(t, err)
	// reference-free: Δ = (-1+3, -2+1.5) = (2, -0.5)
	want := 0.0
	for _, d := range []float64{2, -0.5} {
		want += (math.Log1p(math.Exp(-0.1*d)) + 0.5*0.1/2*d*d) / 2
	}
	assert.InDelta(t, want, out.Loss.Item(), 1e-15, "loss")
	assert.InDelta(t, 0.1/2*(4+0.25)/2, out.Components["test_half_square"], 1e-15, "component test_half_square of %v", out.Components)
}
