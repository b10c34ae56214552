package safetensors

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/daalab/daa/internal/shareddata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type expectInfo struct {
	dtype DType
	shape []int
}

// TestSharedTinyCheckpoints reads the tiny GPT-NeoX checkpoints in
// ../shared/pythia/tiny-random (written by an independent Python writer) and
// checks names, dtypes and shapes against their documented configurations
// (V=96, H=32, I=128 or 37, legacy buffers in the legacybuf model).
func TestSharedTinyCheckpoints(t *testing.T) {
	cases := []struct {
		dir    string
		layers int
		inter  int
		legacy bool
	}{
		{"tiny-neox-parallel", 2, 128, false},
		{"tiny-neox-sequential-legacybuf", 3, 37, true},
	}
	for _, c := range cases {
		path := shareddata.Path(t, "pythia", "tiny-random", c.dir, "model.safetensors")
		f, err := Open(path)
		require.NoError(t, err)
		want := map[string]expectInfo{
			"gpt_neox.embed_in.weight":                           {F32, []int{96, 32}},
			"embed_out.weight":                                   {F32, []int{96, 32}},
			"gpt_neox.final_layer_norm.weight":                   {F32, []int{32}},
			"gpt_neox.layers.0.attention.query_key_value.weight": {F32, []int{96, 32}},
			"gpt_neox.layers.1.mlp.dense_h_to_4h.weight":         {F32, []int{c.inter, 32}},
			"gpt_neox.layers.1.mlp.dense_4h_to_h.bias":           {F32, []int{32}},
		}
		if c.legacy {
			want["gpt_neox.layers.0.attention.bias"] = expectInfo{U8, []int{1, 1, 64, 64}}
			want["gpt_neox.layers.2.attention.masked_bias"] = expectInfo{F32, []int{}}
		}
		for name, w := range want {
			info, err := f.Info(name)
			if !assert.NoError(t, err, c.dir) {
				continue
			}
			assert.Equal(t, w.dtype, info.DType, "%s: %s", c.dir, name)
			assert.Equal(t, fmt.Sprint(w.shape), fmt.Sprint(info.Shape), "%s: %s shape", c.dir, name) // [] and nil alike
		}
		// Every float tensor converts, and LayerNorm weights of a random
		// init are finite and nonzero.
		params := 0
		for _, name := range f.Names() {
			info, _ := f.Info(name)
			if info.DType != F32 {
				continue
			}
			v, _, err := f.Float32(name)
			require.NoError(t, err)
			params += len(v)
			for _, x := range v {
				require.False(t, math.IsNaN(float64(x)) || math.IsInf(float64(x), 0), "%s: %s has non-finite value %v", c.dir, name, x)
			}
		}
		if c.legacy {
			mask, _, err := f.Int64("gpt_neox.layers.0.attention.bias")
			require.NoError(t, err)
			// The causal mask buffer is lower-triangular ones: row 0 is [1 0 ...], row 1 [1 1 0 ...].
			assert.Equal(t, []int64{1, 0}, mask[:2], "%s: causal mask row 0", c.dir)
			assert.Equal(t, []int64{1, 1, 0}, mask[64:67], "%s: causal mask row 1", c.dir)
		}
		assert.Equal(t, "pt", f.Metadata()["format"], c.dir)
		assert.Positive(t, params, c.dir)
		f.Close()
	}
}

// TestSharedGoldens reads golden.safetensors: F64 activations and gradients
// plus I64 input_ids that must equal golden.json's ids (first row starts
// 43, 34, 66).
func TestSharedGoldens(t *testing.T) {
	path := shareddata.Path(t, "pythia", "tiny-random", "tiny-neox-parallel", "golden.safetensors")
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	ids, shape, err := f.Int64("input_ids")
	require.NoError(t, err)
	assert.Equal(t, []int{2, 7}, shape)
	assert.Equal(t, []int64{43, 34, 66}, ids[:3])
	logits, shape, err := f.Float64("logits")
	require.NoError(t, err)
	assert.Equal(t, []int{2, 7, 96}, shape)
	assert.Len(t, logits, 2*7*96)
	grads := 0
	for _, name := range f.Names() {
		info, _ := f.Info(name)
		if strings.HasPrefix(name, "grad.") {
			grads++
			assert.Equal(t, F64, info.DType, name)
		}
	}
	assert.Positive(t, grads, "grad.* tensors")
}
