package optim

import (
	"regexp"
	"strings"

	"github.com/daalab/daa/nn"
)

// DecayRule says whether weight decay applies to a parameter. NewAdamW,
// NewRMSProp and NewSGD use it to split their parameters into a group with the
// configured weight decay and a group without any.
type DecayRule func(p nn.Param) bool

// DecayRank2 decays tensors of rank >= 2 (weight matrices and embeddings) and
// leaves biases and LayerNorm gains and biases (rank 1) alone. It is the rule
// of nanoGPT's configure_optimizers and of the Pythia goldens ("weight decay
// 0.1 on tensors of rank >= 2 only").
func DecayRank2(p nn.Param) bool { return p.Value.Data.Rank() >= 2 }

// DecayByName decays every parameter whose Hugging Face name DecayMask
// accepts: the rule of the Hugging Face Trainer.
func DecayByName(p nn.Param) bool { return DecayMask(p.Name) }

// DecayAll decays every parameter: torch.optim's behaviour when all
// parameters are passed as one group.
func DecayAll(nn.Param) bool { return true }

// noDecayPatterns are the Hugging Face Trainer's forbidden name patterns
// (transformers' get_decay_parameter_names), matched against the lower-cased
// name: "bias", "layernorm", "rmsnorm", a component named "norm", and a
// component ending in "_norm".
var noDecayPatterns = []*regexp.Regexp{
	regexp.MustCompile(`bias`),
	regexp.MustCompile(`layernorm`),
	regexp.MustCompile(`rmsnorm`),
	regexp.MustCompile(`(?:^|\.)norm(?:$|\.)`),
	regexp.MustCompile(`_norm(?:$|\.)`),
}

// DecayMask reports whether the parameter with the given Hugging Face name
// gets weight decay under the Hugging Face Trainer's rule: every parameter
// except biases and normalization layers. For GPT-NeoX it excludes
// "*.bias", "*.input_layernorm.*", "*.post_attention_layernorm.*" and
// "gpt_neox.final_layer_norm.*", and keeps the embeddings and every
// weight matrix, which is the same set DecayRank2 selects.
//
// The Trainer also excludes any parameter of a LayerNorm module whatever its
// name; DecayMask sees only names, so a norm layer must have "norm" in its
// name, as every Hugging Face model's norms do.
func DecayMask(name string) bool {
	lower := strings.ToLower(name)
	for _, re := range noDecayPatterns {
		if re.MatchString(lower) {
			return false
		}
	}
	return true
}

// SplitByDecay returns the parameters in up to two groups, in the order
// given: those rule accepts, with weight decay wd, then the others, with no
// weight decay; both with learning rate lr. A group with no parameters is
// left out. A nil rule means DecayByName.
func SplitByDecay(params []nn.Param, lr, wd float64, rule DecayRule) []Group {
	if rule == nil {
		rule = DecayByName
	}
	decay := Group{LR: lr, WeightDecay: wd}
	noDecay := Group{LR: lr}
	for _, p := range params {
		if rule(p) {
			decay.Params = append(decay.Params, p)
		} else {
			noDecay.Params = append(noDecay.Params, p)
		}
	}
	var groups []Group
	for _, g := range []Group{decay, noDecay} {
		if len(g.Params) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}
