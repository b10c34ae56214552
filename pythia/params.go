package pythia

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// slot is one named parameter of a model: its Hugging Face name, its shape
// and where the model keeps it.
type slot struct {
	name  string
	shape []int
	v     **autograd.Value
}

// slots lists the model's parameters in Hugging Face's state_dict order. It
// is the one place that knows the checkpoint names. A tied embed_out is not
// listed (it is gpt_neox.embed_in.weight); biases are absent when
// attention_bias is false.
func (m *Model) slots() []slot {
	c := m.Config
	v, h, in := c.VocabSize, c.HiddenSize, c.IntermediateSize
	s := []slot{{"gpt_neox.embed_in.weight", []int{v, h}, &m.EmbedIn}}
	for i := range m.Layers {
		l := &m.Layers[i]
		p := fmt.Sprintf("gpt_neox.layers.%d.", i)
		s = append(s,
			slot{p + "input_layernorm.weight", []int{h}, &l.InputNormWeight},
			slot{p + "input_layernorm.bias", []int{h}, &l.InputNormBias},
			slot{p + "post_attention_layernorm.weight", []int{h}, &l.PostNormWeight},
			slot{p + "post_attention_layernorm.bias", []int{h}, &l.PostNormBias},
			slot{p + "attention.query_key_value.weight", []int{3 * h, h}, &l.Attention.QKVWeight})
		if c.AttentionBias {
			s = append(s, slot{p + "attention.query_key_value.bias", []int{3 * h}, &l.Attention.QKVBias})
		}
		s = append(s, slot{p + "attention.dense.weight", []int{h, h}, &l.Attention.DenseWeight})
		if c.AttentionBias {
			s = append(s, slot{p + "attention.dense.bias", []int{h}, &l.Attention.DenseBias})
		}
		s = append(s,
			slot{p + "mlp.dense_h_to_4h.weight", []int{in, h}, &l.MLP.UpWeight},
			slot{p + "mlp.dense_h_to_4h.bias", []int{in}, &l.MLP.UpBias},
			slot{p + "mlp.dense_4h_to_h.weight", []int{h, in}, &l.MLP.DownWeight},
			slot{p + "mlp.dense_4h_to_h.bias", []int{h}, &l.MLP.DownBias})
	}
	s = append(s,
		slot{"gpt_neox.final_layer_norm.weight", []int{h}, &m.FinalNormWeight},
		slot{"gpt_neox.final_layer_norm.bias", []int{h}, &m.FinalNormBias})
	if !c.TieWordEmbeddings {
		s = append(s, slot{"embed_out.weight", []int{v, h}, &m.EmbedOut})
	}
	return s
}

// Params returns the trainable parameters with their Hugging Face names, in
// state_dict order; a tied output layer appears once, as
// gpt_neox.embed_in.weight.
func (m *Model) Params() []nn.Param {
	slots := m.slots()
	ps := make([]nn.Param, len(slots))
	for i, s := range slots {
		ps[i] = nn.Param{Name: s.name, Value: *s.v}
	}
	return ps
}

// New returns a model with configuration c whose parameters (Param values
// of dtype dt) are zero; Load fills them from a checkpoint and InitRandom
// initialises them. It returns an error if c is invalid.
func New(c Config, dt tensor.DType) (*Model, error) {
	return build(c, func(s slot) *autograd.Value { return autograd.Param(tensor.Zeros(dt, s.shape...)) })
}

// NewRandom returns a model with Hugging Face's initialisation, seeded:
// weights of linear and embedding layers normal(0, initializer_range),
// biases 0, LayerNorm weights 1 and biases 0.
func NewRandom(c Config, dt tensor.DType, seed uint64) (*Model, error) {
	rng := tensor.NewRNG(seed)
	return build(c, func(s slot) *autograd.Value { return autograd.Param(initTensor(rng, dt, s, c.InitializerRange)) })
}

// initTensor draws one parameter's initial values.
func initTensor(rng *rand.Rand, dt tensor.DType, s slot, std float64) *tensor.Tensor {
	switch {
	case len(s.shape) == 2:
		return tensor.RandN(rng, dt, 0, std, s.shape...)
	case isLayerNormWeight(s.name):
		return tensor.Ones(dt, s.shape...)
	}
	return tensor.Zeros(dt, s.shape...)
}

func isLayerNormWeight(name string) bool {
	return strings.HasSuffix(name, "layernorm.weight") || strings.HasSuffix(name, "layer_norm.weight")
}

// build makes a model for c, creating each parameter with newParam.
func build(c Config, newParam func(slot) *autograd.Value) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("pythia: %w", err)
	}
	act, _ := nn.ActivationByName(c.HiddenAct) // validated above
	m := &Model{Config: c, Layers: make([]Layer, c.NumHiddenLayers)}
	for i := range m.Layers {
		m.Layers[i].Attention.Heads = c.NumAttentionHeads
		m.Layers[i].MLP.Act = act
	}
	for _, s := range m.slots() {
		*s.v = newParam(s)
	}
	if c.TieWordEmbeddings {
		m.EmbedOut = m.EmbedIn
	}
	return m, nil
}

// Frozen returns a model sharing m's weight tensors as constants (no
// gradients, no graph): the reference model of a DAA, or the model used for
// generation. Updates to m's weights in place are visible through it.
// LoRA adapters are shared the same way: constant A and B, no dropout, and
// the merge state they have when Frozen is called.
func (m *Model) Frozen() *Model {
	f := &Model{Config: m.Config, Layers: make([]Layer, len(m.Layers))}
	copy(f.Layers, m.Layers)
	f.freezeAdapters()
	mine, theirs := f.slots(), m.slots()
	for i := range mine {
		*mine[i].v = autograd.Const((*theirs[i].v).Data)
	}
	if m.Config.TieWordEmbeddings {
		f.EmbedOut = f.EmbedIn
	} // else set by the slots
	return f
}
