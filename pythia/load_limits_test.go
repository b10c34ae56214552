package pythia

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/daalab/daa/nn/safetensors"
	"github.com/daalab/daa/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfigBounds: the oversized configs of issue 16 are refused by
// ParseConfig, naming the file and the key, before anything is allocated.
func TestConfigBounds(t *testing.T) {
	cfg := func(h, heads, layers, inter, vocab, pos string) string {
		return `{"hidden_size": ` + h + `, "num_attention_heads": ` + heads + `, "num_hidden_layers": ` + layers +
			`, "intermediate_size": ` + inter + `, "vocab_size": ` + vocab + `, "max_position_embeddings": ` + pos + `}`
	}
	cases := []struct{ name, json, want string }{
		{"hidden 1e9", cfg("1000000000", "8", "2", "256", "100", "2048"), `"hidden_size" = 1000000000; want an integer in [1, 131072]`},
		{"hidden 2^31, one head", cfg("2147483648", "1", "2", "256", "100", "2048"), `"hidden_size" = 2147483648`},
		{"intermediate 2e9", cfg("64", "4", "2", "2000000000", "100", "2048"), `"intermediate_size" = 2000000000`},
		{"vocab 2e9", cfg("64", "4", "2", "256", "2000000000", "2048"), `"vocab_size" = 2000000000`},
		{"layers 1e9", cfg("64", "4", "1000000000", "256", "100", "2048"), `"num_hidden_layers" = 1000000000`},
		{"heads", cfg("65536", "65536", "2", "256", "100", "2048"), `"num_attention_heads" = 65536`},
		{"positions", cfg("64", "4", "2", "256", "100", "1e12"), `key "max_position_embeddings": want an integer`},
		{"negative positions", cfg("64", "4", "2", "256", "100", "-1"), `"max_position_embeddings" = -1; want an integer in [0, 16777216]`},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.json), "d/config.json")
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), "d/config.json", c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
	}
}

// TestNumParams compares the count with the parameters New allocates.
func TestNumParams(t *testing.T) {
	for _, tied := range []bool{false, true} {
		for _, bias := range []bool{false, true} {
			c := tinyConfig(t)
			c.TieWordEmbeddings, c.AttentionBias = tied, bias
			m, err := New(c, tensor.Float32)
			require.NoError(t, err)
			n := 0
			for _, p := range m.Params() {
				n += p.Value.Data.Len()
			}
			assert.Equal(t, int64(n), c.NumParams(), "tied %v, bias %v", tied, bias)
		}
	}
	big := Config{VocabSize: MaxVocabSize, HiddenSize: MaxHiddenSize, NumHiddenLayers: MaxHiddenLayers,
		NumAttentionHeads: 1, IntermediateSize: MaxIntermediateSize, AttentionBias: true}
	assert.Less(t, float64(big.NumParams()), math.Pow(2, 53), "the bounds keep the count exact")
}

// writeConfig writes a config.json of the given sizes (4 heads) into dir.
func writeConfig(t *testing.T, dir string, hidden, inter, vocab, layers int) {
	t.Helper()
	c := defaultConfig()
	c.HiddenSize, c.IntermediateSize, c.VocabSize, c.NumHiddenLayers, c.NumAttentionHeads = hidden, inter, vocab, layers, 4
	b, err := c.JSON("float32")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644))
}

// TestLoadDirMemoryBound: a config whose parameters exceed the memory bound
// is refused from config.json alone, naming the keys and the bytes needed.
func TestLoadDirMemoryBound(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float32, 1)
	require.NoError(t, err)
	dir := writeCheckpoint(t, m, func(ts []safetensors.Tensor) []safetensors.Tensor { return ts })
	_, err = LoadDir(dir, LoadOptions{MaxParamBytes: 100})
	require.Error(t, err)
	need := tinyConfig(t).NumParams() * 4
	assert.Contains(t, err.Error(), filepath.Join(dir, "config.json"))
	assert.Contains(t, err.Error(), "hidden_size 8")
	assert.Contains(t, err.Error(), "needing "+strconv.FormatInt(need, 10)+" bytes")
	assert.Contains(t, err.Error(), "more than the 100 bytes available (LoadOptions.MaxParamBytes)")

	// Every bound at its maximum: far above any machine's MemTotal.
	writeConfig(t, dir, MaxHiddenSize, MaxIntermediateSize, MaxVocabSize, MaxHiddenLayers)
	_, err = LoadDir(dir, LoadOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MemTotal of /proc/meminfo")
	assert.Contains(t, err.Error(), "config.json")
}

// TestLoadDirChecksShapesBeforeAllocating: a config implying ~19 GB of
// parameters over a tiny checkpoint is refused on the first shape, without
// allocating the model (the memory bound is switched off).
func TestLoadDirChecksShapesBeforeAllocating(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float32, 1)
	require.NoError(t, err)
	dir := writeCheckpoint(t, m, func(ts []safetensors.Tensor) []safetensors.Tensor { return ts })
	writeConfig(t, dir, 16384, 65536, 10, 2)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = LoadDir(dir, LoadOptions{MaxParamBytes: -1})
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `tensor "gpt_neox.embed_in.weight" has shape [10 8]`)
	assert.Contains(t, err.Error(), "config.json implies [10 16384]")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated while refusing")
}

// TestLoadDirNonFinite: a NaN or infinite weight is an error naming the file
// and the tensor unless AllowNonFinite is set.
func TestLoadDirNonFinite(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float32, 1)
	require.NoError(t, err)
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		dir := writeCheckpoint(t, m, func(ts []safetensors.Tensor) []safetensors.Tensor {
			w := make([]float32, 12*8)
			w[7] = bad
			for i, x := range ts {
				if x.Name == "gpt_neox.layers.1.mlp.dense_h_to_4h.weight" {
					ts[i] = safetensors.Float32Tensor(x.Name, x.Shape, w)
				}
			}
			return ts
		})
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			_, err := LoadDir(dir, LoadOptions{DType: dt})
			require.Error(t, err)
			assert.Contains(t, err.Error(), filepath.Join(dir, "model.safetensors"))
			assert.Contains(t, err.Error(), `tensor "gpt_neox.layers.1.mlp.dense_h_to_4h.weight": element 7 is `+fmt.Sprint(float64(bad)))
			assert.Contains(t, err.Error(), "AllowNonFinite")
			back, err := LoadDir(dir, LoadOptions{DType: dt, AllowNonFinite: true})
			require.NoError(t, err)
			got := back.Layers[1].MLP.UpWeight.Data.ToFloat64s()[7]
			if math.IsNaN(float64(bad)) {
				assert.True(t, math.IsNaN(got), "loaded %v", got)
			} else {
				assert.Equal(t, float64(bad), got)
			}
		}
	}
}

// TestLoadDirRefusesFIFO: a named pipe in place of the weights or the config
// is refused at once instead of blocking on open.
func TestLoadDirRefusesFIFO(t *testing.T) {
	m, err := NewRandom(tinyConfig(t), tensor.Float32, 1)
	require.NoError(t, err)
	for _, name := range []string{"model.safetensors", "config.json"} {
		dir := writeCheckpoint(t, m, func(ts []safetensors.Tensor) []safetensors.Tensor { return ts })
		p := filepath.Join(dir, name)
		require.NoError(t, os.Remove(p))
		require.NoError(t, syscall.Mkfifo(p, 0o644))
		done := make(chan error, 1)
		go func() { _, err := LoadDir(dir, LoadOptions{}); done <- err }()
		select {
		case err := <-done:
			require.Error(t, err)
			assert.Contains(t, err.Error(), p+" is a named pipe (FIFO), not a regular file")
		case <-time.After(10 * time.Second):
			t.Fatalf("%s as a FIFO: LoadDir still blocked after 10 s", name)
		}
	}
}
