package pythia

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

// A saved adapter directory loads back bit for bit onto a fresh copy of the
// base, in both dtypes; the adapted logits are the same bits.
func TestSaveLoadAdapterRoundTrip(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			m, _ := loraModel(t, dt, true, "dense", "dense_h_to_4h")
			for _, s := range m.loraSlots() {
				if *s.lora != nil {
					(*s.lora).Dropout = 0.05
				}
			}
			dir := t.TempDir()
			require.NoError(t, m.SaveAdapter(dir, "EleutherAI/pythia-70m"))

			back, err := NewRandom(tinyConfig(t), dt, 3) // the same base
			require.NoError(t, err)
			base, err := back.LoadAdapter(dir)
			require.NoError(t, err)
			assert.Equal(t, "EleutherAI/pythia-70m", base)
			want, _ := m.LoRA()
			got, ok := back.LoRA()
			require.True(t, ok)
			assert.Equal(t, want, got)
			wp, gp := m.LoRAParams(), back.LoRAParams()
			require.Len(t, gp, len(wp))
			for i := range wp {
				assert.Equal(t, wp[i].Name, gp[i].Name)
				assert.Equal(t, wp[i].Value.Data.ToFloat64s(), gp[i].Value.Data.ToFloat64s(), wp[i].Name)
				assert.Equal(t, dt, gp[i].Value.DType())
			}
			assert.Equal(t, m.Forward(loraIDs, nil).Data.ToFloat64s(), back.Forward(loraIDs, nil).Data.ToFloat64s())

			f, err := safetensors.Open(filepath.Join(dir, AdapterWeightsFile))
			require.NoError(t, err)
			defer f.Close()
			assert.Equal(t, map[string]string{"format": "pt"}, f.Metadata())
			info, err := f.Info("base_model.model.gpt_neox.layers.1.mlp.dense_h_to_4h.lora_B.weight")
			require.NoError(t, err)
			assert.Equal(t, []int{12, 2}, info.Shape, "lora_B [out, r]")
			wantDType := safetensors.F32
			if dt == tensor.Float64 {
				wantDType = safetensors.F64
			}
			assert.Equal(t, wantDType, info.DType)
		})
	}
}

func TestAdapterConfigJSON(t *testing.T) {
	m, _ := loraModel(t, tensor.Float32, false, "query_key_value", "dense_4h_to_h")
	dir := t.TempDir()
	require.NoError(t, m.SaveAdapter(dir, ""))
	var doc map[string]any
	readJSON(t, filepath.Join(dir, AdapterConfigFile), &doc)
	for key, want := range map[string]any{
		"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 2.0, "lora_alpha": 6.0, "lora_dropout": 0.0,
		"target_modules": []any{"query_key_value", "dense_4h_to_h"}, "bias": "none", "use_rslora": false,
		"fan_in_fan_out": false, "base_model_name_or_path": nil, "modules_to_save": nil, "use_dora": false,
	} {
		assert.Equal(t, want, doc[key], key)
	}
}

// A configuration as PEFT writes it (every LoraConfig field at its default
// but the LoRA ones) is read; features the model lacks are refused with the
// file and key named.
func TestReadAdapterConfig(t *testing.T) {
	const peftJSON = `{
  "alora_invocation_tokens": null, "alpha_pattern": {}, "arrow_config": null, "auto_mapping": null,
  "base_model_name_or_path": "EleutherAI/pythia-160m", "bias": "none", "corda_config": null,
  "ensure_weight_tying": false, "eva_config": null, "exclude_modules": null, "fan_in_fan_out": false,
  "inference_mode": true, "init_lora_weights": true, "layer_replication": null, "layers_pattern": null,
  "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 32, "lora_bias": false,
  "lora_dropout": 0.05, "megatron_config": null, "megatron_core": "megatron.core", "modules_to_save": null,
  "peft_type": "LORA", "peft_version": "0.17.1", "qalora_group_size": 16, "r": 16, "rank_pattern": {},
  "revision": null, "target_modules": ["dense_h_to_4h", "query_key_value", "dense_4h_to_h", "dense"],
  "target_parameters": null, "task_type": "CAUSAL_LM", "trainable_token_indices": null,
  "use_dora": false, "use_qalora": false, "use_rslora": true
}`
	write := func(t *testing.T, edit func(doc map[string]any)) string {
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(peftJSON), &doc))
		edit(doc)
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), AdapterConfigFile)
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return path
	}
	c, base, err := ReadAdapterConfig(write(t, func(map[string]any) {}))
	require.NoError(t, err)
	assert.Equal(t, "EleutherAI/pythia-160m", base)
	assert.Equal(t, LoRAConfig{R: 16, Alpha: 32, Dropout: 0.05, Targets: LoRATargets, RSLoRA: true}, c)

	c, _, err = ReadAdapterConfig(write(t, func(d map[string]any) { d["target_modules"] = "all-linear" }))
	require.NoError(t, err)
	assert.Equal(t, LoRATargets, c.Targets)

	for _, tc := range []struct {
		key   string
		value any
	}{
		{"peft_type", "IA3"},
		{"task_type", "SEQ_CLS"},
		{"bias", "all"},
		{"fan_in_fan_out", true},
		{"r", 2.5},
		{"lora_dropout", 1.0},
		{"target_modules", ".*dense"},
		{"target_modules", []any{"embed_out"}},
		{"target_modules", nil},
		{"target_modules", []any{}},
		{"modules_to_save", []any{"embed_out"}},
		{"layers_to_transform", []any{0}},
		{"rank_pattern", map[string]any{"dense": 4}},
		{"alpha_pattern", map[string]any{"dense": 4}},
		{"use_dora", true},
		{"lora_bias", true},
		{"init_lora_weights", "pissa"},
		{"some_future_feature", 3},
	} {
		path := write(t, func(d map[string]any) { d[tc.key] = tc.value })
		_, _, err := ReadAdapterConfig(path)
		if assert.Error(t, err, "%s = %v", tc.key, tc.value) {
			assert.Contains(t, err.Error(), path, "%s = %v", tc.key, tc.value)
			assert.Contains(t, err.Error(), tc.key, "%s = %v", tc.key, tc.value)
		}
	}
	path := write(t, func(d map[string]any) { delete(d, "r") })
	_, _, err = ReadAdapterConfig(path)
	assert.EqualError(t, err, "pythia: "+path+": r: missing")
}

// A file that does not hold exactly the tensors the configuration implies,
// with their shapes, is refused with file, tensor and shapes named, and the
// model is left as it was.
func TestLoadAdapterErrors(t *testing.T) {
	m, _ := loraModel(t, tensor.Float32, false, "dense")
	dir := t.TempDir()
	require.NoError(t, m.SaveAdapter(dir, ""))
	weights := filepath.Join(dir, AdapterWeightsFile)
	type entry struct {
		name  string
		shape []int
		v     []float32
	}
	var entries []entry
	for _, p := range m.LoRAParams() {
		entries = append(entries, entry{p.Name, p.Value.Shape(), p.Value.Data.ToFloat32s()})
	}
	a0 := "base_model.model.gpt_neox.layers.0.attention.dense.lora_A.weight"
	for _, tc := range []struct {
		name string
		edit func(es []entry) []entry
		msg  string
	}{
		{"missing", func(es []entry) []entry { return es[1:] }, `missing tensor "` + a0 + `" [2 8]`},
		{"unexpected", func(es []entry) []entry {
			return append(es, entry{"base_model.model.embed_out.lora_A.weight", []int{1}, []float32{0}})
		}, `unexpected tensor "base_model.model.embed_out.lora_A.weight"`},
		{"shape", func(es []entry) []entry {
			es[0].shape = []int{8, 2}
			return es
		}, `tensor "` + a0 + `" has shape [8 2]; want [2 8]`},
		{"non-finite", func(es []entry) []entry {
			es[0].v = append([]float32(nil), es[0].v...)
			es[0].v[3] = float32(math.Inf(1))
			return es
		}, `tensor "` + a0 + `" has +Inf at element 3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ts []safetensors.Tensor
			for _, e := range tc.edit(append([]entry(nil), entries...)) {
				ts = append(ts, safetensors.Float32Tensor(e.name, e.shape, e.v))
			}
			require.NoError(t, safetensors.Write(weights, ts, nil))
			fresh, err := NewRandom(tinyConfig(t), tensor.Float32, 3)
			require.NoError(t, err)
			_, err = fresh.LoadAdapter(dir)
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), weights)
				assert.Contains(t, err.Error(), tc.msg)
			}
			assert.False(t, fresh.HasLoRA(), "no adapters after a failed load")
			assert.True(t, fresh.Params()[0].Value.RequiresGrad(), "base not frozen after a failed load")
		})
	}
	_, err := m.LoadAdapter(dir)
	assert.ErrorContains(t, err, "already has adapters")
	assert.True(t, strings.HasPrefix(err.Error(), "pythia: "))
}
