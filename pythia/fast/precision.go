package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/half"
	"github.com/daalab/daa/internal/parallel"
)

// Precision is the arithmetic of an engine's matrix products.
//
// Under BF16 (mixed precision, as bf16 autocast on a GPU) every product
// of a linear layer (forward, input gradient and weight gradient) and of
// the output layer (logits over embed_out and their backward) rounds its
// inputs to bfloat16 and sums in float32 (kernel.GemmBF16 and GemmBF16B).
// Everything else stays as in Float32: the model's float32 weights are the
// master copy that gradients and optimizers update; gradients are float32;
// embedding rows, LayerNorm, rotary, attention (its small per-head
// products included: a few percent of the flops at T = 128), LoRA
// adapters' low-rank products, bias gradients, the MLP activation,
// softmax, the output layer's log-sum-exp and the log-prob sums are
// float32 or float64. Weight
// matrices are rounded to bfloat16 once per pass (the first product of a
// forward pass that reads them, so weights updated between steps are
// seen; its backward pass and a generation's decode steps reuse them) into
// a copy the engine keeps, half the size of the float32 weights. A
// bfloat16 engine (NewInferenceBF16, Options.BF16Base) multiplies its
// stored bfloat16 matrices directly, without widening them.
type Precision int

const (
	// Float32 computes every product in float32 (kernel.Sgemm): the
	// default, unchanged by the existence of BF16.
	Float32 Precision = iota
	// BF16 computes the matrix products with bfloat16 inputs and float32
	// sums (see Precision).
	BF16
)

// String returns "float32" or "bf16", the names ParsePrecision accepts.
func (p Precision) String() string {
	switch p {
	case Float32:
		return "float32"
	case BF16:
		return "bf16"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// ParsePrecision returns the precision named s: "float32" (or "fp32", or
// "" for the default) or "bf16" (or "bfloat16"). It returns an error
// naming s otherwise.
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "", "float32", "fp32":
		return Float32, nil
	case "bf16", "bfloat16":
		return BF16, nil
	}
	return Float32, fmt.Errorf("fast: unknown precision %q; want float32 or bf16", s)
}

// precision is an engine's product arithmetic and the pass counter that
// dates its bfloat16 weight copies.
type precision struct {
	bf16 bool
	// stamp numbers the engine's passes (see newPass): a parameter's
	// bfloat16 copy made in an earlier pass is stale.
	stamp uint64
}

// SetPrecision makes the engine's later passes compute their products in
// p (see Precision). It panics if p is not Float32 or BF16.
func (e *Engine) SetPrecision(p Precision) {
	switch p {
	case Float32, BF16:
	default:
		panic(fmt.Sprintf("fast: SetPrecision(%v)", p))
	}
	e.prec.bf16 = p == BF16
	e.prec.stamp++ // no copy made before a change of precision is reused
	e.out.prec = &e.prec
}

// Precision returns the arithmetic of the engine's products.
func (e *Engine) Precision() Precision {
	if e.prec.bf16 {
		return BF16
	}
	return Float32
}

// newPass starts a pass that reads the weights afresh: every bfloat16 copy
// of a float32 weight is remade on its first use. A decode step of
// Generate (decoding true) continues its prefill's pass.
func (s *precision) newPass(decoding bool) {
	if !decoding {
		s.stamp++
	}
}

// bits returns the bfloat16 bits of the weight matrix p: its stored bits
// for a bfloat16 engine, else its float32 values rounded to nearest even
// into p's copy, once per pass.
func (s *precision) bits(p *param) []uint16 {
	if p.bf16 != nil {
		return p.bf16
	}
	if p.halfAt == s.stamp && p.half != nil {
		return p.half
	}
	w := p.w()
	if len(p.half) != len(w) {
		p.half = make([]uint16, len(w))
	}
	h := p.half
	parallel.For(len(w), 1<<15, func(lo, hi int) {
		half.F32sToBF16s(h[lo:hi], w[lo:hi])
	})
	p.halfAt = s.stamp
	return h
}
