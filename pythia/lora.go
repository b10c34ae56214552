package pythia

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// LoRATargets are the linear layers of a GPT-NeoX block that can carry a
// LoRA adapter, by their PEFT target_modules names, in state_dict order.
var LoRATargets = []string{"query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"}

// LoRAConfig describes the adapters AttachLoRA puts on every layer, with the
// meaning of the same fields of PEFT's LoraConfig.
type LoRAConfig struct {
	R       int      // r: the adapters' rank
	Alpha   float64  // lora_alpha: the adapter output is scaled by Alpha/R (Alpha/sqrt(R) with RSLoRA)
	Dropout float64  // lora_dropout: dropout probability on the adapters' input in training, in [0, 1)
	Targets []string // target_modules: a non-empty subset of LoRATargets
	RSLoRA  bool     // use_rslora: rank-stabilised scaling Alpha/sqrt(R)
}

// Validate reports the first invalid field of c.
func (c LoRAConfig) Validate() error {
	switch {
	case c.R <= 0:
		return fmt.Errorf("LoRA r %d: want a positive rank", c.R)
	case c.Alpha <= 0 || math.IsInf(c.Alpha, 0) || math.IsNaN(c.Alpha):
		return fmt.Errorf("LoRA lora_alpha %v: want a positive finite number", c.Alpha)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("LoRA lora_dropout %v: want a probability in [0, 1)", c.Dropout)
	case len(c.Targets) == 0:
		return errors.New("LoRA target_modules is empty")
	}
	for i, t := range c.Targets {
		if !slices.Contains(LoRATargets, t) {
			return fmt.Errorf("LoRA target_modules %q: GPT-NeoX adapters go on %v", t, LoRATargets)
		}
		if slices.Contains(c.Targets[:i], t) {
			return fmt.Errorf("LoRA target_modules lists %q twice", t)
		}
	}
	return nil
}

// Scale returns the adapters' output scale s = Alpha/R, or Alpha/sqrt(R)
// with RSLoRA.
func (c LoRAConfig) Scale() float64 {
	if c.RSLoRA {
		return c.Alpha / math.Sqrt(float64(c.R))
	}
	return c.Alpha / float64(c.R)
}

// peftPrefix is what PEFT's PeftModelForCausalLM puts before the base
// model's parameter names.
const peftPrefix = "base_model.model."

// loraSlot is one linear layer that can carry an adapter: its module name
// ("gpt_neox.layers.3.attention.query_key_value"), its target_modules name,
// and where the model keeps the adapter and the base weight.
type loraSlot struct {
	module, target string
	lora           **nn.LoRA
	weight         **autograd.Value
}

// loraSlots lists every adaptable layer, layer by layer in LoRATargets order
// (PEFT's state_dict order).
func (m *Model) loraSlots() []loraSlot {
	s := make([]loraSlot, 0, 4*len(m.Layers))
	for i := range m.Layers {
		l := &m.Layers[i]
		p := fmt.Sprintf("gpt_neox.layers.%d.", i)
		s = append(s,
			loraSlot{p + "attention.query_key_value", "query_key_value", &l.Attention.QKVLoRA, &l.Attention.QKVWeight},
			loraSlot{p + "attention.dense", "dense", &l.Attention.DenseLoRA, &l.Attention.DenseWeight},
			loraSlot{p + "mlp.dense_h_to_4h", "dense_h_to_4h", &l.MLP.UpLoRA, &l.MLP.UpWeight},
			loraSlot{p + "mlp.dense_4h_to_h", "dense_4h_to_h", &l.MLP.DownLoRA, &l.MLP.DownWeight})
	}
	return s
}

// AttachLoRA freezes every parameter of m (each becomes a constant sharing
// its tensor: no gradients) and puts a fresh adapter of configuration c on
// the target layers of every block, initialised as PEFT does (nn.NewLoRA: A
// Kaiming-uniform, B zero, so the model still computes what it did) with
// values drawn from seed. Afterwards LoRAParams are the only trainable
// parameters. Adapters start in evaluation mode (see SetLoRATraining). It
// returns an error if c is invalid or m already has adapters.
func (m *Model) AttachLoRA(c LoRAConfig, seed uint64) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("pythia: %w", err)
	}
	if m.HasLoRA() {
		return errors.New("pythia: AttachLoRA on a model that already has adapters")
	}
	m.freeze()
	rng := tensor.NewRNG(seed)
	for _, s := range m.loraSlots() {
		if !slices.Contains(c.Targets, s.target) {
			continue
		}
		ws := (*s.weight).Shape() // [out, in]
		*s.lora = nn.NewLoRA(rng, m.DType(), ws[1], ws[0], c.R, c.Alpha, c.RSLoRA, c.Dropout)
	}
	return nil
}

// freeze replaces every parameter of m with a constant sharing its tensor.
func (m *Model) freeze() {
	for _, s := range m.slots() {
		*s.v = autograd.Const((*s.v).Data)
	}
	if m.Config.TieWordEmbeddings {
		m.EmbedOut = m.EmbedIn
	}
}

// HasLoRA reports whether any layer of m carries an adapter.
func (m *Model) HasLoRA() bool {
	return slices.ContainsFunc(m.loraSlots(), func(s loraSlot) bool { return *s.lora != nil })
}

// LoRA returns the configuration of m's adapters (the targets any block
// carries, in LoRATargets order; rank, alpha, dropout and rsLoRA from the
// first adapter) and false if m has none.
func (m *Model) LoRA() (LoRAConfig, bool) {
	var c LoRAConfig
	for _, s := range m.loraSlots() {
		l := *s.lora
		if l == nil {
			continue
		}
		if c.Targets == nil {
			c = LoRAConfig{R: l.Rank(), Alpha: l.Alpha, Dropout: l.Dropout, RSLoRA: l.RSLoRA}
		}
		if !slices.Contains(c.Targets, s.target) {
			c.Targets = append(c.Targets, s.target)
		}
	}
	return c, c.Targets != nil
}

// LoRAParams returns the adapters' trainable tensors with the names PEFT
// gives them in adapter_model.safetensors
// ("base_model.model.gpt_neox.layers.0.attention.query_key_value.lora_A.weight"
// [r, in], then its lora_B.weight [out, r]), layer by layer in LoRATargets
// order. It is empty when m has no adapters.
func (m *Model) LoRAParams() []nn.Param {
	var ps []nn.Param
	for _, s := range m.loraSlots() {
		if l := *s.lora; l != nil {
			ps = append(ps,
				nn.Param{Name: peftPrefix + s.module + ".lora_A.weight", Value: l.A},
				nn.Param{Name: peftPrefix + s.module + ".lora_B.weight", Value: l.B})
		}
	}
	return ps
}

// WithAdaptersDisabled returns a model sharing m's weights (and nothing
// else mutable) that computes the base model: m without its adapters. It is
// the DPO reference of a LoRA policy, as TRL computes it under PEFT's
// disable_adapter(), with one copy of the weights. It panics if an adapter
// of m is merged (the shared base weights then include it; UnmergeLoRA first).
func (m *Model) WithAdaptersDisabled() *Model {
	for _, s := range m.loraSlots() {
		if l := *s.lora; l != nil && l.Merged {
			panic("pythia: WithAdaptersDisabled on a model whose adapters are merged into its weights; UnmergeLoRA first")
		}
	}
	b := *m
	b.Layers = slices.Clone(m.Layers)
	for _, s := range b.loraSlots() {
		*s.lora = nil
	}
	return &b
}

// freezeAdapters replaces each adapter of m with a copy whose A and B are
// constants sharing the tensors (in-place updates stay visible) and which
// never drops (evaluation mode): the adapters of a Frozen model. The copy
// keeps the merge state of the moment; merge or unmerge m's adapters before
// taking a Frozen model, not after.
func (m *Model) freezeAdapters() {
	for _, s := range m.loraSlots() {
		if l := *s.lora; l != nil {
			c := *l
			c.A, c.B, c.RNG = autograd.Const(l.A.Data), autograd.Const(l.B.Data), nil
			*s.lora = &c
		}
	}
}

// SetLoRATraining puts the adapters in training mode, drawing their dropout
// masks from rng (one stream, in forward order, so a forward pass is
// deterministic given rng's state; reseed per step for resumable runs), or
// with rng nil in evaluation mode (no dropout). Adapters with lora_dropout 0
// never drop.
func (m *Model) SetLoRATraining(rng *rand.Rand) {
	for _, s := range m.loraSlots() {
		if l := *s.lora; l != nil {
			l.RNG = rng
		}
	}
}

// MergeLoRA adds each adapter's s B A into its base weight in place
// (PEFT's merge_adapter): the model then computes the same function without
// the adapters' extra products. It panics if m has no adapters or they are
// already merged.
func (m *Model) MergeLoRA() {
	m.eachAdapter("MergeLoRA", func(l *nn.LoRA, w *tensor.Tensor) { l.Merge(w) })
}

// UnmergeLoRA subtracts each merged adapter's s B A from its base weight
// (PEFT's unmerge_adapter), restoring the base weights to rounding. It
// panics if m has no adapters or they are not merged.
func (m *Model) UnmergeLoRA() {
	m.eachAdapter("UnmergeLoRA", func(l *nn.LoRA, w *tensor.Tensor) { l.Unmerge(w) })
}

// eachAdapter calls f with every adapter and its base weight's tensor; it
// panics if there is none.
func (m *Model) eachAdapter(op string, f func(l *nn.LoRA, w *tensor.Tensor)) {
	if !m.HasLoRA() {
		panic("pythia: " + op + " on a model without adapters")
	}
	for _, s := range m.loraSlots() {
		if l := *s.lora; l != nil {
			f(l, (*s.weight).Data)
		}
	}
}

// SaveMerged writes the model with its adapters merged (W + s B A for every
// adapted weight, in m's dtype) to dir as a Hugging Face checkpoint (see
// Save), leaving m unchanged. Already-merged adapters are saved as they
// are. It returns Save's errors.
func (m *Model) SaveMerged(dir string) error {
	c := *m
	c.Layers = slices.Clone(m.Layers)
	for _, s := range c.loraSlots() {
		if l := *s.lora; l != nil && !l.Merged {
			*s.weight = autograd.Const(tensor.Add((*s.weight).Data, l.Delta()))
		}
	}
	return c.Save(dir)
}
