package fast

import (
	"errors"

	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/pythia"
)

// NewInferenceBF16 returns an inference engine (see NewInference) that
// holds its own copy of m's weights rounded to bfloat16, half the memory
// of float32, and computes in float32: each matrix is widened right before
// its product (embed_out a vocabulary chunk at a time, embed_in row by
// row). It suits a frozen reference model: the copy is taken now, later
// changes to m are not seen, and the engine keeps no reference to m, so
// dropping m frees its float32 weights. Its results are those of m with
// every weight rounded to bfloat16 (round to nearest even), which moves
// sequence log-probs by about 1e-3 relative unless m's weights were bf16
// already (a bf16 checkpoint), when nothing changes. Widening costs about
// one pass over the weights per forward pass. It returns the errors of
// NewInference.
func NewInferenceBF16(m *pythia.Model, maxBatch, maxSeq int) (*Engine, error) {
	if m.HasLoRA() {
		return nil, errors.New("fast: NewInferenceBF16 of a model with LoRA adapters; merge them (pythia.Model.MergeLoRA) or use Options.BF16Base")
	}
	e, err := newEngine(m, maxBatch, maxSeq, Options{Inference: true})
	if err != nil {
		return nil, err
	}
	largest := 0
	for _, p := range e.p.all {
		w := p.w()
		if p.v.Data.Rank() == 1 {
			bits := make([]uint16, len(w))
			half.F32sToBF16s(bits, w)
			p.vec = make([]float32, len(w))
			half.BF16sToF32s(p.vec, bits)
		} else {
			p.bf16 = make([]uint16, len(w))
			half.F32sToBF16s(p.bf16, w)
			if p != e.p.embIn && p != e.p.embOut {
				largest = max(largest, len(w))
			}
		}
		p.v = nil
	}
	e.model = nil
	e.wide = make([]float32, largest)
	e.out.wide = make([]float32, vocabChunk*e.c)
	return e, nil
}

// matrix returns the float32 values of the weight matrix p: the model's
// tensor, or for a bfloat16 engine p widened into e.wide (valid until the
// next call).
func (e *Engine) matrix(p *param) []float32 {
	if p.bf16 == nil {
		return p.w()
	}
	w := e.wide[:len(p.bf16)]
	widen(w, p.bf16)
	return w
}

// widen sets dst = float32(src) for bfloat16 bits src, in parallel.
func widen(dst []float32, src []uint16) {
	parallel.For(len(src), 1<<15, func(lo, hi int) {
		half.BF16sToF32s(dst[lo:hi], src[lo:hi])
	})
}

// embedRow writes row id of embed_in into dst.
func (e *Engine) embedRow(dst []float32, id int) {
	c := e.c
	if p := e.p.embIn; p.bf16 != nil {
		half.BF16sToF32s(dst, p.bf16[id*c:(id+1)*c])
		return
	}
	copy(dst, e.p.embIn.w()[id*c:(id+1)*c])
}
