package nn

import (
	"fmt"
	"math"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// Attention holds the weights of a GPT-NeoX causal self-attention block
// (Hugging Face GPTNeoXAttention, eager). H is the model width, split into
// Heads heads of headDim = H/Heads features.
type Attention struct {
	// QKVWeight [3H, H] and QKVBias [3H] (or nil) compute the fused
	// projection. Its output [B, T, 3H] is viewed as [B, T, Heads, 3*headDim]:
	// head h's query, key and value are rows [3hd*h, 3hd*h+hd), the next hd
	// rows and the next hd rows (per-head interleaved, not [q_all; k_all; v_all]).
	QKVWeight, QKVBias *autograd.Value
	// DenseWeight [H, H] and DenseBias [H] (or nil) project the merged heads.
	DenseWeight, DenseBias *autograd.Value
	// Heads is the number of attention heads.
	Heads int
	// QKVLoRA and DenseLoRA are the projections' adapters, or nil (see LoRA).
	QKVLoRA, DenseLoRA *LoRA
}

// KV holds one layer's keys (after the rotary embedding) and values for S
// positions, each [B, Heads, S, headDim]: what a KV cache keeps between
// generation steps.
type KV struct{ K, V *autograd.Value }

// Forward returns the attention output [B, T, H] for x [B, T, H] and the
// keys and values of all S = S_past + T positions:
//
//	q, k, v = split(x Wqkv^T + b)                  (B, Heads, T, headDim) each
//	q, k    = ApplyRotary(q|k, cos, sin)           rotary on the first dims features
//	k, v    = concat(past.K|V, k|v) along time     (B, Heads, S, headDim)
//	scores  = q k^T * headDim^-0.5                 (B, Heads, T, S)
//	scores  = lowest where mask != 0               lowest = the dtype's most negative finite value
//	out     = softmax(scores) v                    (B, Heads, T, headDim) -> (B, T, H)
//	return out Wd^T + bd
//
// An adapter in QKVLoRA or DenseLoRA adds its low-rank term to that
// projection (LoRA.Linear).
//
// cos and sin are the rotary tables for the T new positions (see
// ApplyRotary); mask (see CausalMask) broadcasts to [B, Heads, T, S]; past
// is nil or the keys and values of earlier positions. Everything is computed
// in x's dtype, which must be the weights'. It panics if H is not divisible by
// Heads, the weights' shapes do not fit x, or the tables or mask do not
// broadcast.
func (a Attention) Forward(x *autograd.Value, cos, sin, mask *tensor.Tensor, past *KV) (*autograd.Value, *KV) {
	xs := x.Shape()
	if len(xs) != 3 || a.Heads <= 0 || xs[2]%a.Heads != 0 {
		panic(fmt.Sprintf("nn: Attention input %v with %d heads; want [B, T, H] with H divisible by the heads", xs, a.Heads))
	}
	b, t, h := xs[0], xs[1], xs[2]
	nh, hd := a.Heads, h/a.Heads
	qkv := a.QKVLoRA.Linear(x, a.QKVWeight, a.QKVBias) // (B, T, 3H)
	qkv = autograd.Reshape(qkv, b, t, nh, 3*hd)        // (B, T, Heads, 3*headDim)
	split := func(i int) *autograd.Value {             // i-th of q, k, v
		part := autograd.Narrow(qkv, 3, i*hd, hd) // (B, T, Heads, headDim)
		return autograd.Permute(part, 0, 2, 1, 3) // (B, Heads, T, headDim)
	}
	q := ApplyRotary(split(0), cos, sin)
	k := ApplyRotary(split(1), cos, sin)
	v := split(2)
	if past != nil {
		k = autograd.Concat(2, past.K, k) // (B, Heads, S, headDim)
		v = autograd.Concat(2, past.V, v)
	}
	scores := autograd.Scale(autograd.MatMul(q, k, false, true), math.Pow(float64(hd), -0.5)) // (B, Heads, T, S)
	scores = autograd.MaskedFill(scores, mask, Lowest(x.DType()))
	probs := autograd.Softmax(scores, -1)
	out := autograd.MatMul(probs, v, false, false) // (B, Heads, T, headDim)
	out = autograd.Permute(out, 0, 2, 1, 3)        // (B, T, Heads, headDim)
	out = autograd.Reshape(out, b, t, h)           // (B, T, H)
	return a.DenseLoRA.Linear(out, a.DenseWeight, a.DenseBias), &KV{K: k, V: v}
}

// Lowest returns the most negative finite value of dt (PyTorch's
// torch.finfo(dtype).min), the score Hugging Face gives masked positions.
func Lowest(dt tensor.DType) float64 {
	if dt == tensor.Float32 {
		return -math.MaxFloat32
	}
	return -math.MaxFloat64
}

// CausalMask returns the attention mask for T queries that are the last T
// of S key positions (query t sits at key index S-T+t): 1 where query t must
// not see key s, because s > S-T+t (a later token) or keyValid[b][s] is false
// (padding), and 0 where it may. The shape is [B, 1, T, S] with
// B = len(keyValid), or [1, 1, T, S] (causal only) when keyValid is nil.
// It panics if T > S or a row of keyValid does not have S entries.
func CausalMask(dt tensor.DType, t, s int, keyValid [][]bool) *tensor.Tensor {
	if t > s || t < 0 {
		panic(fmt.Sprintf("nn: CausalMask with %d queries over %d keys", t, s))
	}
	rows := max(1, len(keyValid))
	m := make([]float64, rows*t*s)
	for b := range rows {
		if keyValid != nil && len(keyValid[b]) != s {
			panic(fmt.Sprintf("nn: CausalMask keyValid row %d has %d entries; want %d", b, len(keyValid[b]), s))
		}
		for i := range t {
			for j := range s {
				if j > s-t+i || (keyValid != nil && !keyValid[b][j]) {
					m[(b*t+i)*s+j] = 1
				}
			}
		}
	}
	return tensor.FromValues(dt, m, rows, 1, t, s)
}
