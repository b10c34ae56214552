package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/pythia"
)

// useBF16Base makes the engine read its base weights from w
// (Options.BF16Base) instead of the model's tensors: matrices stay in
// bfloat16 and are widened right before each product (Engine.matrix, and
// the output layer a vocabulary chunk at a time), vectors are widened once
// now. The bits are shared, not copied, so several engines (a LoRA policy
// and its adapters-off reference) hold one copy of the base. Every base
// parameter must be frozen (a constant of the model, as after
// pythia.Model.AttachLoRA or in pythia.NewShapeOnly's model): the engine
// computes no gradient for it. It runs before the adapters are bound. With
// share not nil, e widens into share's buffer when it is large enough.
func (e *Engine) useBF16Base(w pythia.BF16Weights, share *Engine) error {
	largest := 0
	for _, p := range e.p.all {
		bits, ok := w[p.name]
		switch {
		case !ok:
			return fmt.Errorf("fast: the bfloat16 base has no %s", p.name)
		case !p.frozen:
			return fmt.Errorf("fast: %s is trainable; a bfloat16 base holds frozen weights only (pythia.Model.AttachLoRA freezes them)", p.name)
		case len(bits) != p.v.Data.Len():
			return fmt.Errorf("fast: the bfloat16 base's %s has %d values; the model's is %v", p.name, len(bits), p.v.Data.Shape())
		}
		if p.v.Data.Rank() == 1 {
			p.vec = make([]float32, len(bits))
			half.BF16sToF32s(p.vec, bits)
		} else {
			p.bf16 = bits
			if p != e.p.embIn && p != e.p.embOut {
				largest = max(largest, len(bits))
			}
		}
		p.v = nil
	}
	if share != nil && len(share.wide) >= largest {
		e.wide = share.wide
		return nil
	}
	e.wide = make([]float32, largest)
	return nil
}
