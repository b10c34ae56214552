package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/tensor"
)

// LoRA is a low-rank adapter on a linear layer (Hu et al. 2021, "LoRA:
// Low-Rank Adaptation of Large Language Models"; PEFT's lora.Linear). With
// the adapter the layer computes
//
//	y = x W^T + b + s dropout(x) A^T B^T        s = Scale()
//
// for the frozen base weight W [out, in] and bias b, A [r, in] and B [out, r].
// A and B are the only trainable tensors; their names in a PEFT adapter file
// are the layer's name + ".lora_A.weight" and ".lora_B.weight".
type LoRA struct {
	A *autograd.Value // lora_A.weight [r, in]
	B *autograd.Value // lora_B.weight [out, r]
	// Alpha is PEFT's lora_alpha; RSLoRA selects rank-stabilised scaling
	// (use_rslora): s = Alpha/r, or Alpha/sqrt(r) with RSLoRA.
	Alpha  float64
	RSLoRA bool
	// Dropout is the probability with which each element of the adapter's
	// input is zeroed in training (PEFT's lora_dropout); the kept elements are
	// scaled by 1/(1-Dropout), as torch.nn.Dropout does. The base path never
	// sees dropout.
	Dropout float64
	// RNG draws the dropout masks. nil means evaluation: no dropout.
	RNG *rand.Rand
	// Merged records that s B A has been added into the base weight (Merge),
	// so Linear computes x W^T + b alone.
	Merged bool
}

// NewLoRA returns an adapter of rank r for a layer with weight [out, in],
// initialised as PEFT initialises it (init_lora_weights=True): A
// Kaiming-uniform with a = sqrt(5), that is U(-bound, bound) with
//
//	bound = gain * sqrt(3/fan_in),  gain = sqrt(2/(1+a^2)) = sqrt(1/3)  =>  bound = 1/sqrt(in)
//
// and B zero, so the adapted layer starts equal to the base. Values are of
// dtype dt and drawn from rng. It panics if r, in or out is not positive.
func NewLoRA(rng *rand.Rand, dt tensor.DType, in, out, r int, alpha float64, rslora bool, dropout float64) *LoRA {
	if r <= 0 || in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: NewLoRA rank %d for a [%d, %d] weight", r, out, in))
	}
	bound := 1 / math.Sqrt(float64(in))
	return &LoRA{
		A:       autograd.Param(tensor.RandU(rng, dt, -bound, bound, r, in)),
		B:       autograd.Param(tensor.Zeros(dt, out, r)),
		Alpha:   alpha,
		RSLoRA:  rslora,
		Dropout: dropout,
	}
}

// Rank returns r, the number of rows of A. It panics if A is nil.
func (l *LoRA) Rank() int { return l.A.Shape()[0] }

// Scale returns s = Alpha/r, or Alpha/sqrt(r) with RSLoRA (PEFT's scaling).
// It panics if A is nil.
func (l *LoRA) Scale() float64 {
	r := float64(l.Rank())
	if l.RSLoRA {
		return l.Alpha / math.Sqrt(r)
	}
	return l.Alpha / r
}

// Linear returns x W^T + b + s dropout(x) A^T B^T for x [..., in], weight
// [out, in] and bias [out] or nil; the result is [..., out]. A nil or merged
// adapter gives Linear(x, weight, bias). Dropout applies when RNG is set and
// Dropout > 0, one mask element per element of x. It panics if the shapes do
// not fit (A must be [r, in], B [out, r]).
func (l *LoRA) Linear(x, weight, bias *autograd.Value) *autograd.Value {
	y := Linear(x, weight, bias) // (..., out)
	if l == nil || l.Merged {
		return y
	}
	as, bs, ws := l.A.Shape(), l.B.Shape(), weight.Shape()
	if len(as) != 2 || len(bs) != 2 || as[1] != ws[1] || bs[0] != ws[0] || bs[1] != as[0] {
		panic(fmt.Sprintf("nn: LoRA A %v, B %v on weight %v; want A [r, %d], B [%d, r]", as, bs, ws, ws[1], ws[0]))
	}
	in := x
	if l.RNG != nil && l.Dropout > 0 {
		in = autograd.Mul(x, autograd.Const(l.dropoutMask(x.DType(), x.Shape())))
	}
	low := autograd.MatMul(in, l.A, false, true)    // (..., r)
	delta := autograd.MatMul(low, l.B, false, true) // (..., out)
	return autograd.Add(y, autograd.Scale(delta, l.Scale()))
}

// dropoutMask draws the inverted-dropout mask of the given shape: 0 with
// probability Dropout, else 1/(1-Dropout).
func (l *LoRA) dropoutMask(dt tensor.DType, shape []int) *tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	keep := 1 / (1 - l.Dropout)
	v := make([]float64, n)
	for i := range v {
		if l.RNG.Float64() >= l.Dropout {
			v[i] = keep
		}
	}
	return tensor.FromValues(dt, v, shape...)
}

// Delta returns s B A [out, in], what the adapter adds to the base weight.
// It panics if A or B is nil.
func (l *LoRA) Delta() *tensor.Tensor {
	return tensor.Scale(tensor.MatMul(l.B.Data, l.A.Data, false, false), l.Scale())
}

// Merge adds s B A into weight [out, in] in place (PEFT's merge: W += s B A)
// and marks the adapter merged. It panics if the adapter is already merged
// or the shapes differ.
func (l *LoRA) Merge(weight *tensor.Tensor) {
	if l.Merged {
		panic("nn: LoRA Merge of a merged adapter")
	}
	d := l.Delta()
	if !tensor.SameShape(weight, d) {
		panic(fmt.Sprintf("nn: LoRA Merge of a %v delta into weight %v", d.Shape(), weight.Shape()))
	}
	tensor.AddInPlace(weight, d)
	l.Merged = true
}

// Unmerge subtracts s B A from weight [out, in] in place (PEFT's unmerge),
// restoring the base weight to rounding, and marks the adapter unmerged. It
// panics if the adapter is not merged or the shapes differ.
func (l *LoRA) Unmerge(weight *tensor.Tensor) {
	if !l.Merged {
		panic("nn: LoRA Unmerge of an adapter that is not merged")
	}
	d := l.Delta()
	if !tensor.SameShape(weight, d) {
		panic(fmt.Sprintf("nn: LoRA Unmerge of a %v delta from weight %v", d.Shape(), weight.Shape()))
	}
	tensor.AddInPlace(weight, tensor.Neg(d))
	l.Merged = false
}
