package nn

import (
	"fmt"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// TokenLogProbs returns the log-probability of each target token under the
// logits [B, T, V]: out[b, t] = log_softmax(logits[b, t, :])[targets[b][t]],
// as a differentiable value [B, T] (log-softmax with the maximum subtracted,
// then a gather). mask is nil (score every position) or [B][T]; where it is
// false the target is ignored (it may be any int, such as -100) and the
// output is 0 with no gradient.
//
// The gradient with respect to the logits is g * (onehot(target) - softmax)
// per scored position. It panics if targets or mask are not [B][T] or a
// scored target is outside [0, V).
func TokenLogProbs(logits *autograd.Value, targets [][]int, mask [][]bool) *autograd.Value {
	ls := logits.Shape()
	flat, b, t := Flatten("TokenLogProbs", targets)
	if len(ls) != 3 || ls[0] != b || ls[1] != t {
		panic(fmt.Sprintf("nn: TokenLogProbs logits %v with targets [%d][%d]", ls, b, t))
	}
	var blocked *tensor.Tensor // 1 where mask is false
	if mask != nil {
		m, mb, mt := Flatten("TokenLogProbs mask", mask)
		if mb != b || mt != t {
			panic(fmt.Sprintf("nn: TokenLogProbs mask [%d][%d] with targets [%d][%d]", mb, mt, b, t))
		}
		off := make([]float64, len(m))
		for i, keep := range m {
			if !keep {
				off[i] = 1
				flat[i] = 0 // any valid index; the entry is discarded
			}
		}
		blocked = tensor.FromValues(logits.DType(), off, b, t)
	}
	for i, id := range flat {
		if id < 0 || id >= ls[2] {
			panic(fmt.Sprintf("nn: TokenLogProbs target %d at [%d][%d] outside [0, %d)", id, i/t, i%t, ls[2]))
		}
	}
	logp := autograd.LogSoftmax(logits, -1)                          // (B, T, V)
	picked := autograd.Reshape(autograd.Gather(logp, 2, flat), b, t) // (B, T, 1) -> (B, T)
	if blocked == nil {
		return picked
	}
	return autograd.MaskedFill(picked, blocked, 0)
}
