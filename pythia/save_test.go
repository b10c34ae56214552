package pythia

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

func tinyConfig(t *testing.T) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(`{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 2,
		"intermediate_size": 12, "vocab_size": 10, "rotary_pct": 0.5, "transformers_version": "4.40.0"}`), "tiny")
	require.NoError(t, err)
	return cfg
}

// Save then LoadDir gives back the same weights bit for bit and the same
// configuration, in both dtypes and with tied embeddings.
func TestSaveLoadRoundTrip(t *testing.T) {
	for _, tied := range []bool{false, true} {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			cfg := tinyConfig(t)
			cfg.TieWordEmbeddings = tied
			m, err := NewRandom(cfg, dt, 5)
			require.NoError(t, err)
			dir := t.TempDir()
			require.NoError(t, m.Save(dir))
			back, err := LoadDir(dir, LoadOptions{DType: dt})
			require.NoError(t, err)
			assert.True(t, sameFields(back.Config, m.Config), "config changed: %+v", back.Config)
			assert.NotNil(t, back.Config.extra["transformers_version"], "transformers_version kept")
			got, want := back.Params(), m.Params()
			require.Len(t, got, len(want), "parameters after the round trip")
			for i := range want {
				assert.Equal(t, want[i].Name, got[i].Name, "tied=%v %s: parameter %d", tied, dt, i)
				assert.Equal(t, want[i].Value.Data.ToFloat64s(), got[i].Value.Data.ToFloat64s(), "tied=%v %s: parameter %s after the round trip", tied, dt, want[i].Name)
			}
			if tied {
				assert.Same(t, back.EmbedIn, back.EmbedOut, "tied model loaded with a separate embed_out")
			}
			f, err := safetensors.Open(filepath.Join(dir, "model.safetensors"))
			require.NoError(t, err)
			assert.Equal(t, "pt", f.Metadata()["format"], "tied=%v: metadata format", tied)
			assert.Equal(t, !tied, f.Has("embed_out.weight"), "tied=%v: has embed_out.weight", tied)
			f.Close()
		}
	}
}

// writeCheckpoint saves m's weights under their names with change applied
// to the list of tensors, beside m's config.json.
func writeCheckpoint(t *testing.T, m *Model, change func([]safetensors.Tensor) []safetensors.Tensor) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, m.Save(dir))
	var ts []safetensors.Tensor
	for _, p := range m.Params() {
		ts = append(ts, safetensors.Float32Tensor(p.Name, p.Value.Shape(), p.Value.Data.ToFloat32s()))
	}
	require.NoError(t, safetensors.Write(filepath.Join(dir, "model.safetensors"), change(ts), nil))
	return dir
}

func TestLoadDirErrors(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float32, 1)
	require.NoError(t, err)
	cases := []struct {
		name   string
		change func([]safetensors.Tensor) []safetensors.Tensor
		want   []string // substrings of the error; "" means no error
	}{
		{"missing", func(ts []safetensors.Tensor) []safetensors.Tensor { return ts[1:] },
			[]string{"model.safetensors", `missing tensor "gpt_neox.embed_in.weight"`, "[10 8]"}},
		{"unexpected", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts, safetensors.Float32Tensor("gpt_neox.layers.2.mlp.dense_h_to_4h.bias", []int{12}, make([]float32, 12)))
		}, []string{"model.safetensors", `unexpected tensor "gpt_neox.layers.2.mlp.dense_h_to_4h.bias"`}},
		{"shape", func(ts []safetensors.Tensor) []safetensors.Tensor {
			ts[1] = safetensors.Float32Tensor(ts[1].Name, []int{4, 2}, make([]float32, 8))
			return ts
		}, []string{"model.safetensors", `"gpt_neox.layers.0.input_layernorm.weight" has shape [4 2]`, "config.json implies [8]"}},
		{"legacy buffers ignored", func(ts []safetensors.Tensor) []safetensors.Tensor {
			return append(ts,
				safetensors.Tensor{Name: "gpt_neox.layers.0.attention.bias", DType: safetensors.U8, Shape: []int{1, 1, 2, 2}, Data: []byte{1, 0, 1, 1}},
				safetensors.Float32Tensor("gpt_neox.layers.0.attention.masked_bias", nil, []float32{-1e9}),
				safetensors.Float32Tensor("gpt_neox.layers.1.attention.rotary_emb.inv_freq", []int{1}, []float32{1}))
		}, nil},
	}
	for _, c := range cases {
		dir := writeCheckpoint(t, m, c.change)
		_, err := LoadDir(dir, LoadOptions{})
		if c.want == nil {
			assert.NoError(t, err, c.name)
			continue
		}
		if !assert.Error(t, err, c.name) {
			continue
		}
		for _, w := range c.want {
			assert.ErrorContains(t, err, w, c.name)
		}
	}
	_, err = LoadDir(t.TempDir(), LoadOptions{})
	assert.ErrorContains(t, err, "config.json", "empty directory")
}

func TestSaveRefusesShardedDirectory(t *testing.T) {
	m, _ := NewRandom(tinyConfig(t), tensor.Float32, 1)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, safetensors.IndexFileName), []byte(`{"weight_map": {}}`), 0o644))
	require.Error(t, m.Save(dir), "Save into a sharded checkpoint directory")
}

// Load resolves a hub id in the local hub cache ($HF_HUB_CACHE), with a
// revision, to its snapshot directory.
func TestLoadHubID(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("HF_HUB_CACHE", cache)
	const sha = "0123456789abcdef0123456789abcdef01234567"
	repo := filepath.Join(cache, "models--EleutherAI--pythia-tiny")
	snap := filepath.Join(repo, "snapshots", sha)
	m, _ := NewRandom(tinyConfig(t), tensor.Float32, 2)
	require.NoError(t, m.Save(snap))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "refs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "refs", "step3000"), []byte(sha), 0o644))
	got, err := Load("EleutherAI/pythia-tiny@step3000", LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, m.EmbedIn.Data.ToFloat64s(), got.EmbedIn.Data.ToFloat64s(), "the hub model's weights vs the saved ones")
	_, err = Load("EleutherAI/pythia-tiny@main", LoadOptions{})
	assert.ErrorContains(t, err, "refs", "missing revision: want an error naming the missing ref")
}
