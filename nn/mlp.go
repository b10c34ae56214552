package nn

import "github.com/daalab/daa/autograd"

// MLP holds the weights of a transformer feed-forward block (Hugging Face
// GPTNeoXMLP): y = act(x Wup^T + bup) Wdown^T + bdown.
type MLP struct {
	UpWeight, UpBias     *autograd.Value // dense_h_to_4h: [I, H], [I]
	DownWeight, DownBias *autograd.Value // dense_4h_to_h: [H, I], [H]
	Act                  Activation      // the nonlinearity (see ActivationByName)
	UpLoRA, DownLoRA     *LoRA           // the projections' adapters, or nil (see LoRA)
}

// Forward returns the block's output [..., H] for x [..., H]. It panics if
// the weights' shapes do not fit x.
func (m MLP) Forward(x *autograd.Value) *autograd.Value {
	hidden := m.Act(m.UpLoRA.Linear(x, m.UpWeight, m.UpBias))  // (..., I)
	return m.DownLoRA.Linear(hidden, m.DownWeight, m.DownBias) // (..., H)
}
