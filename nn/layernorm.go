package nn

import "github.com/daalab/daa/autograd"

// LayerNorm normalises x [..., C] over its last axis with the biased variance
// and applies weight and bias [C] (PyTorch nn.LayerNorm):
//
//	y = (x - mean) / sqrt(var + eps) * weight + bias.
//
// It is autograd.LayerNorm, which holds the forward and backward; it panics
// if weight or bias is not [C].
func LayerNorm(x, weight, bias *autograd.Value, eps float64) *autograd.Value {
	return autograd.LayerNorm(x, weight, bias, eps)
}
