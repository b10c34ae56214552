package fast

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/tensor"
)

// param is one parameter of the model as the engine sees it: the model's
// value (whose Data is read at every pass, so weights updated or replaced
// between calls are used) and the gradient being accumulated.
type param struct {
	name string
	v    *autograd.Value
	own  *tensor.Tensor // the engine's gradient tensor, attached when v.Grad is nil
	g    []float32      // during a backward pass: the gradient to accumulate into
	// fresh reports that g is the engine's own tensor holding a previous
	// step's values: the first write of the pass assigns instead of adding.
	fresh bool
	// A bfloat16 engine's copy (see NewInferenceBF16): a matrix in bf16
	// (converted to float32 where it is used), a vector as the float32
	// values of its bf16 rounding; v is then nil.
	bf16 []uint16
	vec  []float32
	// Under BF16 precision, a float32 matrix rounded to bfloat16 in the
	// pass numbered halfAt (precision.go).
	half   []uint16
	halfAt uint64
	// frozen parameters (a constant or bfloat16 base, the weights under
	// LoRA adapters) get no gradient buffer: backward passes skip their
	// weight-gradient products and only propagate through them.
	frozen bool
}

// w returns the parameter's float32 values (for a bfloat16 engine, only a
// vector's: matrices go through Engine.matrix).
func (p *param) w() []float32 {
	if p.v == nil {
		if p.vec == nil {
			panic("fast: float32 view of the bfloat16 matrix " + p.name)
		}
		return p.vec
	}
	return p.v.Data.Float32s()
}

// beginGrad prepares p for a backward pass. A nil Grad gets the engine's
// own tensor (allocated once, zeroed lazily through fresh); an existing one
// is accumulated into. It panics if an existing Grad is not a contiguous
// float32 tensor of the parameter's shape.
func (p *param) beginGrad() {
	if p.frozen {
		return
	}
	if p.v.Grad == nil {
		if p.own == nil || !tensor.SameShape(p.own, p.v.Data) {
			p.own = tensor.ZerosLike(p.v.Data)
		}
		p.v.Grad = p.own
		p.fresh = true
	} else {
		g := p.v.Grad
		if g.DType() != tensor.Float32 || !tensor.SameShape(g, p.v.Data) || !g.IsContiguous() {
			panic(fmt.Sprintf("fast: Backward: %s has a gradient %s %v (contiguous %v); want float32 %v",
				p.name, g.DType(), g.Shape(), g.IsContiguous(), p.v.Data.Shape()))
		}
		p.fresh = false
	}
	p.g = p.v.Grad.Float32s()
}

// beta returns the GEMM beta for the next write into p's gradient: 0 for
// the first write into a fresh buffer (which then stops being fresh), 1
// after. Every element of the gradient must be written by that first write.
func (p *param) beta() float32 {
	if p.fresh {
		p.fresh = false
		return 0
	}
	return 1
}

// add adds src into the whole gradient (assigning when fresh).
func (p *param) add(src []float32) {
	if p.frozen {
		return
	}
	if p.beta() == 0 {
		copy(p.g, src)
		return
	}
	for i, v := range src {
		p.g[i] += v
	}
}

// zeroIfFresh clears a fresh gradient: before sparse writes, and at the
// end of a pass for a gradient nothing wrote.
func (p *param) zeroIfFresh() {
	if p.fresh {
		clear(p.g)
		p.fresh = false
	}
}

// layerParams are one transformer block's parameters (Hugging Face names
// in the comments); qkvb and denseb are nil without attention biases.
type layerParams struct {
	ln1w, ln1b *param // input_layernorm [C]
	ln2w, ln2b *param // post_attention_layernorm [C]
	qkvw, qkvb *param // attention.query_key_value [3C, C], [3C]
	densew     *param // attention.dense [C, C]
	denseb     *param // [C]
	upw, upb   *param // mlp.dense_h_to_4h [I, C], [I]
	downw      *param // mlp.dense_4h_to_h [C, I]
	downb      *param // [C]
}

// modelParams are all the parameters, each once: embOut is embIn when the
// output layer is tied.
type modelParams struct {
	embIn      *param // gpt_neox.embed_in [V, C]
	layers     []layerParams
	lnfw, lnfb *param // gpt_neox.final_layer_norm [C]
	embOut     *param // embed_out [V, C]
	all        []*param
}

// newModelParams binds the parameters of m by their Hugging Face names. It
// returns an error if a parameter is not float32.
func newModelParams(m *pythia.Model) (modelParams, error) {
	byValue := map[*autograd.Value]*param{}
	var mp modelParams
	for _, p := range m.Params() {
		if p.Value.DType() != tensor.Float32 {
			return modelParams{}, fmt.Errorf("fast: parameter %s is %s; the fast path computes in float32 only", p.Name, p.Value.DType())
		}
		q := &param{name: p.Name, v: p.Value, frozen: !p.Value.RequiresGrad()}
		byValue[p.Value] = q
		mp.all = append(mp.all, q)
	}
	get := func(v *autograd.Value) *param {
		if v == nil {
			return nil
		}
		return byValue[v]
	}
	mp.embIn, mp.embOut = get(m.EmbedIn), get(m.EmbedOut)
	mp.lnfw, mp.lnfb = get(m.FinalNormWeight), get(m.FinalNormBias)
	for i := range m.Layers {
		l := &m.Layers[i]
		mp.layers = append(mp.layers, layerParams{
			ln1w: get(l.InputNormWeight), ln1b: get(l.InputNormBias),
			ln2w: get(l.PostNormWeight), ln2b: get(l.PostNormBias),
			qkvw: get(l.Attention.QKVWeight), qkvb: get(l.Attention.QKVBias),
			densew: get(l.Attention.DenseWeight), denseb: get(l.Attention.DenseBias),
			upw: get(l.MLP.UpWeight), upb: get(l.MLP.UpBias),
			downw: get(l.MLP.DownWeight), downb: get(l.MLP.DownBias),
		})
	}
	return mp, nil
}

// data returns p's values, or nil for an absent parameter.
func data(p *param) []float32 {
	if p == nil {
		return nil
	}
	return p.w()
}
