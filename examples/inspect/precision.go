package main

import (
	"fmt"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// scorer computes what inspect prints: the autograd model (-precision
// float32, the default, or -dtype float64), or the fused engine with
// bfloat16 products and float32 sums (-precision bf16, pythia/fast's
// fast.BF16).
type scorer struct {
	m *pythia.Model
	e *fast.Engine // nil: the autograd model
}

// newScorer returns the scorer of m for sequences of up to t tokens in the
// named precision. It returns an error for an unknown precision, or bf16
// on a float64 model.
func newScorer(m *pythia.Model, precision string, t int) (scorer, error) {
	p, err := fast.ParsePrecision(precision)
	if err != nil {
		return scorer{}, fmt.Errorf("-precision %q: want float32 or bf16", precision)
	}
	if p == fast.Float32 {
		return scorer{m: m}, nil
	}
	if m.DType() != tensor.Float32 {
		return scorer{}, fmt.Errorf("-precision %s computes on the float32 engine; -dtype is %s", p, m.DType())
	}
	e, err := fast.NewWithOptions(m, 1, t, fast.Options{Inference: true, Precision: p})
	if err != nil {
		return scorer{}, err
	}
	return scorer{m: m, e: e}, nil
}

// logits returns the logits (1, T, V) of ids.
func (s scorer) logits(ids []int) *tensor.Tensor {
	if s.e == nil {
		return s.m.Forward([][]int{ids}, nil).Data
	}
	return tensor.FromFloat32s(s.e.Logits([][]int{ids}, nil), 1, len(ids), s.m.Config.VocabSize)
}

// score returns log p(response[t] | prompt, response[:t]) for every t and
// their sum.
func (s scorer) score(prompt, response []int) ([]float64, float64) {
	if s.e == nil {
		lp := s.m.SequenceLogProbs([][]int{prompt}, [][]int{response})
		return lp.PerToken.Data.ToFloat64s(), lp.Sum.Item()
	}
	lp := s.e.SequenceLogProbs([][]int{prompt}, [][]int{response})
	return append([]float64(nil), lp.PerToken[0]...), lp.Sum[0]
}
