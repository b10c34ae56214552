package pythia

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/tensor"
)

// Parameter counts of the released Pythia models (the Pythia paper, table 1,
// "total params"; equal to the sum of tensor sizes in the Hugging Face
// checkpoints).
func TestPresetParameterCounts(t *testing.T) {
	for _, c := range []struct {
		name string
		want int
	}{
		{"pythia-14m", 14_067_712},
		{"pythia-31m", 30_494_720},
		{"pythia-70m", 70_426_624},
		{"pythia-160m", 162_322_944},
		{"pythia-410m", 405_334_016},
		{"pythia-1b", 1_011_781_632},
		{"pythia-1.4b", 1_414_647_808},
		{"pythia-2.8b", 2_775_208_960},
		{"pythia-6.9b", 6_857_302_016},
		{"pythia-12b", 11_846_072_320},
	} {
		cfg, err := Preset(c.name)
		require.NoError(t, err)
		assert.NoError(t, cfg.Validate(), c.name)
		assert.Equal(t, c.want, NumParams(cfg), "%s: NumParams", c.name)
	}
}

// NumParams agrees with the tensors a model actually holds, for every
// variant of the layout.
func TestNumParamsMatchesModel(t *testing.T) {
	base, _ := Preset("pythia-14m")
	base.VocabSize = 64
	variants := map[string]func(*Config){
		"pythia":  func(*Config) {},
		"tied":    func(c *Config) { c.TieWordEmbeddings = true },
		"no bias": func(c *Config) { c.AttentionBias = false },
	}
	for name, change := range variants {
		cfg := base
		change(&cfg)
		m, err := New(cfg, tensor.Float32)
		require.NoError(t, err)
		n := 0
		for _, p := range m.Params() {
			n += p.Value.Data.Len()
		}
		assert.Equal(t, n, NumParams(cfg), "%s: NumParams vs the parameters the model holds", name)
	}
}

func TestPresetNames(t *testing.T) {
	names := PresetNames()
	require.Len(t, names, 10, "PresetNames() = %v", names)
	require.Equal(t, "pythia-14m", names[0], "first preset")
	require.Equal(t, "pythia-12b", names[9], "last preset")
	for _, n := range []string{"EleutherAI/pythia-70m-deduped", "pythia-1.4b-v0"} {
		_, err := Preset(n)
		assert.NoError(t, err, "Preset(%q)", n)
	}
	_, err := Preset("pythia-3b")
	assert.Error(t, err, `Preset("pythia-3b")`)
}
