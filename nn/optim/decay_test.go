package optim

import (
	"testing"

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
		if got := DecayMask(p.Name); got != want {
			t.Errorf("DecayMask(%q) = %v, want %v", p.Name, got, want)
		}
		if got := DecayRank2(p); got != want {
			t.Errorf("DecayRank2(%q) = %v, want %v", p.Name, got, want)
		}
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
		if got := DecayMask(name); got != want {
			t.Errorf("DecayMask(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSplitByDecay checks the groups: decayed parameters first with wd, the
// rest with 0, order kept, empty groups left out, nil rule = DecayByName.
func TestSplitByDecay(t *testing.T) {
	ps := pythiaParamList()
	groups := SplitByDecay(ps, 1e-3, 0.1, nil)
	if len(groups) != 2 || groups[0].WeightDecay != 0.1 || groups[1].WeightDecay != 0 || groups[0].LR != 1e-3 || groups[1].LR != 1e-3 {
		t.Fatalf("groups %+v", groups)
	}
	var decayed, plain []string
	for i, p := range pythiaParams {
		if p.decay {
			decayed = append(decayed, ps[i].Name)
		} else {
			plain = append(plain, ps[i].Name)
		}
	}
	for gi, want := range [][]string{decayed, plain} {
		if len(groups[gi].Params) != len(want) {
			t.Fatalf("group %d has %d parameters, want %d", gi, len(groups[gi].Params), len(want))
		}
		for i, p := range groups[gi].Params {
			if p.Name != want[i] {
				t.Errorf("group %d parameter %d = %q, want %q", gi, i, p.Name, want[i])
			}
		}
	}
	if g := SplitByDecay(ps, 1, 0.1, DecayAll); len(g) != 1 || len(g[0].Params) != len(ps) {
		t.Errorf("DecayAll: %d groups", len(g))
	}
}
