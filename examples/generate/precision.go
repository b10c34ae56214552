package main

import (
	"fmt"

	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
)

// generator returns the Generate function of -fast and -precision: the
// autograd model's (neither), the float32 engine's (-fast), or, with
// -precision bf16, an engine holding a bfloat16 copy of the weights (half
// the memory) that multiplies it directly with float32 sums
// (fast.NewInferenceBF16 in fast.BF16 precision). It returns an error for
// an unknown precision.
func generator(m *pythia.Model, precision string, useFast bool, maxSeq int) (func([][]int, pythia.GenerateOptions) (*pythia.Generation, error), error) {
	p, err := fast.ParsePrecision(precision)
	if err != nil {
		return nil, fmt.Errorf("-precision %q: want float32 or bf16", precision)
	}
	switch {
	case p == fast.BF16:
		e, err := fast.NewInferenceBF16(m, 1, maxSeq)
		if err != nil {
			return nil, err
		}
		e.SetPrecision(p)
		return e.Generate, nil
	case useFast:
		e, err := fast.NewInference(m, 1, maxSeq)
		if err != nil {
			return nil, err
		}
		return e.Generate, nil
	}
	return m.Generate, nil
}
