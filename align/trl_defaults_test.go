package align_test

import (
	"flag"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// The defaults below are read from TRL v1.9.0 (tag v1.9.0 of
// github.com/huggingface/trl, VERSION "1.9.0"): trl/trainer/dpo_config.py
// (DPOConfig) unless another file is named. Each row names the TRL field,
// its default there, and our value for it: the align.Config field, the
// align flag, and (for the trainer's options) train.Config and its flag.

// trlDefault is one TRL v1.9.0 default and where we keep it.
type trlDefault struct {
	trlField string  // TRL's field name
	trlValue float64 // its default in TRL v1.9.0
	source   string  // the TRL file that defines it
	flag     string  // our flag (align.Config.AddFlags or train.Config.AddFlags)
	ours     float64 // our default value
}

// TestTRLDefaults checks every numeric loss default against TRL v1.9.0,
// both in align.DefaultConfig and as the flag's default.
func TestTRLDefaults(t *testing.T) {
	c := align.DefaultConfig()
	cases := []trlDefault{
		{"beta", 0.1, "trl/trainer/dpo_config.py", "beta", c.Beta},
		{"label_smoothing", 0.0, "trl/trainer/dpo_config.py", "label_smoothing", c.LabelSmoothing},
		// TRL changed this from 1.0 to 0.5 in v0.29 (issue 11: ours was 1.0).
		{"f_alpha_divergence_coef", 0.5, "trl/trainer/dpo_config.py", "f_alpha_divergence_coef", c.FAlphaDivergenceCoef},
		{"discopop_tau", 0.05, "trl/trainer/dpo_config.py", "tau", c.Tau},
		{"simpo_gamma", 0.5, "trl/experimental/cpo/cpo_config.py", "gamma", c.Gamma},
		{"desirable_weight", 1.0, "trl/trainer/kto_config.py", "desirable_weight", c.DesirableWeight},
		{"undesirable_weight", 1.0, "trl/trainer/kto_config.py", "undesirable_weight", c.UndesirableWeight},
	}
	fs := flag.NewFlagSet("align", flag.ContinueOnError)
	c.AddFlags(fs)
	for _, tc := range cases {
		assert.Equalf(t, tc.trlValue, tc.ours, "%s (%s): TRL v1.9.0 default %v, align.DefaultConfig %v", tc.trlField, tc.source, tc.trlValue, tc.ours)
		f := fs.Lookup(tc.flag)
		require.NotNilf(t, f, "no -%s flag", tc.flag)
		got, err := strconv.ParseFloat(f.DefValue, 64)
		require.NoError(t, err, "-%s default %q", tc.flag, f.DefValue)
		assert.Equalf(t, tc.trlValue, got, "-%s default (TRL %s)", tc.flag, tc.trlField)
	}
}

// TestTRLDefaultsLists checks the non-numeric loss defaults against TRL
// v1.9.0's DPOConfig: f_divergence_type "reverse_kl", ld_alpha None,
// loss_type ["sigmoid"], loss_weights None (= 1.0 per loss type, as
// DPOTrainer's `args.loss_weights or [1.0] * len(self.loss_types)`).
func TestTRLDefaultsLists(t *testing.T) {
	c := align.DefaultConfig()
	assert.Equal(t, "reverse_kl", c.FDivergence, "f_divergence_type")
	assert.Nil(t, c.LDAlpha, "ld_alpha")
	assert.Equal(t, []string{"sigmoid"}, c.LossTypes, "loss_type")
	assert.Equal(t, []float64{1}, c.LossWeights, "loss_weights")

	fs := flag.NewFlagSet("align", flag.ContinueOnError)
	c.AddFlags(fs)
	for flagName, want := range map[string]string{"f_divergence": "reverse_kl", "ld_alpha": "", "loss_type": "sigmoid"} {
		f := fs.Lookup(flagName)
		require.NotNilf(t, f, "no -%s flag", flagName)
		assert.Equalf(t, want, f.DefValue, "-%s default", flagName)
	}

	// A JSON config that omits the key gets TRL's 0.5 too.
	parsed, err := align.ParseConfig([]byte(`{"f_divergence": "alpha_divergence"}`))
	require.NoError(t, err)
	assert.Equal(t, 0.5, parsed.FAlphaDivergenceCoef, "f_alpha_divergence_coef of a config that omits it")
}

// TestTRLDefaultAlphaDivergenceLoss computes the sigmoid loss with
// f_divergence alpha_divergence and the default coefficient on one pair
// and compares it with TRL v1.9.0's formula evaluated by hand
// (dpo_trainer.py: score f(r) = exp((a-1) r)/(a-1), loss -log σ(β (f(r_w) -
// f(r_l)))). With S_w = -10, S_l = -12, R_w = R_l = -11: r_w = 1, r_l = -1,
// a = 0.5, β = 0.1:
//
//	python3 -c 'import math; f=lambda r: math.exp(-0.5*r)/-0.5; z=0.1*(f(1)-f(-1)); print(math.log1p(math.exp(-z)))'
//	0.5943491229720279
//
// The old default a = 1 falls back to reverse_kl: log1p(exp(-0.2)) =
// 0.5981388693815918, which this test rejects.
func TestTRLDefaultAlphaDivergenceLoss(t *testing.T) {
	cfg := align.DefaultConfig()
	cfg.FDivergence = align.FDivAlpha
	loss, err := align.New("sigmoid", cfg)
	require.NoError(t, err)
	v := func(x float64) *autograd.Value { return autograd.Const(tensor.FromFloat64s([]float64{x}, 1)) }
	out, err := loss.Compute(&align.Batch{
		PolicyChosen: autograd.Param(tensor.FromFloat64s([]float64{-10}, 1)), PolicyRejected: autograd.Param(tensor.FromFloat64s([]float64{-12}, 1)),
		RefChosen: v(-11), RefRejected: v(-11),
		ChosenLengths: []int{1}, RejectedLengths: []int{1},
	})
	require.NoError(t, err)
	assert.InDelta(t, 0.5943491229720279, out.Loss.Item(), 1e-12)
}

// TestTRLDefaultsTrainer checks the trainer's TRL-named options against
// TRL v1.9.0's DPOConfig: sync_ref_model False, ref_model_mixup_alpha 0.6,
// ref_model_sync_steps 512 (TR-DPO), precompute_ref_log_probs False, and
// the loss defaults above. The trainer's learning rate (5e-7), max_length
// (512) and optimizer (RMSProp) are the DPO reference implementation's
// (eric-mitchell/direct-preference-optimization config.yaml), not TRL's
// (learning_rate 1e-6, max_length 1024, AdamW): see train.DefaultConfig.
func TestTRLDefaultsTrainer(t *testing.T) {
	c := train.DefaultConfig()
	assert.Equal(t, align.DefaultConfig(), c.Loss, "loss defaults")
	assert.False(t, c.SyncRefModel, "sync_ref_model")
	assert.Equal(t, 0.6, c.RefModelMixupAlpha, "ref_model_mixup_alpha")
	assert.Equal(t, 512, c.RefModelSyncSteps, "ref_model_sync_steps")
	assert.False(t, c.PrecomputeRefLogProbs, "precompute_ref_log_probs")

	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	c.AddFlags(fs)
	for flagName, want := range map[string]string{
		"sync_ref_model": "false", "ref_model_mixup_alpha": "0.6", "ref_model_sync_steps": "512",
		"precompute_ref_log_probs": "false", "f_alpha_divergence_coef": "0.5", "beta": "0.1",
	} {
		f := fs.Lookup(flagName)
		require.NotNilf(t, f, "no -%s flag", flagName)
		assert.Equalf(t, want, f.DefValue, "-%s default", flagName)
	}
}
