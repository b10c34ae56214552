package optim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// pythiaParams lists GPT-NeoX's parameter names as Hugging Face stores them,
// with their rank, and whether the Hugging Face Trainer decays them
// (get_decay_parameter_names: not biases, not LayerNorm).
var pythiaParams = []struct {
	name  string
	rank  int
	decay bool
}{
	{"gpt_neox.embed_in.weight", 2, true},
	{"gpt_neox.layers.0.input_layernorm.weight", 1, false},
	{"gpt_neox.layers.0.input_layernorm.bias", 1, false},
	{"gpt_neox.layers.0.post_attention_layernorm.weight", 1, false},
	{"gpt_neox.layers.0.post_attention_layernorm.bias", 1, false},
	{"gpt_neox.layers.0.attention.query_key_value.weight", 2, true},
	{"gpt_neox.layers.0.attention.query_key_value.bias", 1, false},
	{"gpt_neox.layers.0.attention.dense.weight", 2, true},
	{"gpt_neox.layers.0.attention.dense.bias", 1, false},
	{"gpt_neox.layers.11.mlp.dense_h_to_4h.weight", 2, true},
	{"gpt_neox.layers.11.mlp.dense_h_to_4h.bias", 1, false},
	{"gpt_neox.layers.11.mlp.dense_4h_to_h.weight", 2, true},
	{"gpt_neox.layers.11.mlp.dense_4h_to_h.bias", 1, false},
	{"gpt_neox.final_layer_norm.weight", 1, false},
	{"gpt_neox.final_layer_norm.bias", 1, false},
	{"embed_out.weight", 2, true},
}

func pythiaParamList() []nn.Param {
	var ps []nn.Param
	for _, p := range pythiaParams {
		shape := []int{3}
		if p.rank == 2 {
			shape = []int{3, 2}
		}
		ps = append(ps, nn.Param{Name: p.name, Value: autograd.Param(tensor.Zeros(tensor.Float32, shape...))})
	}
	return ps
}

// TestDecayRulesOnPythia checks both rules against the Hugging Face Trainer's
// choice for every kind of GPT-NeoX parameter; for GPT-NeoX the rank rule
// and the name rule agree.
func TestDecayRulesOnPythia(t *testing.T) {
	for i, p := range pythiaParamList() {
		want := pythiaParams[i].decay
		assert.Equal(t, want, DecayMask(p.Name), "DecayMask(%q)", p.Name)
		assert.Equal(t, want, DecayRank2(p), "DecayRank2(%q)", p.Name)
	}
}

// TestDecayMaskOtherModels checks the Trainer's name patterns on names from
// other Hugging Face models.
func TestDecayMaskOtherModels(t *testing.T) {
	for name, want := range map[string]bool{
		"model.layers.0.self_attn.q_proj.weight":  true,  // Llama
		"model.layers.0.input_layernorm.weight":   false, // Llama RMSNorm, "layernorm"
		"model.norm.weight":                       false, // Llama final norm: component "norm"
		"transformer.h.0.ln_1.weight":             true,  // GPT-2's norms are named ln_*: only the module type catches them
		"transformer.h.0.attn.c_attn.bias":        false,
		"encoder.layer.0.output.LayerNorm.weight": false, // BERT, case-insensitive
		"model.layers.0.q_norm.weight":            false, // "_norm" component
		"model.normalizer.weight":                 true,  // "norm" only as a whole component
	} {
		assert.Equal(t, want, DecayMask(name), "DecayMask(%q)", name)
	}
}

// TestSplitByDecay checks the groups: decayed parameters first with wd, the
// rest with 0, order kept, empty groups left out, nil rule = DecayByName.
func TestSplitByDecay(t *testing.T) {
	ps := pythiaParamList()
	groups := SplitByDecay(ps, 1e-3, 0.1, nil)
	require.Len(t, groups, 2)
	require.Equal(t, [2]float64{0.1, 0}, [2]float64{groups[0].WeightDecay, groups[1].WeightDecay}, "weight decays")
	require.Equal(t, [2]float64{1e-3, 1e-3}, [2]float64{groups[0].LR, groups[1].LR}, "learning rates")
	var decayed, plain []string
	for i, p := range pythiaParams {
		if p.decay {
			decayed = append(decayed, ps[i].Name)
		} else {
			plain = append(plain, ps[i].Name)
		}
	}
	for gi, want := range [][]string{decayed, plain} {
		require.Len(t, groups[gi].Params, len(want), "group %d", gi)
		for i, p := range groups[gi].Params {
			assert.Equal(t, want[i], p.Name, "group %d parameter %d", gi, i)
		}
	}
	g := SplitByDecay(ps, 1, 0.1, DecayAll)
	if assert.Len(t, g, 1, "DecayAll groups") {
		assert.Len(t, g[0].Params, len(ps), "DecayAll group")
	}
}
