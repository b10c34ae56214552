package train

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// bf16Policy returns the tiny LoRA policy (rank 3 on every projection, dropout
// 0.1, B drawn non-zero so the adapters matter from step 0) on a bfloat16 base:
// NewRandomBF16's shape-only model and weights (seed 3).
func bf16Policy(t *testing.T) (*pythia.Model, pythia.BF16Weights) {
	t.Helper()
	m, w, err := pythia.NewRandomBF16(tinyConfig(), 3)
	require.NoError(t, err)
	attachTestLoRA(t, m)
	return m, w
}

// widenedPolicy returns bf16Policy's policy as an ordinary float32 model: the
// base weights are the bfloat16 values widened (exactly) to float32.
func widenedPolicy(t *testing.T, w pythia.BF16Weights) *pythia.Model {
	t.Helper()
	m := tinyModel(t, tensor.Float32, 1)
	for _, p := range m.Params() {
		bits, ok := w[p.Name]
		require.True(t, ok, "bfloat16 base has no %s", p.Name)
		f := make([]float32, len(bits))
		half.BF16sToF32s(f, bits)
		p.Value.Data.CopyFrom(tensor.FromFloat32s(f, p.Value.Shape()...))
	}
	attachTestLoRA(t, m)
	return m
}

// attachTestLoRA puts the test's adapters on m: PEFT's initialisation from
// seed 5, then B (and A) replaced by 0.2 normal(seed 6) values.
func attachTestLoRA(t *testing.T, m *pythia.Model) {
	t.Helper()
	require.NoError(t, m.AttachLoRA(pythia.LoRAConfig{R: 3, Alpha: 6, Dropout: 0.1, Targets: pythia.LoRATargets}, 5))
	rng := tensor.NewRNG(6)
	for _, p := range m.LoRAParams() {
		v := make([]float32, p.Value.Data.Len())
		for i := range v {
			v[i] = float32(0.2 * rng.NormFloat64())
		}
		p.Value.Data.CopyFrom(tensor.FromFloat32s(v, p.Value.Shape()...))
	}
}

// adapterBits returns the float32 bits of every adapter value of m, in order.
func adapterBits(m *pythia.Model) []uint32 {
	var out []uint32
	for _, p := range m.LoRAParams() {
		for _, x := range p.Value.Data.Float32s() {
			out = append(out, math.Float32bits(x))
		}
	}
	return out
}

// bf16BaseConfig is the runs' configuration: 9 pairs, 3 epochs of batches of
// 2 (15 steps), evaluation every 6 examples, learning rate 1e-2.
func bf16BaseConfig(out string) Config {
	cfg := resumeConfig(out)
	cfg.LearningRate = 1e-2
	if out == "" {
		cfg.DisableCheckpoints = true
	}
	return cfg
}

// TestBF16BaseEqualsWidenedFloat32 trains a LoRA policy on a bfloat16 base
// (Data.BF16Base: policy, evaluation and adapters-off reference engines all
// read the same bits) and the same policy on a float32 model holding the
// bfloat16 values widened to float32. The engine widens each bfloat16
// matrix to exactly those float32 values before the same products, so the
// final adapters and every logged record (losses, rewards, evaluations) are
// identical bit for bit.
func TestBF16BaseEqualsWidenedFloat32(t *testing.T) {
	m, w := bf16Policy(t)
	ref := widenedPolicy(t, w)
	initial := adapterBits(m)
	require.Equal(t, initial, adapterBits(ref), "the two policies' initial adapters")

	d := resumeData()
	d.BF16Base = w
	a, err := New(bf16BaseConfig(""), m, nil, d)
	require.NoError(t, err)
	require.NoError(t, a.Train(context.Background()))
	b, err := New(bf16BaseConfig(""), ref, nil, resumeData())
	require.NoError(t, err)
	require.NoError(t, b.Train(context.Background()))

	require.Equal(t, a.Step(), b.Step())
	assert.NotEqual(t, initial, adapterBits(m), "the adapters did not move")
	assert.Equal(t, adapterBits(ref), adapterBits(m), "final adapters: bfloat16 base vs widened float32 model")
	assert.Equal(t, b.History(), a.History(), "logged records")
	evals := 0
	for _, r := range a.History() {
		if _, ok := r["eval_loss"]; ok {
			evals++
		}
	}
	assert.Positive(t, evals, "no evaluation ran")
	t.Logf("%d steps, %d evaluations, %d adapter values: identical", a.Step(), evals, len(initial))
}

// TestBF16BaseMisuse checks the runs Data.BF16Base refuses, by their messages.
func TestBF16BaseMisuse(t *testing.T) {
	cases := []struct {
		name, want string
		edit       func(c *Config)
		policy     func(t *testing.T, w pythia.BF16Weights) *pythia.Model // nil: bf16Policy's
		reference  bool                                                   // pass a separate reference model
	}{
		{name: "autograd", want: `Data.BF16Base needs backend "engine"`, edit: func(c *Config) { c.Backend = BackendAutograd }},
		{name: "no adapters", want: "Data.BF16Base needs a LoRA policy", policy: func(t *testing.T, w pythia.BF16Weights) *pythia.Model {
			m, err := pythia.NewShapeOnly(tinyConfig())
			require.NoError(t, err)
			return m
		}},
		{name: "bf16_reference", want: "bf16_reference with Data.BF16Base", edit: func(c *Config) { c.BF16Reference = true }},
		{name: "precompute", want: "precompute_ref_log_probs with Data.BF16Base", edit: func(c *Config) {
			c.PrecomputeRefLogProbs, c.RefCacheDir = true, "refused-before-any-write"
		}},
		{name: "sync_ref_model", want: "sync_ref_model with a LoRA policy", edit: func(c *Config) {
			c.SyncRefModel, c.RefModelSyncSteps, c.RefModelMixupAlpha = true, 2, 0.5
		}},
		{name: "reference model", want: "a reference model with Data.BF16Base", reference: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, w := bf16Policy(t)
			if tc.policy != nil {
				m = tc.policy(t, w)
			}
			cfg := bf16BaseConfig("")
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			var ref *pythia.Model
			if tc.reference {
				ref = tinyModel(t, tensor.Float32, 2)
			}
			d := resumeData()
			d.BF16Base = w
			_, err := New(cfg, m, ref, d)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestBF16BaseResumeIsBitForBit trains a LoRA policy on a bfloat16 base
// straight through, and again stopped at half way (the cancel writes a
// checkpoint: the adapter directory, the optimizer and the state), resumed
// by a new trainer on a fresh shape-only model with the same bits and
// initial adapters: the final adapters, metrics.jsonl and LATEST are
// identical.
func TestBF16BaseResumeIsBitForBit(t *testing.T) {
	straightDir, stoppedDir := t.TempDir(), t.TempDir()
	newRun := func(dir string) *Trainer {
		m, w := bf16Policy(t)
		d := resumeData()
		d.BF16Base = w
		tr, err := New(bf16BaseConfig(dir), m, nil, d)
		require.NoError(t, err)
		return tr
	}
	a := newRun(straightDir)
	require.NoError(t, a.Train(context.Background()))
	n := a.Step()

	b := newRun(stoppedDir)
	trainUntil(t, b, n/2)
	c := newRun(stoppedDir)
	require.NoError(t, c.Resume(stoppedDir))
	require.Equal(t, n/2, c.Step(), "resumed at step")
	require.NoError(t, c.Train(context.Background()))
	require.Equal(t, n, c.Step())
	assert.Equal(t, adapterBits(a.policy), adapterBits(c.policy), "adapters after resuming")
	assert.Equal(t, readFile(t, straightDir, MetricsFile), readFile(t, stoppedDir, MetricsFile), "metrics.jsonl")
	assert.Equal(t, readFile(t, straightDir, LatestFile), readFile(t, stoppedDir, LatestFile), "LATEST")
	t.Logf("%d steps, stopped and resumed at %d", n, n/2)
}
