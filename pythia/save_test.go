package pythia

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
)

func tinyConfig(t *testing.T) Config {
	t.Helper()
	cfg, err := ParseConfig([]byte(`{"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 2,
		"intermediate_size": 12, "vocab_size": 10, "rotary_pct": 0.5, "transformers_version": "4.40.0"}`), "tiny")
	if err != nil {
		t.Fatal(err)
	}
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
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := m.Save(dir); err != nil {
				t.Fatal(err)
			}
			back, err := LoadDir(dir, LoadOptions{DType: dt})
			if err != nil {
				t.Fatal(err)
			}
			if !sameFields(back.Config, m.Config) || back.Config.extra["transformers_version"] == nil {
				t.Errorf("config changed: %+v", back.Config)
			}
			got, want := back.Params(), m.Params()
			for i := range want {
				if got[i].Name != want[i].Name || !slices.Equal(got[i].Value.Data.ToFloat64s(), want[i].Value.Data.ToFloat64s()) {
					t.Errorf("tied=%v %s: parameter %s differs after the round trip", tied, dt, want[i].Name)
				}
			}
			if tied && back.EmbedOut != back.EmbedIn {
				t.Error("tied model loaded with a separate embed_out")
			}
			f, err := safetensors.Open(filepath.Join(dir, "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if f.Metadata()["format"] != "pt" || f.Has("embed_out.weight") == tied {
				t.Errorf("tied=%v: metadata %v, has embed_out.weight %v", tied, f.Metadata(), f.Has("embed_out.weight"))
			}
			f.Close()
		}
	}
}

// writeCheckpoint saves m's weights under their names with change applied
// to the list of tensors, beside m's config.json.
func writeCheckpoint(t *testing.T, m *Model, change func([]safetensors.Tensor) []safetensors.Tensor) string {
	t.Helper()
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, p := range m.Params() {
		ts = append(ts, safetensors.Float32Tensor(p.Name, p.Value.Shape(), p.Value.Data.ToFloat32s()))
	}
	if err := safetensors.Write(filepath.Join(dir, "model.safetensors"), change(ts), nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadDirErrors(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float32, 1)
	if err != nil {
		t.Fatal(err)
	}
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
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
	if _, err := LoadDir(t.TempDir(), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "config.json") {
		t.Errorf("empty directory: error %v; want one naming config.json", err)
	}
}

func TestSaveRefusesShardedDirectory(t *testing.T) {
	m, _ := NewRandom(tinyConfig(t), tensor.Float32, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, safetensors.IndexFileName), []byte(`{"weight_map": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(dir); err == nil {
		t.Fatal("Save into a sharded checkpoint directory returned no error")
	}
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
	if err := m.Save(snap); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, "refs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "refs", "step3000"), []byte(sha), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load("EleutherAI/pythia-tiny@step3000", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.EmbedIn.Data.ToFloat64s(), m.EmbedIn.Data.ToFloat64s()) {
		t.Error("the hub model's weights differ from the saved ones")
	}
	if _, err := Load("EleutherAI/pythia-tiny@main", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "refs") {
		t.Errorf("missing revision: error %v; want one naming the missing ref", err)
	}
}
