package pythia

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

var loraIDs = [][]int{{1, 5, 9, 2, 7}, {3, 3, 0, 8, 4}}

// loraModel returns a random tiny model with adapters of rank 2 (lora_alpha
// 6) on targets, and the base model's logits before the adapters. B is
// random (PEFT starts it at zero) so the adapters change the function.
func loraModel(t *testing.T, dt tensor.DType, rslora bool, targets ...string) (*Model, *tensor.Tensor) {
	t.Helper()
	m, err := NewRandom(tinyConfig(t), dt, 3)
	require.NoError(t, err)
	base := m.Forward(loraIDs, nil).Data
	require.NoError(t, m.AttachLoRA(LoRAConfig{R: 2, Alpha: 6, Targets: targets, RSLoRA: rslora}, 4))
	rng := tensor.NewRNG(5)
	for _, p := range m.LoRAParams() {
		if p.Name[len(p.Name)-len("lora_B.weight"):] == "lora_B.weight" {
			p.Value.Data.CopyFrom(tensor.RandN(rng, dt, 0, 0.5, p.Value.Shape()...))
		}
	}
	return m, base
}

func TestAttachLoRA(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float64, 3)
	require.NoError(t, err)
	base := m.Forward(loraIDs, nil).Data.Float64s()
	cfg := LoRAConfig{R: 2, Alpha: 6, Dropout: 0.1, Targets: []string{"dense_4h_to_h", "query_key_value"}}
	require.NoError(t, m.AttachLoRA(cfg, 4))

	for _, p := range m.Params() {
		assert.False(t, p.Value.RequiresGrad(), "%s is frozen", p.Name)
	}
	var names []string
	for _, p := range m.LoRAParams() {
		names = append(names, p.Name)
		assert.True(t, p.Value.RequiresGrad(), p.Name)
	}
	assert.Equal(t, []string{
		"base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_A.weight",
		"base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_B.weight",
		"base_model.model.gpt_neox.layers.0.mlp.dense_4h_to_h.lora_A.weight",
		"base_model.model.gpt_neox.layers.0.mlp.dense_4h_to_h.lora_B.weight",
		"base_model.model.gpt_neox.layers.1.attention.query_key_value.lora_A.weight",
		"base_model.model.gpt_neox.layers.1.attention.query_key_value.lora_B.weight",
		"base_model.model.gpt_neox.layers.1.mlp.dense_4h_to_h.lora_A.weight",
		"base_model.model.gpt_neox.layers.1.mlp.dense_4h_to_h.lora_B.weight",
	}, names)
	ps := m.LoRAParams()
	assert.Equal(t, []int{2, 8}, ps[0].Value.Shape(), "query_key_value lora_A [r, H]")
	assert.Equal(t, []int{24, 2}, ps[1].Value.Shape(), "query_key_value lora_B [3H, r]")
	assert.Equal(t, []int{2, 12}, ps[2].Value.Shape(), "dense_4h_to_h lora_A [r, I]")
	assert.Equal(t, []int{8, 2}, ps[3].Value.Shape(), "dense_4h_to_h lora_B [H, r]")

	got, ok := m.LoRA()
	require.True(t, ok)
	assert.Equal(t, LoRAConfig{R: 2, Alpha: 6, Dropout: 0.1, Targets: []string{"query_key_value", "dense_4h_to_h"}}, got)
	assert.Equal(t, base, m.Forward(loraIDs, nil).Data.Float64s(), "B = 0: the adapted model is the base, bit for bit")
	assert.Error(t, m.AttachLoRA(cfg, 4), "attaching twice")
}

func TestLoRAConfigValidate(t *testing.T) {
	ok := LoRAConfig{R: 8, Alpha: 16, Targets: []string{"dense"}}
	require.NoError(t, ok.Validate())
	assert.Equal(t, 2.0, ok.Scale())
	ok.RSLoRA = true
	assert.InDelta(t, 16/2.8284271247461903, ok.Scale(), 1e-15)
	for _, c := range []struct {
		name string
		edit func(c *LoRAConfig)
		msg  string
	}{
		{"rank", func(c *LoRAConfig) { c.R = 0 }, "LoRA r 0: want a positive rank"},
		{"alpha", func(c *LoRAConfig) { c.Alpha = -1 }, "LoRA lora_alpha -1: want a positive finite number"},
		{"dropout", func(c *LoRAConfig) { c.Dropout = 1 }, "LoRA lora_dropout 1: want a probability in [0, 1)"},
		{"no targets", func(c *LoRAConfig) { c.Targets = nil }, "LoRA target_modules is empty"},
		{"unknown target", func(c *LoRAConfig) { c.Targets = []string{"embed_out"} }, `LoRA target_modules "embed_out": GPT-NeoX adapters go on [query_key_value dense dense_h_to_4h dense_4h_to_h]`},
		{"twice", func(c *LoRAConfig) { c.Targets = []string{"dense", "dense"} }, `LoRA target_modules lists "dense" twice`},
	} {
		bad := ok
		c.edit(&bad)
		assert.EqualError(t, bad.Validate(), c.msg, c.name)
	}
}

// The adapters change the function; with them disabled the model is the
// base again, bit for bit, sharing the weights.
func TestWithAdaptersDisabled(t *testing.T) {
	m, base := loraModel(t, tensor.Float64, false, LoRATargets...)
	adapted := m.Forward(loraIDs, nil).Data.Float64s()
	assert.Greater(t, relErr(tensor.FromFloat64s(adapted, base.Shape()...), base.Float64s()), 1e-3, "the adapters change the logits")
	ref := m.WithAdaptersDisabled()
	assert.False(t, ref.HasLoRA())
	assert.True(t, m.HasLoRA(), "m keeps its adapters")
	assert.Equal(t, base.Float64s(), ref.Forward(loraIDs, nil).Data.Float64s())
	assert.Same(t, m.Layers[0].Attention.QKVWeight, ref.Layers[0].Attention.QKVWeight, "one copy of the weights")
	assert.Equal(t, adapted, m.Forward(loraIDs, nil).Data.Float64s())
}

// Merging gives the adapted function through the base weights alone;
// unmerging restores the base weights to rounding; SaveMerged writes the
// merged model without changing m.
func TestLoRAMergeUnmergeSaveMerged(t *testing.T) {
	for _, c := range dtypes {
		t.Run(c.dt.String(), func(t *testing.T) {
			m, _ := loraModel(t, c.dt, true, "query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h")
			adapted := m.Forward(loraIDs, nil).Data
			before := map[string][]float64{}
			for _, p := range m.Params() {
				before[p.Name] = p.Value.Data.ToFloat64s()
			}

			dir := t.TempDir()
			require.NoError(t, m.SaveMerged(dir))
			for _, p := range m.Params() {
				require.Equal(t, before[p.Name], p.Value.Data.ToFloat64s(), "SaveMerged leaves %s", p.Name)
			}
			saved, err := LoadDir(dir, LoadOptions{DType: c.dt})
			require.NoError(t, err)
			assert.LessOrEqual(t, relErr(saved.Forward(loraIDs, nil).Data, adapted.ToFloat64s()), c.tol, "merged checkpoint")

			m.MergeLoRA()
			assert.LessOrEqual(t, relErr(m.Forward(loraIDs, nil).Data, adapted.ToFloat64s()), c.tol, "merged forward")
			assert.Panics(t, func() { m.WithAdaptersDisabled() }, "disabling merged adapters")
			assert.Error(t, m.SaveAdapter(t.TempDir(), ""), "saving merged adapters")
			merged := m.Layers[1].MLP.UpWeight.Data.ToFloat64s()
			require.NoError(t, m.SaveMerged(filepath.Join(dir, "again")))
			again, err := LoadDir(filepath.Join(dir, "again"), LoadOptions{DType: c.dt})
			require.NoError(t, err)
			assert.Equal(t, merged, again.Layers[1].MLP.UpWeight.Data.ToFloat64s(), "merged weights saved as they are")

			m.UnmergeLoRA()
			for _, p := range m.Params() {
				// Rounding of W + d - d, relative to max|W| (here |d| is a few times |W|).
				assert.LessOrEqual(t, relErr(p.Value.Data, before[p.Name]), c.tol, "unmerge restores %s", p.Name)
			}
			assert.Panics(t, func() { m.UnmergeLoRA() })
		})
	}
}

// Backward reaches the adapters only, and their gradients match central
// finite differences of the mean next-token loss (float64), with dropout on
// (the same seeded masks at every evaluation).
func TestLoRAGradientsFiniteDifferences(t *testing.T) {
	m, _ := loraModel(t, tensor.Float64, false, LoRATargets...)
	for i := range m.Layers { // the dropout draws must reach every adapter
		m.Layers[i].Attention.QKVLoRA.Dropout = 0.2
		m.Layers[i].MLP.DownLoRA.Dropout = 0.2
	}
	params := m.LoRAParams()
	inputs := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		inputs[i] = p.Value.Data
	}
	loss := func(in []*autograd.Value) *autograd.Value {
		for i := range params {
			*m.loraValue(params[i].Name) = in[i]
		}
		m.SetLoRATraining(tensor.NewRNG(9))
		return m.NextTokenLoss(loraIDs, nil)
	}
	err := autograd.CheckGrad(loss, inputs, autograd.CheckOptions{Atol: 1e-8, Rtol: 1e-6})
	assert.NoError(t, err)

	// Restore the model's own adapter values, then check that backward
	// leaves the frozen base without gradients.
	for i := range params {
		*m.loraValue(params[i].Name) = params[i].Value
	}
	m.SetLoRATraining(nil)
	m.NextTokenLoss(loraIDs, nil).Backward()
	for _, p := range m.Params() {
		assert.Nil(t, p.Value.Grad, p.Name)
	}
	for _, p := range m.LoRAParams() {
		assert.NotNil(t, p.Value.Grad, p.Name)
	}
}

// loraValue returns where m keeps the adapter tensor with PEFT name name.
func (m *Model) loraValue(name string) **autograd.Value {
	for _, s := range m.loraSlots() {
		if l := *s.lora; l != nil {
			switch name {
			case peftPrefix + s.module + ".lora_A.weight":
				return &l.A
			case peftPrefix + s.module + ".lora_B.weight":
				return &l.B
			}
		}
	}
	panic("no adapter tensor " + name)
}

// Dropout in training changes the logits deterministically per seed; in
// evaluation the adapters are deterministic.
func TestLoRADropoutTraining(t *testing.T) {
	m, _ := loraModel(t, tensor.Float64, false, LoRATargets...)
	for _, p := range m.loraSlots() {
		(*p.lora).Dropout = 0.5
	}
	eval := m.Forward(loraIDs, nil).Data.Float64s()
	m.SetLoRATraining(tensor.NewRNG(1))
	train := m.Forward(loraIDs, nil).Data.Float64s()
	assert.NotEqual(t, eval, train)
	m.SetLoRATraining(tensor.NewRNG(1))
	assert.Equal(t, train, m.Forward(loraIDs, nil).Data.Float64s(), "same seed, same masks")
	m.SetLoRATraining(nil)
	assert.Equal(t, eval, m.Forward(loraIDs, nil).Data.Float64s())
	assert.True(t, slices.Equal(eval, m.Forward(loraIDs, nil).Data.Float64s()))
}

// A Frozen LoRA model (generation, evaluation) computes the adapted model in
// evaluation mode without a graph, whatever mode m is in, and sees in-place
// updates of the adapters.
func TestLoRAFrozen(t *testing.T) {
	m, _ := loraModel(t, tensor.Float64, false, LoRATargets...)
	for _, s := range m.loraSlots() {
		(*s.lora).Dropout = 0.5
	}
	eval := m.Forward(loraIDs, nil).Data.Float64s()
	rng := tensor.NewRNG(1)
	m.SetLoRATraining(rng)
	f := m.Frozen()
	out := f.Forward(loraIDs, nil)
	assert.False(t, out.RequiresGrad(), "no graph")
	assert.Equal(t, eval, out.Data.Float64s(), "no dropout")
	assert.Same(t, rng, m.Layers[0].Attention.QKVLoRA.RNG, "m stays in training mode")

	b := m.Layers[1].MLP.DownLoRA.B.Data
	b.Set(b.At(0, 0)+1, 0, 0)
	assert.NotEqual(t, eval, f.Forward(loraIDs, nil).Data.Float64s(), "in-place update visible")
}

// Generation (KV cache, one token at a time) with adapters follows the
// merged checkpoint: the same greedy tokens, log-probabilities to rounding.
func TestLoRAGenerate(t *testing.T) {
	m, _ := loraModel(t, tensor.Float64, false, LoRATargets...)
	m.SetLoRATraining(tensor.NewRNG(1)) // Generate runs the adapters in evaluation mode
	dir := t.TempDir()
	require.NoError(t, m.SaveMerged(dir))
	merged, err := LoadDir(dir, LoadOptions{DType: tensor.Float64})
	require.NoError(t, err)
	prompts := [][]int{{1, 5, 9}, {3}}
	opts := GenerateOptions{MaxNewTokens: 5}
	got, err := m.Generate(prompts, opts)
	require.NoError(t, err)
	want, err := merged.Generate(prompts, opts)
	require.NoError(t, err)
	assert.Equal(t, want.Tokens, got.Tokens)
	for i := range prompts {
		assert.InDeltaSlice(t, want.ModelLogProbs[i], got.ModelLogProbs[i], 1e-12)
	}
	base, err := m.WithAdaptersDisabled().Generate(prompts, opts)
	require.NoError(t, err)
	assert.NotEqual(t, base.ModelLogProbs, got.ModelLogProbs, "the adapters matter")
}
