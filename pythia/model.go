package pythia

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/nn"
	"github.com/daalab/daa/tensor"
)

// Model is GPT-NeoX for causal language modelling, computing what Hugging
// Face's GPTNeoXForCausalLM computes (eager attention, no dropout). Every
// field is a leaf value named as in the checkpoint (see Params); the compute
// dtype is the weights' dtype, float32 or float64.
type Model struct {
	Config          Config
	EmbedIn         *autograd.Value // gpt_neox.embed_in.weight [V, H]
	Layers          []Layer         // gpt_neox.layers.{i}
	FinalNormWeight *autograd.Value // gpt_neox.final_layer_norm.weight [H]
	FinalNormBias   *autograd.Value // gpt_neox.final_layer_norm.bias [H]
	EmbedOut        *autograd.Value // embed_out.weight [V, H]; the EmbedIn value itself when tied
}

// Layer is one transformer block (GPTNeoXLayer).
type Layer struct {
	InputNormWeight, InputNormBias *autograd.Value // input_layernorm [H]
	PostNormWeight, PostNormBias   *autograd.Value // post_attention_layernorm [H]
	Attention                      nn.Attention    // attention.query_key_value, attention.dense
	MLP                            nn.MLP          // mlp.dense_h_to_4h, mlp.dense_4h_to_h
}

// Activations are the intermediate hidden states of a forward pass, each
// [B, T, H] (the act.* tensors of the golden files).
type Activations struct {
	Embed     *autograd.Value   // embed_in output
	Layers    []*autograd.Value // residual stream after each layer
	FinalNorm *autograd.Value   // final_layer_norm output, the input of embed_out
}

// DType returns the weights' (and so the computation's) element type.
func (m *Model) DType() tensor.DType { return m.EmbedIn.DType() }

// Clone returns a model with m's configuration and a copy of its weights,
// as trainable parameters (also when m is Frozen); the two share nothing.
// It panics only if m's configuration is invalid, which a model built by
// New, NewRandom or Load never has.
func (m *Model) Clone() *Model {
	src := m.slots()
	i := 0
	c, err := build(m.Config, func(slot) *autograd.Value {
		v := autograd.Param((*src[i].v).Data.Clone())
		i++
		return v
	})
	if err != nil {
		panic(err)
	}
	return c
}

// Forward returns the logits [B, T, V] for the token ids [B][T].
//
// mask is nil (every token real) or [B][T], true for real tokens and false
// for padding. Padded positions are hidden from every query as keys, as
// Hugging Face's attention_mask does; rotary positions are 0..T-1 in every
// row, so padding must be on the right for the real tokens' logits to equal
// those of the unpadded sequence. Logits at padded positions are computed
// but meaningless. It panics if ids or mask is empty or ragged or an id is
// outside [0, V).
func (m *Model) Forward(ids [][]int, mask [][]bool) *autograd.Value {
	return m.Logits(m.Hidden(ids, mask, nil))
}

// ForwardActivations is Forward that also returns every intermediate hidden
// state.
func (m *Model) ForwardActivations(ids [][]int, mask [][]bool) (*autograd.Value, *Activations) {
	acts := &Activations{}
	return m.Logits(m.Hidden(ids, mask, acts)), acts
}

// Hidden returns the final-layer-normalised hidden states [B, T, H] for ids
// and mask as in Forward, recording the intermediate states in acts when it
// is not nil. Logits(Hidden(ids, mask, nil)) is Forward(ids, mask); scoring
// only some positions is cheaper by selecting them before Logits.
func (m *Model) Hidden(ids [][]int, mask [][]bool, acts *Activations) *autograd.Value {
	_, b, t := nn.Flatten("Forward", ids)
	positions := make([][]int, b)
	for i := range positions {
		positions[i] = make([]int, t)
		for j := range positions[i] {
			positions[i][j] = j
		}
	}
	if mask != nil {
		if _, mb, mt := nn.Flatten("Forward mask", mask); mb != b || mt != t {
			panic(fmt.Sprintf("pythia: Forward mask [%d][%d] for ids [%d][%d]", mb, mt, b, t))
		}
	}
	h, _ := m.run(ids, positions, nn.CausalMask(m.DType(), t, t, mask), nil, acts)
	return h
}

// Logits applies the output layer: h [..., H] -> h embed_out^T [..., V].
func (m *Model) Logits(h *autograd.Value) *autograd.Value {
	return nn.Linear(h, m.EmbedOut, nil)
}

// run is the transformer: embed ids [B][T], apply every layer and the final
// LayerNorm. positions [B][T] are the rotary positions; mask ([B|1, 1, T, S],
// see nn.CausalMask) covers the S = S_past + T keys; past is nil or each
// layer's cached keys and values. It returns the normalised hidden states
// [B, T, H] and every layer's keys and values for all S positions.
func (m *Model) run(ids, positions [][]int, mask *tensor.Tensor, past []*nn.KV, acts *Activations) (*autograd.Value, []*nn.KV) {
	cfg := m.Config
	flatPos, b, t := nn.Flatten("Forward positions", positions)
	rot := cfg.RotaryDims()
	cos, sin := nn.RotaryCosSin(flatPos, rot, cfg.RotaryEmbBase, m.DType())
	cos, sin = cos.Reshape(b, 1, t, rot), sin.Reshape(b, 1, t, rot) // per row, shared by the heads

	h := nn.Embedding(m.EmbedIn, ids) // (B, T, H)
	if acts != nil {
		acts.Embed = h
	}
	kvs := make([]*nn.KV, len(m.Layers))
	for i := range m.Layers {
		var p *nn.KV
		if past != nil {
			p = past[i]
		}
		h, kvs[i] = m.Layers[i].forward(h, cfg, cos, sin, mask, p)
		if acts != nil {
			acts.Layers = append(acts.Layers, h)
		}
	}
	h = nn.LayerNorm(h, m.FinalNormWeight, m.FinalNormBias, cfg.LayerNormEps)
	if acts != nil {
		acts.FinalNorm = h
	}
	return h, kvs
}

// forward applies the block to the residual stream h [B, T, H]:
//
//	parallel:   h + attn(ln1(h)) + mlp(ln2(h))      (summed as HF: mlp + attn + h)
//	sequential: a = attn(ln1(h)) + h;  mlp(ln2(a)) + a
func (l *Layer) forward(h *autograd.Value, cfg Config, cos, sin, mask *tensor.Tensor, past *nn.KV) (*autograd.Value, *nn.KV) {
	eps := cfg.LayerNormEps
	attn, kv := l.Attention.Forward(nn.LayerNorm(h, l.InputNormWeight, l.InputNormBias, eps), cos, sin, mask, past)
	if cfg.UseParallelResidual {
		mlp := l.MLP.Forward(nn.LayerNorm(h, l.PostNormWeight, l.PostNormBias, eps))
		return autograd.Add(autograd.Add(mlp, attn), h), kv
	}
	a := autograd.Add(attn, h)
	return autograd.Add(l.MLP.Forward(nn.LayerNorm(a, l.PostNormWeight, l.PostNormBias, eps)), a), kv
}
