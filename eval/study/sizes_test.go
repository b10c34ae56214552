package study

import (
	"testing"

	"github.com/daalab/daa/eval/study/synth"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestModelSizes counts the parameters of every size's model and checks
// them against the GPT-NeoX count worked by hand (untied embeddings V*h
// twice; per layer fused QKV 3h^2 and dense h^2 without biases, the MLP
// 2*h*f + f + h, two LayerNorms 4h; the final LayerNorm 2h), the ladder's
// order and L's 4x M.
func TestModelSizes(t *testing.T) {
	want := map[string]int{}
	for size, s := range modelSizes {
		v, h, f := synth.VocabSize, s.hidden, s.ffn
		want[size] = 2*v*h + s.layers*(4*h*h+2*h*f+f+h+4*h) + 2*h
		m, err := pythia.NewRandom(modelConfig(size), tensor.Float32, 1)
		require.NoError(t, err)
		n := 0
		for _, p := range m.Params() {
			n += p.Value.Data.Len()
		}
		assert.Equal(t, want[size], n, "size %s", size)
	}
	assert.Equal(t, 28480, want["S"], "the count synthetic.go states")
	assert.Equal(t, 106112, want["M"])
	assert.Equal(t, 441728, want["L"])
	assert.GreaterOrEqual(t, want["L"], 4*want["M"], "L has at least 4x M's parameters")
	assert.Equal(t, []string{"XS", "S", "M", "L"}, NewSynthetic(DefaultOptions()).SortSizes([]string{"L", "M", "XS", "S"}))
}
