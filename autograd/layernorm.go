package autograd

import (
	"fmt"
	"math"

	"github.com/daalab/daa/tensor"
)

// LayerNorm normalises x [..., C] over its last axis and applies the affine
// weight and bias [C]:
//
//	mean = sum(x)/C, var = sum((x-mean)^2)/C (biased, as PyTorch),
//	rstd = 1/sqrt(var + eps), norm = (x - mean) * rstd, y = norm*w + b.
//
// Backward (llm.c's layernorm_backward, in tensor form), with dnorm = dy*w:
//
//	dx = rstd * (dnorm - mean(dnorm) - norm * mean(dnorm*norm)),
//	dw = sum over rows of dy*norm, db = sum over rows of dy.
//
// weight and bias may be nil (no affine transform). It panics if their shape
// is not [C].
func LayerNorm(x, weight, bias *Value, eps float64) *Value {
	shape := x.Data.Shape()
	c := shape[len(shape)-1]
	for _, p := range []*Value{weight, bias} {
		if p != nil && (p.Data.Rank() != 1 || p.Data.Dim(0) != c) {
			panic(fmt.Sprintf("autograd: LayerNorm parameter of shape %v for input %v; want [%d]", p.Data.Shape(), shape, c))
		}
	}
	mean := tensor.MeanKeep(x.Data, -1)                      // [..., 1]
	centered := tensor.Sub(x.Data, mean)                     // [..., C]
	variance := tensor.MeanKeep(tensor.Square(centered), -1) // [..., 1]
	rstd := tensor.Apply(tensor.AddScalar(variance, eps), func(v float64) float64 { return 1 / math.Sqrt(v) })
	norm := tensor.Mul(centered, rstd) // [..., C]
	out := norm
	if weight != nil {
		out = tensor.Mul(out, weight.Data)
	}
	if bias != nil {
		out = tensor.Add(out, bias.Data)
	}
	rows := x.Data.Len() / max(c, 1)
	return record("LayerNorm", out, func(g *tensor.Tensor) {
		if weight != nil && weight.requiresGrad {
			weight.accumulate(tensor.Sum(tensor.Mul(g, norm).Reshape(rows, c), 0))
		}
		if bias != nil && bias.requiresGrad {
			bias.accumulate(tensor.Sum(g.Reshape(rows, c), 0))
		}
		if x.requiresGrad {
			dnorm := g
			if weight != nil {
				dnorm = tensor.Mul(g, weight.Data)
			}
			m1 := tensor.MeanKeep(dnorm, -1)
			m2 := tensor.MeanKeep(tensor.Mul(dnorm, norm), -1)
			dx := tensor.Mul(tensor.Sub(tensor.Sub(dnorm, m1), tensor.Mul(norm, m2)), rstd)
			x.accumulate(dx)
		}
	}, x, weight, bias)
}
